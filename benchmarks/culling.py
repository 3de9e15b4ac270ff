"""Benchmark: closed pages' kernels are shut down (app mode, the settings ``make app`` uses).

``python benchmarks/culling.py`` starts ``python -m followup_kit.app`` on a throw-away
demo store, opens the client form page ``--pages`` times in Debian's chromium, closes
every page, and reports how long until no kernel is left and the kernels' memory before
and after (goal: a kernel with no page connected is gone within a few minutes; the
settings say at most 120 s idle + one 30 s check). The hub's single-user servers use
the same settings (``followup_kit.hub_plugins.singleuser_args``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()

    import os
    import tempfile

    import psutil
    from browser_support import CHROMIUM, CHROMIUM_ARGS, start_app
    from isolation import isolate_and_load_demo
    from playwright.sync_api import sync_playwright

    isolate_and_load_demo()
    if not CHROMIUM.exists():
        print("culling: no /usr/bin/chromium; skipped")
        return
    work = Path(tempfile.mkdtemp(prefix="fk-cull-"))
    server = start_app(ROOT / "notebooks", work, dict(os.environ))

    def kernels() -> list[psutil.Process]:
        """The page kernels this server runs (its child processes)."""
        found = []
        for child in psutil.Process(server.proc.pid).children(recursive=True):
            try:
                if "kernel" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.NoSuchProcess:
                pass
        return found

    def kernel_mib() -> float:
        total = 0
        for kernel in kernels():
            try:
                total += kernel.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context()
            url = f"{server.url}/voila/render/01_log_an_interview.ipynb?token={server.token}"
            for _ in range(args.pages):
                page = context.new_page()
                page.goto(url)
                page.locator(".ct-interview-form").wait_for(timeout=120_000)
                page.close()
            closed = time.monotonic()
            left, mib = len(kernels()), kernel_mib()
            browser.close()
        print(f"{args.pages} pages opened and closed: {left} kernels left, {mib:.0f} MiB RSS")
        while kernels() and time.monotonic() - closed < 600:
            time.sleep(2)
        took = time.monotonic() - closed
        print(
            f"all kernels shut down {took:.0f} s after the last page closed "
            f"({len(kernels())} left, {kernel_mib():.0f} MiB RSS in kernels)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
