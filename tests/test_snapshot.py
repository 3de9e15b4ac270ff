"""The dashboard's copy of the store's columns (``<store>-snapshot.npz``): after any
change, made through the workbook or behind its back, the dashboard reads exactly what
the store holds, and reads again only the rows that changed."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from contextlib import closing
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reading import TODAY, plain_tables, random_tables

import followup_kit as fk
from followup_kit import snapshot
from followup_kit.backup import restore_backup
from followup_kit.reading import DASHBOARD_COLUMNS


def dashboard_read(wb) -> dict[str, pd.DataFrame]:
    return wb.tables(columns=DASHBOARD_COLUMNS)


def assert_as_stored(wb) -> None:
    """The dashboard's read equals the row-by-row read of the store, table by table."""
    plain = plain_tables(wb)
    for name, frame in dashboard_read(wb).items():
        pd.testing.assert_frame_equal(frame, plain[name][["id", *DASHBOARD_COLUMNS[name]]])


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows each dashboard read took from the store, read by read."""
    counts: list[int] = []
    real = snapshot._read

    def counting(*args, **kwargs):
        data = real(*args, **kwargs)
        counts[-1] += len(data["id"])
        return data

    monkeypatch.setattr(snapshot, "_read", counting)

    def read(wb) -> int:
        counts.append(0)
        dashboard_read(wb)
        return counts[-1]

    return read


def test_the_first_read_keeps_a_private_copy_and_the_next_reads_only_what_changed(
    tmp_path, rows_read
):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(3), progress=False)
        total = int(wb.counts()[list(DASHBOARD_COLUMNS)].sum())
        assert rows_read(wb) == total
        copy = snapshot.snapshot_path(path)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert rows_read(wb) == 0
        interview = int(wb.interviews()["id"].iloc[0])
        wb.update_interview(interview, company="Renamed Ltd")
        cid = wb.add_client("Noor Haddad", country="GB")
        assert rows_read(wb) == 2  # the changed interview and the new client
        got = dashboard_read(wb)
        assert got["interviews"].set_index("id").loc[interview, "company"] == "Renamed Ltd"
        assert got["clients"]["id"].iloc[-1] == cid
        assert_as_stored(wb)


def test_a_workbook_without_a_file_reads_the_store(tmp_path):
    with fk.open_workbook("sqlite://", today=TODAY) as wb:
        wb.load_tables(random_tables(2), progress=False)
        assert_as_stored(wb)
    assert not list(tmp_path.iterdir())


WRITES = st.lists(
    st.sampled_from(
        [
            "update_interview",
            "delete_interview",
            "delete_client",
            "add_follow_up",
            "load_more",
            "update_behind_its_back",
            "replace_behind_its_back",
            "fill_a_gap_behind_its_back",
            "delete_without_a_note",
        ]
    ),
    min_size=1,
    max_size=6,
)


def _write(wb, path, what: str, rng: np.random.Generator) -> None:
    interviews = wb.interviews()
    ids = interviews["id"].tolist()
    some = int(ids[int(rng.integers(0, len(ids)))]) if ids else None
    if what == "update_interview" and some is not None:
        wb.update_interview(some, role=f"Role {rng.integers(1000)}", status="rejected")
    elif what == "delete_interview" and some is not None:
        wb.delete_interview(some)
    elif what == "delete_client" and len(wb.clients()):
        wb.delete_client(int(wb.clients()["id"].iloc[0]))
    elif what == "add_follow_up" and some is not None:
        wb.log_follow_up(
            some, kind="status_check", channel="email", sent_on=TODAY - timedelta(days=1)
        )
    elif what == "load_more":
        wb.load_tables(random_tables(int(rng.integers(100))), progress=False)
    elif what.endswith("behind_its_back") or what == "delete_without_a_note":
        with sqlite3.connect(path) as con:
            if what == "update_behind_its_back":
                con.execute("UPDATE interviewers SET name = name || ' Jr'")
            elif what == "replace_behind_its_back":  # as the workbook's connections do
                con.execute("PRAGMA recursive_triggers=ON")
                con.execute(
                    "INSERT OR REPLACE INTO clients (id, name, cohort) "
                    "SELECT id, 'Replaced', NULL FROM clients ORDER BY id DESC LIMIT 1"
                )
            elif what == "fill_a_gap_behind_its_back":  # not noted: the row count shows it
                ids = {i for (i,) in con.execute("SELECT id FROM clients")}
                gaps = set(range(1, max(ids, default=0))) - ids
                if gaps:
                    con.execute(
                        "INSERT INTO clients (id, name) VALUES (?, 'In a gap')", (min(gaps),)
                    )
            else:  # unseen by the log, its trigger gone: the schema changed with it
                con.execute("DROP TRIGGER follow_ups_noted_delete")
                con.execute(
                    "DELETE FROM follow_ups WHERE id IN (SELECT id FROM follow_ups LIMIT 2)"
                )
        wb.db.create_tables()  # as the next page to open the workbook does


@settings(max_examples=8, derandomize=True, database=None, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), writes=WRITES)
def test_after_any_writes_the_dashboard_reads_what_is_stored(tmp_path_factory, seed, writes):
    path = tmp_path_factory.mktemp("store") / "w.sqlite"
    rng = np.random.default_rng(seed)
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(seed % 50), progress=False)
        dashboard_read(wb)
        for what in writes:
            _write(wb, path, what, rng)
            assert_as_stored(wb)


def test_a_damaged_copy_is_read_past_and_made_again(tmp_path, rows_read):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(5), progress=False)
        total = rows_read(wb)
        copy = snapshot.snapshot_path(path)
        copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])
        assert rows_read(wb) == total
        assert_as_stored(wb)
        assert rows_read(wb) == 0  # whole again


def test_another_stores_copy_is_not_used(tmp_path):
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    with fk.open_workbook(first, today=TODAY) as wb:
        wb.load_tables(random_tables(6), progress=False)
        dashboard_read(wb)
    with fk.open_workbook(second, today=TODAY) as wb:
        wb.load_tables(random_tables(7), progress=False)
        shutil.copy(snapshot.snapshot_path(first), snapshot.snapshot_path(second))
        assert_as_stored(wb)


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch, rows_read):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(snapshot.tempfile, "mkstemp", refuse)
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(8), progress=False)
        total = rows_read(wb)
        assert rows_read(wb) == total
        assert_as_stored(wb)
    assert not snapshot.snapshot_path(path).exists()
    assert [p.name for p in tmp_path.iterdir() if "snapshot" in p.name] == []


def test_the_copy_is_written_again_once_many_rows_changed(tmp_path, monkeypatch, rows_read):
    monkeypatch.setattr(snapshot, "_REWRITE_ROWS", 3)
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(9), progress=False)
        rows_read(wb)
        ids = wb.interviews()["id"].tolist()[:5]
        for i in ids:
            wb.update_interview(int(i), status="ghosted")
        assert rows_read(wb) == len(ids)  # more than 3: the copy is written again
        assert rows_read(wb) == 0


def test_a_restore_leaves_no_copy_of_the_replaced_store(tmp_path):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(10), progress=False)
        backup = wb.backup(tmp_path / "backup.sqlite")
        wb.add_client("After The Backup")
        dashboard_read(wb)
    assert snapshot.snapshot_path(path).exists()
    restore_backup(backup, path)
    assert not snapshot.snapshot_path(path).exists()
    with fk.open_workbook(path, today=TODAY) as wb:
        assert "After The Backup" not in dashboard_read(wb)["clients"]["name"].tolist()
        assert_as_stored(wb)


def test_an_old_copy_of_the_store_put_back_by_hand_is_read_whole(tmp_path):
    path, old = tmp_path / "w.sqlite", tmp_path / "old.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(12), progress=False)
        wb.backup(old)
        wb.delete_interview(int(wb.interviews()["id"].iloc[0]))
        dashboard_read(wb)  # the copy has one interview fewer than ``old``
    # As the sqlite3 shell's ".restore" does: same file, same token, an older log.
    copied_at = _last_note(path)
    with closing(sqlite3.connect(old)) as src, closing(sqlite3.connect(path)) as dest:
        src.backup(dest)
    with fk.open_workbook(path, today=TODAY) as wb:
        client = int(wb.clients()["id"].iloc[0])
        while _last_note(path) < copied_at:  # the log catches up
            wb.update_client(client, cohort="Winter")
        assert_as_stored(wb)


def _last_note(path) -> int:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT coalesce(max(seq), 0) FROM row_changes").fetchone()[0]


def test_changes_the_log_lost_are_caught_by_the_row_counts(tmp_path, rows_read):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(13), progress=False)
        rows_read(wb)
        before = _last_note(path)
        wb.delete_interview(int(wb.interviews()["id"].iloc[0]))
        with closing(sqlite3.connect(path)) as con, con:  # the deletion's notes are lost
            con.execute("DELETE FROM row_changes WHERE seq > ?", (before,))
        wb.update_client(int(wb.clients()["id"].iloc[0]), cohort="Winter")
        total = int(wb.counts()[list(DASHBOARD_COLUMNS)].sum())
        assert rows_read(wb) >= total  # read whole: the interviews did not add up
        assert_as_stored(wb)


def test_an_older_store_opened_read_only_goes_without_the_log_and_reads_whole(tmp_path):
    path = tmp_path / "old.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(14), progress=False)
    with closing(sqlite3.connect(path)) as con, con:  # as a store made before the log
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            con.execute(f"DROP TRIGGER {trigger}")
        con.execute("DROP TABLE row_changes")
        con.execute("DROP TABLE store_token")
    read_only = fk.open_workbook(f"sqlite:///file:{path}?mode=ro&uri=true", today=TODAY)
    try:
        assert_as_stored(read_only)
    finally:
        read_only.close()
    assert not snapshot.snapshot_path(path).exists()


def test_a_text_the_fast_read_cannot_carry_is_read_row_by_row(tmp_path):
    path = tmp_path / "odd.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(15), progress=False)
        dashboard_read(wb)  # a copy, from which the changed row is read again
        client = int(wb.clients()["id"].iloc[0])
    with closing(sqlite3.connect(path)) as con, con:  # behind the workbook's back
        con.execute("UPDATE clients SET cohort = ? WHERE id = ?", ("a\x1fb", client))
    with fk.open_workbook(path, today=TODAY) as wb:
        assert dashboard_read(wb)["clients"]["cohort"].tolist()[0] == "a\x1fb"
        assert_as_stored(wb)


def _with_a_gap(wb, seed: int) -> int:
    """Some rows, then a client added and deleted: the id of the gap it leaves."""
    wb.load_tables(random_tables(seed), progress=False)
    first = wb.add_client("First")
    wb.add_client("Second")
    wb.delete_client(first)
    return first


def test_a_row_put_into_a_gap_behind_the_workbooks_back_shows_in_the_row_count(tmp_path):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        first = _with_a_gap(wb, 16)
        dashboard_read(wb)  # the copy has a gap where the first client was
        with closing(sqlite3.connect(path)) as con, con:
            con.execute("INSERT INTO clients (id, name) VALUES (?, 'Back')", (first,))
        assert "Back" in dashboard_read(wb)["clients"]["name"].tolist()
        assert_as_stored(wb)


def test_changed_deleted_and_gap_rows_are_merged_without_reading_the_store_whole(
    tmp_path, rows_read
):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        first = _with_a_gap(wb, 17)
        rows_read(wb)  # the copy has a gap where the first client was
        with closing(sqlite3.connect(path)) as con, con:  # put back, then changed: noted
            con.execute("INSERT INTO clients (id, name) VALUES (?, 'Back')", (first,))
            con.execute("UPDATE clients SET cohort = 'Spring' WHERE id = ?", (first,))
        interviews = wb.interviews()["id"].tolist()
        wb.update_interview(int(interviews[1]), role="Changed role")
        wb.delete_interview(int(interviews[2]))  # its follow-ups and replies go with it
        wb.log_follow_up(int(interviews[3]), kind="thank_you", channel="email", sent_on=TODAY)
        total = int(wb.counts()[list(DASHBOARD_COLUMNS)].sum())
        again = rows_read(wb)
        assert 0 < again < total / 4
        assert_as_stored(wb)
        # The copy is kept as it was (few rows changed): the same rows are read again,
        # and merging them changed nothing in the file.
        assert rows_read(wb) == again
        assert_as_stored(wb)
