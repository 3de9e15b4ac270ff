"""Screenshots of the coach dashboard's tabs and the workshop charts, for docs/.

Runs JupyterLab on a throw-away copy of the demo store (as the tests do), opens a small
notebook that shows the dashboard (and one for the workshop view) in Debian's chromium,
clicks through every tab and chart, and saves PNGs at desktop width (1280 px) and at a
phone's 390 px:

    .venv/bin/python tests/screenshots.py            # writes docs/dashboard-*.png ...
    .venv/bin/python tests/screenshots.py --out /tmp/shots

Look at them yourself: the point is to read every word a coach sees.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from pathlib import Path

from browser_support import (
    CHROMIUM,
    ROOT,
    chromium_browser,
    loopback_context,
    shrink_png,
    start_lab,
)
from isolation import TEST_TODAY, isolate_and_load_demo

WAIT_MS = 120_000

_NOTEBOOKS = {
    "dashboard.ipynb": "import followup_kit as fk\n\nfk.coach_dashboard(fk.open_workbook())",
    "workshop.ipynb": "import followup_kit as fk\n\nfk.workshop_view(fk.open_workbook())",
}


def _notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None, "id": "shot"}  # fmt: skip
    return json.dumps(
        {
            "cells": [cell],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }  # fmt: skip
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _open(page, server, name: str) -> None:
    page.goto(f"{server.url}/lab/tree/{name}?reset&token={server.token}")
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=WAIT_MS)
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('li[data-command="runmenu:run-all"]').click()
    # Hide the code cell's input: the shots show what the coach reads.
    page.add_style_tag(content=".jp-Cell-inputWrapper{display:none !important}")
    page.keyboard.press("Control+b")  # close the file browser: the notebook gets the width


def dashboard(page, server, out: Path, width: int) -> list[Path]:
    """The whole dashboard, then every tab of it, at ``width`` px."""
    # Tall, so Lab shows the whole dashboard without scrolling inside.
    page.set_viewport_size({"width": width, "height": 4200 if width >= 1000 else 8400})
    _open(page, server, "dashboard.ipynb")
    box = page.locator(".jp-OutputArea-output").filter(has=page.locator(".fk-tabs")).first
    box.wait_for(timeout=WAIT_MS)
    tabs = page.locator(".fk-tabs .lm-TabBar-tab")
    tabs.first.wait_for(timeout=WAIT_MS)
    # The agenda is worked out once the charts show: the shot waits for it.
    page.get_by_text("Working out what needs doing").wait_for(state="detached", timeout=WAIT_MS)
    page.wait_for_timeout(2500)
    whole = out / f"dashboard-{width}px-overview.png"
    box.screenshot(path=str(whole))
    written = [whole]
    tab_box = page.locator(".fk-tabs").first
    titles = [t.strip() for t in tabs.all_inner_texts()]
    wanted = titles if width >= 1000 else titles[:1] + ["Scripts", "Rules"]
    for title in wanted:
        tabs.filter(has_text=title).first.click()
        page.wait_for_timeout(1500)  # the chart of a tab is drawn when it opens
        if title == "Timeline":
            menu = page.locator(".fk-client select")
            menu.select_option(index=1)
            page.wait_for_timeout(2500)
        path = out / f"dashboard-{width}px-{_slug(title)}.png"
        tab_box.screenshot(path=str(path))
        written.append(path)
    return written


def workshop(page, server, out: Path) -> list[Path]:
    """Every chart of the workshop view, at a projector's width."""
    page.set_viewport_size({"width": 1280, "height": 4200})
    _open(page, server, "workshop.ipynb")
    box = page.locator(".jp-OutputArea-output").filter(has=page.locator(".fk-chart")).first
    box.wait_for(timeout=WAIT_MS)
    buttons = page.locator(".fk-chart button")
    written = []
    for title in [t.strip() for t in buttons.all_inner_texts()]:
        buttons.filter(has_text=title).first.click()
        page.wait_for_timeout(2000)
        path = out / f"workshop-{_slug(title)}.png"
        box.screenshot(path=str(path))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    root = isolate_and_load_demo()
    os.environ["FOLLOWUP_TODAY"] = TEST_TODAY
    work = Path(tempfile.mkdtemp(prefix="shots-", dir=root))
    books = work / "notebooks"
    books.mkdir()
    for name, source in _NOTEBOOKS.items():
        (books / name).write_text(_notebook(source))
    server = start_lab(books, work, dict(os.environ))
    try:
        with chromium_browser(CHROMIUM) as browser:
            context = loopback_context(browser, width=1280, height=1400)
            page = context.new_page()
            shots = dashboard(page, server, args.out, 1280)
            shots += dashboard(page, server, args.out, 390)
            shots += workshop(page, server, args.out)
    finally:
        server.stop()
    for path in shots:
        shrink_png(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
