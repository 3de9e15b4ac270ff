"""Faults a workshop meets: killed kernels, a read-only file, a full disk, a busy store, backups."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import store_workers as sw

import followup_kit as fk
from followup_kit import _db as db_module
from followup_kit import demo
from followup_kit.exceptions import StoreError

KILLS = 50


def _new_store(path: Path, *, n_clients: int = 0) -> Path:
    with fk.open_workbook(path, today=sw.TODAY) as wb:
        cid = wb.add_client("Kill Client")
        for k in range(3):
            wb.log_interview(cid, "Kill Co", f"seed-{k}", sw.INTERVIEW_DAY, interviewers=["A", "B"])
        if n_clients:
            wb.load_tables(demo.generate(n_clients=n_clients, seed=5), progress=False)
    return path


# -- SIGKILL in the middle of a transaction -------------------------------------------


def _state(path: Path) -> dict:
    """What the store holds, in the terms of the model the test keeps."""
    con = sqlite3.connect(path)
    try:
        interviews = {
            role: (notes, n)
            for role, notes, n in con.execute(
                "SELECT i.role, i.notes, (SELECT count(*) FROM interviewers w "
                "WHERE w.interview_id = i.id) FROM interviews i"
            )
        }
        rows = con.execute("SELECT count(*) FROM interviews").fetchone()[0]
        follow_ups = sorted(
            con.execute(
                "SELECT f.notes, i.role FROM follow_ups f "
                "JOIN interviews i ON i.id = f.interview_id WHERE f.notes LIKE 'r%'"
            )
        )
        responses = sorted(
            con.execute(
                "SELECT r.feedback, i.role FROM responses r "
                "JOIN interviews i ON i.id = r.interview_id WHERE r.feedback LIKE 'r%'"
            )
        )
        clients = sorted(n for (n,) in con.execute("SELECT name FROM clients"))
        ids = dict(con.execute("SELECT role, id FROM interviews"))
    finally:
        con.close()
    return {
        "interviews": interviews,
        "rows": rows,
        "follow_ups": follow_ups,
        "responses": responses,
        "clients": clients,
        "ids": ids,
    }


class _Model:
    """What the store must hold: every save the children reported as returned."""

    def __init__(self, state: dict) -> None:
        self.interviews = dict(state["interviews"])
        self.follow_ups = list(state["follow_ups"])
        self.responses = list(state["responses"])
        self.clients = list(state["clients"])
        self.confirmed = 0

    def apply(self, op: str, key: str, arg) -> None:
        self.confirmed += 1
        if op == "interview":
            self.interviews[key] = (None, 2)
        elif op == "follow_up":
            self.follow_ups.append((key, arg))
        elif op == "response":
            self.responses.append((key, arg))
        elif op == "update":
            self.interviews[arg] = (key, self.interviews[arg][1])
        elif op == "delete":
            del self.interviews[arg]
            self.follow_ups = [f for f in self.follow_ups if f[1] != arg]
            self.responses = [r for r in self.responses if r[1] != arg]
        elif op == "bulk":
            self.clients.append(f"Bulk {key}")
            self.interviews.update({role: (None, 1) for role in arg})
        else:
            raise AssertionError(f"unknown report {op!r}")

    def check(self, state: dict) -> None:
        assert state["interviews"] == self.interviews
        assert state["rows"] == len(self.interviews)
        assert state["follow_ups"] == sorted(self.follow_ups)
        assert state["responses"] == sorted(self.responses)
        assert state["clients"] == sorted(self.clients)


def _run_until_paused(ctx, target, args, timeout=120.0):
    """Start ``target`` in a child, SIGKILL it once it reports ``paused``; return reports."""
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, child), daemon=True)
    proc.start()
    child.close()
    reports = []
    try:
        while not reports or reports[-1][0] not in ("paused", "finished"):
            assert parent.poll(timeout), f"the child went quiet: {reports[-3:]}"
            reports.append(parent.recv())
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
        while parent.poll(0):  # anything sent before the kill
            reports.append(parent.recv())
    except EOFError:
        pass
    finally:
        if proc.exitcode is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(30)
        parent.close()
    return proc.exitcode, reports


@pytest.mark.slow
def test_sigkill_mid_transaction_50_times_loses_no_returned_save(tmp_path):
    store = _new_store(tmp_path / "kill.sqlite")
    model = _Model(_state(store))
    ctx = sw.forkserver()
    rng = random.Random(20251125)
    paused_in = []
    for round_no in range(KILLS):
        known = _state(store)["ids"]
        pause_at = rng.randint(1, 14)
        code, reports = _run_until_paused(
            ctx, sw.kill_round, (str(store), round_no, known, pause_at)
        )
        assert code == -signal.SIGKILL
        assert reports[-1][0] == "paused", reports[-1]
        paused_in.append(reports[-1][1][0])
        for op, key, arg in reports[:-1]:
            model.apply(op, key, arg)
        assert sw.integrity(store) == ("ok", []), f"round {round_no}"
        model.check(_state(store))

    # The kills landed inside every kind of save, not only the simplest one.
    assert {"interview", "follow_up", "update", "delete", "bulk"} <= set(paused_in)
    with fk.open_workbook(store, today=sw.TODAY) as wb:  # and the store still takes saves
        wb.log_interview(1, "Kill Co", "after the kills", sw.INTERVIEW_DAY)
    print(
        f"\nfaults survived: {KILLS} SIGKILLs mid-transaction "
        f"(in {sorted(set(paused_in))}), {model.confirmed} returned saves all present, lost 0"
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_keeps_every_returned_save(tmp_path):
    store = _new_store(tmp_path / "random.sqlite")
    ctx = sw.forkserver()
    rng = random.Random(7)
    returned_total = 0
    for round_no in range(15):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=sw.stream_saves, args=(str(store), round_no, child), daemon=True)
        proc.start()
        child.close()
        reports = []
        try:
            while not any(r[0] == "interview" for r in reports):
                assert parent.poll(60)
                reports.append(parent.recv())
            time.sleep(rng.uniform(0.0, 0.08))  # anywhere: in a save, in its commit, between
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(30)
            try:
                while True:
                    reports.append(parent.recv())
            except EOFError:
                pass
        finally:
            if proc.exitcode is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.join(30)
            parent.close()
        returned = {key for op, key, _ in reports if op == "interview"}
        in_flight = {key for op, key, _ in reports if op == "sending"} - returned
        assert len(in_flight) <= 1
        assert sw.integrity(store) == ("ok", [])
        state = _state(store)
        mine = {role for role in state["interviews"] if role.startswith(f"s{round_no:03d}-")}
        # Every save that returned is there; the one in flight is there whole or not at all.
        assert returned <= mine <= returned | in_flight
        assert all(state["interviews"][role] == (None, 2) for role in mine)
        returned_total += len(returned)
    assert returned_total > 15


# -- a busy store: retry within a bound, then a clear message ---------------------------


def test_busy_store_gives_a_clear_message_after_the_retry_bound(tmp_path, monkeypatch):
    store = _new_store(tmp_path / "busy.sqlite")
    monkeypatch.setattr(db_module, "_BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(db_module, "_RETRY_SECONDS", 0.4)
    wb = fk.open_workbook(store, today=sw.TODAY)
    before = wb.counts()
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another kernel holding the write lock
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="busy") as err:
            wb.add_client("Waiting Walt")
        waited = time.monotonic() - started
        assert "nothing was saved" in str(err.value) and "Save again" in str(err.value)
        assert 0.4 <= waited < 5, "the retry bound was not respected"
        # Released within the bound: the save goes through after retrying.
        holder.execute("ROLLBACK")
        holder.execute("BEGIN IMMEDIATE")
        _release_later(holder, after=0.15)
        wb.add_client("Patient Pat")
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert wb.counts()["clients"] == before["clients"] + 1
    assert "Waiting Walt" not in set(wb.clients()["name"])
    wb.close()


def _release_later(con: sqlite3.Connection, *, after: float) -> None:
    """Roll back ``con``'s transaction from another thread after ``after`` seconds."""
    import threading

    def release() -> None:
        time.sleep(after)
        con.execute("ROLLBACK")

    threading.Thread(target=release, daemon=True).start()


# -- a read-only store ------------------------------------------------------------------

_WRITES = {
    "add_client": lambda wb: wb.add_client("New Nia"),
    "log_interview": lambda wb: wb.log_interview(1, "Acme", "Analyst", sw.INTERVIEW_DAY),
    "log_follow_up": lambda wb: wb.log_follow_up(
        1, kind="thank_you", channel="email", sent_on="2026-10-02"
    ),
    "log_response": lambda wb: wb.log_response(1, received_on="2026-10-03", result="offer"),
    "update_interview": lambda wb: wb.update_interview(1, notes="changed"),
    "delete_interview": lambda wb: wb.delete_interview(1),
    "load_tables": lambda wb: wb.load_tables(demo.generate(n_clients=2, seed=1)),
}


def test_read_only_store_refuses_every_write_clearly_and_keeps_everything(tmp_path):
    store = _new_store(tmp_path / "ro.sqlite", n_clients=3)
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        before = wb.tables()
    read_only = fk.open_workbook(f"sqlite:///file:{store}?mode=ro&uri=true", today=sw.TODAY)
    try:
        for name, frame in read_only.tables().items():  # reading still works
            pd.testing.assert_frame_equal(frame, before[name], obj=name)
        for what, write in _WRITES.items():
            with pytest.raises(StoreError, match="read-only") as err:
                write(read_only)
            assert "everything saved before is still there" in str(err.value), what
    finally:
        read_only.close()
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        for name, frame in wb.tables().items():
            pd.testing.assert_frame_equal(frame, before[name], obj=name)
    assert sw.integrity(store) == ("ok", [])


_AS_OTHER_USER = textwrap.dedent(
    """
    import json, sys
    import followup_kit as fk
    from followup_kit.exceptions import FollowupKitError
    out = {}
    try:
        wb = fk.open_workbook(sys.argv[1], today="2026-11-02")
        out["interviews"] = int(wb.counts()["interviews"])
        wb.add_client("Not Allowed")
        out["saved"] = True
    except FollowupKitError as err:
        out["error"] = [type(err).__name__, str(err)]
    print(json.dumps(out))
    """
)


def test_store_file_without_write_permission_gives_a_clear_message():
    """The file a coach made read-only (chmod 444), opened by someone who cannot write."""
    root = Path(tempfile.mkdtemp(prefix="fk-ro-"))
    try:
        root.chmod(0o1777)  # like /tmp: anyone may create the -wal and -shm files
        store = _new_store(root / "wb.sqlite", n_clients=2)
        with fk.open_workbook(store, today=sw.TODAY) as wb:
            before = wb.tables()
        store.chmod(0o444)
        cmd = [sys.executable, "-c", _AS_OTHER_USER, str(store)]
        if os.geteuid() == 0:  # root ignores file modes: run as the unprivileged "nobody"
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv to drop privileges")
            hidden = _folder_closed_to_others(Path(__file__).resolve().parent)
            if hidden is not None:
                pytest.skip(
                    f"{hidden} is closed to other users, so 'nobody' cannot run Python here"
                )
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = {**os.environ, "HOME": str(root), "FOLLOWUP_DATA_DIR": str(root)}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert "saved" not in out
        kind, message = out["error"]
        assert kind == "StoreError" and "read-only" in message
        assert "everything saved before is still there" in message
        assert out.get("interviews") == len(before["interviews"])  # it could still read
        store.chmod(0o644)
        with fk.open_workbook(store, today=sw.TODAY) as wb:
            for name, frame in wb.tables().items():
                pd.testing.assert_frame_equal(frame, before[name], obj=name)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _folder_closed_to_others(folder: Path) -> Path | None:
    """The first folder on the way to ``folder`` that other users may not enter, if any."""
    for part in [*reversed(folder.parents), folder]:
        if not part.stat().st_mode & stat.S_IXOTH:
            return part
    return None


# -- a full disk ------------------------------------------------------------------------


def _cap_pages(engine: sa.Engine, extra_pages: int):
    """Make the database file "full": SQLite may grow it by only ``extra_pages`` pages."""

    def on_connect(dbapi_conn, _record) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + extra_pages}")

    sa.event.listen(engine, "connect", on_connect)
    engine.dispose()  # new connections get the cap
    return on_connect


def test_full_disk_refuses_clearly_and_loses_nothing(tmp_path):
    store = _new_store(tmp_path / "full.sqlite", n_clients=3)
    sheet = tmp_path / "sheet.csv"
    pd.DataFrame(
        {
            "client": [f"Full client {i % 9}" for i in range(3000)],
            "company": "Big Co",
            "role": "Analyst",
            "interview_date": "2026-09-01",
            "notes": "x" * 400,
        }
    ).to_csv(sheet, index=False)
    wb = fk.open_workbook(store, today=sw.TODAY)
    try:
        listener = _cap_pages(wb.engine, extra_pages=8)
        saved = []
        with pytest.raises(StoreError, match="disk is full") as err:
            for i in range(1000):
                saved.append(
                    wb.log_interview(1, "Full Co", f"full {i}", sw.INTERVIEW_DAY, notes="n" * 3000)
                )
        assert "nothing was saved" in str(err.value)
        assert "everything saved before is still there" in str(err.value)
        assert 0 < len(saved) < 1000
        before = wb.tables()
        with pytest.raises(StoreError, match="disk is full"):
            wb.import_table(sheet, progress=False)
        with pytest.raises(StoreError, match="disk is full"):
            wb.load_tables(demo.generate(n_clients=4, seed=2), progress=False)
        for name, frame in wb.tables().items():
            pd.testing.assert_frame_equal(frame, before[name], obj=name)
        # Space freed: the same import now goes through, and nothing was lost meanwhile.
        sa.event.remove(wb.engine, "connect", listener)
        wb.engine.dispose()
        assert wb.import_table(sheet, progress=False)["interviews"] == 3000
        assert set(saved) <= set(wb.interviews()["id"])
    finally:
        wb.close()
    assert sw.integrity(store) == ("ok", [])


def test_file_size_limit_mid_save_refuses_and_loses_nothing(tmp_path):
    """A real OS write failure (the file may not grow further), not a SQLite setting."""
    store = _new_store(tmp_path / "fsize.sqlite", n_clients=2)
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        before = wb.tables()
    ctx = sw.forkserver()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=sw.fill_until_refused_with_file_limit, args=(str(store), 200_000, child), daemon=True
    )
    proc.start()
    child.close()
    try:
        assert parent.poll(120)
        outcome, kind, message, saved = parent.recv()
    finally:
        proc.join(60)
        if proc.exitcode is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(30)
    assert (outcome, kind) == ("refused", "StoreError"), message
    assert "nothing was saved" in message and "disk" in message
    assert "i/o error" not in message.lower()  # said in words a person can act on
    assert len(saved) > 5
    assert sw.integrity(store) == ("ok", [])
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        after = wb.tables()
        assert set(saved) <= set(after["interviews"]["id"])
        assert len(after["interviews"]) == len(before["interviews"]) + len(saved)
        pd.testing.assert_frame_equal(after["follow_ups"], before["follow_ups"])


# -- backup while writers run -----------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "followup_kit", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _frames(path: Path) -> dict[str, pd.DataFrame]:
    with fk.open_workbook(path, today=sw.TODAY) as wb:
        return wb.tables()


def _wait_for(condition, people, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, [(p.name, p.lines[-2:], p.stderr) for p in people]
        assert all(p.proc.poll() is None for p in people), "a writer stopped early"
        time.sleep(0.02)


@pytest.mark.slow
def test_backup_while_writers_run_is_a_consistent_copy(tmp_path):
    store = tmp_path / "live.sqlite"
    stop = tmp_path / "stop"
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        wb.load_tables(demo.generate(n_clients=4, seed=9), progress=False)
    people = [
        sw.start_writer(store, f"B{k}", 100_000, interviewers=2, stop_file=stop, forked=True)
        for k in range(4)
    ]
    try:
        sw.wait_ready(people, 120)
        sw.go(people)
        _wait_for(lambda: sum(len(p.saved()) for p in people) >= 100, people)
        during = _cli("--store", str(store), "backup", str(tmp_path / "during.sqlite"))
        assert during.returncode == 0, during.stderr
        assert "Backed up to" in during.stdout
        after_backup = sum(len(p.saved()) for p in people)
        # The writers go on saving after the copy was taken.
        _wait_for(lambda: sum(len(p.saved()) for p in people) >= after_backup + 100, people)
        stop.touch()
        sw.finish(people, 120)
    finally:
        sw.stop_all(people)
    assert all(p.errors() == [] and p.proc.returncode == 0 for p in people)

    final = _frames(store)
    copy = _frames(tmp_path / "during.sqlite")
    assert sw.integrity(tmp_path / "during.sqlite") == ("ok", [])
    taken = len(copy["interviews"])
    # A snapshot: each writer's saves up to some point, each with its whole panel ...
    iv = copy["interviews"]
    for p in people:
        seqs = sorted(int(r.split()[1]) for r in iv.loc[iv["company"] == p.name, "role"])
        assert seqs == list(range(len(seqs))), f"{p.name}'s saves in the copy have a gap"
    panel = copy["interviewers"].groupby("interview_id").size()
    workshop = iv.loc[iv["company"].str.match(r"B\d$"), "id"]
    assert 100 <= len(workshop) < sum(len(p.saved()) for p in people)
    assert (panel.reindex(workshop) == 2).all()
    # ... and every row equals the source's row at that point (writers only add rows).
    for name, frame in copy.items():
        source = final[name][final[name]["id"].isin(frame["id"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(frame, source, obj=name)
    assert len(final["interviews"]) > taken

    # Once the writers have stopped, a backup restores to exactly the same tables.
    later = _cli("--store", str(store), "backup", str(tmp_path / "after.sqlite"))
    assert later.returncode == 0, later.stderr
    restored = tmp_path / "restored.sqlite"
    shutil.copyfile(tmp_path / "after.sqlite", restored)
    for name, frame in _frames(restored).items():
        pd.testing.assert_frame_equal(frame, final[name], obj=name)
    assert sw.integrity(restored) == ("ok", [])
