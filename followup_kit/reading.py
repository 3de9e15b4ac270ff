"""Reading the workbook: every table as a DataFrame (everyone's, or one client's).

:class:`Reading` is the read half of :class:`~followup_kit.store.Workbook`; it needs only
the workbook's ``db`` (:class:`~followup_kit._db.Database`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from . import schema, snapshot
from ._db import TABLES as _T
from .exceptions import NotFoundError
from .schema import WRITE_ORDER

if TYPE_CHECKING:
    from ._db import Database

__all__ = ["DASHBOARD_COLUMNS", "FRAME_TABLES", "Reading", "as_id"]

#: Tables people see as frames (recordings carry bytes and have their own call).
FRAME_TABLES = WRITE_ORDER[:-1]

#: The columns the coach dashboard reads (the analysis frame, the agenda, a client's
#: timeline and the client menu), by table: notes, feedback, emails and the like stay in
#: the store. Each table's ``id`` always comes too.
DASHBOARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": ("name", "cohort", "country"),
    "interviews": (
        "client_id", "company", "role", "round", "interview_date", "format",
        "contact_route", "decision_expected", "status",
    ),
    "interviewers": ("interview_id", "name"),
    "follow_ups": (
        "interview_id", "interviewer_id", "kind", "channel", "sent_on", "script_id",
        "script_version",
    ),
    "responses": ("interview_id", "received_on", "channel", "result"),
    "skipped_steps": ("interview_id", "step", "interviewer"),
}  # fmt: skip


def as_id(table: str, value: object) -> int:
    """An id as a plain int; ids taken from a frame are NumPy integers, which the
    SQLite driver would otherwise bind as bytes and match nothing."""
    number, problem = schema.clean_value(schema.TABLES[table]["id"], value, date.today())
    if problem is not None or number is None:
        raise NotFoundError(table, value)
    return number


class Reading:
    """The workbook's read calls; every frame comes from one read transaction."""

    db: Database

    def _frame(
        self,
        conn: sa.Connection,
        table: str,
        client_id: int | None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        mine = None if client_id is None else as_id("clients", client_id)
        where = None if mine is None else self._client_filter(table, mine)
        return self.db.frame(conn, table, where, columns)

    def _client_filter(self, table: str, client_id: int) -> sa.ColumnElement[bool]:
        t = _T[table]
        if table == "clients":
            return t.c.id == client_id
        if "client_id" in t.c:
            return t.c.client_id == client_id
        iv = _T["interviews"]
        mine = sa.select(iv.c.id).where(iv.c.client_id == client_id)
        return t.c.interview_id.in_(mine)

    def _read_frame(self, table: str, client_id: int | None) -> pd.DataFrame:
        with self.db.read() as conn:
            return self._frame(conn, table, client_id)

    def clients(self, client_id: int | None = None) -> pd.DataFrame:
        """All clients (or one) as a DataFrame."""
        return self._read_frame("clients", client_id)

    def interviews(self, client_id: int | None = None) -> pd.DataFrame:
        """All interviews, or one client's."""
        return self._read_frame("interviews", client_id)

    def interviewers(self, client_id: int | None = None) -> pd.DataFrame:
        """All interviewers, or those of one client's interviews."""
        return self._read_frame("interviewers", client_id)

    def follow_ups(self, client_id: int | None = None) -> pd.DataFrame:
        """All logged follow-ups, or one client's."""
        return self._read_frame("follow_ups", client_id)

    def responses(self, client_id: int | None = None) -> pd.DataFrame:
        """All logged replies from employers, or one client's."""
        return self._read_frame("responses", client_id)

    def skipped_steps(self, client_id: int | None = None) -> pd.DataFrame:
        """Planned steps the client chose to skip, with the reason."""
        return self._read_frame("skipped_steps", client_id)

    def recordings(self, client_id: int | None = None) -> pd.DataFrame:
        """Practice recordings (without their bytes; see :meth:`recording_data`)."""
        return self._read_frame("recordings", client_id)

    def tables(
        self,
        client_id: int | None = None,
        *,
        columns: Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, read in one consistent snapshot.

        ``columns`` reads only those tables, and of each only those columns (plus its
        ``id``): :data:`DASHBOARD_COLUMNS` is what the coach dashboard needs.
        """
        names = FRAME_TABLES if columns is None else [n for n in FRAME_TABLES if n in columns]
        with self.db.read() as conn:
            if columns is not None and client_id is None and self.db.file is not None:
                # Everyone's rows of a few columns (the dashboard's): from the copy kept
                # beside the store, read again only where rows changed.
                kept = snapshot.read_frames(conn, self.db.file, {n: columns[n] for n in names})
                if kept is not None:
                    return kept
            return {
                name: self._frame(conn, name, client_id, None if columns is None else columns[name])
                for name in names
            }

    def counts(self) -> pd.Series:
        """How many rows each table holds."""
        with self.db.read() as conn:
            return pd.Series(
                {
                    name: conn.execute(sa.select(sa.func.count()).select_from(_T[name])).scalar()
                    for name in WRITE_ORDER
                },
                name="rows",
            )

    def client_for_user(self, username: str) -> int | None:
        """The id of the client whose JupyterHub user name is ``username``, if any.

        Names match whatever their case and spacing (see
        :func:`~followup_kit.schema.normalise_username`).
        """
        t = _T["clients"]
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(t.c.id).where(t.c.username == schema.normalise_username(username))
            ).first()
        return None if row is None else int(row[0])

    def owner_of(self, table: str, row_id: object) -> int:
        """The id of the client a row belongs to (a client, interview, follow-up...).

        Raises :class:`NotFoundError` when the row is not (or no longer) there.
        """
        with self.db.read() as conn:
            return self._owner(conn, table, row_id)

    def _owner(self, conn: sa.Connection, table: str, row_id: object) -> int:
        t, iv = _T[table], _T["interviews"]
        row_id = as_id(table, row_id)
        if table == "clients":
            query = sa.select(t.c.id)
        elif "client_id" in t.c:
            query = sa.select(t.c.client_id)
        else:
            query = sa.select(iv.c.client_id).join(iv, iv.c.id == t.c.interview_id)
        found = conn.execute(query.where(t.c.id == row_id)).first()
        if found is None:
            raise NotFoundError(table, row_id)
        return int(found[0])
