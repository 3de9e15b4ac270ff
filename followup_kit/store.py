"""The workbook store: a SQLite file (or a PostgreSQL database) behind plain methods.

Every method is one transaction: it either writes everything it was asked to or
nothing. Every input goes through :mod:`followup_kit.schema` first, so the rules and
their messages are the same for a form, a file import and a notebook call.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.ext.compiler import compiles

from . import schema
from .analytics import analysis_frame
from .exceptions import NotFoundError, Problem, StoreError, ValidationError
from .schema import WRITE_ORDER
from .spreadsheets import export_tables, import_file, load_tables
from .timing import build_agenda, load_rules, plan_for_interview, write_ics

__all__ = ["Workbook", "default_data_dir", "open_workbook"]

T = TypeVar("T")

#: Tables people see as frames (recordings carry bytes and have their own call).
FRAME_TABLES = WRITE_ORDER[:-1]

_BUSY_TIMEOUT_MS = 10_000
_RETRY_SECONDS = 60.0


def default_data_dir() -> Path:
    """The folder holding the default store and coach overrides.

    ``FOLLOWUP_DATA_DIR`` if set; otherwise ``data/`` beside the package when it runs
    from a checkout (the usual case, ``pip install -e .``); otherwise ``./data``.
    """
    env = os.environ.get("FOLLOWUP_DATA_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[1] / "data"
    return checkout if checkout.is_dir() else Path.cwd() / "data"


#: Ids are 64-bit everywhere, as the schema allows; SQLite's own INTEGER already is, and
#: only "INTEGER PRIMARY KEY" gives it automatic ids.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _metadata() -> sa.MetaData:
    """SQLAlchemy tables generated from the one schema."""
    md = sa.MetaData()
    for spec in schema.TABLES.values():
        cols: list[sa.SchemaItem] = []
        for f in spec.fields:
            if f.kind == "id":
                cols.append(sa.Column("id", _ID, primary_key=True, autoincrement=True))
            elif f.kind == "ref":
                on_delete = "SET NULL" if f.name == "interviewer_id" else "CASCADE"
                fk = sa.ForeignKey(f"{f.ref}.id", ondelete=on_delete)
                cols.append(sa.Column(f.name, _ID, fk, nullable=not f.required, index=True))
            elif f.kind == "date":
                cols.append(sa.Column(f.name, sa.Date, nullable=not f.required))
            elif f.kind == "bytes":
                cols.append(sa.Column(f.name, sa.LargeBinary))
            elif f.kind == "enum":
                # "x = 'a' OR x = 'b'" rather than "x IN ('a', 'b')": SQLite builds a
                # small table for an IN list on every row it checks, which made bulk
                # inserts three times slower. The values are the schema's own constants.
                allowed = " OR ".join(f"{f.name} = '{v}'" for v in f.allowed())
                cols.append(sa.Column(f.name, sa.String(40), nullable=not f.required))
                cols.append(sa.CheckConstraint(allowed))
            else:
                length = f.max_len if f.max_len and f.max_len <= 500 else None
                kind = sa.String(length) if length else sa.Text
                cols.append(sa.Column(f.name, kind, nullable=not f.required))
        sa.Table(spec.name, md, *cols)
    return md


METADATA = _metadata()
_T = METADATA.tables


def _engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # Let SQLAlchemy's "begin" event below issue BEGIN itself.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            # NORMAL is durable against a killed process in WAL mode; only a power cut
            # can lose the last commits, and never corrupts the file.
            cur.execute("PRAGMA synchronous=NORMAL")
            # A big import must not spill pages to disk half-way through its transaction.
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            # Writers take the write lock up front: a deferred transaction that reads
            # and then writes can fail at once with "database is locked" under load,
            # whatever the busy timeout.
            write = conn.get_execution_options().get("write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True)


def _is_busy(err: exc.OperationalError) -> bool:
    text = str(err.orig).lower()
    return "locked" in text or "busy" in text


def _store_error(err: exc.DBAPIError) -> StoreError:
    text = str(err.orig).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return StoreError(
            "The workbook is read-only here, so nothing was saved. Ask your coach to "
            "check the file's permissions; everything saved before is still there."
        )
    if "full" in text or "no space" in text:
        return StoreError(
            "The disk is full, so nothing was saved. Free some space and try again; "
            "everything saved before is still there."
        )
    if "i/o error" in text:
        return StoreError(
            "The workbook could not be written to disk (it may be full, or the file too "
            "large), so nothing was saved. Free some space and try again; everything saved "
            "before is still there."
        )
    if "locked" in text or "busy" in text:
        return StoreError(
            "The workbook stayed busy for a minute (many people saving at once), so "
            "nothing was saved. Please press Save again."
        )
    return StoreError(f"The database refused the change, so nothing was saved: {err.orig}")


class Workbook:
    """One workbook: clients, their interviews, follow-ups and the replies.

    Open it with :func:`open_workbook`. ``today`` fixes the date used for "in the
    future" checks and plans (notebooks under test pass a fixed day).
    """

    def __init__(
        self, url: str, *, today: date | str | None = None, data_dir: Path | None = None
    ) -> None:
        self.url = url
        self._today = schema.as_date(today)
        self.engine = _engine_for(url)
        self.data_dir = Path(data_dir) if data_dir else self._guess_data_dir()
        self._write(lambda conn: METADATA.create_all(conn))

    # -- plumbing ---------------------------------------------------------------------

    def _guess_data_dir(self) -> Path:
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database:
            return Path(database).resolve().parent
        return default_data_dir()

    @property
    def today(self) -> date:
        """The fixed "today" given when opening, else the real today."""
        return self._today or date.today()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    def __repr__(self) -> str:
        return f"<Workbook {self.engine.url.render_as_string(hide_password=True)}>"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying while the database is busy."""
        deadline = time.monotonic() + _RETRY_SECONDS
        delay = 0.01
        while True:
            try:
                with self.engine.connect().execution_options(write=True) as conn:
                    with conn.begin():
                        return work(conn)
            except exc.OperationalError as err:
                if not _is_busy(err) or time.monotonic() > deadline:
                    raise _store_error(err) from err
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
            except exc.DBAPIError as err:
                if isinstance(err, exc.IntegrityError):
                    raise
                raise _store_error(err) from err

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _get(self, conn: sa.Connection, table: str, id_: object) -> dict[str, Any]:
        t = _T[table]
        id_ = _as_id(table, id_)
        row = conn.execute(sa.select(t).where(t.c.id == id_)).mappings().first()
        if row is None:
            raise NotFoundError(table, id_)
        return dict(row)

    def _require(self, conn: sa.Connection, table: str, id_: object) -> None:
        t = _T[table]
        id_ = _as_id(table, id_)
        if conn.execute(sa.select(t.c.id).where(t.c.id == id_)).first() is None:
            raise NotFoundError(table, id_)

    def _interview_date(self, conn: sa.Connection, interview_id: object) -> date:
        t = _T["interviews"]
        interview_id = _as_id("interviews", interview_id)
        row = conn.execute(sa.select(t.c.interview_date).where(t.c.id == interview_id)).first()
        if row is None:
            raise NotFoundError("interviews", interview_id)
        return row[0]

    def _clean(
        self, table: str, values: Mapping[str, Any], *, partial: bool = False
    ) -> dict[str, Any]:
        record, problems = schema.validate_record(table, values, today=self.today, partial=partial)
        if problems:
            raise ValidationError(problems, what=_WHAT[table])
        return {k: v for k, v in record.items() if k in _T[table].c and k != "id"}

    def _insert(self, conn: sa.Connection, table: str, record: Mapping[str, Any]) -> int:
        return int(conn.execute(_T[table].insert().values(**record)).inserted_primary_key[0])

    def _checked(self, conn: sa.Connection, table: str, values: dict[str, Any]) -> dict:
        """Validate ``values`` with the context the rules need (interview date, ids)."""
        spec = schema.TABLES[table]
        ref_fields = [f for f in spec.fields if f.kind == "ref"]
        for f in ref_fields:  # a malformed id is a field problem, not a missing row
            cleaned, problem = schema.clean_value(f, values.get(f.name), self.today)
            if problem is None:
                values[f.name] = cleaned
        if table in ("follow_ups", "responses", "skipped_steps") and isinstance(
            values.get("interview_id"), int
        ):
            values["interview_date"] = self._interview_date(conn, values["interview_id"])
        record = self._clean(table, values)
        for f in ref_fields:
            if record.get(f.name) is not None:
                self._require(conn, f.ref or "", record[f.name])
        if table == "follow_ups" and record.get("interviewer_id") is not None:
            who = self._get(conn, "interviewers", record["interviewer_id"])
            if who["interview_id"] != record["interview_id"]:
                raise ValidationError(
                    [Problem("interviewer_id", "that interviewer was not at this interview.")],
                    what=_WHAT[table],
                )
        return record

    def _add(self, table: str, values: dict[str, Any]) -> int:
        def work(conn: sa.Connection) -> int:
            return self._insert(conn, table, self._checked(conn, table, values))

        return self._write(work)

    # -- adding -----------------------------------------------------------------------

    def add_client(
        self,
        name: str,
        *,
        cohort: str | None = None,
        country: str = "US",
        username: str | None = None,
    ) -> int:
        """Add a client (a job seeker) and return their id.

        Parameters
        ----------
        name
            Their name or an alias; required.
        cohort
            The workshop group, used to filter the workshop view.
        country
            Two-letter code; its public holidays are not counted as business days.
        username
            Their JupyterHub user name, so client mode can pick them automatically.

        Examples
        --------
        >>> wb = open_workbook(":memory:")
        >>> wb.add_client("Alex Rivera", country="GB")
        1
        """
        values = dict(name=name, cohort=cohort, country=country, username=username)
        values["created"] = self.today
        return self._add("clients", values)

    def log_interview(
        self,
        client_id: int,
        company: str,
        role: str,
        interview_date: date | str,
        *,
        round: str = "first",
        format: str = "video",
        contact_route: str = "direct",
        decision_expected: date | str | None = None,
        status: str = "open",
        notes: str | None = None,
        interviewers: Iterable[str | Mapping[str, Any]] = (),
    ) -> int:
        """Log an interview and the people who ran it; return the interview's id.

        ``interviewers`` takes names or dicts with ``name``, ``title`` and ``email``.
        Problems in the interview and in every interviewer are reported together.
        """
        values = dict(
            client_id=client_id,
            company=company,
            role=role,
            interview_date=interview_date,
            round=round,
            format=format,
            contact_route=contact_route,
            decision_expected=decision_expected,
            status=status,
            notes=notes,
        )
        people = _people(interviewers)

        def work(conn: sa.Connection) -> int:
            problems: list[Problem] = []
            try:
                record = self._checked(conn, "interviews", values)
            except ValidationError as err:
                problems += err.problems
            cleaned, found = self._clean_people(people)
            if problems or found:
                raise ValidationError(problems + found, what="interview")
            iid = self._insert(conn, "interviews", record)
            if cleaned:
                conn.execute(
                    _T["interviewers"].insert(), [{**p, "interview_id": iid} for p in cleaned]
                )
            return iid

        return self._write(work)

    def _clean_people(self, people: list[Any]) -> tuple[list[dict], list[Problem]]:
        """Validate interviewer rows; problems are named ``interviewers[i].field``."""
        cleaned, problems = [], []
        for i, person in enumerate(people, start=1):
            if not isinstance(person, dict):
                problems.append(
                    Problem(f"interviewers[{i}]", "give a name, or a dict with name, title, email.")
                )
                continue
            rec, found = schema.validate_record(
                "interviewers", {**person, "interview_id": 1}, today=self.today
            )
            problems += [Problem(f"interviewers[{i}].{p.field}", p.message) for p in found]
            row = {k: rec[k] for k in ("name", "title", "email")}
            if person.get("id") is not None:
                row["id"] = person["id"]
            cleaned.append(row)
        return cleaned, problems

    def add_interviewer(
        self,
        interview_id: int,
        name: str,
        *,
        title: str | None = None,
        email: str | None = None,
    ) -> int:
        """Add one more interviewer to an interview; return their id."""
        values = dict(interview_id=interview_id, name=name, title=title, email=email)
        return self._add("interviewers", values)

    def log_follow_up(
        self,
        interview_id: int,
        *,
        kind: str,
        channel: str,
        sent_on: date | str,
        interviewer_id: int | None = None,
        script_id: str | None = None,
        script_version: str | int | None = None,
        notes: str | None = None,
    ) -> int:
        """Log something the client sent after an interview; return its id.

        It cannot be dated before the interview or in the future.
        """
        values = dict(
            interview_id=interview_id,
            kind=kind,
            channel=channel,
            sent_on=sent_on,
            interviewer_id=interviewer_id,
            script_id=script_id,
            script_version=None if script_version is None else str(script_version),
            notes=notes,
        )
        return self._add("follow_ups", values)

    def log_response(
        self,
        interview_id: int,
        *,
        received_on: date | str,
        result: str,
        channel: str = "email",
        feedback: str | None = None,
        reflection: str | None = None,
    ) -> int:
        """Log what the employer answered; return its id.

        It cannot be dated before the interview or in the future. A next-round, offer
        or rejection reply also sets the interview's status, in the same transaction.
        """
        values = dict(
            interview_id=interview_id,
            received_on=received_on,
            result=result,
            channel=channel,
            feedback=feedback,
            reflection=reflection,
        )

        def work(conn: sa.Connection) -> int:
            record = self._checked(conn, "responses", values)
            rid = self._insert(conn, "responses", record)
            self._status_from_reply(conn, record)
            return rid

        return self._write(work)

    def _status_from_reply(self, conn: sa.Connection, reply: Mapping[str, Any]) -> None:
        """The newest reply decides an interview's status (unless the client withdrew)."""
        status = _STATUS_FROM_RESULT.get(reply["result"])
        rs, iv = _T["responses"], _T["interviews"]
        newest = conn.execute(
            sa.select(sa.func.max(rs.c.received_on)).where(
                rs.c.interview_id == reply["interview_id"]
            )
        ).scalar()
        if status is None or newest > reply["received_on"]:
            return
        conn.execute(
            iv.update()
            .where(iv.c.id == reply["interview_id"], iv.c.status != "withdrawn")
            .values(status=status)
        )

    def close_as_ghosted(self, interview_ids: Iterable[int]) -> int:
        """Close interviews that never got an answer as ghosted, in one transaction.

        Only interviews still waiting (open, or invited to a next round that never
        came) change; the number changed is returned. Their plans then have no open
        steps, which is how a coach clears a long overdue list in one go.
        """
        ids = sorted({_as_id("interviews", i) for i in interview_ids})
        t = _T["interviews"]

        def work(conn: sa.Connection) -> int:
            waiting = t.c.status.in_(["open", "next_round"])
            done = conn.execute(t.update().where(t.c.id.in_(ids), waiting).values(status="ghosted"))
            return int(done.rowcount)

        return self._write(work) if ids else 0

    def skip_step(
        self,
        interview_id: int,
        step: str,
        *,
        reason: str,
        interviewer: str | None = None,
    ) -> int:
        """Mark a planned step as skipped (it leaves the agenda); return its id."""
        values = dict(
            interview_id=interview_id,
            step=step,
            reason=reason,
            interviewer=interviewer,
            skipped_on=self.today,
        )
        return self._add("skipped_steps", values)

    def add_recording(
        self,
        client_id: int,
        filename: str,
        data: bytes,
        *,
        mime: str,
        script_id: str | None = None,
    ) -> int:
        """Store a practice recording with the client's data; return its id."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValidationError(
                [Problem("data", "the recording must be the file's bytes.")], what="recording"
            )
        values = dict(
            client_id=client_id,
            filename=filename,
            mime=mime,
            script_id=script_id,
            created=self.today,
        )

        def work(conn: sa.Connection) -> int:
            record = self._checked(conn, "recordings", values)
            return self._insert(conn, "recordings", {**record, "data": bytes(data)})

        return self._write(work)

    def recording_data(self, recording_id: int) -> bytes:
        """The bytes of one stored recording."""
        t = _T["recordings"]
        recording_id = _as_id("recordings", recording_id)
        with self._read() as conn:
            row = conn.execute(sa.select(t.c.data).where(t.c.id == recording_id)).first()
        if row is None:
            raise NotFoundError("recordings", recording_id)
        return bytes(row[0])

    # -- changing ---------------------------------------------------------------------

    def _update(self, table: str, id_: int, changes: Mapping[str, Any]) -> None:
        self._refuse_fixed_fields(table, changes)
        self._write(lambda conn: self._apply_update(conn, table, id_, changes))

    def _refuse_fixed_fields(self, table: str, changes: Mapping[str, Any]) -> None:
        spec = schema.TABLES[table]
        editable = {f.name for f in spec.inputs} - {"created", spec.parent}
        unknown = sorted(set(changes) - editable)
        if unknown:
            allowed = ", ".join(sorted(editable))
            raise ValidationError(
                [
                    Problem(k, f"cannot be changed here; editable fields: {allowed}.")
                    for k in unknown
                ],
                what=_WHAT[table],
            )

    def _apply_update(
        self, conn: sa.Connection, table: str, id_: int, changes: Mapping[str, Any]
    ) -> None:
        current = self._get(conn, table, id_)
        record = self._checked(conn, table, {**current, **changes})
        if table == "interviews" and "interview_date" in changes:
            self._check_children_not_before(conn, id_, record["interview_date"])
        t = _T[table]
        conn.execute(t.update().where(t.c.id == id_).values(**record))

    def _check_children_not_before(self, conn: sa.Connection, iid: int, day: date) -> None:
        """Moving an interview's date must not leave a follow-up or reply before it."""
        fu, rs = _T["follow_ups"], _T["responses"]
        early_fu = conn.execute(
            sa.select(sa.func.count()).where(fu.c.interview_id == iid, fu.c.sent_on < day)
        ).scalar_one()
        early_rs = conn.execute(
            sa.select(sa.func.count()).where(rs.c.interview_id == iid, rs.c.received_on < day)
        ).scalar_one()
        if early_fu or early_rs:
            raise ValidationError(
                [
                    Problem(
                        "interview_date",
                        f"{_count(early_fu, 'follow-up')} and {_count(early_rs, 'reply')} "
                        "would come before this new date; change their dates first.",
                    )
                ],
                what="interview",
            )

    def update_client(self, client_id: int, /, **changes: Any) -> None:
        """Change a client's name, cohort, country or user name."""
        self._update("clients", client_id, changes)

    def update_interview(
        self,
        interview_id: int,
        /,
        *,
        interviewers: Iterable[str | Mapping[str, Any]] | None = None,
        **changes: Any,
    ) -> None:
        """Change an interview (company, role, round, dates, status, notes...).

        ``interviewers``, when given, is the full new list, changed in the same
        transaction: rows with an ``id`` are updated, rows without one are added, and
        stored interviewers left out are deleted (follow-ups to them keep no link).
        """
        self._refuse_fixed_fields("interviews", changes)
        people = None if interviewers is None else _people(interviewers)

        def work(conn: sa.Connection) -> None:
            problems: list[Problem] = []
            try:
                self._apply_update(conn, "interviews", interview_id, changes)
            except ValidationError as err:
                problems += err.problems
            if people is None:
                if problems:
                    raise ValidationError(problems, what="interview")
                return
            cleaned, found = self._clean_people(people)
            t = _T["interviewers"]
            stored = set(
                conn.execute(sa.select(t.c.id).where(t.c.interview_id == interview_id)).scalars()
            )
            for i, row in enumerate(cleaned, start=1):
                if row.get("id") is not None and row["id"] not in stored:
                    found.append(Problem(f"interviewers[{i}].id", "not an interviewer here."))
            if problems or found:
                raise ValidationError(problems + found, what="interview")
            kept = {row["id"] for row in cleaned if row.get("id") is not None}
            if stored - kept:
                conn.execute(t.delete().where(t.c.id.in_(stored - kept)))
            for row in cleaned:
                if row.get("id") is None:
                    conn.execute(t.insert().values(**row, interview_id=interview_id))
                else:
                    conn.execute(t.update().where(t.c.id == row["id"]).values(**row))

        self._write(work)

    def update_interviewer(self, interviewer_id: int, /, **changes: Any) -> None:
        """Change an interviewer's name, title or email."""
        self._update("interviewers", interviewer_id, changes)

    def update_follow_up(self, follow_up_id: int, /, **changes: Any) -> None:
        """Change a logged follow-up."""
        self._update("follow_ups", follow_up_id, changes)

    def update_response(self, response_id: int, /, **changes: Any) -> None:
        """Change a logged reply (its date, result, feedback or reflection)."""
        self._update("responses", response_id, changes)

    def _delete(self, table: str, id_: int) -> dict[str, int]:
        """Delete a row and everything that belongs to it; return counts per table."""

        def work(conn: sa.Connection) -> dict[str, int]:
            self._get(conn, table, id_)
            removed: dict[str, int] = {}
            ids = {table: [id_]}
            for child in WRITE_ORDER[WRITE_ORDER.index(table) + 1 :]:
                spec = schema.TABLES[child]
                parent_field = spec.parent
                parent = spec[parent_field].ref if parent_field else None
                if parent in ids and ids[parent]:
                    t = _T[child]
                    found = conn.execute(
                        sa.select(t.c.id).where(t.c[parent_field].in_(ids[parent]))
                    ).scalars()
                    ids[child] = list(found)
            for name in reversed(list(ids)):
                if ids[name]:
                    t = _T[name]
                    conn.execute(t.delete().where(t.c.id.in_(ids[name])))
                    removed[name] = len(ids[name])
            return removed

        return self._write(work)

    def delete_client(self, client_id: int) -> dict[str, int]:
        """Delete a client with all their interviews, follow-ups, replies and recordings."""
        return self._delete("clients", client_id)

    def delete_interview(self, interview_id: int) -> dict[str, int]:
        """Delete an interview with its interviewers, follow-ups, replies and skips."""
        return self._delete("interviews", interview_id)

    def delete_interviewer(self, interviewer_id: int) -> dict[str, int]:
        """Delete an interviewer; follow-ups sent to them are kept, without the link."""
        return self._delete("interviewers", interviewer_id)

    def delete_follow_up(self, follow_up_id: int) -> dict[str, int]:
        """Delete one logged follow-up."""
        return self._delete("follow_ups", follow_up_id)

    def delete_response(self, response_id: int) -> dict[str, int]:
        """Delete one logged reply."""
        return self._delete("responses", response_id)

    def delete_skipped_step(self, skipped_id: int) -> dict[str, int]:
        """Undo a skip: the step comes back to the plan and the agenda."""
        return self._delete("skipped_steps", skipped_id)

    def delete_recording(self, recording_id: int) -> dict[str, int]:
        """Delete a practice recording."""
        return self._delete("recordings", recording_id)

    # -- reading ----------------------------------------------------------------------

    def _frame(self, conn: sa.Connection, table: str, client_id: int | None) -> pd.DataFrame:
        t = _T[table]
        fields = [f for f in schema.TABLES[table].fields if f.kind != "bytes"]
        singles = [f for f in fields if f.kind != "enum"]
        enums = [f for f in fields if f.kind == "enum"]
        wire = [_on_the_wire(t.c[f.name], f) for f in singles]
        query = sa.select(*wire, _packed_choices(t, enums)).order_by(t.c.id)
        if client_id is not None:
            query = query.where(self._client_filter(table, _as_id("clients", client_id)))
        # Plain tuples from the driver's own cursor, straight into NumPy: wrapping a
        # million rows in SQLAlchemy Row objects and letting pandas guess each column's
        # type costs seconds more.
        compiled = query.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        if conn.dialect.positional:
            params = tuple(params[key] for key in compiled.positiontup or ())
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        layout = [(f.name, _WIRE_DTYPES.get(f.kind, object)) for f in singles]
        columns = np.array(rows, dtype=[*layout, ("choices", np.int64)])
        dtypes = schema.frame_dtypes(table)
        data = {f.name: _from_the_wire(f, columns[f.name], dtypes[f.name]) for f in singles}
        for i, f in enumerate(enums):
            codes = ((columns["choices"] >> (_CHOICE_BITS * i)) & _CHOICE_MASK) - 1
            data[f.name] = pd.Categorical.from_codes(codes, dtype=dtypes[f.name])
        return pd.DataFrame({f.name: data[f.name] for f in fields})

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
        with self._read() as conn:
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

    def tables(self, client_id: int | None = None) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, read in one consistent snapshot."""
        with self._read() as conn:
            return {name: self._frame(conn, name, client_id) for name in FRAME_TABLES}

    def counts(self) -> pd.Series:
        """How many rows each table holds."""
        with self._read() as conn:
            return pd.Series(
                {
                    name: conn.execute(sa.select(sa.func.count()).select_from(_T[name])).scalar()
                    for name in WRITE_ORDER
                },
                name="rows",
            )

    def client_for_user(self, username: str) -> int | None:
        """The id of the client whose JupyterHub user name is ``username``, if any."""
        t = _T["clients"]
        with self._read() as conn:
            row = conn.execute(sa.select(t.c.id).where(t.c.username == username)).first()
        return None if row is None else int(row[0])

    # -- plans, agenda and analysis (the logic lives in timing and analytics) ----------

    @property
    def rules(self):
        """The timing rules: the defaults, with the coach's ``rules.toml`` on top."""
        return load_rules(self.data_dir)

    def plan(self, interview_id: int, today: date | str | None = None) -> pd.DataFrame:
        """The dated follow-up plan of one interview, with each step's state."""
        day = schema.as_date(today) or self.today
        with self._read() as conn:
            client_id = self._get(conn, "interviews", interview_id)["client_id"]
        # Only that client's rows: a plan never needs anyone else's.
        tables = self.tables(client_id=client_id)
        return plan_for_interview(tables, interview_id, today=day, rules=self.rules)

    def agenda(self, today: date | str | None = None, client_id: int | None = None) -> pd.DataFrame:
        """Every open step across clients (or one client's), grouped by urgency."""
        day = schema.as_date(today) or self.today
        return build_agenda(
            self.tables(client_id), today=day, client_id=client_id, rules=self.rules
        )

    def export_ics(
        self,
        path: str | os.PathLike,
        client_id: int | None = None,
        today: date | str | None = None,
    ) -> Path:
        """Write the open steps as an iCalendar file (re-exports update, not duplicate)."""
        return write_ics(self.agenda(today=today, client_id=client_id), path)

    def analysis_frame(
        self, today: date | str | None = None, window_days: int = 30
    ) -> pd.DataFrame:
        """One row per interview with the derived columns the coach's charts use."""
        day = schema.as_date(today) or self.today
        return analysis_frame(self.tables(), today=day, window_days=window_days)

    def backup(self, path: str | os.PathLike) -> Path:
        """Copy a SQLite store to ``path`` consistently, even while others write to it.

        Uses SQLite's online backup, which copies a single committed snapshot. For
        PostgreSQL use ``pg_dump``; this raises :class:`StoreError` there.
        """
        if not self.is_sqlite:
            raise StoreError("Backups of a PostgreSQL workbook are made with pg_dump.")
        target = Path(path).expanduser().resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = self.engine.raw_connection()
        try:
            with sqlite3.connect(target) as dest:
                raw.driver_connection.backup(dest)
            dest.close()
        finally:
            raw.close()
        return target

    # -- bulk -------------------------------------------------------------------------

    def load_tables(self, tables: Mapping[str, pd.DataFrame], *, progress: bool | None = None):
        """Validate and add whole tables (a demo cohort, an export) in one transaction.

        Ids in the frames only link rows to each other; the store gives new ids.
        Returns the number of rows added per table.
        """
        return load_tables(self, tables, progress=progress)

    def import_table(
        self,
        path: str | os.PathLike,
        mapping=None,
        values=None,
        dayfirst: bool | None = None,
        client: str | int | None = None,
        sheet: str | int | None = None,
        keep_in_notes=None,
        progress: bool | None = None,
    ):
        """Import a spreadsheet (CSV or Excel) of interviews, all rows or none.

        See :mod:`followup_kit.spreadsheets` for our columns and
        :mod:`followup_kit.mapping` for the coach's own (``mapping``: file column ->
        field or None; ``values``: their words for ours; ``dayfirst``: how to read
        03/04/2025; ``client``: whose sheet it is; ``keep_in_notes``: columns kept as
        lines in the notes). Returns the rows added per table (and the rows skipped);
        raises :class:`~followup_kit.exceptions.ValidationError` naming every bad row.
        """
        return import_file(
            self,
            path,
            mapping=mapping,
            values=values,
            dayfirst=dayfirst,
            client=client,
            sheet=sheet,
            keep_in_notes=keep_in_notes,
            progress=progress,
        )

    def export(self, path: str | os.PathLike, mapping=None) -> Path:
        """Write every table to a folder of CSV files, or one ``.xlsx`` with a sheet each.

        With ``mapping`` (a file's columns -> fields, as for import) one sheet in that
        layout instead, so the workbook can sit beside the coach's own spreadsheet.
        """
        return export_tables(self, path, mapping=mapping)

    def _bulk_insert(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> list[int]:
        """Insert the rows of a clean frame and return their new ids, in order.

        The ids are reserved first and written explicitly: RETURNING with a guaranteed
        order makes SQLite insert one row per statement, a hundred times slower.
        """
        if frame.empty:
            return []
        t = _T[table]
        columns = {c: frame[c].to_numpy(dtype=object, na_value=None) for c in frame.columns}
        if self.is_sqlite:
            # Safe: write transactions here hold SQLite's write lock (BEGIN IMMEDIATE).
            start = conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar()
            ids = list(range(start + 1, start + 1 + len(frame)))
            # Straight to the driver: SQLAlchemy's per-row parameter handling costs more
            # than SQLite's own insert. Dates go as ISO text, as SQLAlchemy stores them.
            for name, cells in columns.items():
                if isinstance(t.c[name].type, sa.Date):
                    columns[name] = schema.per_distinct(_iso_day, cells)
            names = ", ".join(["id", *columns])
            marks = ", ".join("?" * (len(columns) + 1))
            rows = list(zip(ids, *(cells.tolist() for cells in columns.values()), strict=True))
            # Names come from the schema, values are bound.
            conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return ids
        seq = sa.func.pg_get_serial_sequence(table, "id")
        reserve = sa.select(sa.func.nextval(seq)).select_from(
            sa.func.generate_series(1, len(frame))
        )
        ids = [int(i) for i in conn.execute(reserve).scalars()]
        names = ["id", *columns]
        rows = zip(ids, *(cells.tolist() for cells in columns.values()), strict=True)
        conn.execute(t.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        return ids


def _iso_day(day: date | None) -> str | None:
    return None if day is None else date.isoformat(day)


# How a column travels from the database, so that NumPy reads it without a Python
# object per cell: ids and dates as whole numbers. The choices of a row (round,
# format, status...) travel together as one number, each as its position in its list
# plus one (0 for none) in three bits: the driver's cost is per cell, not per byte.
_WIRE_DTYPES = {"id": np.int64, "ref": np.int64, "date": np.int64}
_CHOICE_BITS, _CHOICE_MASK = 3, 0b111
#: A missing date travels as the smallest 64-bit integer, which NumPy reads as NaT.
_NO_DAY = -(2**63)
_EPOCH = date(1970, 1, 1)


def _on_the_wire(column: sa.Column, f: schema.Field) -> sa.ColumnElement:
    """The SQL expression that sends ``column`` in its wire form (see ``_WIRE_DTYPES``)."""
    if f.kind in ("id", "ref"):
        return sa.func.coalesce(column, 0)  # ids start at 1, so 0 is a missing link
    if f.kind == "date":
        return sa.func.coalesce(_days_since_epoch(column), _NO_DAY)
    return column


def _packed_choices(t: sa.Table, enums: list[schema.Field]) -> sa.ColumnElement:
    """The choices of a row as one number: see ``_CHOICE_BITS``."""
    packed: sa.ColumnElement = sa.literal(0)
    for i, f in enumerate(enums):
        positions = {value: n + 1 for n, value in enumerate(f.allowed())}
        code = sa.case(positions, value=t.c[f.name], else_=0)
        packed = packed + code * (1 << (_CHOICE_BITS * i))
    return packed


class _days_since_epoch(sa.sql.functions.GenericFunction):  # noqa: N801 - SQL function name
    """Whole days from 1970-01-01 to a DATE column, in each database's own words."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(_days_since_epoch, "sqlite")
def _days_sqlite(element, compiler, **kw):  # noqa: ANN001 - SQLAlchemy's compiler hook
    # A date's Julian day ends in .5 (days start at noon); 2440587.5 is 1970-01-01.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(_days_since_epoch)
def _days_standard(element, compiler, **kw):  # noqa: ANN001
    return f"({compiler.process(element.clauses, **kw)} - DATE '{_EPOCH.isoformat()}')"


def _from_the_wire(
    f: schema.Field, cells: np.ndarray, dtype: Any
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A column in its wire form as ``dtype``, its frame's (:func:`schema.frame_dtypes`)."""
    if f.kind in ("id", "ref"):
        return pd.arrays.IntegerArray(cells.copy(), cells == 0)
    if f.kind == "date":
        return cells.astype("datetime64[D]").astype(dtype)
    return pd.array(cells, dtype=dtype)


def _as_id(table: str, value: object) -> int:
    """An id as a plain int; ids taken from a frame are NumPy integers, which the
    SQLite driver would otherwise bind as bytes and match nothing."""
    number, problem = schema.clean_value(schema.TABLES[table]["id"], value, date.today())
    if problem is not None or number is None:
        raise NotFoundError(table, value)
    return number


_STATUS_FROM_RESULT = {"next_round": "next_round", "offer": "offer", "rejection": "rejected"}


def _people(interviewers: object) -> list[Any]:
    """Interviewers given as names or dicts (or one of either), names turned into dicts.

    Anything else is passed on as it is, for :meth:`Workbook._clean_people` to refuse.
    """
    if isinstance(interviewers, str | Mapping):
        interviewers = [interviewers]
    try:
        given = list(interviewers)  # type: ignore[call-overload]
    except TypeError:
        given = [interviewers]
    return [
        {"name": p} if isinstance(p, str) else dict(p) if isinstance(p, Mapping) else p
        for p in given
    ]


def _count(n: int, noun: str) -> str:
    """'1 reply', '2 replies', 'no follow-ups'."""
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n or 'no'} {noun if n == 1 else plural}"


_WHAT = {
    "clients": "client",
    "interviews": "interview",
    "interviewers": "interviewer",
    "follow_ups": "follow-up",
    "responses": "reply",
    "skipped_steps": "skipped step",
    "recordings": "recording",
}


def open_workbook(
    target: str | os.PathLike | None = None, *, today: date | str | None = None
) -> Workbook:
    """Open (or create) a workbook.

    Parameters
    ----------
    target
        ``None``: the database named by ``FOLLOWUP_DB_URL`` if set, else
        ``data/workbook.sqlite`` in the workbook folder. A path: that SQLite file
        (``":memory:"`` for a throw-away store). A URL such as
        ``postgresql://user@host/db``: that database.
    today
        A fixed "today" (``date`` or ISO string) for plans and date checks; ``None``
        uses ``FOLLOWUP_TODAY`` if set, else the real date.

    Examples
    --------
    >>> wb = open_workbook(":memory:", today="2025-03-10")
    >>> wb.today
    datetime.date(2025, 3, 10)
    """
    if target is None:
        target = os.environ.get("FOLLOWUP_DB_URL") or default_data_dir() / "workbook.sqlite"
    if today is None:
        today = os.environ.get("FOLLOWUP_TODAY") or None
    text = os.fspath(target)
    if "://" in text:
        return Workbook(text, today=today)
    if text == ":memory:":
        return Workbook("sqlite://", today=today, data_dir=default_data_dir())
    path = Path(text).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Workbook(f"sqlite:///{path.resolve()}", today=today)
