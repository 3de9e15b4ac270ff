"""Which rows of a SQLite store changed: the ``row_changes`` log its triggers keep.

Triggers write the table and id of every row updated or deleted to ``row_changes``.
Rows added get ids above every id given before, so they need no note: whoever kept a
copy of a table finds them beyond the highest id the copy holds (an AFTER INSERT
trigger, even one that writes nothing, would double the cost of every insert of a bulk
import). A row put into a gap below that id shows in the table's row count. A row that
``INSERT OR REPLACE`` overwrites is noted when recursive triggers are on, as they are
on the workbook's own connections; SQLite's shell has them off, so a copy taken before
such a change made there should be deleted. ``store_token`` holds a random token made
with the log, which tells one store from another whatever its file is called.
:mod:`followup_kit.snapshot` reads both.
"""

from __future__ import annotations

import sqlalchemy as sa

from . import schema

__all__ = ["WATCHED", "install", "installed"]

#: Tables whose changes are noted: every table but the recordings.
WATCHED = schema.WRITE_ORDER[:-1]

_LOG = """CREATE TABLE IF NOT EXISTS row_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    row_id INTEGER NOT NULL
)"""
_TOKEN = "CREATE TABLE IF NOT EXISTS store_token (token TEXT NOT NULL)"
_NEW_TOKEN = """INSERT INTO store_token (token)
SELECT lower(hex(randomblob(16))) WHERE NOT EXISTS (SELECT 1 FROM store_token)"""


def _triggers(table: str) -> list[str]:
    note = f"INSERT INTO row_changes (tbl, row_id) VALUES ('{table}', %s);"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_noted_update AFTER UPDATE ON {table} "
        f"BEGIN {note % 'OLD.id'} {note % 'NEW.id'} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_noted_delete AFTER DELETE ON {table} "
        f"BEGIN {note % 'OLD.id'} END",
    ]


def installed(conn: sa.Connection) -> bool:
    """Whether the store has the log, its triggers and its token."""
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name IN "
        "('row_changes', 'store_token')) OR (type = 'trigger' AND name GLOB '*_noted_*')"
    ).scalar()
    if found != 2 + 2 * len(WATCHED):
        return False
    return bool(conn.exec_driver_sql("SELECT count(*) FROM store_token").scalar())


def install(conn: sa.Connection) -> None:
    """Create the log, its triggers and the token where they are missing (names come
    from the schema; nothing is bound)."""
    conn.exec_driver_sql(_LOG)
    conn.exec_driver_sql(_TOKEN)
    conn.exec_driver_sql(_NEW_TOKEN)
    for table in WATCHED:
        for sql in _triggers(table):
            conn.exec_driver_sql(sql)
