"""Benchmark: a workshop of 30 clients each saving 200 interviews into one store at once.

Run ``.venv/bin/python benchmarks/workshop_load.py`` (``--writers``, ``--saves``,
``--store PATH_OR_URL``). Each writer is its own process with its own connection,
released together once all are ready; each save is one ``log_interview`` with one
interviewer, timed from the call to its return. Printed: writers, saves returned,
saves lost, errors a person would have seen, throughput, and p50/p99/max latency of
one save. "Lost" compares every id a writer was given back with the rows in the store.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import store_workers as sw  # noqa: E402  (the same writers the tests use)

from followup_kit import open_workbook  # noqa: E402

GOAL_P99_MS = 2_000  # a person pressing Save waits at most a couple of seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=30)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--store", help="SQLite file or database URL (default: a temp file)")
    parser.add_argument(
        "--fresh-interpreters",
        action="store_true",
        help="start each writer as a new Python (slower start; same saving)",
    )
    args = parser.parse_args()

    folder = None
    if args.store is None:
        folder = tempfile.TemporaryDirectory(prefix="fk-load-")
        args.store = str(Path(folder.name) / "workshop.sqlite")
    open_workbook(args.store, today=sw.TODAY).close()

    started = time.perf_counter()
    result = sw.run_workshop(
        args.store, args.writers, args.saves, forked=not args.fresh_interpreters
    )
    total = time.perf_counter() - started

    returned = {iid for _name, _seq, iid, _ns in result.saved}
    with open_workbook(args.store, today=sw.TODAY) as wb:
        stored = set(wb.interviews()["id"].tolist())
    lost = len(returned - stored)
    integrity = ""
    if "://" not in args.store:
        con = sqlite3.connect(args.store)
        integrity = ", integrity " + con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
    p99 = result.latency_ms(0.99)
    print(
        f"writers: {result.writers}; saves returned: {len(result.saved):,} of "
        f"{args.writers * args.saves:,}; lost: {lost}; errors seen: {len(result.errors)}"
        f"{integrity}"
    )
    print(
        f"throughput: {result.throughput:,.0f} saves/s over {result.seconds:.1f} s of saving "
        f"({total:.1f} s with start-up)"
    )
    verdict = "within" if p99 <= GOAL_P99_MS else "OVER"
    print(
        f"latency of one save: p50 {result.latency_ms(0.5):.1f} ms, p99 {p99:.0f} ms "
        f"({verdict} the {GOAL_P99_MS / 1000:.0f} s goal), max {result.latency_ms(1.0):.0f} ms"
    )
    for line in result.errors[:5]:
        print("  error:", line)
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    main()
