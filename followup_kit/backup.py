"""Backups: a consistent copy of a live store, and a restore checked first, done alone.

``python -m followup_kit backup PATH`` calls :func:`backup_store` (through
:meth:`followup_kit.Workbook.backup`); ``python -m followup_kit restore BACKUP`` calls
:func:`restore_backup`, which keeps the store it replaces.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema
from ._db import _ADDED_COLUMNS, _rebuild_with_autoincrement, _tables_reusing_ids
from .exceptions import OutputFileError, StoreError
from .paths import default_store
from .snapshot import snapshot_path

if TYPE_CHECKING:
    from .store import Workbook

__all__ = ["backup_store", "restore_backup"]

#: How long to wait for the store to be free before saying someone has it open.
_LOCK_WAIT_SECONDS = 0.5


def restore_backup(
    backup: str | os.PathLike, store: str | os.PathLike | None = None
) -> Path | None:
    """Put a backup in place of a SQLite store, keeping a copy of the store it replaces.

    In order, touching the store only once everything before has worked:

    1. the backup is checked: a SQLite file that passes ``PRAGMA integrity_check`` and
       holds every table and column of a workbook (read from a private copy, so the
       backup itself is never changed);
    2. the store is locked for this process alone; if a notebook, the app or another
       command has it open, nothing happens and :class:`StoreError` says so;
    3. a consistent copy of the store is kept beside it, named
       ``<name>.replaced-<date>-<time>.sqlite``;
    4. the backup is written into the store in one transaction, and its journal is
       folded in, so no ``-wal`` or ``-shm`` file is left beside it.

    Ids given by the replaced store are not given again: each table's sequence is set
    to the higher of the backup's and the replaced store's.

    Parameters
    ----------
    backup
        The backup file (made by ``backup``, or any copy of a workbook's SQLite file).
    store
        The SQLite store to replace; ``None``: the one ``open_workbook()`` opens
        (``FOLLOWUP_DB_URL`` if it names a SQLite file, else ``data/workbook.sqlite``).

    Returns
    -------
    Path or None
        Where the replaced store was kept; ``None`` when there was no store yet.
    """
    source = Path(backup).expanduser().resolve()
    live = _store_path(store)
    if not source.is_file():
        raise StoreError(f"There is no backup file at {source}, so nothing was restored.")
    if live.exists() and os.path.samefile(source, live):
        raise StoreError("That backup is the workbook file itself, so nothing was restored.")
    with tempfile.TemporaryDirectory(prefix="followup-restore-") as work:
        copy = _checked_copy(source, Path(work))
        # The dashboard's copy of the store's columns is of the store being replaced.
        snapshot_path(live).unlink(missing_ok=True)
        if not live.exists():
            _set_aside_journals(live, _kept_name(live))
            _copy_into(copy, live)
            return None
        try:
            con = _lock_alone(live)
        except sqlite3.DatabaseError as err:
            if _is_busy(err):
                raise StoreError(
                    "The workbook is open somewhere else (a notebook, the app, or another "
                    "command), so nothing was restored. Close it there (shut the notebook's "
                    "kernel, stop the app) and try again."
                ) from err
            # Not a database at all (the reason to restore): set it aside as it is.
            kept = _kept_name(live)
            live.rename(kept)
            _set_aside_journals(live, kept)
            _copy_into(copy, live)
            return kept
        try:
            kept = _kept_name(live)
            with closing(sqlite3.connect(kept)) as dest:
                con.backup(dest)
            _keep_sequences(copy, _sequences(con))
            # Fold the write-ahead log into the file and write the backup with a rollback
            # journal (whatever its page size), while the store is still ours alone: no
            # -wal or -shm is left behind; the workbook turns WAL on again when opened.
            con.execute("PRAGMA journal_mode=DELETE")
            Path(f"{live}-shm").unlink(missing_ok=True)
            with closing(sqlite3.connect(copy)) as src:
                src.backup(con)
        except sqlite3.Error as err:
            raise StoreError(
                f"The backup could not be written into the workbook ({err}). The workbook "
                f"as it was is kept in {kept}."
            ) from err
        finally:
            con.close()
    return kept


def _store_path(store: str | os.PathLike | None) -> Path:
    if store is None:
        store = os.environ.get("FOLLOWUP_DB_URL") or None
    if store is None:
        return default_store().resolve()
    text = os.fspath(store)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    elif "://" in text:
        raise StoreError(
            "Only a SQLite workbook is restored this way; restore a PostgreSQL database "
            "with pg_restore."
        )
    return Path(text).expanduser().resolve()


def _checked_copy(source: Path, work: Path) -> Path:
    """A private copy of the backup, checked to be a whole workbook, ids made unique."""
    copy = work / "backup.sqlite"
    shutil.copyfile(source, copy)
    if Path(f"{source}-wal").is_file():  # a copy taken with its journal beside it
        shutil.copyfile(f"{source}-wal", f"{copy}-wal")
    name = source.name
    try:
        with closing(sqlite3.connect(copy, isolation_level=None)) as con:
            verdict = [row[0] for row in con.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise StoreError(
                    f"{name} is damaged (SQLite's integrity check failed), so nothing was "
                    "restored. Try an older backup."
                )
            missing = _missing_parts(con)
            if missing:
                raise StoreError(
                    f"{name} is not a workbook backup (it has no {', '.join(missing[:4])}), "
                    "so nothing was restored."
                )
            if con.execute("PRAGMA foreign_key_check").fetchall():
                raise StoreError(
                    f"{name} is damaged (some rows point at rows that are not there), so "
                    "nothing was restored. Try an older backup."
                )
            old = _tables_reusing_ids(con)
            if old:  # a backup from before ids were kept: upgrade the copy, not the store
                con.execute("BEGIN IMMEDIATE")
                _rebuild_with_autoincrement(con, old)
                con.execute("COMMIT")
            con.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise StoreError(
                f"{name} is not a workbook backup (it is not a SQLite database), so "
                "nothing was restored."
            ) from err
        raise StoreError(
            f"{name} is damaged (SQLite cannot read it: {err}), so nothing was restored. "
            "Try an older backup."
        ) from err
    return copy


def _missing_parts(con: sqlite3.Connection) -> list[str]:
    """The workbook tables and columns the database lacks, as words.

    Columns added to the schema later are no loss: opening the store adds them.
    """
    missing = []
    for name, spec in schema.TABLES.items():
        columns = {row[0] for row in con.execute("SELECT name FROM pragma_table_info(?)", (name,))}
        if not columns:
            missing.append(f"table {name}")
            continue
        later = _ADDED_COLUMNS.get(name, ())
        missing += [
            f"column {name}.{f.name}"
            for f in spec.fields
            if f.name not in columns and f.name not in later
        ]
    return missing


def _lock_alone(live: Path) -> sqlite3.Connection:
    """A connection that holds the store for itself, or a "database is locked" error.

    In exclusive locking mode SQLite keeps the lock it takes until the connection
    closes; every other connection, even an idle one, holds a shared lock that stops it.
    """
    con = sqlite3.connect(live, timeout=_LOCK_WAIT_SECONDS, isolation_level=None)
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("SELECT count(*) FROM sqlite_master").fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.close()
        raise
    return con


def _is_busy(err: sqlite3.DatabaseError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _sequences(con: sqlite3.Connection) -> dict[str, int]:
    """The highest id each table has ever given (from sqlite_sequence, else max(id))."""
    found: dict[str, int] = {}
    names = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    if "sqlite_sequence" in names:
        found.update(con.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    for name in schema.TABLES:  # names from the schema, not from the file
        if name in names:
            top = con.execute(f"SELECT max(id) FROM {name}").fetchone()[0] or 0
            found[name] = max(found.get(name, 0), top)
    return found


def _keep_sequences(copy: Path, seen: dict[str, int]) -> None:
    """Raise the copy's sequences to at least ``seen``, so no id given before comes back."""
    with closing(sqlite3.connect(copy, isolation_level=None)) as con:
        con.execute("BEGIN IMMEDIATE")
        have = dict(con.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        for name in schema.TABLES:
            top = seen.get(name, 0)
            if name not in have:
                con.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, top))
            elif have[name] < top:
                con.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (top, name))
        con.execute("COMMIT")


def _copy_into(copy: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(copy)) as src, closing(sqlite3.connect(live)) as dest:
        src.backup(dest)


def _kept_name(live: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = live.with_name(f"{live.stem}.replaced-{stamp}{live.suffix}")
    n = 1
    while kept.exists():
        n += 1
        kept = live.with_name(f"{live.stem}.replaced-{stamp}-{n}{live.suffix}")
    return kept


def _set_aside_journals(live: Path, kept: Path) -> None:
    """Move a journal left beside the store out of the way, beside its kept copy."""
    for end in ("-wal", "-shm", "-journal"):
        stale = Path(f"{live}{end}")
        if stale.exists():
            stale.rename(f"{kept}{end}")


def backup_store(wb: Workbook, path: str | os.PathLike) -> Path:
    """Copy ``wb``'s store to a new file ``path`` (see :meth:`Workbook.backup`).

    SQLite's online backup copies one committed snapshot, even while others write;
    PostgreSQL goes through ``pg_dump``. A folder or an existing file is refused.
    """
    if not wb.is_sqlite:
        from .postgres import backup_postgres

        return backup_postgres(wb.url, path)
    target = Path(path).expanduser().resolve()
    if target.is_dir():
        raise OutputFileError(
            target, "that is a folder; give the backup a file name, e.g. backup.sqlite."
        )
    if target.exists():
        raise OutputFileError(
            target, "a file is already there; a backup never overwrites, choose a new name."
        )
    raw = wb.engine.raw_connection()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(target) as dest:
            raw.driver_connection.backup(dest)
        dest.close()
    except (OSError, sqlite3.Error) as err:
        raise OutputFileError(target, f"the backup failed ({err}).") from err
    finally:
        raw.close()
    return target
