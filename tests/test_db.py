"""The store's plumbing: the SQLite settings and the packed wire format frames are read in."""

from __future__ import annotations

import io
import os
import sqlite3
import wave
from contextlib import closing
from datetime import date

import pandas as pd
import pytest

import followup_kit as fk
from followup_kit import demo
from followup_kit.exceptions import StoreError
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


# -- ids are never reused ------------------------------------------------------------


def tiny_wav() -> bytes:
    """A real (silent, 10 ms) WAV file: recordings must be audio."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 80)
    return buffer.getvalue()


def ids_after_deleting_the_newest(wb: fk.Workbook) -> dict[str, tuple[int, int]]:
    """For every table: (id of its newest row, deleted; id the next row got).

    Shared with the PostgreSQL tests.
    """
    day = date(2025, 3, 4)
    keep = wb.add_client("Alex Rivera")
    iid = wb.log_interview(keep, "Acme", "Analyst", day)

    def twice(add, delete) -> tuple[int, int]:
        gone = add()
        delete(gone)
        return gone, add()

    return {
        "clients": twice(lambda: wb.add_client("Bea Okafor"), wb.delete_client),
        "interviews": twice(
            lambda: wb.log_interview(keep, "Globex", "Engineer", day), wb.delete_interview
        ),
        "interviewers": twice(lambda: wb.add_interviewer(iid, "Dana Lee"), wb.delete_interviewer),
        "follow_ups": twice(
            lambda: wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=day),
            wb.delete_follow_up,
        ),
        "responses": twice(
            lambda: wb.log_response(iid, received_on=date(2025, 3, 11), result="other"),
            wb.delete_response,
        ),
        "skipped_steps": twice(
            lambda: wb.skip_step(iid, "thank_you", reason="No address"), wb.delete_skipped_step
        ),
        "recordings": twice(
            lambda: wb.add_recording(keep, "take.wav", tiny_wav(), mime="audio/wav"),
            wb.delete_recording,
        ),
    }


def cohort_with_skips() -> dict[str, pd.DataFrame]:
    """A small demo cohort with a skipped step, so bulk import writes every table it can."""
    tables = demo.generate(2, 3)
    first = tables["interviews"].iloc[0]
    tables["skipped_steps"] = pd.DataFrame(
        {
            "id": [1],
            "interview_id": [first["id"]],
            "step": ["thank_you"],
            "reason": ["No address"],
            "interviewer": [None],
            "skipped_on": [first["interview_date"]],
        }
    )
    return tables


def ids_after_bulk_import_over_deleted_rows(wb: fk.Workbook) -> dict[str, tuple[int, int]]:
    """For every table bulk import writes: (highest id before deleting every row; the
    lowest id the next import gave). Shared with the PostgreSQL tests."""
    wb.load_tables(cohort_with_skips())
    before = {name: int(frame["id"].max()) for name, frame in wb.tables().items()}
    for cid in wb.clients()["id"]:
        wb.delete_client(int(cid))
    assert wb.counts().sum() == 0
    wb.load_tables(cohort_with_skips())
    after = {name: int(frame["id"].min()) for name, frame in wb.tables().items()}
    return {name: (before[name], after[name]) for name in before}


def test_deleting_then_adding_never_reuses_an_id_in_any_table(wb):
    found = ids_after_deleting_the_newest(wb)
    assert set(found) == set(fk.schema.TABLES)
    for table, (gone, new) in found.items():
        assert new > gone, table


def test_bulk_import_never_reuses_the_ids_of_deleted_rows(tmp_path):
    with fk.open_workbook(tmp_path / "w.sqlite", today="2026-11-02") as wb:  # after the demo
        found = ids_after_bulk_import_over_deleted_rows(wb)
    assert set(found) == set(fk.schema.TABLES) - {"recordings"}
    for table, (highest, lowest) in found.items():
        assert lowest > highest, table


def test_reopening_does_not_reset_the_ids(tmp_path):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path) as wb:
        wb.add_client("Alex")
        gone = wb.add_client("Bea")
        wb.delete_client(gone)
    with fk.open_workbook(path) as wb:
        assert wb.add_client("Cem") == gone + 1


# A store made before ids were kept: the schema as it was, tables without AUTOINCREMENT.
OLD_SCHEMA = """
CREATE TABLE clients (
    id INTEGER NOT NULL, name VARCHAR(120) NOT NULL, cohort VARCHAR(80), country TEXT,
    username VARCHAR(120), created DATE, PRIMARY KEY (id)
);
CREATE TABLE interviews (
    id INTEGER NOT NULL, client_id INTEGER NOT NULL, company VARCHAR(200) NOT NULL,
    role VARCHAR(200) NOT NULL, round VARCHAR(40), interview_date DATE NOT NULL,
    format VARCHAR(40), contact_route VARCHAR(40), decision_expected DATE,
    status VARCHAR(40), notes TEXT, PRIMARY KEY (id),
    CHECK (round = 'screen' OR round = 'first' OR round = 'second' OR round = 'final'
           OR round = 'panel' OR round = 'other'),
    CHECK (format = 'phone' OR format = 'video' OR format = 'onsite'),
    CHECK (contact_route = 'direct' OR contact_route = 'hr' OR contact_route = 'agency'),
    CHECK (status = 'open' OR status = 'next_round' OR status = 'offer'
           OR status = 'rejected' OR status = 'withdrawn' OR status = 'ghosted'),
    FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
);
CREATE INDEX ix_interviews_client_id ON interviews (client_id);
CREATE TABLE recordings (
    id INTEGER NOT NULL, client_id INTEGER NOT NULL, script_id VARCHAR(80),
    filename VARCHAR(200) NOT NULL, mime VARCHAR(80) NOT NULL, created DATE, data BLOB,
    PRIMARY KEY (id), FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
);
CREATE INDEX ix_recordings_client_id ON recordings (client_id);
CREATE TABLE interviewers (
    id INTEGER NOT NULL, interview_id INTEGER NOT NULL, name VARCHAR(120) NOT NULL,
    title VARCHAR(120), email VARCHAR(200), PRIMARY KEY (id),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE
);
CREATE INDEX ix_interviewers_interview_id ON interviewers (interview_id);
CREATE TABLE responses (
    id INTEGER NOT NULL, interview_id INTEGER NOT NULL, received_on DATE NOT NULL,
    channel VARCHAR(40), result VARCHAR(40), feedback TEXT, reflection TEXT,
    PRIMARY KEY (id),
    CHECK (channel = 'email' OR channel = 'phone' OR channel = 'voicemail'
           OR channel = 'linkedin' OR channel = 'handwritten' OR channel = 'text'),
    CHECK (result = 'next_round' OR result = 'offer' OR result = 'rejection'
           OR result = 'still_deciding' OR result = 'other'),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE
);
CREATE INDEX ix_responses_interview_id ON responses (interview_id);
CREATE TABLE skipped_steps (
    id INTEGER NOT NULL, interview_id INTEGER NOT NULL, step VARCHAR(40) NOT NULL,
    interviewer VARCHAR(120), reason VARCHAR(500) NOT NULL, skipped_on DATE,
    PRIMARY KEY (id),
    CHECK (step = 'thank_you' OR step = 'status_check' OR step = 'second_follow_up'
           OR step = 'close_as_ghosted' OR step = 'feedback_request'),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE
);
CREATE INDEX ix_skipped_steps_interview_id ON skipped_steps (interview_id);
CREATE TABLE follow_ups (
    id INTEGER NOT NULL, interview_id INTEGER NOT NULL, interviewer_id INTEGER,
    kind VARCHAR(40), channel VARCHAR(40), sent_on DATE NOT NULL, script_id VARCHAR(80),
    script_version VARCHAR(20), notes TEXT, PRIMARY KEY (id),
    CHECK (kind = 'thank_you' OR kind = 'status_check' OR kind = 'feedback_request'
           OR kind = 'reconnect' OR kind = 'other'),
    CHECK (channel = 'email' OR channel = 'phone' OR channel = 'voicemail'
           OR channel = 'linkedin' OR channel = 'handwritten' OR channel = 'text'),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE,
    FOREIGN KEY(interviewer_id) REFERENCES interviewers (id) ON DELETE SET NULL
);
CREATE INDEX ix_follow_ups_interviewer_id ON follow_ups (interviewer_id);
CREATE INDEX ix_follow_ups_interview_id ON follow_ups (interview_id);
"""

OLD_ROWS = """
INSERT INTO clients (id, name, country, created) VALUES (1, 'Alex', 'US', '2025-03-01'),
    (7, 'Bea', 'GB', '2025-03-01');
INSERT INTO interviews (id, client_id, company, role, interview_date, status)
    VALUES (3, 7, 'Acme', 'Analyst', '2025-03-04', 'open'),
           (9, 7, 'Globex', 'Engineer', '2025-03-05', 'open');
INSERT INTO interviewers (id, interview_id, name) VALUES (4, 9, 'Dana Lee'), (6, 3, 'Kim');
INSERT INTO follow_ups (id, interview_id, interviewer_id, kind, channel, sent_on)
    VALUES (2, 9, 4, 'thank_you', 'email', '2025-03-05');
INSERT INTO responses (id, interview_id, received_on, channel, result)
    VALUES (5, 9, '2025-03-11', 'email', 'next_round');
INSERT INTO skipped_steps (id, interview_id, step, reason) VALUES (8, 3, 'thank_you', 'x');
INSERT INTO recordings (id, client_id, filename, mime, data)
    VALUES (2, 1, 'a.wav', 'audio/wav', x'00');
"""


def old_store(path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.executescript(OLD_SCHEMA + OLD_ROWS)


def schema_of(path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as raw:
        return dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


def test_an_old_store_is_upgraded_when_opened_keeping_every_row_link_and_index(tmp_path):
    path = tmp_path / "old.sqlite"
    old_store(path)
    with closing(sqlite3.connect(path)) as raw:
        rows_before = {
            t: raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in fk.schema.TABLES
        }
    indexes_before = {n for n, sql in schema_of(path).items() if sql.startswith("CREATE INDEX")}
    with fk.open_workbook(path, today="2025-03-20") as wb:
        assert wb.follow_ups()["interviewer_id"].tolist() == [4]
        # The newest interview deleted, a new one logged: it does not get id 9 again.
        wb.delete_interview(9)
        assert wb.log_interview(7, "Initech", "Planner", "2025-03-06") == 10
        assert wb.add_client("Cem") == 8
        wb.delete_client(1)  # cascades still work after the rebuild
        assert wb.counts()["recordings"] == 0
    tables = schema_of(path)
    for name in fk.schema.TABLES:
        assert "AUTOINCREMENT" in tables[name], name
    assert {n for n, sql in tables.items() if sql.startswith("CREATE INDEX")} == indexes_before
    assert not any(name.startswith("_new_") for name in tables)
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        # Interview 9 went with its interviewer (4); Kim, at interview 3, stays as she was.
        # The columns added since (how to greet them) are there, empty.
        assert raw.execute("SELECT * FROM interviewers").fetchall() == [
            (*rows_before["interviewers"][1], None, None)
        ]
        assert raw.execute("SELECT * FROM skipped_steps").fetchall() == rows_before["skipped_steps"]
        seq = dict(raw.execute("SELECT name, seq FROM sqlite_sequence"))
    assert seq["interviews"] == 10 and seq["clients"] == 8 and seq["skipped_steps"] == 8


def test_an_old_store_upgrade_is_all_or_nothing(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    old_store(path)
    before = schema_of(path)
    from followup_kit import _db

    real = _db._rebuild_with_autoincrement

    def fail_half_way(con, names):
        real(con, names[:3])
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(_db, "_rebuild_with_autoincrement", fail_half_way)
    with pytest.raises(StoreError, match="could not be upgraded.*nothing was changed"):
        fk.open_workbook(path)
    assert schema_of(path) == before
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("SELECT count(*) FROM follow_ups").fetchone() == (1,)
        assert raw.execute("SELECT count(*) FROM clients").fetchone() == (2,)


# -- the file on disk ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "replaced", "moved"])
def test_a_store_file_gone_while_open_refuses_writes_instead_of_losing_them(tmp_path, how):
    path = tmp_path / "w.sqlite"
    wb = fk.open_workbook(path, today="2025-03-20")
    cid = wb.add_client("Alex")
    if how == "deleted":
        for p in tmp_path.glob("w.sqlite*"):
            p.unlink()
    elif how == "replaced":
        with fk.open_workbook(tmp_path / "other.sqlite") as other:
            other.add_client("Someone else")
        os.replace(tmp_path / "other.sqlite", path)
    else:
        path.rename(tmp_path / "elsewhere.sqlite")
    with pytest.raises(StoreError) as err:
        wb.log_interview(cid, "Acme", "Analyst", "2025-03-04")
    assert "moved, deleted or replaced while this page was open" in str(err.value)
    assert "nothing was saved" in str(err.value)
    with pytest.raises(StoreError, match="moved, deleted or replaced"):
        wb.add_client("Bea")
    wb.close()


def test_the_file_check_lets_writes_through_while_the_file_stays(wb, tmp_path):
    cid = wb.add_client("Alex")
    assert wb.log_interview(cid, "Acme", "Analyst", "2025-03-04") == 1
    assert wb.db.file == str(tmp_path / "wb.sqlite")


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


def test_a_store_made_before_the_new_steps_and_concerns_gains_both(tmp_path):
    path = tmp_path / "before.sqlite"
    with fk.open_workbook(path, today="2025-03-20") as wb:
        cid = wb.add_client("Alex Rivera")
        iid = wb.log_interview(cid, "Acme", "Analyst", "2025-03-04", status="rejected")
        wb.skip_step(iid, "status_check", reason="they called me first")
    # The tables as the release before the reply and reconnect steps made them.
    with closing(sqlite3.connect(path)) as raw:
        sql = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'skipped_steps'").fetchone()
        old = sql[0].replace(" OR step = 'gracious_reply'", "")
        old = old.replace(" OR step = 'reconnect'", "")
        assert old != sql[0] and "AUTOINCREMENT" in old
        raw.executescript(
            "PRAGMA foreign_keys=OFF; ALTER TABLE skipped_steps RENAME TO old_steps;"
            f"{old}; INSERT INTO skipped_steps SELECT * FROM old_steps; DROP TABLE old_steps;"
            "ALTER TABLE interviews DROP COLUMN concerns;"
        )
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO skipped_steps (interview_id, step, reason) "
                "VALUES (?, 'reconnect', 'x')",
                (iid,),
            )
    for _ in range(2):  # upgraded once; opening again changes nothing
        with fk.open_workbook(path, today="2025-03-20") as wb:
            assert wb.skipped_steps()["step"].astype(str).tolist()[:1] == ["status_check"]
    with fk.open_workbook(path, today="2025-03-20") as wb:
        wb.skip_step(iid, "reconnect", reason="I took another job")
        wb.update_interview(iid, concerns="No retail experience: two examples ready.")
        assert wb.interviews()["concerns"].tolist() == ["No retail experience: two examples ready."]
        assert wb.skipped_steps()["step"].astype(str).tolist() == ["status_check", "reconnect"]
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
