"""PostgreSQL for a workshop: a role per client, row-level security, a local cluster, backups.

The database keeps clients apart, whatever code their kernels run:

- Each client with a username gets a LOGIN role of that name in the group role
  ``followup_client`` (:func:`sync_roles`); each coach one in ``followup_coach``
  (:func:`add_coach`). Neither group may change the schema or touch another table.
- Every table that holds client data has row-level security: a ``followup_client`` member
  reads and writes only the rows of the client whose username is ``current_user``; a
  ``followup_coach`` member reads and writes all. A role in neither group is granted
  nothing, so it sees nothing.
- :class:`LocalCluster` runs PostgreSQL under ``data/`` on a Unix socket only, with peer
  authentication: the system user ``jupyter-alex`` logs in as the role ``alex`` and as
  nobody else; no password is kept anywhere.

Everything here runs as the owner of the tables (the role that created them), except
that a workbook opened as a client or coach role simply works under these rules.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schema
from .exceptions import StoreError

if TYPE_CHECKING:  # pragma: no cover
    import sqlalchemy as sa

#: A workbook (:class:`followup_kit.store.Workbook`), or anything with its ``db`` and
#: ``is_sqlite``: the store calls into this module, never the other way round.
Workbook = Any

__all__ = [
    "CLIENT_GROUP",
    "COACH_GROUP",
    "OWNER",
    "LocalCluster",
    "RoleSync",
    "add_coach",
    "backup_postgres",
    "client_usernames",
    "coaches",
    "hub_username_problem",
    "libpq_url",
    "remove_coach",
    "restore_postgres",
    "secure_database",
    "sync_roles",
]

CLIENT_GROUP = "followup_client"
COACH_GROUP = "followup_coach"
#: The role that owns the tables in a local cluster (its bootstrap superuser).
OWNER = "followup_owner"
DATABASE = "followup"
#: System users of clients' servers are this prefix plus the username (as TLJH's are).
DEFAULT_USER_PREFIX = "jupyter-"

# A username that can be a system user (with the prefix, at most 32 characters) and a
# role, and that can never name one of our own roles (they all hold an underscore).
_USERNAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,22}")
_RESERVED = {"root", "postgres", "admin", "nobody"}


def hub_username_problem(name: str | None) -> str | None:
    """Why ``name`` cannot sign in on the hub, in plain words; ``None`` when it can."""
    if not name:
        return "has no username"
    if not _USERNAME.fullmatch(name):
        return (
            f"username {name!r} cannot be used on the hub: use 1 to 23 lower-case letters, "
            "digits, dots or dashes, starting with a letter or digit"
        )
    if name in _RESERVED or name.startswith("pg"):
        return f"username {name!r} is reserved; choose another"
    return None


def _normal(name: str | None) -> str:
    return (name or "").strip().lower()


# -- roles and row-level security -------------------------------------------------------


def _require_postgres(wb: Workbook, what: str) -> None:
    if wb.is_sqlite:
        raise StoreError(
            f"{what} needs a PostgreSQL workbook: a SQLite file cannot keep clients apart "
            "(anyone who can open the file can read it all). See 'Run a workshop' in the README."
        )


def _q(conn: sa.Connection, name: str) -> str:
    """``name`` quoted as an SQL identifier."""
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _ddl(conn: sa.Connection, statement: str) -> None:
    """Run one statement that names roles, tables or policies.

    PostgreSQL cannot bind names as parameters, so these statements are built, and only
    from: this module's constants, the schema's table and column names, and usernames
    that passed :func:`hub_username_problem` (lower-case letters, digits, dots, dashes);
    every such name is quoted with :func:`_q` as well. No other value ever goes in.
    """
    conn.exec_driver_sql(statement)


def _role_exists(conn: sa.Connection, name: str) -> bool:
    import sqlalchemy as sa

    found = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _members(conn: sa.Connection, group: str) -> set[str]:
    import sqlalchemy as sa

    rows = conn.execute(
        sa.text(
            "SELECT m.rolname FROM pg_auth_members a "
            "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname = :g"
        ),
        {"g": group},
    )
    return {r[0] for r in rows}


def _policy_condition(conn: sa.Connection, table: str) -> str | None:
    """The SQL a client's rows of ``table`` satisfy; ``None``: not client data."""
    if table == "clients":
        return "lower(btrim(username)) = current_user::text"
    spec = schema.TABLES[table]
    parent = getattr(spec, "parent", None)
    if not parent:
        return None
    ref = next(f.ref for f in spec.fields if f.name == parent)
    # The subquery runs under the referenced table's own policy, so this follows the
    # chain interview -> client -> username; as EXISTS on the id it is one index lookup
    # per row, not a scan of every row the client may see.
    return (
        f"EXISTS (SELECT 1 FROM {_q(conn, ref)} AS parent_row "
        f"WHERE parent_row.id = {_q(conn, table)}.{_q(conn, parent)})"
    )


def secure_database(wb: Workbook) -> list[str]:
    """Create the group roles, grants and row-level security policies (as the owner).

    Safe to run again (it is, on every hub start). Returns the tables secured.
    """
    _require_postgres(wb, "Row-level security")
    import sqlalchemy as sa

    def work(conn: sa.Connection) -> list[str]:
        for group in (CLIENT_GROUP, COACH_GROUP):
            if not _role_exists(conn, group):
                _ddl(conn, f"CREATE ROLE {group} NOLOGIN")
        schema_name = conn.exec_driver_sql("SELECT current_schema()").scalar()
        quoted_schema = _q(conn, schema_name)
        _ddl(conn, f"GRANT USAGE ON SCHEMA {quoted_schema} TO {CLIENT_GROUP}")
        _ddl(conn, f"GRANT USAGE ON SCHEMA {quoted_schema} TO {COACH_GROUP}")
        try:
            with conn.begin_nested():
                _ddl(conn, f"REVOKE CREATE ON SCHEMA {quoted_schema} FROM PUBLIC")
        except sa.exc.DBAPIError:
            pass  # not the schema's owner (a managed database): its admin decides
        secured = []
        for table in schema.TABLES:
            t = _q(conn, table)
            condition = _policy_condition(conn, table)
            _ddl(conn, f"REVOKE ALL ON {t} FROM PUBLIC")
            _ddl(conn, f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
            for policy in ("followup_coach_all", "followup_client_own"):
                _ddl(conn, f"DROP POLICY IF EXISTS {policy} ON {t}")
            rights = "SELECT, INSERT, UPDATE, DELETE"
            _ddl(conn, f"GRANT {rights} ON {t} TO {COACH_GROUP}")
            _ddl(
                conn,
                f"CREATE POLICY followup_coach_all ON {t} FOR ALL TO {COACH_GROUP} "
                "USING (true) WITH CHECK (true)",
            )
            if condition is None:
                _ddl(conn, f"REVOKE ALL ON {t} FROM {CLIENT_GROUP}")
                continue
            _ddl(conn, f"GRANT {rights} ON {t} TO {CLIENT_GROUP}")
            _ddl(
                conn,
                f"CREATE POLICY followup_client_own ON {t} FOR ALL TO {CLIENT_GROUP} "
                f"USING ({condition}) WITH CHECK ({condition})",
            )
            secured.append(table)
        # Ids: the client roles may take the next number, nothing more.
        for group in (CLIENT_GROUP, COACH_GROUP):
            _ddl(conn, f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {group}")
        return secured

    return wb.db.write(work)


@dataclass
class RoleSync:
    """What :func:`sync_roles` did: roles created, removed, and usernames it could not use."""

    created: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [
            f"{len(self.kept) + len(self.created)} client sign-ins "
            f"({len(self.created)} new, {len(self.removed)} removed)"
        ]
        parts += [f"{name}: {why}" for name, why in self.refused.items()]
        return "; ".join(parts)


def client_usernames(wb: Workbook) -> dict[str, str]:
    """Each client's username (normalised: trimmed, lower case) -> their name."""
    _require_postgres(wb, "Client sign-ins")
    import sqlalchemy as sa

    with wb.db.read() as conn:
        rows = conn.execute(
            sa.text("SELECT username, name FROM clients WHERE username IS NOT NULL ORDER BY id")
        ).all()
    found: dict[str, str] = {}
    for username, name in rows:
        if _normal(username):
            found.setdefault(_normal(username), name)
    return found


def coaches(wb: Workbook) -> set[str]:
    """The coach roles (members of ``followup_coach``)."""
    _require_postgres(wb, "Coach accounts")
    with wb.db.read() as conn:
        return _members(conn, COACH_GROUP)


def sync_roles(wb: Workbook) -> RoleSync:
    """Give each client with a username a login role, and take it from deleted clients.

    Run as the owner (``python -m followup_kit roles``, and on every hub start and
    server spawn). A client whose username cannot be a role, or clashes with a role that
    is not ours, is listed in ``refused`` and gets nothing.
    """
    _require_postgres(wb, "Client roles")
    secure_database(wb)
    result = RoleSync()
    wanted = client_usernames(wb)

    def work(conn: sa.Connection) -> None:
        ours = _members(conn, CLIENT_GROUP)
        coach_roles = _members(conn, COACH_GROUP)
        for name in wanted:
            problem = hub_username_problem(name)
            if problem is None and name in coach_roles:
                problem = f"{name!r} is a coach's username"
            if problem is None and name not in ours and _role_exists(conn, name):
                problem = f"a database account named {name!r} already exists and is not a client's"
            if problem:
                result.refused[name] = problem
                continue
            if name in ours:
                result.kept.append(name)
            else:
                _ddl(conn, f"CREATE ROLE {_q(conn, name)} LOGIN IN ROLE {CLIENT_GROUP}")
                result.created.append(name)
        for name in sorted(ours - set(wanted)):
            _drop_login(conn, name)
            result.removed.append(name)

    wb.db.write(work)
    return result


def _drop_login(conn: sa.Connection, name: str) -> None:
    import sqlalchemy as sa

    _ddl(conn, f"ALTER ROLE {_q(conn, name)} NOLOGIN")
    # Whoever is still connected as them is signed off too.
    conn.execute(
        sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
        {"n": name},
    )
    _ddl(conn, f"DROP ROLE {_q(conn, name)}")


def add_coach(wb: Workbook, username: str) -> str:
    """Create a LOGIN role for a coach in ``followup_coach``; return its name."""
    _require_postgres(wb, "Coach accounts")
    name = _normal(username)
    problem = hub_username_problem(name)
    if problem:
        raise StoreError(f"A coach's {problem}.")
    secure_database(wb)

    def work(conn: sa.Connection) -> str:
        if name in _members(conn, COACH_GROUP):
            return name
        if name in _members(conn, CLIENT_GROUP):
            raise StoreError(f"{name!r} is already a client's username; a coach needs another.")
        if _role_exists(conn, name):
            raise StoreError(f"A database account named {name!r} already exists.")
        _ddl(conn, f"CREATE ROLE {_q(conn, name)} LOGIN IN ROLE {COACH_GROUP}")
        return name

    return wb.db.write(work)


def remove_coach(wb: Workbook, username: str) -> None:
    """Take a coach's database account away."""
    _require_postgres(wb, "Coach accounts")
    name = _normal(username)

    def work(conn: sa.Connection) -> None:
        if name not in _members(conn, COACH_GROUP):
            raise StoreError(f"{name!r} is not a coach here.")
        _drop_login(conn, name)

    wb.db.write(work)


# -- backups --------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """A database URL as PostgreSQL's own tools read it (no SQLAlchemy driver name)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", str(url))


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for bin_dir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bin_dir / name).exists():
            return str(bin_dir / name)
    raise StoreError(
        f"PostgreSQL's {name} is not installed here (Debian: apt-get install postgresql-client)."
    )


def backup_postgres(url: str, path: str | os.PathLike) -> Path:
    """A consistent copy of a PostgreSQL workbook with ``pg_dump`` (custom format)."""
    target = Path(path).expanduser().resolve()
    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file name for the backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    argv = [_pg_tool("pg_dump"), "--format=custom", "--file", str(target), libpq_url(url)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise StoreError(f"The backup failed: {done.stderr.strip()[-500:]}")
    target.chmod(0o600)
    return target


def restore_postgres(url: str, path: str | os.PathLike) -> Path:
    """Put a ``pg_dump`` backup back, replacing what the database holds (run as the owner).

    A copy of what is replaced is kept beside the backup first. Client roles are then
    brought in line with the restored clients.
    """
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise StoreError(f"There is no backup file at {source}.")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    before = backup_postgres(url, source.with_name(f"{source.stem}-replaced-{stamp}.dump"))
    argv = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction"]
    argv += ["--no-owner", "--dbname", libpq_url(url), str(source)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise StoreError(
            f"The restore failed and nothing was changed (what was there is also kept in "
            f"{before}): {done.stderr.strip()[-500:]}"
        )
    from types import SimpleNamespace

    from ._db import Database

    db = Database(url)
    try:
        sync_roles(SimpleNamespace(db=db, is_sqlite=False))
    finally:
        db.close()
    return before


# -- a local cluster on a Unix socket ---------------------------------------------------


def _postgres_bin() -> Path:
    env = os.environ.get("FOLLOWUP_PG_BIN")
    if env:
        return Path(env)
    for bin_dir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bin_dir / "initdb").exists():
            return bin_dir
    raise StoreError(
        "PostgreSQL is not installed here. As root, `make hub` installs it (Debian's "
        "postgresql package); or set FOLLOWUP_DB_URL to a PostgreSQL database."
    )


class LocalCluster:
    """A PostgreSQL cluster in ``root`` (``cluster/`` data, ``socket/``), no TCP at all.

    Peer authentication maps system users to roles: ``root`` and the user running the
    server log in as :data:`OWNER`; ``<prefix><name>`` logs in as ``<name>``, and only
    as that. Started as an unprivileged user (``postgres`` when we are root).
    """

    def __init__(self, root: str | os.PathLike, *, user_prefix: str = DEFAULT_USER_PREFIX) -> None:
        self.root = Path(root).resolve()
        self.data = self.root / "cluster"
        self.socket_dir = self.root / "socket"
        if len(str(self.socket_dir)) > 90:
            raise StoreError(
                f"The folder {self.root} is too deep for PostgreSQL's socket; use a "
                "shorter path (for example under /srv or /tmp)."
            )
        self.user_prefix = user_prefix
        self.bin = _postgres_bin()
        self.run_as = _unprivileged_user() if os.geteuid() == 0 else None

    def url(self, role: str = OWNER, database: str = DATABASE) -> str:
        """The socket URL for ``role``: no host, no port, no password."""
        return f"postgresql://{role}@/{database}?host={self.socket_dir}"

    def _cmd(self, argv: list[str]) -> list[str]:
        if self.run_as is None:
            return argv
        return ["runuser", "-u", self.run_as, "--", *argv]

    @property
    def pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    def ensure(self) -> str:
        """Initialise (first time) and start the cluster; return the owner's URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        if self.run_as:
            who = pwd.getpwnam(self.run_as)
            os.chown(self.root, who.pw_uid, who.pw_gid)
            _check_reachable(self.root, self.run_as)
        if not (self.data / "PG_VERSION").exists():
            self._init()
        self._write_auth()
        if self.pid is None:
            self._start()
        else:
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "reload"])
        self._create_database()
        return self.url()

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(self._cmd(argv), capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            log = self.root / "postgres.log"
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise StoreError(
                f"PostgreSQL could not start ({Path(argv[0]).name}): "
                f"{(done.stderr or done.stdout).strip()[-800:]}\n{tail}"
            )

    def _init(self) -> None:
        self.socket_dir.mkdir(exist_ok=True)
        if self.run_as:
            who = pwd.getpwnam(self.run_as)
            os.chown(self.socket_dir, who.pw_uid, who.pw_gid)
        self.socket_dir.chmod(0o755)
        argv = [str(self.bin / "initdb"), "-D", str(self.data), "-U", OWNER, "-A", "peer"]
        argv += ["-E", "UTF8", "--locale=C.UTF-8"]
        self._run(argv)
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                "listen_addresses = ''\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "unix_socket_permissions = 0777\n"
                "max_connections = 200\n"
            )

    def _write_auth(self) -> None:
        server_user = self.run_as or pwd.getpwuid(os.geteuid()).pw_name
        prefix = re.escape(self.user_prefix)
        ident = [
            "# Written by followup_kit.postgres; rewritten on every start.",
            f"followup  root  {OWNER}",
            f"followup  {server_user}  {OWNER}",
            # A client's system user logs in as the role of their username, only.
            f"followup  /^{prefix}([a-z0-9][a-z0-9.-]*)$  \\1",
        ]
        hba = [
            "# Written by followup_kit.postgres: Unix socket only, peer authentication.",
            "local  all  all  peer  map=followup",
        ]
        for name, lines in (("pg_ident.conf", ident), ("pg_hba.conf", hba)):
            path = self.data / name
            path.write_text("\n".join(lines) + "\n")
            if self.run_as:
                who = pwd.getpwnam(self.run_as)
                os.chown(path, who.pw_uid, who.pw_gid)
            path.chmod(0o600)

    def _start(self) -> None:
        log = self.root / "postgres.log"
        if self.run_as:
            log.touch()
            who = pwd.getpwnam(self.run_as)
            os.chown(log, who.pw_uid, who.pw_gid)
        argv = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log)]
        self._run([*argv, "-w", "-t", "60", "start"])

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            dbname="postgres", user=OWNER, host=str(self.socket_dir), autocommit=True
        ) as con:
            exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if exists.fetchone() is None:
                con.execute("CREATE DATABASE followup")  # DATABASE

    def stop(self, timeout: float = 30.0) -> None:
        """A fast shutdown by PID (SIGINT); SIGKILL if it lingers."""
        pid = self.pid
        if pid is None:
            return
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise StoreError("No unprivileged system user to run PostgreSQL as (tried postgres, nobody).")


def _check_reachable(path: Path, user: str) -> None:
    """Refuse a folder the server's user (and clients) cannot walk to."""
    blocked = [p for p in _parents(path) if not os.stat(p).st_mode & 0o001]
    if blocked:
        raise StoreError(
            f"PostgreSQL (running as {user}) and the clients' accounts cannot reach "
            f"{path}: {blocked[0]} is closed to other users. Keep the workshop's data in a "
            "folder others may pass through (for example FOLLOWUP_PG_DIR=/srv/followup-pg)."
        )


def _parents(path: Path) -> Iterable[Path]:
    return [p for p in reversed(path.parents) if str(p) != "/"]
