"""Row-level security on a real local cluster: each client role sees and changes only its own.

The cluster is :class:`followup_kit.postgres.LocalCluster` itself (peer authentication on
a Unix socket under a short /tmp path). Tests act as a client or coach role the way the
owner can without a system user: ``SET ROLE`` at connection (``options=-c role=...``),
under which PostgreSQL applies that role's grants and policies exactly as at sign-in. The
hub test (``test_hub.py``) goes through real system users and peer authentication.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

import followup_kit as fk
from followup_kit import postgres
from followup_kit.exceptions import FollowupKitError, NotFoundError, StoreError

pytestmark = pytest.mark.postgres
TODAY = "2026-11-02"


def _ci_or_skip(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster():
    try:
        postgres._postgres_bin()
    except StoreError as err:
        _ci_or_skip(str(err))
    pytest.importorskip("psycopg")
    root = Path(tempfile.mkdtemp(prefix="fkr-", dir="/tmp"))
    c = postgres.LocalCluster(root)
    try:
        c.ensure()
        yield c
    finally:
        c.stop()
        shutil.rmtree(root, ignore_errors=True)


def as_role(cluster, role: str) -> str:
    return cluster.url() + "&options=" + quote(f"-c role={role}")


@pytest.fixture
def world(cluster):
    """Two clients with an interview each, their roles, and a coach; cleaned after."""
    owner = fk.open_workbook(cluster.url(), today=TODAY)
    with owner.engine.begin() as conn:
        for table in ("recordings", "skipped_steps", "responses", "follow_ups"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.exec_driver_sql("DELETE FROM interviews")
        conn.exec_driver_sql("DELETE FROM clients")
    alex = owner.add_client("Alex Rivera", username="alex")
    bea = owner.add_client("Bea Okafor", username="Bea ")
    owner.add_client("No Login")
    ids = {
        "alex": owner.log_interview(alex, "Acme", "Analyst", "2026-10-01", interviewers=["Dana"]),
        "bea": owner.log_interview(bea, "Beta", "Lead", "2026-10-02", interviewers=["Kim"]),
    }
    owner.log_follow_up(ids["bea"], kind="thank_you", channel="email", sent_on="2026-10-02")
    sync = owner.sync_roles()
    if "coach" not in postgres.coaches(owner):
        owner.add_coach("coach")
    yield owner, {"alex": alex, "bea": bea}, ids, sync
    owner.close()


def open_as(cluster, role: str) -> fk.Workbook:
    return fk.open_workbook(as_role(cluster, role), today=TODAY)


def test_roles_and_coach_refuse_on_sqlite(wb):
    with pytest.raises(StoreError, match="PostgreSQL"):
        wb.sync_roles()
    with pytest.raises(StoreError, match="PostgreSQL"):
        wb.add_coach("coach")


def test_sync_creates_a_login_role_per_username(world, cluster):
    owner, _, _, sync = world
    assert set(sync.created + sync.kept) == {"alex", "bea"}
    with owner.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname IN "
                "('alex', 'bea', 'coach')"
            )
        ).all()
    assert sorted(rows) == [("alex", True, False), ("bea", True, False), ("coach", True, False)]


def test_a_client_sees_only_their_own_rows(world, cluster):
    _, clients, ids, _ = world
    with open_as(cluster, "alex") as alex:
        assert alex.clients()["name"].tolist() == ["Alex Rivera"]
        assert alex.interviews()["id"].tolist() == [ids["alex"]]
        assert alex.follow_ups().empty  # bea's thank-you is hidden
        assert alex.interviewers()["name"].tolist() == ["Dana"]
        assert alex.counts()["interviews"] == 1
        with alex.engine.connect() as conn:
            every = conn.exec_driver_sql("SELECT company FROM interviews").scalars().all()
        assert every == ["Acme"]


def test_a_client_cannot_change_or_delete_anothers_rows(world, cluster):
    owner, clients, ids, _ = world
    with open_as(cluster, "alex") as alex:
        with pytest.raises(NotFoundError):
            alex.update_interview(ids["bea"], company="Hacked")
        with pytest.raises(NotFoundError):
            alex.delete_interview(ids["bea"])
        with alex.engine.begin() as conn:
            changed = conn.exec_driver_sql("UPDATE interviews SET notes = 'x'").rowcount
            deleted = conn.exec_driver_sql(
                f"DELETE FROM interviews WHERE id = {ids['bea']}"
            ).rowcount
        assert (changed, deleted) == (1, 0)
        with pytest.raises(FollowupKitError):
            alex.log_interview(clients["bea"], "Planted", "Role", "2026-10-05")
        with pytest.raises(sa.exc.ProgrammingError, match="row-level"), alex.engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO interviews (client_id, company, role, interview_date, round, "
                f"format, contact_route, status) VALUES ({clients['bea']}, 'P', 'R', "
                "'2026-10-05', 'first', 'video', 'direct', 'open')"
            )
    assert owner.interviews().set_index("id").loc[ids["bea"], "company"] == "Beta"
    assert owner.counts()["interviews"] == 2


def test_a_client_writes_their_own_rows_with_fresh_ids(world, cluster):
    owner, clients, ids, _ = world
    with open_as(cluster, "bea") as bea:
        new = bea.log_interview(clients["bea"], "Gamma", "Lead", "2026-10-20", interviewers=["Jo"])
        bea.log_follow_up(new, kind="thank_you", channel="email", sent_on="2026-10-21")
        bea.update_interview(ids["bea"], notes="went well")
        assert new > max(ids.values())
        assert len(bea.interviews()) == 2
    assert owner.counts()["interviews"] == 3


def test_a_client_may_not_change_the_schema_or_read_other_tables(world, cluster):
    with open_as(cluster, "alex") as alex:
        for sql in (
            "CREATE TABLE planted (x int)",
            "ALTER TABLE interviews ADD COLUMN planted int",
            "DROP POLICY followup_client_own ON interviews",
            "SELECT * FROM pg_authid",
        ):
            with pytest.raises(sa.exc.DBAPIError), alex.engine.begin() as conn:
                conn.exec_driver_sql(sql)


def test_the_coach_sees_and_changes_everyone(world, cluster):
    _, _, ids, _ = world
    with open_as(cluster, "coach") as coach:
        assert sorted(coach.interviews()["company"]) == ["Acme", "Beta"]
        coach.update_interview(ids["bea"], notes="checked by coach")
        assert len(coach.clients()) == 3


def test_an_unknown_role_sees_nothing(world, cluster):
    owner, _, _, _ = world
    with owner.engine.begin() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS stranger")
        conn.exec_driver_sql("CREATE ROLE stranger LOGIN")
        conn.exec_driver_sql("DROP ROLE IF EXISTS ghost")
        conn.exec_driver_sql(f"CREATE ROLE ghost LOGIN IN ROLE {postgres.CLIENT_GROUP}")
    with open_as(cluster, "stranger") as stranger, pytest.raises(StoreError, match="neither"):
        stranger.interviews()
    with open_as(cluster, "ghost") as ghost:
        assert ghost.interviews().empty and ghost.clients().empty


def test_deleting_a_client_takes_their_role_away(world, cluster):
    owner, clients, _, _ = world
    owner.delete_client(clients["bea"])
    sync = owner.sync_roles()
    assert sync.removed == ["bea"]
    with owner.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname='bea'").first() is None


def test_unusable_usernames_are_refused_plainly(world, cluster):
    owner, _, _, _ = world
    owner.add_client("Odd", username="Has Space")
    owner.add_client("Sneaky", username="followup_owner")
    sync = owner.sync_roles()
    assert set(sync.refused) == {"has space", "followup_owner"}
    assert "cannot be used on the hub" in sync.refused["has space"]
    with pytest.raises(StoreError, match="already a client"):
        owner.add_coach("alex")


def test_backup_and_restore_through_pg_dump(world, cluster, tmp_path):
    owner, clients, ids, _ = world
    copy = owner.backup(tmp_path / "before.dump")
    owner.delete_interview(ids["alex"])
    assert owner.counts()["interviews"] == 1
    replaced = postgres.restore_postgres(owner.url, copy)
    assert replaced.exists()
    assert owner.counts()["interviews"] == 2
    with open_as(cluster, "alex") as alex:  # policies and grants came back too
        assert alex.interviews()["id"].tolist() == [ids["alex"]]
