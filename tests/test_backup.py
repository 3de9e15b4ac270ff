"""Restoring a backup: checked first, refused while the store is open, the old one kept."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

import followup_kit as fk
from followup_kit.__main__ import main
from followup_kit.backup import restore_backup
from followup_kit.exceptions import StoreError

TODAY = "2025-03-20"


@pytest.fixture
def store(tmp_path):
    """A store with one client (the backup's) and a backup; then a second client."""
    path = tmp_path / "data" / "workbook.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.add_client("Alex Rivera")
        wb.backup(tmp_path / "backup.sqlite")
        wb.add_client("Bea Okafor")
        gone = wb.add_client("Cem Yilmaz")
        wb.delete_client(gone)
    return path


def names(path: Path) -> list[str]:
    with fk.open_workbook(path, today=TODAY) as wb:
        return wb.clients()["name"].tolist()


def beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_store(store, tmp_path):
    kept = restore_backup(tmp_path / "backup.sqlite", store)
    assert names(store) == ["Alex Rivera"]
    assert kept.parent == store.parent and kept.name.startswith("workbook.replaced-")
    assert names(kept) == ["Alex Rivera", "Bea Okafor"]
    assert names(tmp_path / "backup.sqlite") == ["Alex Rivera"]  # the backup is untouched


def test_restore_leaves_no_write_ahead_log_and_reuses_no_id(store, tmp_path):
    # A write still in the log: a process that stopped without folding it into the file.
    code = "import sqlite3, os, sys; c = sqlite3.connect(sys.argv[1]); "
    code += "c.execute('PRAGMA wal_autocheckpoint=0'); "
    code += "c.execute(\"UPDATE clients SET country = 'GB'\"); c.commit(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code, str(store)], check=True)
    assert Path(f"{store}-wal").exists()
    kept = restore_backup(tmp_path / "backup.sqlite", store)
    assert not Path(f"{store}-wal").exists() and not Path(f"{store}-shm").exists()
    assert beside(store) == sorted([store.name, kept.name])
    with fk.open_workbook(kept) as wb:  # the kept copy has what was only in the log
        assert wb.clients()["country"].tolist() == ["GB", "GB"]
    with fk.open_workbook(store, today=TODAY) as wb:
        # Ids 2 and 3 were given by the replaced store: never again.
        assert wb.add_client("Dee") == 4


def test_restore_is_refused_while_a_workbook_has_the_store_open(store, tmp_path):
    wb = fk.open_workbook(store, today=TODAY)
    try:
        wb.clients()  # open and idle, as a notebook's kernel is between clicks
        with pytest.raises(StoreError, match="open somewhere else.*nothing was restored"):
            restore_backup(tmp_path / "backup.sqlite", store)
        assert wb.clients()["name"].tolist() == ["Alex Rivera", "Bea Okafor"]
        assert beside(store) == ["workbook.sqlite", "workbook.sqlite-shm", "workbook.sqlite-wal"]
    finally:
        wb.close()


def test_restore_is_refused_while_a_connection_in_a_thread_has_it_open(store, tmp_path):
    opened, done = threading.Event(), threading.Event()

    def hold() -> None:
        with closing(sqlite3.connect(store)) as con:
            con.execute("SELECT count(*) FROM clients").fetchall()
            opened.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        opened.wait(10)
        with pytest.raises(StoreError, match="open somewhere else"):
            restore_backup(tmp_path / "backup.sqlite", store)
    finally:
        done.set()
        thread.join()
    assert names(store) == ["Alex Rivera", "Bea Okafor"]


def test_restore_is_refused_while_another_process_has_it_open(store, tmp_path):
    code = (
        "import sys, followup_kit as fk; wb = fk.open_workbook(sys.argv[1]); wb.clients(); "
        "print('open', flush=True); sys.stdin.readline()"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", code, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout.readline().strip() == "open"
        assert main(["--store", str(store), "restore", str(tmp_path / "backup.sqlite")]) == 1
    finally:
        other.communicate("\n", timeout=30)
    assert names(store) == ["Alex Rivera", "Bea Okafor"]
    assert not any(".replaced-" in name for name in beside(store))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"hello, not a database" * 100, "is not a workbook backup"),
        ("tables", "is not a workbook backup .it has no column clients.cohort"),
        ("damaged", "damaged"),
    ],
)
def test_a_bad_backup_is_refused_and_the_store_is_left_alone(store, tmp_path, content, words):
    bad = tmp_path / "bad.sqlite"
    if content == "tables":
        with closing(sqlite3.connect(bad)) as raw:
            raw.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT)")
    elif content == "damaged":
        with closing(sqlite3.connect(tmp_path / "backup.sqlite")) as raw:
            raw.execute("PRAGMA journal_mode=DELETE")
            size = raw.execute("PRAGMA page_size").fetchone()[0]
            pages = raw.execute("PRAGMA page_count").fetchone()[0]
        data = bytearray((tmp_path / "backup.sqlite").read_bytes())
        for page in range(2, pages):  # scribble over every page but the first
            data[page * size + 8 : page * size + 200] = b"\xff" * 192
        bad.write_bytes(bytes(data))
    else:
        bad.write_bytes(content)
    before = store.read_bytes()
    with pytest.raises(StoreError, match=words):
        restore_backup(bad, store)
    assert store.read_bytes() == before
    assert beside(store) == ["workbook.sqlite"]
    assert names(store) == ["Alex Rivera", "Bea Okafor"]


def test_restore_refuses_a_missing_backup_and_the_store_itself(store, tmp_path):
    with pytest.raises(StoreError, match="no backup file"):
        restore_backup(tmp_path / "nowhere.sqlite", store)
    with pytest.raises(StoreError, match="the workbook file itself"):
        restore_backup(store, store)
    with pytest.raises(StoreError, match="pg_restore"):
        restore_backup(tmp_path / "backup.sqlite", "postgresql://coach@/workbook")


def test_restore_into_a_store_that_is_not_there_yet(tmp_path, store):
    target = tmp_path / "new" / "workbook.sqlite"
    assert restore_backup(tmp_path / "backup.sqlite", target) is None
    assert names(target) == ["Alex Rivera"]


def test_a_store_that_is_not_a_database_is_set_aside(store, tmp_path):
    store.write_bytes(b"scribbled over" * 1000)
    kept = restore_backup(tmp_path / "backup.sqlite", store)
    assert kept.read_bytes() == b"scribbled over" * 1000
    assert names(store) == ["Alex Rivera"]


def test_restore_from_the_command_line_uses_the_default_store(store, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FOLLOWUP_DB_URL")
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(store.parent))
    assert main(["restore", str(tmp_path / "backup.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "workbook.replaced-" in out
    assert names(store) == ["Alex Rivera"]


def test_an_old_backup_is_restored_with_ids_that_are_never_reused(store, tmp_path):
    from test_db import old_store

    old_store(tmp_path / "old.sqlite")
    restore_backup(tmp_path / "old.sqlite", store)
    with closing(sqlite3.connect(store)) as raw:
        tables = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    assert all("AUTOINCREMENT" in tables[name] for name in fk.schema.TABLES)
    with fk.open_workbook(store, today=TODAY) as wb:
        assert wb.clients()["name"].tolist() == ["Alex", "Bea"]
        assert wb.add_client("Dee") == 8  # above the old store's 7 and the replaced 3
