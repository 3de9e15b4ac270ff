"""Benchmark: a workshop on PostgreSQL with row-level security (run as root).

``python benchmarks/workshop_pg.py`` prints

1. 30 client roles saving 200 interviews each at once, every save through row-level
   security: rows present of 6,000, duplicates, throughput, p50/p99/max save time
   (goal: p99 <= 100 ms);
2. 10 clients signing in at once in Debian's chromium on the real hub (``make hub``'s
   code, system users ``fkt-...`` removed at the end): from pressing "Sign in" to a usable
   interview form, p50 and p95;
3. the coach dashboard (notebook 05's ``fk.coach_dashboard``) on 100,000 interviews,
   opened as a coach role: from opening the workbook to its tables (goal: <= 3 s).

Each part starts its own PostgreSQL cluster under /tmp and removes it. Parts 1 and 3
act as each role through the owner's socket with ``SET ROLE`` (the same grants and
policies as a peer sign-in); part 2 goes through real system users and peer sign-in.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import followup_kit as fk  # noqa: E402
from followup_kit import demo, postgres  # noqa: E402

TODAY = "2026-11-02"


def as_role(cluster: postgres.LocalCluster, role: str) -> str:
    return cluster.url() + "&options=" + quote(f"-c role={role}")


def _cluster() -> tuple[postgres.LocalCluster, Path]:
    root = Path(tempfile.mkdtemp(prefix="fkb-", dir="/tmp"))
    cluster = postgres.LocalCluster(root)
    cluster.ensure()
    return cluster, root


def _writer(url: str, client_id: int, saves: int, start_at: float, out) -> None:  # noqa: ANN001
    wb = fk.open_workbook(url, today=TODAY)
    wb.interviews()  # connect before the start, as an open page has
    times = []
    while time.time() < start_at:
        time.sleep(0.005)
    for i in range(saves):
        t = time.perf_counter()
        wb.log_interview(client_id, f"Company {client_id}-{i}", "Analyst", "2026-10-01")
        times.append(time.perf_counter() - t)
    out.put(times)


def saves_at_once(clients: int, saves: int) -> None:
    cluster, root = _cluster()
    try:
        with fk.open_workbook(cluster.url(), today=TODAY) as owner:
            ids = [owner.add_client(f"C {k}", username=f"c{k:02d}") for k in range(clients)]
            owner.sync_roles()
        ctx = mp.get_context("fork")
        out = ctx.Queue()
        start_at = time.time() + 3 + clients * 0.15
        procs = [
            ctx.Process(
                target=_writer,
                args=(as_role(cluster, f"c{k:02d}"), cid, saves, start_at, out),
            )
            for k, cid in enumerate(ids)
        ]
        for p in procs:
            p.start()
        times = [t for _ in procs for t in out.get(timeout=900)]
        wall = time.time() - start_at
        for p in procs:
            p.join()
        with fk.open_workbook(cluster.url(), today=TODAY) as owner:
            iv = owner.interviews()
        dupes = int(iv.duplicated(["client_id", "company"]).sum())
        ms = sorted(t * 1000 for t in times)
        p99 = ms[int(len(ms) * 0.99) - 1]
        print(
            f"1. {clients} client roles x {saves} saves at once through row-level security: "
            f"{len(iv):,} of {clients * saves:,} present, {dupes} duplicates; "
            f"{len(iv) / wall:,.0f} saves/s; save time p50 {statistics.median(ms):.1f} ms, "
            f"p99 {p99:.1f} ms ({'within' if p99 <= 100 else 'OVER'} the 100 ms goal), "
            f"max {ms[-1]:.1f} ms",
            flush=True,
        )
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _sign_in(browser, hub, username: str, password: str) -> float:  # noqa: ANN001
    context = await browser.new_context()
    await context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort()
        ),
    )
    page = await context.new_page()
    page.set_default_timeout(300_000)  # ten servers and kernels starting on two cores
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("#username_input", username)
    await page.fill("#password_input", password)
    start = time.perf_counter()
    await page.click("#login_submit", no_wait_after=True)
    await page.wait_for_url(f"**/user/{username}/**", timeout=180_000)
    await page.goto(f"{hub.url}/user/{username}/voila/render/01_log_an_interview.ipynb")
    form = page.locator(".ct-interview-form .ct-company input")
    await form.wait_for(timeout=180_000)
    took = time.perf_counter() - start
    await context.close()
    return took


def sign_ins_at_once(n: int) -> None:
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.async_api import async_playwright
    from test_hub import Hub, _remove_test_users

    root = Path(tempfile.mkdtemp(prefix="fkhb-", dir="/tmp"))
    root.chmod(0o755)
    hub = Hub(root)
    names = [f"fkb{k:02d}" for k in range(n)]
    try:
        hub.cluster.ensure()
        with hub.owner() as wb:
            for name in names:
                wb.add_client(name.title(), username=name)
        hub.cluster.stop()
        hub.start()

        async def run() -> list[float]:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                took = await asyncio.gather(
                    *(_sign_in(browser, hub, name, "bench-pass-1") for name in names)
                )
                await browser.close()
                return list(took)

        took = sorted(asyncio.run(run()))
        p95 = took[max(0, int(round(len(took) * 0.95)) - 1)]
        print(
            f"2. {n} clients signing in at once (chromium, {os.cpu_count()} cores): sign-in to "
            f"a usable form p50 {statistics.median(took):.1f} s, p95 {p95:.1f} s, "
            f"max {took[-1]:.1f} s (each starts its own server and page kernel)",
            flush=True,
        )
    finally:
        hub.stop()
        _remove_test_users()
        shutil.rmtree(root, ignore_errors=True)


def dashboard(interviews: int) -> None:
    cluster, root = _cluster()
    try:
        clients = max(1, interviews // 20)
        tables = demo.generate(n_clients=clients, seed=7)
        t = time.perf_counter()
        with fk.open_workbook(cluster.url(), today=TODAY) as owner:
            owner.load_tables(tables, progress=False)
            owner.add_coach("coach")
            n = int(owner.counts()["interviews"])
        loaded = time.perf_counter() - t
        from followup_kit.widgets.dashboard import coach_dashboard

        coach_dashboard(fk.open_workbook(":memory:", today=TODAY))  # imports, not timed
        best = with_agenda = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            with fk.open_workbook(as_role(cluster, "coach"), today=TODAY) as wb:
                dash = coach_dashboard(wb)
                best = min(best, time.perf_counter() - t)
                dash.wait_for_agenda()  # worked out on a second thread once the charts show
                with_agenda = min(with_agenda, time.perf_counter() - t)
        print(
            f"3. coach dashboard on {n:,} interviews through PostgreSQL as a coach role: "
            f"{best:.2f} s from opening to tables, best of 3 "
            f"({'within' if best <= 3 else 'OVER'} the 3 s goal), its agenda shown "
            f"{with_agenda:.2f} s after opening (loading them took {loaded:.0f} s, not timed)",
            flush=True,
        )
        _dashboard_data_before_and_now(as_role(cluster, "coach"))
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _dashboard_data_before_and_now(url: str) -> None:
    """The data behind the dashboard (read, frame, tables, agenda), as before and now.

    Before: every column of every table row by row, every interview planned. Now:
    ``dashboard_inputs`` (only the dashboard's columns, each as one ``string_agg`` text).
    Best of 3, wall and CPU (this process; the server's own time is in the wall figure).
    """
    from followup_kit import agenda as agenda_module
    from followup_kit.analysis import analysis_frame
    from followup_kit.dashboard_data import coach_tables, dashboard_inputs
    from followup_kit.reading import FRAME_TABLES

    def before(wb) -> None:  # noqa: ANN001
        with wb.db.read() as conn:
            data = {name: wb.db.plain_frame(conn, name) for name in FRAME_TABLES}
        frame = analysis_frame(data, today=TODAY)
        coach_tables(frame, rules=wb.rules)
        keep = agenda_module._may_have_open_steps
        agenda_module._may_have_open_steps = lambda tables, *_: tables
        try:
            agenda_module.build_agenda(data, today=TODAY, rules=wb.rules)
        finally:
            agenda_module._may_have_open_steps = keep

    def now(wb) -> None:  # noqa: ANN001
        inputs = dashboard_inputs(wb, today=TODAY)
        coach_tables(inputs.frame, rules=inputs.rules)
        inputs.agenda  # noqa: B018 - as before: the agenda too

    with fk.open_workbook(url, today=TODAY) as wb:
        for name, fn in (("before", before), ("now", now)):
            wall = cpu = float("inf")
            for _ in range(3):
                t, c = time.perf_counter(), time.process_time()
                fn(wb)
                wall = min(wall, time.perf_counter() - t)
                cpu = min(cpu, time.process_time() - c)
            print(f"   data behind it, {name:<6}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--sign-ins", type=int, default=10)
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: 1,2,3")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("workshop_pg: needs root (PostgreSQL runs as 'postgres', clients as system users)")
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from isolation import isolate_and_load_demo

    isolate_and_load_demo()
    os.environ.pop("FOLLOWUP_DB_URL", None)
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}.", flush=True)
    skip = set(args.skip.split(","))
    if "1" not in skip:
        saves_at_once(args.clients, args.saves)
    if "2" not in skip:
        sign_ins_at_once(args.sign_ins)
    if "3" not in skip:
        dashboard(args.interviews)


if __name__ == "__main__":
    main()
