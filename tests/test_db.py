"""The store's plumbing: the SQLite settings and the packed wire format frames are read in."""

from __future__ import annotations

import sqlite3
from datetime import date

import pandas as pd

import followup_kit as fk
from followup_kit.schema import CHOICES


def test_frames_read_back_every_choice_date_and_blank_as_stored(wb, tmp_path):
    """The reader sends choices, dates and links as numbers; compare with a plain read."""
    cid = wb.add_client("Alex")
    choices = {name: list(CHOICES[name]) for name in ("round", "format", "status")}
    choices["contact_route"] = list(CHOICES["contact_route"])
    decisions = [None, date(2000, 1, 1), date(2025, 2, 28), date(2026, 12, 31)]
    for i in range(12):
        wb.log_interview(
            cid,
            f"Company {i}",
            "Analyst",
            date(2025, 1, 1 + i),
            decision_expected=decisions[i % len(decisions)]
            and max(decisions[i % len(decisions)], date(2025, 1, 1 + i)),
            notes=None if i % 3 else f"note {i}",
            **{name: values[i % len(values)] for name, values in choices.items()},
        )
    with sqlite3.connect(tmp_path / "wb.sqlite") as raw:  # a choice left blank by hand
        raw.execute("UPDATE interviews SET format = NULL, round = NULL WHERE id = 2")
    raw.close()

    with sqlite3.connect(tmp_path / "wb.sqlite") as raw:
        expected = pd.read_sql("SELECT * FROM interviews ORDER BY id", raw)
    raw.close()
    for name, dtype in fk.schema.frame_dtypes("interviews").items():
        if dtype == "datetime64[us]":
            expected[name] = pd.to_datetime(expected[name]).astype(dtype)
        else:
            expected[name] = expected[name].astype(dtype)
    got = wb.interviews()
    pd.testing.assert_frame_equal(got, expected)
    assert got.loc[1, ["round", "format"]].isna().all()
    assert set(got["status"]) == set(CHOICES["status"])


def test_every_list_of_choices_fits_the_bits_the_reader_packs_it_in():
    from followup_kit._db import _CHOICE_MASK

    assert max(len(values) for values in CHOICES.values()) < _CHOICE_MASK + 1


def test_sqlite_file_uses_wal_and_a_busy_timeout(tmp_path):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path) as wb:
        wb.add_client("Alex")
        with wb.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert sqlite3.connect(path).execute("select name from clients").fetchall() == [("Alex",)]


def test_a_store_made_before_takes_had_a_length_and_note_gains_both_columns(tmp_path):
    path = tmp_path / "old.sqlite"
    with fk.open_workbook(path, today="2025-03-20") as wb:
        cid = wb.add_client("Alex Rivera")
        rid = wb.add_recording(cid, "take.ogg", b"OggS-old", mime="audio/ogg")
    with sqlite3.connect(path) as conn:  # the recordings table as it was first released
        conn.execute("ALTER TABLE recordings DROP COLUMN note")
        conn.execute("ALTER TABLE recordings DROP COLUMN seconds")
    for _ in range(2):  # added once; opening again changes nothing
        with fk.open_workbook(path, today="2025-03-20") as wb:
            assert wb.recordings(cid)["filename"].tolist() == ["take.ogg"]
            assert wb.recording_data(rid) == b"OggS-old"
    with fk.open_workbook(path, today="2025-03-20") as wb:
        wb.update_recording(rid, note="too fast")
        assert wb.recordings(cid)["note"].tolist() == ["too fast"]
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(recordings)")]
    assert columns.count("note") == 1 and columns.count("seconds") == 1
