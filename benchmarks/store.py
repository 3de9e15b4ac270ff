"""Benchmark: the store's three speed goals (issue 2).

Run ``.venv/bin/python benchmarks/store.py`` (``--quick`` for a smaller run that skips
the million rows). Printed, each against its goal:

* one ``log_interview`` (one interviewer) on a SQLite file: median <= 10 ms, and p99;
* ``import_table`` of a 100,000-row flat CSV: once with two interviewers, a thank-you,
  a status check and some replies per row, once with the interview's columns only;
* ``interviews()`` on a store of about a million interviews (the demo cohort for
  50,000 clients, written straight into SQLite; ``--load-tables`` writes the whole
  cohort through ``load_tables`` instead and prints how long that took).

CPU time is shown beside wall time: on a shared machine the wall time stretches.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from followup_kit import demo, open_workbook

TODAY = "2026-11-02"


def _verdict(value: float, goal: float) -> str:
    return f"{'within' if value <= goal else 'OVER'} the goal of {goal:g}"


def log_interview_times(folder: Path, n: int) -> None:
    with open_workbook(folder / "single.sqlite", today=TODAY) as wb:
        clients = [wb.add_client(f"Client {i}") for i in range(20)]
        times = []
        for i in range(n + 20):
            started = time.perf_counter()
            wb.log_interview(
                clients[i % 20], "Acme", f"Role {i}", "2026-10-01", interviewers=["Dana Lee"]
            )
            times.append(time.perf_counter() - started)
    times = sorted(t * 1000 for t in times[20:])  # the first calls warm caches up
    median, p99 = statistics.median(times), times[int(0.99 * len(times)) - 1]
    print(
        f"log_interview: median {median:.2f} ms ({_verdict(median, 10)} ms), "
        f"p99 {p99:.2f} ms, over {n} calls"
    )


def flat_sheet(path: Path, n: int, *, lean: bool = False) -> Path:
    """A flat sheet of ``n`` interviews; ``lean`` keeps only the interview's own columns."""
    rng = np.random.default_rng(7)
    days = pd.Timestamp("2025-11-03") + pd.to_timedelta(rng.integers(0, 330, n), unit="D")
    replied = rng.random(n) < 0.35
    frame = pd.DataFrame(
        {
            "client": [f"Client {i:05d}" for i in rng.integers(0, 5_000, n)],
            "cohort": "Benchmark",
            "company": [f"Company {i}" for i in rng.integers(0, 3_000, n)],
            "role": "Analyst",
            "round": rng.choice(["screen", "first", "second", "final"], n),
            "interview_date": days.strftime("%Y-%m-%d"),
            "interviewers": "Dana Lee; Sam Ortiz",
            "thank_you_date": (days + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "thank_you_channel": "email",
            "status_check_date": (days + pd.Timedelta(days=8)).strftime("%Y-%m-%d"),
            "status_check_channel": "phone",
            "response_date": np.where(
                replied, (days + pd.Timedelta(days=12)).strftime("%Y-%m-%d"), ""
            ),
            "response_result": np.where(replied, "next_round", ""),
        }
    )
    if lean:
        frame = frame[["client", "cohort", "company", "role", "round", "interview_date"]]
    frame.to_csv(path, index=False)
    return path


def import_time(folder: Path, n: int, *, lean: bool = False) -> None:
    sheet = flat_sheet(folder / f"sheet-{lean}.csv", n, lean=lean)
    with open_workbook(folder / f"import-{lean}.sqlite", today=TODAY) as wb:
        started, cpu = time.perf_counter(), time.process_time()
        added = wb.import_table(sheet, progress=False)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = ", ".join(f"{v:,} {k}" for k, v in added.items())
    goal = 5 * n / 100_000
    kind = "interview columns only" if lean else "with interviewers, follow-ups, replies"
    print(
        f"import_table of a {n:,}-row CSV ({kind}): {took:.2f} s ({_verdict(took, goal)} s), "
        f"CPU {cpu:.2f} s; wrote {rows}"
    )


def _insert_directly(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the clients and interviews straight into SQLite (no validation): fast."""
    con = sqlite3.connect(path)
    try:
        for name in ("clients", "interviews"):
            frame = tables[name]
            out = pd.DataFrame(
                {
                    c: frame[c].dt.strftime("%Y-%m-%d")
                    if pd.api.types.is_datetime64_any_dtype(frame[c])
                    else frame[c].astype(object)
                    for c in frame.columns
                }
            )
            out = out.astype(object).where(out.notna(), None)
            names, marks = ", ".join(out.columns), ", ".join("?" * len(out.columns))
            # Names come from the schema's own frames; every value is a bound parameter.
            sql = f"INSERT INTO {name} ({names}) VALUES ({marks})"
            con.executemany(sql, out.itertuples(index=False, name=None))
        con.commit()
    finally:
        con.close()


def read_time(folder: Path, n_clients: int, *, validated: bool) -> None:
    started = time.perf_counter()
    tables = demo.generate(n_clients=n_clients, seed=7)
    made = time.perf_counter() - started
    path = folder / "million.sqlite"
    with open_workbook(path, today=TODAY) as wb:
        started = time.perf_counter()
        if validated:
            wb.load_tables(tables, progress=False)
            how = "load_tables, every table"
        else:
            _insert_directly(path, tables)
            how = "direct insert of clients and interviews"
        loaded = time.perf_counter() - started
        runs = []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            frame = wb.interviews()
            runs.append((time.perf_counter() - started, time.process_time() - cpu))
    took, cpu = min(runs)
    goal = 3 * len(frame) / 1_000_000
    print(
        f"interviews() for {len(frame):,} rows: best {took:.2f} s of 3 "
        f"({_verdict(took, round(goal, 2))} s), CPU {cpu:.2f} s "
        f"(cohort generated in {made:.1f} s, stored in {loaded:.1f} s by {how})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000-row import, no million")
    parser.add_argument(
        "--load-tables",
        action="store_true",
        help="build the million-row store through load_tables (validated; minutes) and time it",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fk-bench-") as tmp:
        folder = Path(tmp)
        log_interview_times(folder, 300 if args.quick else 1000)
        import_time(folder, 10_000 if args.quick else 100_000)
        import_time(folder, 10_000 if args.quick else 100_000, lean=True)
        if not args.quick:
            read_time(folder, 50_000, validated=args.load_tables)


if __name__ == "__main__":
    main()
