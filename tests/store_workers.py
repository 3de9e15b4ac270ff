"""Worker processes for the load and fault tests: workshop writers and savers that get killed.

Run as a script it is one workshop participant (``python tests/store_workers.py writer
STORE NAME SAVES``): it opens the store, adds itself as a client, says ``ready``, waits
for ``go`` on stdin, then logs interviews one by one and prints each returned id.
Imported, it gives the parent side (:func:`run_workshop`) and the targets the fault
tests start in child processes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders import DEMO_TODAY

__all__ = [
    "INTERVIEW_DAY",
    "TODAY",
    "Participant",
    "WorkshopResult",
    "bulk_import_then_freeze",
    "fill_until_refused_with_file_limit",
    "integrity",
    "kill_round",
    "run_workshop",
    "start_writer",
    "stream_saves",
    "writer_process",
]

HERE = Path(__file__).resolve()
#: The fixed "today" of every worker; interviews are a month before it.
TODAY = DEMO_TODAY.isoformat()
INTERVIEW_DAY = "2026-10-01"
#: How long a frozen child sleeps inside its transaction; the parent kills it long before.
_FREEZE_SECONDS = 600


def _warm_up() -> None:
    """Do the slow first-call work (the list of holiday countries) once, at import.

    The forkserver imports this module before forking writers, so each child starts
    warm, like a kernel in which the client already saved once. tqdm's lock is made
    here too: one made in a child that is then killed would be reported as leaked.
    """
    from tqdm.auto import tqdm

    from followup_kit import schema

    schema.validate_record("clients", {"name": "warm-up"})
    tqdm(total=1, disable=True).close()


_warm_up()


# -- the workshop: many writer processes at once ---------------------------------------


@dataclass
class Participant:
    """One writer process and what it printed."""

    name: str
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    done_at: float | None = None
    readers: list[threading.Thread] = field(default_factory=list)

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            line = line.rstrip("\n")
            self.lines.append(line)
            if line.startswith("ready"):
                self.ready.set()
            elif line.startswith("done"):
                self.done_at = time.perf_counter()
        self.ready.set()  # a writer that died before "ready" must not hang the parent

    def _read_stderr(self) -> None:
        self.stderr.extend(self.proc.stderr)  # type: ignore[arg-type]

    def saved(self) -> list[tuple[int, int, int]]:
        """(sequence number, interview id, nanoseconds) of every save that returned."""
        out = []
        for line in self.lines:
            if line.startswith("saved "):
                _, seq, iid, ns = line.split()
                out.append((int(seq), int(iid), int(ns)))
        return out

    def errors(self) -> list[str]:
        return [line for line in self.lines if line.startswith("error")]


def start_writer(
    store: Path | str,
    name: str,
    saves: int,
    *,
    interviewers: int = 1,
    stop_file: Path | None = None,
    forked: bool = False,
) -> Participant:
    """Start one writer process; it waits for ``go`` before saving.

    ``forked=False`` runs a fresh interpreter (``python tests/store_workers.py writer``),
    exactly like a new kernel. ``forked=True`` forks it from a multiprocessing
    forkserver that has already imported the package: same independent process and
    SQLite connection, without 30 interpreters importing pandas at once.
    """
    if forked:
        ctx = forkserver()
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=writer_process,
            args=(str(store), name, saves, interviewers, stop_file, child),
            daemon=True,
        )
        proc.start()
        child.close()
        p = Participant(name, _ForkedProc(proc, parent))
    else:
        cmd = [sys.executable, str(HERE), "writer", str(store), name, str(saves)]
        cmd += ["--interviewers", str(interviewers)]
        if stop_file is not None:
            cmd += ["--stop-file", str(stop_file)]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        p = Participant(name, proc)
    for reader in (p._read_stdout, p._read_stderr):
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        p.readers.append(thread)
    return p


class _ForkedProc:
    """A forkserver child dressed as a ``Popen``: lines come through a pipe."""

    def __init__(self, proc: Any, conn: Any) -> None:
        self._proc, self._conn = proc, conn
        self.pid = proc.pid
        self.stdout = self._lines()
        self.stderr: list[str] = []

    def _lines(self):
        while True:
            try:
                yield self._conn.recv()
            except EOFError:
                return

    def go(self) -> None:
        self._conn.send("go")

    def poll(self) -> int | None:
        return self._proc.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._proc.join(timeout)
        if self._proc.exitcode is None:
            raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
        return self._proc.exitcode

    @property
    def returncode(self) -> int | None:
        return self._proc.exitcode


_FORKSERVER: list = []


def forkserver() -> Any:
    """The multiprocessing forkserver context, with the package imported once in it."""
    import multiprocessing

    if not _FORKSERVER:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["followup_kit", "store_workers"])
        _FORKSERVER.append(ctx)
    return _FORKSERVER[0]


def stop_all(people: list[Participant]) -> None:
    """Kill any writer still running (only the processes started here, by PID)."""
    for p in people:
        if p.proc.poll() is None:
            os.kill(p.proc.pid, signal.SIGKILL)
            p.proc.wait(timeout=30)


@dataclass
class WorkshopResult:
    """What a workshop run did: returned saves, errors, timings."""

    writers: int
    people: list[Participant]
    seconds: float

    @property
    def saved(self) -> list[tuple[str, int, int, int]]:
        return [(p.name, *s) for p in self.people for s in p.saved()]

    @property
    def errors(self) -> list[str]:
        return [f"{p.name}: {e}" for p in self.people for e in p.errors()]

    def latency_ms(self, q: float) -> float:
        ns = sorted(s[3] for s in self.saved)
        return ns[min(len(ns) - 1, int(q * len(ns)))] / 1e6 if ns else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.saved) / self.seconds if self.seconds else float("nan")


def wait_ready(people: list[Participant], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for p in people:
        if not p.ready.wait(max(0.0, deadline - time.monotonic())):
            raise TimeoutError(f"writer {p.name} was not ready after {timeout} s")
        if not any(line.startswith("ready") for line in p.lines):
            raise RuntimeError(f"writer {p.name} failed to start:\n{''.join(p.stderr)}")


def go(people: list[Participant]) -> float:
    """Release every writer at once; return the start time."""
    start = time.perf_counter()
    for p in people:
        if isinstance(p.proc, _ForkedProc):
            p.proc.go()
        else:
            p.proc.stdin.write("go\n")  # type: ignore[union-attr]
            p.proc.stdin.flush()  # type: ignore[union-attr]
    return start


def finish(people: list[Participant], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for p in people:
        p.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    for p in people:  # the pipes are closed: the readers end once they took every line
        for thread in p.readers:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))


def _log(text: str) -> None:
    if os.environ.get("FOLLOWUP_WORKERS_VERBOSE"):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_workshop(
    store: Path | str,
    writers: int,
    saves: int,
    *,
    interviewers: int = 1,
    forked: bool = True,
    timeout: float = 600,
) -> WorkshopResult:
    """Start ``writers`` processes, release them together, wait for all their saves."""
    people: list[Participant] = []
    try:
        for k in range(writers):
            people.append(
                start_writer(store, f"W{k:02d}", saves, interviewers=interviewers, forked=forked)
            )
        wait_ready(people, timeout)
        _log(f"{writers} writers ready")
        start = go(people)
        finish(people, timeout)
    finally:
        stop_all(people)
    ends = [p.done_at for p in people if p.done_at is not None]
    return WorkshopResult(writers, people, (max(ends) - start) if ends else float("nan"))


def _write_interviews(
    store: str,
    name: str,
    saves: int,
    interviewers: int,
    stop_file: str | None,
    emit: Any,
    wait_for_go: Any,
) -> int:
    """The participant: add yourself, say ready, wait, then log ``saves`` interviews."""
    from followup_kit import open_workbook
    from followup_kit.exceptions import FollowupKitError

    try:
        wb = open_workbook(store, today=TODAY)
        cid = wb.add_client(name, cohort="workshop")
    except FollowupKitError as err:
        emit(f"error start {json.dumps(str(err))}")
        return 3
    emit(f"ready {cid}")
    wait_for_go()
    stop = Path(stop_file) if stop_file else None
    panel = [f"{name} panel {j}" for j in range(interviewers)]
    i = 0
    while i < saves and not (stop is not None and stop.exists()):
        started = time.perf_counter_ns()
        try:
            iid = wb.log_interview(cid, name, f"save {i:05d}", INTERVIEW_DAY, interviewers=panel)
        except FollowupKitError as err:  # what a person would see in the form
            emit(f"error {i} {json.dumps(str(err))}")
        else:
            emit(f"saved {i} {iid} {time.perf_counter_ns() - started}")
        i += 1
    emit(f"done {i}")
    wb.close()
    return 0


def writer_process(
    store: str,
    name: str,
    saves: int,
    interviewers: int,
    stop_file: str | None,
    conn: Any,
) -> None:
    """Forkserver target: the same participant, reporting through a pipe."""
    _write_interviews(store, name, saves, interviewers, stop_file, conn.send, conn.recv)
    conn.close()


def _print_line(text: str) -> None:
    print(text, flush=True)


# -- fault targets: run in child processes, killed by the parent ------------------------


def integrity(path: Path | str) -> tuple[str, list]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` of a SQLite file."""
    con = sqlite3.connect(path)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        dangling = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    return ok, dangling


def _freeze_on_write(engine: Any, pause_at: int, conn: Any, what: list) -> None:
    """Stop for good just after the ``pause_at``-th write statement, inside its transaction."""
    from sqlalchemy import event

    count = [0]

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_c, _cur, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            count[0] += 1
            if count[0] == pause_at:
                conn.send(("paused", what[0]))
                time.sleep(_FREEZE_SECONDS)


def kill_round(store: str, round_no: int, known: dict, pause_at: int, conn: Any) -> None:
    """Save a mix of entries, reporting each one that returned; freeze mid-transaction.

    ``known`` maps an existing interview's role (unique) to its id. Each report is the
    change the parent's model of the store must apply. The parent kills this process
    once it reports ``paused``, i.e. after some (not all) statements of one save ran.
    """
    import random

    import pandas as pd

    from followup_kit import open_workbook

    rng = random.Random(round_no)
    wb = open_workbook(store, today=TODAY)
    current = ["setup"]
    _freeze_on_write(wb.engine, pause_at, conn, current)
    cid = int(wb.clients()["id"].iloc[0])
    roles = dict(known)
    ops = ["interview"] * 4 + ["follow_up"] * 2 + ["response", "update", "delete", "bulk"]
    for i in range(10_000):
        key = f"r{round_no:03d}-{i:03d}"
        op = rng.choice(ops) if roles else "interview"
        current[0] = (op, key)
        if op == "interview":
            iid = wb.log_interview(
                cid, "Kill Co", key, INTERVIEW_DAY, interviewers=["Ann Lee", "Bo Park"]
            )
            roles[key] = iid
            conn.send(("interview", key, iid))
        elif op == "follow_up":
            role = rng.choice(sorted(roles))
            wb.log_follow_up(
                roles[role], kind="status_check", channel="email", sent_on="2026-10-08", notes=key
            )
            conn.send(("follow_up", key, role))
        elif op == "response":
            role = rng.choice(sorted(roles))
            wb.log_response(roles[role], received_on="2026-10-09", result="other", feedback=key)
            conn.send(("response", key, role))
        elif op == "update":
            role = rng.choice(sorted(roles))
            wb.update_interview(roles[role], notes=key)
            conn.send(("update", key, role))
        elif op == "delete":
            role = rng.choice(sorted(roles))
            wb.delete_interview(roles.pop(role))
            conn.send(("delete", key, role))
        else:
            n = 20
            tables = {
                "clients": pd.DataFrame({"id": [1], "name": [f"Bulk {key}"]}),
                "interviews": pd.DataFrame(
                    {
                        "id": range(1, n + 1),
                        "client_id": 1,
                        "company": "Bulk Co",
                        "role": [f"{key}-{k:02d}" for k in range(n)],
                        "interview_date": INTERVIEW_DAY,
                    }
                ),
                "interviewers": pd.DataFrame(
                    {"id": range(1, n + 1), "interview_id": range(1, n + 1), "name": "Cy Diaz"}
                ),
            }
            wb.load_tables(tables, progress=False)
            conn.send(("bulk", key, [f"{key}-{k:02d}" for k in range(n)]))
    conn.send(("finished", None, None))


def stream_saves(store: str, round_no: int, conn: Any) -> None:
    """Log interviews as fast as possible, reporting each returned id, until killed."""
    from followup_kit import open_workbook

    wb = open_workbook(store, today=TODAY)
    cid = int(wb.clients()["id"].iloc[0])
    for i in range(100_000):
        key = f"s{round_no:03d}-{i:04d}"
        conn.send(("sending", key, None))
        iid = wb.log_interview(
            cid, "Kill Co", key, INTERVIEW_DAY, interviewers=["Ann Lee", "Bo Park"]
        )
        conn.send(("interview", key, iid))


def bulk_import_then_freeze(store: str, csv_path: str, freeze_after: int, conn: Any) -> None:
    """Run ``python -m followup_kit import`` and freeze after ``freeze_after`` chunks."""
    from followup_kit import __main__ as cli
    from followup_kit._db import Database

    original = Database.bulk_insert
    chunks = [0]

    def counting(self, c, table, rows):  # noqa: ANN001 - same signature as the original
        ids = original(self, c, table, rows)
        chunks[0] += 1
        conn.send(("chunk", table, len(rows)))
        if chunks[0] == freeze_after:
            conn.send(("paused", table, chunks[0]))
            time.sleep(_FREEZE_SECONDS)
        return ids

    Database.bulk_insert = counting  # this child only; it is killed before it returns
    code = cli.main(["--store", store, "import", csv_path])
    conn.send(("finished", code, chunks[0]))


def fill_until_refused_with_file_limit(store: str, extra_bytes: int, conn: Any) -> None:
    """Save under an OS file-size limit (a disk that fills up) until the store refuses."""
    import resource

    from followup_kit import open_workbook
    from followup_kit.exceptions import FollowupKitError

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write(), not a kill
    wb = open_workbook(store, today=TODAY)
    cid = int(wb.clients()["id"].iloc[0])
    limit = os.path.getsize(store) + extra_bytes
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    saved: list[int] = []
    try:
        for i in range(100_000):
            saved.append(
                wb.log_interview(cid, "Full Co", f"full {i:05d}", INTERVIEW_DAY, notes="n" * 4000)
            )
    except FollowupKitError as err:
        conn.send(("refused", type(err).__name__, str(err), saved))
    except Exception as err:  # reported, so the test can show what escaped
        conn.send(("raw", type(err).__name__, str(err), saved))
    else:
        conn.send(("never refused", None, None, saved))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("writer", help="one workshop participant")
    w.add_argument("store")
    w.add_argument("name")
    w.add_argument("saves", type=int)
    w.add_argument("--interviewers", type=int, default=1)
    w.add_argument("--stop-file")
    a = parser.parse_args(argv)
    return _write_interviews(
        a.store, a.name, a.saves, a.interviewers, a.stop_file, _print_line, sys.stdin.readline
    )


if __name__ == "__main__":
    sys.exit(main())
