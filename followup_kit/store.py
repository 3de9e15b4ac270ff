"""The workbook store: a SQLite file (or a PostgreSQL database) behind plain methods.

Every method is one transaction: it either writes everything it was asked to or
nothing. Every input goes through :mod:`followup_kit.schema` first, so the rules and
their messages are the same for a form, a file import and a notebook call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from . import schema
from ._db import TABLES as _T
from ._db import Database
from .exceptions import (
    TABLE_NOUNS,
    ArgumentError,
    NotFoundError,
    Problem,
    ValidationError,
)
from .paths import default_data_dir, default_store
from .people import clean_people, people_list
from .reading import Reading, as_id
from .recordings import MAX_RECORDING_BYTES, audio_type
from .rules import load_rules

__all__ = ["Workbook", "open_workbook"]

#: "Is there a row with this id?", one compiled statement per table.
_EXISTS = {name: sa.select(t.c.id).where(t.c.id == sa.bindparam("id")) for name, t in _T.items()}


class Workbook(Reading):
    """One workbook: clients, their interviews, follow-ups and the replies.

    Open it with :func:`open_workbook`. ``today`` fixes the date used for "in the
    future" checks and plans (notebooks under test pass a fixed day). ``data_dir`` is
    the folder of the coach's files (``rules.toml``, ``scripts/``...); by default
    :func:`default_data_dir`, wherever the database is.
    """

    def __init__(
        self, url: str, *, today: date | str | None = None, data_dir: Path | None = None
    ) -> None:
        self.url = url
        self._today = _as_day(today)
        self.db = Database(url)
        # The coach's files (rules, scripts, tone patterns, remembered layouts) come
        # only from the data folder, never from wherever the database file happens to
        # be: a store kept in a shared folder must not load files others can plant there.
        self.data_dir = Path(data_dir or default_data_dir()).expanduser().resolve()
        self.db.create_tables()

    # -- plumbing ---------------------------------------------------------------------

    @property
    def today(self) -> date:
        """The fixed "today" given when opening, else the real today."""
        return self._today or date.today()

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (see :class:`followup_kit._db.Database`)."""
        return self.db.engine

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    def __repr__(self) -> str:
        return f"<Workbook {self.engine.url.render_as_string(hide_password=True)}>"

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _get(self, conn: sa.Connection, table: str, id_: object) -> dict[str, Any]:
        t = _T[table]
        id_ = as_id(table, id_)
        row = conn.execute(sa.select(t).where(t.c.id == id_)).mappings().first()
        if row is None:
            raise NotFoundError(table, id_)
        return dict(row)

    def _require(self, conn: sa.Connection, table: str, id_: object) -> None:
        id_ = as_id(table, id_)
        if conn.execute(_EXISTS[table], {"id": id_}).first() is None:
            raise NotFoundError(table, id_)

    def _interview_date(self, conn: sa.Connection, interview_id: object) -> date:
        t = _T["interviews"]
        interview_id = as_id("interviews", interview_id)
        row = conn.execute(sa.select(t.c.interview_date).where(t.c.id == interview_id)).first()
        if row is None:
            raise NotFoundError("interviews", interview_id)
        return row[0]

    def _clean(
        self, table: str, values: Mapping[str, Any], *, partial: bool = False
    ) -> dict[str, Any]:
        record, problems = schema.validate_record(table, values, today=self.today, partial=partial)
        if problems:
            raise ValidationError(problems, what=TABLE_NOUNS[table])
        return {k: v for k, v in record.items() if k in _T[table].c and k != "id"}

    def _insert(self, conn: sa.Connection, table: str, record: Mapping[str, Any]) -> int:
        # One statement object per table, values as parameters: SQLAlchemy compiles it
        # once and reuses it, which halves the Python time of a save.
        return int(conn.execute(_T[table].insert(), dict(record)).inserted_primary_key[0])

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
        if table == "clients" and record.get("username") is not None:
            self._refuse_taken_username(conn, record["username"], values.get("id"))
        for f in ref_fields:
            if record.get(f.name) is not None:
                self._require(conn, f.ref or "", record[f.name])
        if table == "follow_ups" and record.get("interviewer_id") is not None:
            who = self._get(conn, "interviewers", record["interviewer_id"])
            if who["interview_id"] != record["interview_id"]:
                raise ValidationError(
                    [
                        Problem(
                            "interviewer_id",
                            "that interviewer was not at this interview.",
                            check="not_at_interview",
                        )
                    ],
                    what=TABLE_NOUNS[table],
                )
        return record

    def _refuse_taken_username(self, conn: sa.Connection, username: str, client_id: object) -> None:
        # Checked inside the write transaction: a sign-in name picks whose data a hub
        # user sees, so two clients may never share one.
        t = _T["clients"]
        taken = sa.select(t.c.id).where(t.c.username == username)
        if client_id is not None:
            taken = taken.where(t.c.id != client_id)
        if conn.execute(taken).first() is not None:
            raise ValidationError(
                [
                    Problem(
                        "username",
                        "that sign-in name is already another client's; choose another.",
                        check="taken",
                    )
                ],
                what="client",
            )

    def _add(self, table: str, values: dict[str, Any]) -> int:
        def work(conn: sa.Connection) -> int:
            return self._insert(conn, table, self._checked(conn, table, values))

        return self.db.write(work)

    # -- adding -----------------------------------------------------------------------

    def add_client(
        self,
        name: str,
        *,
        cohort: str | None = None,
        country: str = "US",
        username: str | None = None,
        phone: str | None = None,
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
        phone
            Their own phone number, for the scripts that leave it ("call me on ...").

        Examples
        --------
        >>> wb = open_workbook(":memory:")
        >>> wb.add_client("Alex Rivera", country="GB")
        1
        """
        values = dict(name=name, cohort=cohort, country=country, username=username, phone=phone)
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
        hr_name: str | None = None,
        hr_email: str | None = None,
        hr_phone: str | None = None,
        posting_link: str | None = None,
    ) -> int:
        """Log an interview and the people who ran it; return the interview's id.

        ``interviewers`` takes names or dicts with ``name``, ``title``, ``email``,
        ``greet_as`` and ``honorific``. ``hr_name``, ``hr_email`` and ``hr_phone`` are
        the HR or recruiter contact; ``posting_link`` the job's advert. Problems in the
        interview and in every interviewer are reported together.
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
            hr_name=hr_name,
            hr_email=hr_email,
            hr_phone=hr_phone,
            posting_link=posting_link,
        )
        people = people_list(interviewers)

        def work(conn: sa.Connection) -> int:
            problems: list[Problem] = []
            try:
                record = self._checked(conn, "interviews", values)
            except ValidationError as err:
                problems += err.problems
            cleaned, found = clean_people(people, today=self.today)
            if problems or found:
                raise ValidationError(problems + found, what="interview")
            iid = self._insert(conn, "interviews", record)
            if cleaned:
                conn.execute(
                    _T["interviewers"].insert(), [{**p, "interview_id": iid} for p in cleaned]
                )
            return iid

        return self.db.write(work)

    def _refuse_same_name(
        self, conn: sa.Connection, interview_id: int, name: str, *, other_than: int | None = None
    ) -> None:
        """Refuse a second interviewer of the same name (any case or spacing) at one interview."""
        t = _T["interviewers"]
        query = sa.select(t.c.id, t.c.name).where(t.c.interview_id == interview_id)
        key = schema.person_key(name)
        for id_, stored in conn.execute(query):
            if id_ != other_than and schema.person_key(stored) == key:
                raise ValidationError(
                    [
                        Problem(
                            "name",
                            f"{stored} is already an interviewer here; list each person once.",
                            check="duplicate_name",
                        )
                    ],
                    what="interviewer",
                )

    def add_interviewer(
        self,
        interview_id: int,
        name: str,
        *,
        title: str | None = None,
        email: str | None = None,
        greet_as: str | None = None,
        honorific: str | None = None,
    ) -> int:
        """Add one more interviewer to an interview; return their id.

        ``greet_as`` is ``"first_name"`` or ``"title_surname"`` (with ``honorific``, e.g.
        "Dr"); left blank, the coach's greeting setting decides.
        """
        values = dict(
            interview_id=interview_id,
            name=name,
            title=title,
            email=email,
            greet_as=greet_as,
            honorific=honorific,
        )

        def work(conn: sa.Connection) -> int:
            record = self._checked(conn, "interviewers", values)
            self._refuse_same_name(conn, record["interview_id"], record["name"])
            return self._insert(conn, "interviewers", record)

        return self.db.write(work)

    def log_follow_up(
        self,
        interview_id: int,
        *,
        kind: str | None = None,
        channel: str,
        sent_on: date | str,
        interviewer_id: int | None = None,
        script_id: str | None = None,
        script_version: str | int | None = None,
        notes: str | None = None,
    ) -> int:
        """Log something the client sent after an interview; return its id.

        It cannot be dated before the interview or in the future. ``kind`` (thank_you,
        status_check...) has no default: a follow-up of no stated kind is refused.
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

        return self.db.write(work)

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
        ids = sorted({as_id("interviews", i) for i in interview_ids})
        t = _T["interviews"]

        def work(conn: sa.Connection) -> int:
            waiting = t.c.status.in_(["open", "next_round"])
            done = conn.execute(t.update().where(t.c.id.in_(ids), waiting).values(status="ghosted"))
            return int(done.rowcount)

        return self.db.write(work) if ids else 0

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
        mime: str | None = None,
        script_id: str | None = None,
        seconds: float | None = None,
        note: str | None = None,
    ) -> int:
        """Store a practice recording with the client's data; return its id.

        ``data`` must be audio (WAV, MP3, M4A, OGG, WebM or FLAC, told by its content,
        not its name) of at most :data:`MAX_RECORDING_BYTES`. ``mime`` defaults to the
        type the content shows.
        ``seconds`` is the take's length when known (the browser measures its own
        recordings); ``note`` is the client's note on the take.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValidationError(
                [Problem("data", "the recording must be the file's bytes.", check="not_bytes")],
                what="recording",
            )
        found = audio_type(data)
        if len(data) > MAX_RECORDING_BYTES:
            size = f"{len(data) / 2**20:.0f} MB"
            limit = f"{MAX_RECORDING_BYTES // 2**20} MB"
            problem = Problem(
                "data", f"{size} is too big; keep a recording under {limit}.", check="too_big"
            )
        elif found is None:
            problem = Problem(
                "data",
                f"{_shown_name(filename)} is not an audio file I can play; "
                "record or save it as WAV, MP3, M4A, OGG, WebM or FLAC.",
                check="not_audio",
            )
        else:
            problem = None
        values = dict(
            client_id=client_id,
            filename=filename,
            mime=found if mime is None else mime,
            script_id=script_id,
            created=self.today,
            seconds=seconds,
            note=note,
        )

        def work(conn: sa.Connection) -> int:
            try:  # every problem at once: the content's and the fields'
                record = self._checked(conn, "recordings", values)
            except ValidationError as err:
                raise ValidationError(
                    [problem, *err.problems] if problem else err.problems, what="recording"
                ) from None
            if problem is not None:
                raise ValidationError([problem], what="recording")
            return self._insert(conn, "recordings", {**record, "data": bytes(data)})

        return self.db.write(work)

    def recording_data(self, recording_id: int) -> bytes:
        """The bytes of one stored recording."""
        t = _T["recordings"]
        recording_id = as_id("recordings", recording_id)
        with self.db.read() as conn:
            row = conn.execute(sa.select(t.c.data).where(t.c.id == recording_id)).first()
        if row is None:
            raise NotFoundError("recordings", recording_id)
        return bytes(row[0])

    # -- changing ---------------------------------------------------------------------

    def _update(self, table: str, id_: int, changes: Mapping[str, Any]) -> None:
        self._refuse_fixed_fields(table, changes)
        self.db.write(lambda conn: self._apply_update(conn, table, id_, changes))

    def _refuse_fixed_fields(self, table: str, changes: Mapping[str, Any]) -> None:
        spec = schema.TABLES[table]
        editable = {f.name for f in spec.inputs} - {"created", spec.parent}
        unknown = sorted(set(changes) - editable)
        if unknown:
            allowed = ", ".join(sorted(editable))
            raise ValidationError(
                [
                    Problem(
                        k,
                        f"cannot be changed here; editable fields: {allowed}.",
                        check="fixed_field",
                    )
                    for k in unknown
                ],
                what=TABLE_NOUNS[table],
            )

    def _apply_update(
        self, conn: sa.Connection, table: str, id_: int, changes: Mapping[str, Any]
    ) -> None:
        current = self._get(conn, table, id_)
        record = self._checked(conn, table, {**current, **changes})
        if table == "interviews" and "interview_date" in changes:
            self._check_children_not_before(conn, id_, record["interview_date"])
        if table == "interviewers" and "name" in changes:
            iid, name = record["interview_id"], record["name"]
            self._refuse_same_name(conn, iid, name, other_than=current["id"])
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
                        check="not_before",
                    )
                ],
                what="interview",
            )

    def update_recording(self, recording_id: int, /, **changes: Any) -> None:
        """Change a practice recording's note (or its script, name or length)."""
        self._update("recordings", recording_id, changes)

    def update_client(self, client_id: int, /, **changes: Any) -> None:
        """Change a client's name, cohort, country, user name or phone."""
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
        people = None if interviewers is None else people_list(interviewers)

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
            cleaned, found = clean_people(people, today=self.today, editing=True)
            t = _T["interviewers"]
            stored = set(
                conn.execute(sa.select(t.c.id).where(t.c.interview_id == interview_id)).scalars()
            )
            for i, row in enumerate(cleaned, start=1):
                if row.get("id") is not None and row["id"] not in stored:
                    found.append(
                        Problem(
                            f"interviewers[{i}].id",
                            "not an interviewer here.",
                            check="not_at_interview",
                        )
                    )
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

        self.db.write(work)

    def update_interviewer(self, interviewer_id: int, /, **changes: Any) -> None:
        """Change an interviewer's name, title, email or how to greet them."""
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
            return self.db.delete_with_children(conn, table, [id_])

        return self.db.write(work)

    def delete_client(self, client_id: int) -> dict[str, int]:
        """Delete a client with all their interviews, follow-ups, replies and recordings."""
        return self._delete("clients", client_id)

    def delete_clients(self, client_ids: Iterable[int]) -> dict[str, int]:
        """Delete several clients with all their rows, in one transaction: all or none.

        Ids no longer in the store are passed over. Returns the rows removed per table.
        """
        ids = sorted({int(i) for i in client_ids})
        return self.db.write(lambda conn: self.db.delete_with_children(conn, "clients", ids))

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

    # -- sign-in roles (PostgreSQL; the work is in postgres.py) ---------------------------

    def sync_roles(self):
        """Give each client with a username their own database role; see :mod:`.postgres`.

        PostgreSQL only (run as the owner); a SQLite workbook raises :class:`StoreError`.
        Returns a :class:`followup_kit.postgres.RoleSync`.
        """
        from .postgres import sync_roles

        return sync_roles(self)

    def add_coach(self, username: str) -> str:
        """Create a coach's database role, which sees every client; PostgreSQL only."""
        from .postgres import add_coach

        return add_coach(self, username)

    # -- plans, agenda and analysis (the logic lives in plans, agenda and analytics) ----------

    @property
    def rules(self):
        """The timing rules: the defaults, with the coach's ``rules.toml`` on top."""
        return load_rules(self.data_dir)

    def plan(self, interview_id: int, today: date | str | None = None) -> pd.DataFrame:
        """The dated follow-up plan of one interview, with each step's state."""
        day = _as_day(today) or self.today
        with self.db.read() as conn:
            client_id = self._get(conn, "interviews", interview_id)["client_id"]
        # Only that client's rows: a plan never needs anyone else's.
        tables = self.tables(client_id=client_id)
        from .plans import plan_for_interview

        return plan_for_interview(tables, interview_id, today=day, rules=self.rules)

    def agenda(self, today: date | str | None = None, client_id: int | None = None) -> pd.DataFrame:
        """Every open step across clients (or one client's), grouped by urgency."""
        from .agenda import build_agenda

        day = _as_day(today) or self.today
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
        from .calendar_export import write_ics

        return write_ics(self.agenda(today=today, client_id=client_id), path)

    def analysis_frame(
        self, today: date | str | None = None, window_days: int = 30
    ) -> pd.DataFrame:
        """One row per interview with the derived columns the coach's charts use."""
        from .analysis import analysis_frame

        day = _as_day(today) or self.today
        return analysis_frame(self.tables(), today=day, window_days=window_days)

    def backup(self, path: str | os.PathLike) -> Path:
        """Copy a SQLite store to ``path`` consistently, even while others write to it.

        Uses SQLite's online backup, which copies a single committed snapshot. On
        PostgreSQL it runs ``pg_dump`` (custom format; restore with ``pg_restore``).
        """
        from .backup import backup_store

        return backup_store(self, path)

    # -- bulk -------------------------------------------------------------------------

    def load_tables(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        progress: bool | None = None,
        replacing_clients: Iterable[int] = (),
    ):
        """Validate and add whole tables (a demo cohort, an export) in one transaction.

        Ids in the frames only link rows to each other; the store gives new ids.
        ``replacing_clients``: clients deleted (with all their rows) in the same
        transaction. Returns the number of rows added per table.
        """
        from .spreadsheets import load_tables

        old = sorted({int(i) for i in replacing_clients})
        return load_tables(self, tables, progress=progress, replacing_clients=old)

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
        from .spreadsheets import import_file

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
        from .spreadsheets import export_tables

        return export_tables(self, path, mapping=mapping)


def _shown_name(filename: object) -> str:
    """A file named in a message ("the file take.mp3"), or "this file" if the name is odd."""
    ok = isinstance(filename, str) and 0 < len(filename.strip()) <= 80
    return f"the file {filename.strip()}" if ok else "this file"  # type: ignore[union-attr]


def _as_day(value: object, argument: str = "today") -> date | None:
    """A date argument (date, datetime or ISO text; blank is None), refused in plain words."""
    try:
        return schema.as_date(value)
    except ValueError:
        raise ArgumentError(
            argument, f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-04."
        ) from None


_STATUS_FROM_RESULT = {"next_round": "next_round", "offer": "offer", "rejection": "rejected"}


def _count(n: int, noun: str) -> str:
    """'1 reply', '2 replies', 'no follow-ups'."""
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n or 'no'} {noun if n == 1 else plural}"


def open_workbook(
    target: str | os.PathLike | None = None,
    *,
    today: date | str | None = None,
    data_dir: str | os.PathLike | None = None,
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
    data_dir
        The folder of the coach's files (``rules.toml``, ``scripts/``, tone patterns,
        remembered import layouts). ``None``: :func:`default_data_dir`
        (``FOLLOWUP_DATA_DIR`` if set, else the workbook's ``data/``), wherever
        ``target`` is: files that happen to sit beside a database file are not read.

    Examples
    --------
    >>> wb = open_workbook(":memory:", today="2025-03-10")
    >>> wb.today
    datetime.date(2025, 3, 10)
    """
    if target is None:
        target = os.environ.get("FOLLOWUP_DB_URL") or default_store()
    if today is None:
        today = os.environ.get("FOLLOWUP_TODAY") or None
        _as_day(today, "FOLLOWUP_TODAY")
    folder = None if data_dir is None else Path(data_dir)
    text = os.fspath(target)
    if "://" in text:
        return Workbook(text, today=today, data_dir=folder)
    if text == ":memory:":
        return Workbook("sqlite://", today=today, data_dir=folder)
    path = Path(text).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return Workbook(f"sqlite:///{path.resolve()}", today=today, data_dir=folder)
