"""The store's plumbing: engine, tables, transactions with retry, fast frames, bulk insert.

Private to the package: :mod:`followup_kit.store` and :mod:`followup_kit.spreadsheets`
both talk to the database through a :class:`Database`, and nothing else does.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, CreateTable

from . import change_log, schema
from .exceptions import StoreError

__all__ = ["METADATA", "TABLES", "Database"]

T = TypeVar("T")

_BUSY_TIMEOUT_MS = 10_000
_RETRY_SECONDS = 60.0

#: Ids are 64-bit everywhere, as the schema allows; SQLite's own INTEGER already is, and
#: only "INTEGER PRIMARY KEY" gives it automatic ids.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: Ids are never reused: a stale page that kept an old id must never write onto a new row
#: that happens to get it. PostgreSQL's sequences never go back; SQLite needs
#: AUTOINCREMENT, without which a new row takes the highest id in use plus one, which is
#: a deleted row's id whenever the newest row was deleted.
_TABLE_OPTIONS = {"sqlite_autoincrement": True}


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
            elif f.kind == "seconds":
                cols.append(sa.Column(f.name, sa.Float))
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
                # A sign-in name picks whose rows a hub user sees: never two alike.
                unique = f.kind == "username"
                cols.append(sa.Column(f.name, kind, nullable=not f.required, unique=unique))
        sa.Table(spec.name, md, *cols, **_TABLE_OPTIONS)
    return md


METADATA = _metadata()
#: The SQLAlchemy table of each schema table, by name.
TABLES = METADATA.tables


#: Optional columns added after stores were already in use, by table.
_ADDED_COLUMNS = {
    "recordings": ("seconds", "note"),
    "clients": ("phone",),
    "interviews": ("hr_name", "hr_email", "hr_phone", "posting_link", "concerns"),
    "interviewers": ("greet_as", "honorific"),
}


def _add_missing_columns(conn: sa.Connection) -> None:
    inspector = sa.inspect(conn)
    for table, names in _ADDED_COLUMNS.items():
        have = {c["name"] for c in inspector.get_columns(table)}
        for name in names:
            if name not in have:
                kind = TABLES[table].c[name].type.compile(dialect=conn.dialect)
                field = schema.TABLES[table][name]
                if field.kind == "enum":  # the same check a new store's table has
                    allowed = " OR ".join(f"{name} = '{v}'" for v in field.allowed())
                    kind += f" CHECK ({allowed})"
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def _old_checks(conn: sa.Connection) -> list[tuple[str, str, schema.Field]]:
    """PostgreSQL: (table, constraint, field) for each check made before a choice was added."""
    rows = conn.execute(
        sa.text(
            "SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid) "
            "FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
            "JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
            "WHERE con.contype = 'c' AND ns.nspname = current_schema()"
        )
    ).fetchall()
    out = []
    for table, name, definition in rows:
        if table not in TABLES:
            continue
        for f in schema.TABLES[table].fields:
            if f.kind != "enum" or f"({f.name})" not in definition:
                continue
            if any(f"'{value}'" not in definition for value in f.allowed()):
                out.append((table, name, f))
    return out


def _widen_old_checks(conn: sa.Connection) -> None:
    """PostgreSQL: remake each check that predates a choice added since (the owner's job)."""
    for table, name, f in _old_checks(conn):
        allowed = " OR ".join(f"{f.name} = '{v}'" for v in f.allowed())
        q = conn.dialect.identifier_preparer.quote_identifier
        # Names come from the schema and the catalogue, values from the schema's constants.
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {q(name)}")
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} CHECK ({allowed})")


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
            # A row that INSERT OR REPLACE overwrites is then noted in the change log.
            cur.execute("PRAGMA recursive_triggers=ON")
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
    if "row-level security" in text or "permission denied" in text:
        return StoreError(
            "This account is not allowed to make that change (each client may change only "
            "their own entries), so nothing was saved."
        )
    if "locked" in text or "busy" in text:
        return StoreError(
            "The workbook stayed busy for a minute (many people saving at once), so "
            "nothing was saved. Please press Save again."
        )
    return StoreError(f"The database refused the change, so nothing was saved: {err.orig}")


class Database:
    """One database: its engine, and the only road to it (transactions, frames, bulk insert).

    Every write runs in :meth:`write`, one transaction that retries while the database is
    busy; reads take a consistent snapshot with :meth:`read`.
    """

    def __init__(self, url: str) -> None:
        self.engine = _engine_for(url)
        #: The SQLite file and its (device, inode) when opened: see :meth:`check_file`.
        self.file: str | None = None
        self._identity: tuple[int, int] | None = None
        if self.is_sqlite and self.engine.url.database not in (None, "", ":memory:"):
            try:
                with self.engine.connect():  # creates the file if it is new
                    pass
            except exc.DBAPIError as err:
                raise _store_error(err) from err
            self.file = os.path.abspath(self.engine.url.database)
            self._identity = _file_identity(self.file)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    def create_tables(self) -> None:
        """Create every table the schema defines that the database does not hold yet.

        A SQLite store made before ids were guaranteed unique is upgraded first (see
        :func:`_upgrade_sqlite_ids`); columns added to the schema later
        (:data:`_ADDED_COLUMNS`) are added to a store made before them, once. On
        PostgreSQL nothing is attempted when the schema is complete: a client's or coach's
        role may not change it, and opens the workbook all the same.
        """
        if self.is_sqlite:
            self._upgrade_sqlite_ids()
        elif self._schema_is_complete():
            return

        def work(conn: sa.Connection) -> None:
            METADATA.create_all(conn)
            _add_missing_columns(conn)
            if not self.is_sqlite:
                _widen_old_checks(conn)

        self.write(work)
        if self.is_sqlite:
            self._install_change_log()

    def _install_change_log(self) -> None:
        """The log of changed rows the dashboard's copy needs (see :mod:`.change_log`);
        a store opened read-only goes without, and the dashboard reads it whole."""
        with self.engine.connect() as conn:
            if change_log.installed(conn):
                return
        try:
            self.write(change_log.install)
        except StoreError:
            pass

    def _schema_is_complete(self) -> bool:
        with self.engine.connect() as conn:
            inspector = sa.inspect(conn)
            if not set(TABLES) <= set(inspector.get_table_names()):
                return False
            return all(
                set(names) <= {c["name"] for c in inspector.get_columns(table)}
                for table, names in _ADDED_COLUMNS.items()
            ) and not _old_checks(conn)

    def check_file(self) -> None:
        """Refuse to write when the SQLite file is no longer the one opened.

        A file deleted or replaced while the workbook is open keeps working through the
        connections already open to it, but nobody opening the workbook afterwards sees
        what is written there: it would be lost. One ``stat`` call, a few microseconds.
        """
        if self._identity is None or self.file is None:
            return
        if _file_identity(self.file) != self._identity:
            raise StoreError(
                "The workbook file was moved, deleted or replaced while this page was "
                "open, so nothing was saved (it would have been lost). Open the workbook "
                "again (run the notebook again, or reload the page) to work with the file "
                "that is there now."
            )

    def _upgrade_sqlite_ids(self) -> None:
        """Give a SQLite store made before AUTOINCREMENT ids that are never reused."""
        raw = self.engine.raw_connection()
        try:
            con = raw.driver_connection
            if not _tables_reusing_ids(con):
                return
            self.check_file()
            # SQLite allows switching foreign keys only outside a transaction. Off, so
            # that dropping a parent table does not delete its children's rows.
            con.execute("PRAGMA foreign_keys=OFF")
            try:
                con.execute("BEGIN IMMEDIATE")
                try:
                    # Again under the write lock: another process may have just done it.
                    _rebuild_with_autoincrement(con, _tables_reusing_ids(con))
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            finally:
                con.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as err:
            raise StoreError(
                "The workbook file could not be upgraded to this version of the workbook "
                f"({err}), so nothing was changed. Close other pages that have it "
                "open and try again."
            ) from err
        finally:
            raw.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def write(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying while the database is busy."""
        deadline = time.monotonic() + _RETRY_SECONDS
        delay = 0.01
        while True:
            self.check_file()
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
    def read(self) -> Iterator[sa.Connection]:
        """A connection in one read transaction: every query sees the same snapshot."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except Exception as err:
            # PostgreSQL: a role that was granted nothing (not a client, not a coach). The
            # frames talk to the driver directly, so its own error may come through.
            orig = getattr(err, "orig", err)
            if type(orig).__name__ != "InsufficientPrivilege":
                raise
            raise StoreError(
                "This account may not read the workbook: it is neither a client's nor a "
                "coach's. Ask your coach to add you."
            ) from err

    def delete_with_children(
        self, conn: sa.Connection, table: str, ids: Sequence[int]
    ) -> dict[str, int]:
        """Delete rows of ``table`` and every row that belongs to them, inside ``conn``'s
        transaction; return the rows removed per table (tables with none left out)."""
        # Plain ints: the SQLite driver binds a NumPy integer as bytes, matching no row.
        found: dict[str, list[int]] = {table: [int(i) for i in ids]}
        for child in schema.WRITE_ORDER[schema.WRITE_ORDER.index(table) + 1 :]:
            spec = schema.TABLES[child]
            parent_field = spec.parent
            parent = spec[parent_field].ref if parent_field else None
            if parent in found and found[parent]:
                t = TABLES[child]
                found[child] = [
                    i
                    for chunk in _chunks(found[parent])
                    for i in conn.execute(
                        sa.select(t.c.id).where(t.c[parent_field].in_(chunk))
                    ).scalars()
                ]
        removed: dict[str, int] = {}
        for name in reversed(list(found)):
            t = TABLES[name]
            n = sum(
                conn.execute(t.delete().where(t.c.id.in_(c))).rowcount for c in _chunks(found[name])
            )
            if n:
                removed[name] = n
        return dict(reversed(list(removed.items())))

    def frame(
        self,
        conn: sa.Connection,
        table: str,
        where: sa.ColumnElement[bool] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The rows of ``table`` (those matching ``where``) as a frame of the schema's dtypes.

        ``columns`` keeps only those columns (``id`` always comes too); recordings come
        without their bytes. SQLite sends each column as one long text that NumPy decodes
        whole, PostgreSQL as one ``COPY``: no Python object per cell for numbers, dates
        and choices. Anything those cannot carry exactly falls back to
        :meth:`plain_frame`, which gives the same frame.
        """
        fields = _fields(table, columns)
        reader = _sqlite_columns if self.is_sqlite else _copy_columns
        try:
            data = reader(conn, table, fields, where)
        except _CannotDecode:
            data = None
        if data is None:
            return self.plain_frame(conn, table, where, columns)
        return _assemble(table, fields, data)

    def plain_frame(
        self,
        conn: sa.Connection,
        table: str,
        where: sa.ColumnElement[bool] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """:meth:`frame` row by row through the driver's cursor: the reference it must equal."""
        t = TABLES[table]
        fields = _fields(table, columns)
        singles = [f for f in fields if f.kind != "enum"]
        enums = [f for f in fields if f.kind == "enum"]
        wire = [_on_the_wire(t.c[f.name], f) for f in singles]
        query = sa.select(*wire, _packed_choices(t, enums)).order_by(t.c.id)
        if where is not None:
            query = query.where(where)
        # Plain tuples from the driver's own cursor, straight into NumPy: wrapping a
        # million rows in SQLAlchemy Row objects and letting pandas guess each column's
        # type costs seconds more.
        rows = _fetch(conn, query)
        layout = [(f.name, _WIRE_DTYPES.get(f.kind, object)) for f in singles]
        columns_ = np.array(rows, dtype=[*layout, ("choices", np.int64)])
        dtypes = schema.frame_dtypes(table)
        data = {f.name: _from_the_wire(f, columns_[f.name], dtypes[f.name]) for f in singles}
        for i, f in enumerate(enums):
            codes = ((columns_["choices"] >> (_CHOICE_BITS * i)) & _CHOICE_MASK) - 1
            data[f.name] = pd.Categorical.from_codes(codes, dtype=dtypes[f.name])
        return pd.DataFrame({f.name: data[f.name] for f in fields})

    def bulk_insert(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> list[int]:
        """Insert the rows of a clean frame and return their new ids, in order.

        The ids are reserved first and written explicitly: RETURNING with a guaranteed
        order makes SQLite insert one row per statement, a hundred times slower.
        """
        if frame.empty:
            return []
        t = TABLES[table]
        columns = {c: frame[c].to_numpy(dtype=object, na_value=None) for c in frame.columns}
        if self.is_sqlite:
            # Safe: write transactions here hold SQLite's write lock (BEGIN IMMEDIATE).
            # From the highest id ever given (sqlite_sequence, which AUTOINCREMENT keeps
            # and the insert below advances), not the highest in use: ids of deleted rows
            # are never given again.
            start = _sqlite_last_id(conn, table)
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


def _chunks(ids: Sequence[int], size: int = 5000) -> Iterator[Sequence[int]]:
    """``ids`` in slices small enough for one statement's parameters (SQLite allows 32766)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _fields(table: str, columns: Sequence[str] | None) -> list[schema.Field]:
    """The schema fields of ``table`` a frame holds: ``columns`` (and the id), in order."""
    fields = [f for f in schema.TABLES[table].fields if f.kind != "bytes"]
    if columns is None:
        return fields
    wanted = {"id", *columns}
    return [f for f in fields if f.name in wanted]


def _fetch(conn: sa.Connection, query: sa.Select, *, inline: bool = False) -> list[tuple]:
    """The rows of ``query`` as plain tuples from the driver's own cursor.

    ``inline`` writes the query's values into its text: SQLite evaluates a constant
    written out once, but a bound one on every row, which doubled the cost of the long
    texts. Only for queries whose values are the schema's own constants and ids.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": inline})
    params = compiled.construct_params()
    if conn.dialect.positional:
        params = tuple(params[key] for key in compiled.positiontup or ())
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


class _CannotDecode(Exception):
    """A column's long text is not what the fast read expects: read row by row instead."""


#: Rows per long text: bounds memory, and keeps each text far below the databases'
#: limits on the size of one value (1 GB in both).
_CHUNK_ROWS = 1 << 20
#: Between texts in one long text: the ASCII unit separator; a missing text travels as
#: the record separator alone. Cleaned text never holds either (control characters are
#: refused on the way in); a text that did would make the count of pieces wrong, and
#: the read falls back to :meth:`Database.plain_frame`.
_UNIT, _NONE = "\x1f", "\x1e"
_TEXT_KINDS = frozenset({"text", "email", "username", "country", "phone", "link"})
_FAST_KINDS = frozenset({"id", "ref", "date", "enum"}) | _TEXT_KINDS


def _long_text(conn: sa.Connection, values: sa.ColumnElement, sep: str) -> sa.ColumnElement:
    """Every row's ``values`` (text, never NULL) joined by ``sep``, in the rows' order."""
    if conn.dialect.name == "sqlite":
        return sa.func.group_concat(values, sep)  # takes numbers as they are
    return sa.func.string_agg(sa.cast(values, sa.Text), sep)


def _aggregates(
    conn: sa.Connection, rows: sa.Subquery, fields: list[schema.Field]
) -> list[tuple[str, sa.ColumnElement]]:
    """(column, long text) pairs that carry ``fields``; the choices travel together."""
    out = []
    for f in fields:
        col = rows.c[f.name]
        if f.kind == "date" and conn.dialect.name == "sqlite":
            # As stored (ISO text, ten characters): NumPy reads the digits faster than
            # SQLite's julianday() turns them into a number.
            text = sa.func.coalesce(sa.type_coerce(col, sa.Text), _NO_ISO_DAY)
            out.append((f.name, _long_text(conn, text, "")))
        elif f.kind in ("id", "ref", "date"):
            out.append((f.name, _long_text(conn, _on_the_wire(col, f), ",")))
        elif f.kind != "enum":
            text = sa.func.coalesce(sa.type_coerce(col, sa.Text), _NONE)
            out.append((f.name, _long_text(conn, text, _UNIT)))
    enums = [f for f in fields if f.kind == "enum"]
    if enums:
        out.append(("choices", _long_text(conn, _packed_choices(rows, enums), ",")))
    return out


def _ints(text: str, n: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy only warns about text it cannot read
        try:
            out = np.fromstring(text, dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning) as err:
            raise _CannotDecode(str(err)) from err
    if out.size != n:
        raise _CannotDecode(f"{out.size} numbers for {n} rows")
    return out


_NO_ISO_DAY = "0000-00-00"


def _iso_days(text: str, n: int) -> np.ndarray:
    """Days since 1970 from ``n`` ISO dates written end to end (_NO_DAY for none)."""
    try:
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as err:
        raise _CannotDecode("dates that are not ISO text") from err
    if raw.size != 10 * n:
        raise _CannotDecode("dates that are not ISO text")
    # Each character position as its own column of n digits: no n-by-10 copy.
    digit = {k: raw[k::10].astype(np.int64) - ord("0") for k in (0, 1, 2, 3, 5, 6, 8, 9)}
    dashes = (raw[4::10] == ord("-")) & (raw[7::10] == ord("-"))
    if not dashes.all() or any(d.min() < 0 or d.max() > 9 for d in digit.values()):
        raise _CannotDecode("dates that are not ISO text")
    year = digit[0] * 1000 + digit[1] * 100 + digit[2] * 10 + digit[3]
    month = digit[5] * 10 + digit[6]
    day = digit[8] * 10 + digit[9]
    missing = year == 0
    if not (missing | ((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31))).all():
        raise _CannotDecode("dates that are not ISO text")
    first = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    out = first.astype("datetime64[D]").astype(np.int64) + (day - 1)
    out[missing] = _NO_DAY
    return out


def _texts(text: str, n: int) -> np.ndarray:
    cells = text.split(_UNIT)
    if len(cells) != n:
        raise _CannotDecode(f"{len(cells)} texts for {n} rows")
    out = np.array(cells, dtype=object)
    if _NONE in text:  # one scan of the text; most columns have no blanks to mark
        out[out == _NONE] = None
    return out


def _sqlite_columns(
    conn: sa.Connection,
    table: str,
    fields: list[schema.Field],
    where: sa.ColumnElement[bool] | None,
) -> dict[str, np.ndarray] | None:
    """Every column of ``fields`` as arrays, each sent as one long text per chunk of rows.

    The database joins a column's values into one text and NumPy reads it whole: no
    tuple or Python number per row, which costs the driver several times what SQLite
    itself spends on a value. Numbers, dates and choices travel as in
    :meth:`Database.plain_frame`. Rows come by id, a chunk at a time. ``None`` when
    there are no rows or a column is of a kind this does not carry.
    """
    if any(f.kind not in _FAST_KINDS for f in fields):
        return None
    t = TABLES[table]
    decoders: dict[str, Callable[[str, int], np.ndarray]] = {
        f.name: _texts for f in fields if f.kind in _TEXT_KINDS
    }
    if conn.dialect.name == "sqlite":
        decoders.update({f.name: _iso_days for f in fields if f.kind == "date"})
    chunks: list[dict[str, np.ndarray]] = []
    after: int | None = None
    while True:
        inner = sa.select(*(t.c[f.name] for f in fields)).order_by(t.c.id).limit(_CHUNK_ROWS)
        if where is not None:
            inner = inner.where(where)
        if after is not None:
            inner = inner.where(t.c.id > after)
        rows = inner.subquery()
        parts = _aggregates(conn, rows, fields)
        query = sa.select(sa.func.count(), *(a for _, a in parts)).select_from(rows)
        found = _fetch(conn, query, inline=True)[0]
        n = int(found[0])
        if n == 0:
            break
        chunk = {
            name: decoders.get(name, _ints)(text, n)
            for (name, _), text in zip(parts, found[1:], strict=True)
        }
        chunks.append(chunk)
        if n < _CHUNK_ROWS:
            break
        after = int(chunk["id"].max())
    if not chunks:
        return None
    data = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    # The aggregates all read the same rows in the same order, which is the ids' order
    # wherever the database keeps the subquery's ORDER BY; sorted again if it did not.
    ids = data["id"]
    if ids.size > 1 and not bool(np.all(ids[1:] > ids[:-1])):
        order = np.argsort(ids, kind="stable")
        data = {k: v[order] for k, v in data.items()}
    return data


_copy_columns = _sqlite_columns  # the same long texts, in PostgreSQL's words


def _assemble(table: str, fields: list[schema.Field], data: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame (schema dtypes) from :func:`_sqlite_columns`' arrays, as the plain read's."""
    dtypes = schema.frame_dtypes(table)
    out = {
        f.name: _from_the_wire(f, data[f.name], dtypes[f.name]) for f in fields if f.kind != "enum"
    }
    enums = [f for f in fields if f.kind == "enum"]
    for i, f in enumerate(enums):
        codes = ((data["choices"] >> (_CHOICE_BITS * i)) & _CHOICE_MASK) - 1
        out[f.name] = pd.Categorical.from_codes(codes, dtype=dtypes[f.name])
    return pd.DataFrame({f.name: out[f.name] for f in fields}, copy=False)


def _file_identity(path: str) -> tuple[int, int] | None:
    """The (device, inode) of a file, ``None`` when it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _sqlite_last_id(conn: sa.Connection, table: str) -> int:
    """The highest id SQLite has ever given in ``table`` (0 for none)."""
    seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar()
    top = conn.execute(sa.select(sa.func.max(TABLES[table].c.id))).scalar()
    return max(seq or 0, top or 0)


def _tables_reusing_ids(con: sqlite3.Connection) -> list[str]:
    """Our tables in this SQLite file that must be remade to match the schema.

    Those made without AUTOINCREMENT (before ids were kept), and those whose check on a
    choice column predates a choice added since (a new plan step, say): SQLite cannot
    change a table's checks in place, so both are remade the same way.
    """
    rows = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    return [
        name
        for name, sql in rows
        if name in TABLES
        and ("AUTOINCREMENT" not in (sql or "").upper() or _old_choices(name, sql or ""))
    ]


def _old_choices(table: str, sql: str) -> bool:
    """Whether a table's stored definition lacks a value one of its choice columns allows."""
    return any(
        f"'{value}'" not in sql
        for f in schema.TABLES[table].fields
        if f.kind == "enum"
        for value in f.allowed()
    )


def _rebuild_with_autoincrement(con: sqlite3.Connection, names: list[str]) -> None:
    """Remake each table in ``names`` with AUTOINCREMENT ids, keeping every row and id.

    SQLite's own recipe for a change ALTER TABLE cannot make: create the new table, copy
    the rows, drop the old one, rename the new one, remake the indexes; run inside one
    transaction with foreign keys off (the caller's job), then check every link. The
    copied ids set each table's sequence to its highest id: for a store that never kept
    a sequence, the best known.
    """
    dialect = sqlite_dialect.dialect()
    # Table and column names below come from the schema, never from the file or a user.
    for name in [n for n in schema.WRITE_ORDER if n in names]:
        t = TABLES[name]
        ddl = str(CreateTable(t).compile(dialect=dialect)).strip()
        head = f"CREATE TABLE {name} ("
        if not ddl.startswith(head):  # never: the schema's own DDL
            raise sqlite3.DatabaseError(f"unexpected table definition for {name}")
        con.execute(ddl.replace(head, f"CREATE TABLE _new_{name} (", 1))
        present = {row[0] for row in con.execute("SELECT name FROM pragma_table_info(?)", (name,))}
        cols = ", ".join(c.name for c in t.columns if c.name in present)
        con.execute(f"INSERT INTO _new_{name} ({cols}) SELECT {cols} FROM {name} ORDER BY id")
        con.execute(f"DROP TABLE {name}")
        con.execute(f"ALTER TABLE _new_{name} RENAME TO {name}")
    for name in names:
        for index in TABLES[name].indexes:
            con.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))
    broken = con.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise sqlite3.IntegrityError(f"{len(broken)} rows point at rows that are not there")


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


def _packed_choices(t: sa.Table | sa.Subquery, enums: list[schema.Field]) -> sa.ColumnElement:
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


#: Whether ``string`` columns are NumPy-backed here (pandas picks Arrow when installed).
_PYTHON_STRINGS = pd.api.types.pandas_dtype("string") == pd.StringDtype("python")


def _from_the_wire(
    f: schema.Field, cells: np.ndarray, dtype: Any
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A column in its wire form as ``dtype``, its frame's (:func:`schema.frame_dtypes`).

    The wire's arrays are fresh and used once, so the frame takes them over: ids keep
    their buffer, and texts (``str`` or ``None``) are checked in place, not copied.
    """
    if f.kind in ("id", "ref"):
        return pd.arrays.IntegerArray(cells, cells == 0)
    if f.kind == "date":
        return cells.astype("datetime64[D]").astype(dtype)
    if (
        dtype == "string"
        and _PYTHON_STRINGS
        and isinstance(cells, np.ndarray)
        and cells.dtype == object
    ):
        return pd.arrays.StringArray(cells)  # blanks become NA in place
    return pd.array(cells, dtype=dtype, copy=False)  # the dashboard's copy's texts as they are
