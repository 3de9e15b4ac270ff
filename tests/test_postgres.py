"""The same store on PostgreSQL: a throw-away cluster, the same calls, the same answers.

The cluster is started from the local PostgreSQL 15 binaries in a temporary folder and
listens only on a Unix socket there (no TCP port); it is stopped by its PID at the end.
Each test compares PostgreSQL with SQLite doing exactly the same thing.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
import store_workers as sw
from builders import DEMO_TODAY

import followup_kit as fk
from followup_kit import demo, schema
from followup_kit.exceptions import FollowupKitError, StoreError

pytestmark = pytest.mark.postgres

PG_BIN = Path(os.environ.get("FOLLOWUP_PG_BIN", "/usr/lib/postgresql/15/bin"))
TODAY = DEMO_TODAY.isoformat()


class Cluster:
    """A PostgreSQL cluster in a temporary folder, reachable only through its socket."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fkpg-", dir="/tmp"))  # socket paths are short
        self.user = "followup"
        self.pid: int | None = None
        self._as = self._run_as()
        self._numbers = itertools.count(1)

    def _run_as(self) -> list[str]:
        """PostgreSQL refuses to run as root: run it as the 'postgres' (or 'nobody') user."""
        if os.geteuid() != 0:
            return []
        for name in ("postgres", "nobody"):
            try:
                who = pwd.getpwnam(name)
            except KeyError:
                continue
            os.chown(self.root, who.pw_uid, who.pw_gid)
            if shutil.which("runuser"):
                return ["runuser", "-u", name, "--"]
            if shutil.which("setpriv"):
                return [
                    "setpriv",
                    f"--reuid={who.pw_uid}",
                    f"--regid={who.pw_gid}",
                    "--clear-groups",
                ]
        pytest.skip("running as root with no unprivileged user to run PostgreSQL as")

    def start(self) -> None:
        data = self.root / "data"
        self.root.chmod(0o700)
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", self.user]
        initdb += ["--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        subprocess.run(self._as + initdb, check=True, capture_output=True, timeout=120)
        options = (
            f"-k {self.root} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.root / "log")]
        pg_ctl += ["-w", "-t", "60", "-o", options, "start"]
        subprocess.run(self._as + pg_ctl, check=True, capture_output=True, timeout=120)
        self.pid = int((data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.root}"

    def new_database(self) -> str:
        import psycopg

        name = f"fk_{next(self._numbers)}"
        with psycopg.connect(
            dbname="postgres", user=self.user, host=str(self.root), autocommit=True
        ) as con:
            con.execute(f'CREATE DATABASE "{name}"')  # a name made here, not user input
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown by PID (SIGINT), then SIGKILL if it lingers; remove the folder."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    missing = [b for b in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / b).exists()]
    if missing:
        pytest.skip(
            f"PostgreSQL 15 binaries not found in {PG_BIN} ({', '.join(missing)} missing); "
            "install postgresql-15 or set FOLLOWUP_PG_BIN"
        )
    pytest.importorskip("psycopg", reason="psycopg is needed to talk to PostgreSQL")
    c = Cluster()
    try:
        c.start()
    except subprocess.CalledProcessError as err:
        log = c.root / "log"
        detail = log.read_text() if log.exists() else err.stderr.decode(errors="replace")
        c.stop()
        pytest.fail(f"could not start PostgreSQL: {detail[-2000:]}")
    yield c
    c.stop()


@pytest.fixture
def both(cluster, tmp_path):
    """A fresh PostgreSQL workbook and a fresh SQLite workbook, same fixed today."""
    pg = fk.open_workbook(cluster.new_database(), today=TODAY)
    lite = fk.open_workbook(tmp_path / "lite.sqlite", today=TODAY)
    yield pg, lite
    pg.close()
    lite.close()


def assert_same_tables(a: fk.Workbook, b: fk.Workbook) -> None:
    ta, tb = a.tables(), b.tables()
    assert list(ta) == list(tb)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


def scenario(wb: fk.Workbook) -> list:
    """Add, log, update and delete through every public call; return what each said."""
    said = []
    alex = wb.add_client(
        "Alex Rivera", cohort="Spring", country="GB", username="arivera", phone="+44 7700 900123"
    )
    bea = wb.add_client("Bea Okafor")
    iid = wb.log_interview(
        alex,
        "Acme",
        "Analyst",
        "2026-09-01",
        round="final",
        format="onsite",
        contact_route="hr",
        decision_expected="2026-09-15",
        notes="Panel of three; asked about SQL.",
        hr_name="Priya Shah",
        hr_email="priya@acme.io",
        hr_phone="+44 20 7946 0000",
        posting_link="acme.io/jobs/7",
        interviewers=[
            "Dana Lee",
            {"name": "Sam Ortiz", "title": "CTO", "email": "sam@acme.io", "honorific": "Dr"},
        ],
    )
    other = wb.log_interview(bea, "Beta", "Lead", "2026-10-01", interviewers=["Kim Ito"])
    panel = wb.interviewers(client_id=alex)
    sam = int(panel.loc[panel["name"] == "Sam Ortiz", "id"].iloc[0])
    extra = wb.add_interviewer(iid, "Ravi Shah", title="Recruiter")
    fu = wb.log_follow_up(
        iid,
        kind="thank_you",
        channel="email",
        sent_on="2026-09-01",
        interviewer_id=sam,
        script_id="thank_you_note",
        script_version=2,
    )
    check = wb.log_follow_up(iid, kind="status_check", channel="phone", sent_on="2026-09-16")
    reply = wb.log_response(iid, received_on="2026-09-20", result="offer", feedback="Great fit")
    skip = wb.skip_step(other, "status_check", reason="They said they would call")
    rec = wb.add_recording(alex, "take-1.webm", b"\x1a\x45\xdf\xa3" * 50, mime="audio/webm")
    said += [alex, bea, iid, other, sam, extra, fu, check, reply, skip, rec]
    wb.update_client(bea, cohort="Autumn", country="ie")
    wb.update_interview(iid, status="offer", notes=None, round="Panel interview")
    wb.update_interviewer(extra, email="ravi@acme.io", greet_as="title_surname", honorific="Mr")
    said.append(fk.context_for(wb, iid, interviewer_id=extra))
    wb.update_follow_up(check, channel="voicemail", notes="left a message")
    wb.update_response(reply, reflection="Ask earlier next time")
    said.append(wb.recording_data(rec) == b"\x1a\x45\xdf\xa3" * 50)
    said.append(wb.delete_interviewer(sam))
    said.append(wb.delete_skipped_step(skip))
    said.append(wb.delete_follow_up(check))
    said.append(wb.delete_client(bea))
    said.append(wb.client_for_user("arivera"))
    said.append(wb.counts().to_dict())
    return said


def test_every_call_does_the_same_on_both(both):
    pg, lite = both
    assert scenario(pg) == scenario(lite)
    assert_same_tables(pg, lite)
    pd.testing.assert_frame_equal(pg.recordings(), lite.recordings())


def test_frames_have_the_schema_dtypes_full_and_empty(both):
    pg, _ = both
    for name, frame in pg.tables().items():  # empty
        assert frame.dtypes.to_dict() == schema.frame_dtypes(name), name
    pg.load_tables(demo.generate(n_clients=3, seed=2), progress=False)
    for name, frame in pg.tables().items():
        assert frame.dtypes.to_dict() == schema.frame_dtypes(name), name
        assert list(frame.columns) == schema.TABLES[name].columns
    assert len(pg.interviews()) > 20


def test_demo_cohort_loads_the_same(both):
    pg, lite = both
    cohort = demo.generate(n_clients=6, seed=4)
    assert pg.load_tables(cohort, progress=False) == lite.load_tables(cohort, progress=False)
    assert_same_tables(pg, lite)
    for cid in (1, 4):
        for name, frame in pg.tables(client_id=cid).items():
            pd.testing.assert_frame_equal(frame, lite.tables(client_id=cid)[name], obj=name)


#: Refused calls whose message must read the same on both databases.
REFUSALS = {
    "blank name": lambda wb, ids: wb.add_client("   "),
    "bad country": lambda wb, ids: wb.add_client("Cy", country="Narnia"),
    "missing client": lambda wb, ids: wb.log_interview(999, "Co", "Role", "2026-06-01"),
    "every field wrong": lambda wb, ids: wb.log_interview(
        ids["client"], "", "x" * 201, "03/04/2026", round="fifth", format="smoke"
    ),
    "decision before interview": lambda wb, ids: wb.log_interview(
        ids["client"], "Co", "Role", "2026-06-10", decision_expected="2026-06-01"
    ),
    "bad interviewer": lambda wb, ids: wb.log_interview(
        ids["client"], "Co", "Role", "2026-06-01", interviewers=[{"name": "", "email": "nope"}]
    ),
    "reply before interview": lambda wb, ids: wb.log_response(
        ids["interview"], received_on="2026-05-01", result="offer"
    ),
    "sent in the future": lambda wb, ids: wb.log_follow_up(
        ids["interview"], kind="thank_you", channel="email", sent_on="2027-01-01"
    ),
    "someone else's interviewer": lambda wb, ids: wb.log_follow_up(
        ids["interview"],
        kind="thank_you",
        channel="email",
        sent_on="2026-06-02",
        interviewer_id=ids["stranger"],
    ),
    "skip without reason": lambda wb, ids: wb.skip_step(ids["interview"], "nap", reason=" "),
    "unknown change": lambda wb, ids: wb.update_interview(ids["interview"], colour="red"),
    "move after follow-ups": lambda wb, ids: wb.update_interview(
        ids["interview"], interview_date="2026-06-20"
    ),
    "missing row": lambda wb, ids: wb.update_response(12345, result="offer"),
    "delete missing": lambda wb, ids: wb.delete_client(12345),
    "not an id": lambda wb, ids: wb.log_follow_up(
        "abc", kind="thank_you", channel="email", sent_on="2026-06-02"
    ),
    "text as a client id": lambda wb, ids: wb.interviews(client_id="1 OR 1=1"),
    "NUL in text": lambda wb, ids: wb.add_client("nul\x00byte"),
    "id beyond 64 bits": lambda wb, ids: wb.log_interview(2**64, "Co", "Role", "2026-06-01"),
}


def _setup(wb: fk.Workbook) -> dict[str, int]:
    client = wb.add_client("Alex")
    interview = wb.log_interview(client, "Acme", "Analyst", "2026-06-01", interviewers=["Dana"])
    other = wb.log_interview(client, "Beta", "Lead", "2026-06-01", interviewers=["Kim"])
    wb.log_follow_up(interview, kind="thank_you", channel="email", sent_on="2026-06-02")
    stranger = int(wb.interviewers().set_index("interview_id").loc[other, "id"])
    return {"client": client, "interview": interview, "stranger": stranger}


def _answer(call) -> tuple[str, str] | None:
    try:
        call()
    except FollowupKitError as err:
        return type(err).__name__, str(err)
    return None


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_read_the_same_on_both(both, case):
    pg, lite = both
    ids_pg, ids_lite = _setup(pg), _setup(lite)
    assert ids_pg == ids_lite
    said_pg = _answer(lambda: REFUSALS[case](pg, ids_pg))
    said_lite = _answer(lambda: REFUSALS[case](lite, ids_lite))
    assert said_pg is not None, "PostgreSQL accepted what it must refuse"
    assert said_pg == said_lite
    assert pg.counts().equals(lite.counts())


@pytest.mark.parametrize(
    "call",
    [
        lambda wb: wb.log_interview(2**40, "Co", "Role", "2026-06-01"),
        lambda wb: wb.delete_interview(2**40),
    ],
    ids=["log with an id beyond 32 bits", "delete an id beyond 32 bits"],
)
def test_ids_beyond_32_bits_read_the_same_on_both(both, call):
    pg, lite = both
    _setup(pg), _setup(lite)

    def answer(wb):
        try:
            call(wb)
        except FollowupKitError as err:
            if isinstance(err, StoreError):
                return "StoreError (the database, not the rules, refused it)"
            return type(err).__name__, str(err)
        except Exception as err:  # noqa: BLE001 - a raw crash is the finding
            return f"raw {type(err).__name__}"
        return "accepted"

    assert answer(pg) == answer(lite)


def _flat_sheet(path: Path, n: int, bad_row: int | None = None) -> Path:
    rows = pd.DataFrame(
        {
            "Client": [f"Client {i % 7}" for i in range(n)],
            "Company": [f"Company {i}" for i in range(n)],
            "Role": "Analyst",
            "Interview date": "2026-06-01",
            "Interviewers": "Dana Lee; Sam Ortiz",
            "Thank-you date": "2026-06-02",
            "Response date": "",
            "Response result": "",
        }
    )
    rows.loc[::5, ["Response date", "Response result"]] = ["2026-06-09", "next_round"]
    if bad_row is not None:
        rows.loc[bad_row, "Response date"] = "2026-05-01"  # before the interview
        rows.loc[bad_row, "Response result"] = "offer"
    rows.to_csv(path, index=False)
    return path


def test_import_is_all_or_nothing_on_postgres(both, tmp_path):
    pg, lite = both
    bad = _flat_sheet(tmp_path / "bad.csv", 1000, bad_row=500)
    for wb in (pg, lite):
        wb.load_tables(demo.generate(n_clients=2, seed=1), progress=False)
    before = pg.counts()
    with pytest.raises(fk.ValidationError) as err_pg:
        pg.import_table(bad, progress=False)
    with pytest.raises(fk.ValidationError) as err_lite:
        lite.import_table(bad, progress=False)
    assert str(err_pg.value) == str(err_lite.value)
    assert [(p.row, p.field) for p in err_pg.value.problems] == [(502, "response_date")]
    assert pg.counts().equals(before)
    good = _flat_sheet(tmp_path / "good.csv", 1000)
    assert pg.import_table(good, progress=False) == lite.import_table(good, progress=False)
    assert_same_tables(pg, lite)


@pytest.mark.parametrize("target", ["out", "out.xlsx"])
def test_export_then_import_round_trip_through_postgres(cluster, both, tmp_path, target):
    pg, lite = both
    pg.load_tables(demo.generate(n_clients=5, seed=8), progress=False)
    pg.add_client('=HYPERLINK("x")', cohort="+1")  # formula-like text survives too
    out = pg.export(tmp_path / target)
    again = fk.open_workbook(cluster.new_database(), today=TODAY)
    try:
        again.import_table(out, progress=False)
        lite.import_table(out, progress=False)
        assert_same_tables(again, pg)
        assert_same_tables(lite, pg)
    finally:
        again.close()


def test_backup_of_postgres_is_a_pg_dump_file(both, tmp_path):
    pg, _ = both
    pg.add_client("Alex")
    copy = pg.backup(tmp_path / "copy.dump")
    assert copy.read_bytes()[:5] == b"PGDMP"
    with pytest.raises(StoreError, match="already exists"):
        pg.backup(copy)


@pytest.mark.slow
def test_writers_at_once_lose_nothing_on_postgres(cluster):
    url = cluster.new_database()
    fk.open_workbook(url, today=sw.TODAY).close()
    result = sw.run_workshop(url, 8, 50, forked=True)
    assert result.errors == []
    assert all(p.proc.returncode == 0 for p in result.people)
    with fk.open_workbook(url, today=sw.TODAY) as wb:
        iv = wb.interviews()
        assert len(iv) == 400 == len(result.saved)
        assert not iv.duplicated(["company", "role"]).any()
        assert set(iv["id"]) == {s[2] for s in result.saved}


# -- ids are never reused ---------------------------------------------------------------


def test_deleting_then_adding_never_reuses_an_id_on_either(both):
    from test_db import ids_after_deleting_the_newest

    for wb in both:
        found = ids_after_deleting_the_newest(wb)
        assert set(found) == set(schema.TABLES)
        for table, (gone, new) in found.items():
            assert new > gone, (wb, table)


def test_bulk_import_never_reuses_deleted_ids_on_either(both):
    from test_db import ids_after_bulk_import_over_deleted_rows

    for wb in both:
        for table, (highest, lowest) in ids_after_bulk_import_over_deleted_rows(wb).items():
            assert lowest > highest, (wb, table)


def test_every_id_on_postgres_comes_from_a_sequence_nothing_resets(both):
    pg, _ = both
    import sqlalchemy as sa

    with pg.engine.connect() as conn:
        for name in schema.TABLES:
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
            assert seq.scalar() is not None, name
    cid = pg.add_client("Alex")
    pg.delete_client(cid)
    pg.close()
    with fk.open_workbook(pg.url, today=TODAY) as again:  # reopening creates nothing anew
        assert again.add_client("Bea") == cid + 1


def test_a_postgres_store_made_before_the_contacts_gains_them(cluster):
    import psycopg

    url = cluster.new_database()
    with fk.open_workbook(url, today=TODAY) as wb:
        cid = wb.add_client("Alex Rivera")
        iid = wb.log_interview(cid, "Acme", "Analyst", "2026-09-01", interviewers=["Dana Lee"])
    dropped = {
        "clients": ["phone"],
        "interviews": ["hr_name", "hr_email", "hr_phone", "posting_link"],
        "interviewers": ["greet_as", "honorific"],
    }
    name = url.split("@/", 1)[1].split("?")[0]
    with psycopg.connect(dbname=name, user=cluster.user, host=str(cluster.root)) as con:
        for table, columns in dropped.items():
            for column in columns:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    with fk.open_workbook(url, today=TODAY) as wb:
        dana = int(wb.interviewers()["id"].iloc[0])
        wb.update_interviewer(dana, greet_as="title_surname", honorific="Dr")
        wb.update_interview(iid, hr_name="Priya Shah")
        ctx = fk.context_for(wb, iid)
        assert (ctx["interviewer"], ctx["hr_contact"]) == ("Dr Lee", "Priya Shah")
    with psycopg.connect(dbname=name, user=cluster.user, host=str(cluster.root)) as con:
        with pytest.raises(psycopg.errors.CheckViolation):
            con.execute("UPDATE interviewers SET greet_as = 'nickname'")


def test_a_postgres_store_made_before_the_new_steps_and_concerns_gains_both(cluster):
    import sqlalchemy as sa

    url = cluster.new_database()
    with fk.open_workbook(url, today=TODAY) as wb:
        cid = wb.add_client("Alex Rivera")
        iid = wb.log_interview(cid, "Acme", "Analyst", "2025-03-04", status="rejected")
    # The check and the columns as the release before the reply and reconnect steps.
    old_steps = [s for s in schema.STEPS if s not in ("gracious_reply", "reconnect")]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        name = conn.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' "
            "AND conrelid = 'skipped_steps'::regclass"
        ).scalar_one()
        conn.exec_driver_sql(f'ALTER TABLE skipped_steps DROP CONSTRAINT "{name}"')
        check = " OR ".join(f"step = '{s}'" for s in old_steps)
        conn.exec_driver_sql(f'ALTER TABLE skipped_steps ADD CONSTRAINT "{name}" CHECK ({check})')
        conn.exec_driver_sql("ALTER TABLE interviews DROP COLUMN concerns")
    engine.dispose()
    for _ in range(2):  # upgraded once by the owner; opening again changes nothing
        with fk.open_workbook(url, today=TODAY) as wb:
            wb.skip_step(iid, "reconnect", reason=f"try {_}")
            wb.update_interview(iid, concerns="No retail experience: two examples ready.")
            assert wb.interviews()["concerns"].tolist() == [
                "No retail experience: two examples ready."
            ]
    with fk.open_workbook(url, today=TODAY) as wb:
        assert wb.skipped_steps()["step"].astype(str).tolist() == ["reconnect", "reconnect"]


@pytest.mark.parametrize("seed", [3, 8])
def test_fast_reads_equal_plain_reads_on_postgres(both, seed):
    """PostgreSQL sends each column as one string_agg text: the same frames as row by row."""
    from test_reading import check_same_as_plain, random_tables

    pg, lite = both
    tables = random_tables(seed)
    for wb in both:
        wb.load_tables(tables, progress=False)
    fell_back = []
    plain = pg.db.plain_frame
    pg.db.plain_frame = lambda *a, **k: fell_back.append(a[1]) or plain(*a, **k)
    read = pg.tables()
    # Every table with rows came the fast way (an empty one is read the plain way).
    assert fell_back == [name for name, frame in read.items() if frame.empty]
    del pg.db.plain_frame
    check_same_as_plain(pg)
    assert_same_tables(pg, lite)
