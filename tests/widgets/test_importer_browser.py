"""The guided import of notebook 00 in a real JupyterLab page (Debian's chromium).

Screenshots (desktop and 390 px wide) go to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os

import pytest
import trackers
from browser_support import (
    ROOT,
    chromium_browser,
    copy_notebooks,
    loopback_context,
    require_chromium,
    start_lab,
)
from builders import DEMO_TODAY

import followup_kit as fk

pytestmark = pytest.mark.browser

TODAY = DEMO_TODAY.isoformat()
SHOTS = ROOT / "screenshots"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def lab_and_store(tmp_path_factory):
    chromium = require_chromium()
    work = tmp_path_factory.mktemp("lab-import")
    store = work / "workbook.sqlite"
    with fk.open_workbook(store, today=TODAY) as wb:
        wb.add_client("Bea Okafor", cohort="Spring cohort")
    env = dict(os.environ, FOLLOWUP_DB_URL=f"sqlite:///{store}", FOLLOWUP_TODAY=TODAY)
    env["FOLLOWUP_DATA_DIR"] = str(work)
    env.pop("JUPYTERHUB_USER", None)
    notebooks = copy_notebooks(work / "notebooks", ["00_start_here.ipynb"])
    server = start_lab(notebooks, work, env)
    try:
        yield chromium, server, store, work
    finally:
        server.stop()


def test_guided_import_in_notebook_00(lab_and_store):
    from playwright.sync_api import expect

    chromium, lab, store, work = lab_and_store
    path, _ = trackers.seeker_tracker(work)
    with chromium_browser(chromium) as browser:
        context = loopback_context(browser, width=1280, height=2400)
        dialogs: list[str] = []
        context.on(
            "dialog",
            lambda d: (
                d.accept() if d.type == "beforeunload" else (dialogs.append(d.message), d.dismiss())
            ),
        )
        page = context.new_page()
        page.goto(f"{lab.url}/lab/tree/00_start_here.ipynb?reset&token={lab.token}")
        page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=WAIT_MS)
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator('li[data-command="runmenu:run-all"]').click()
        form = page.locator(".jp-OutputArea-output .ct-guided-import").first
        form.wait_for(timeout=WAIT_MS)

        # 1. Choose the file, through the upload button's file chooser.
        with page.expect_file_chooser() as chooser:
            form.locator("button.ct-upload").click()
        chooser.value.set_files(str(path))
        expect(form.locator(".ct-file-status")).to_contain_text(
            "Opened my job search.csv: 14 columns", timeout=WAIT_MS
        )
        # 2. Each column with its suggested meaning and a few of its values.
        rows = form.locator(".ct-column")
        expect(rows).to_have_count(14)
        contact = rows.nth(4)
        expect(contact).to_contain_text("Contact Person")
        expect(contact.locator("select")).to_have_value("Interviewer or contact names")
        expect(contact).to_contain_text("e.g. Dana Lee, Sam Ortiz, Kim Ng")
        # Whose sheet (no Client column), their words, how to read 3/4/2025.
        form.locator(".ct-client-name input").fill("Alex Rivera")
        form.locator(".ct-client-name input").press("Tab")
        expect(form.locator(".ct-words")).to_contain_text("Interviewing")
        expect(form.locator(".ct-dayfirst")).to_contain_text("Tue 4 Mar 2025 (month first)")
        # 3. The preview, as stored: plain words and readable dates.
        preview = form.locator(".ct-preview")
        expect(form.locator(".ct-preview-summary")).to_contain_text(
            "3 interview(s) to import. 1 row without an interview date was left out (row 4)."
        )
        expect(preview).to_contain_text("Tue 4 Mar 2025")
        expect(preview).to_contain_text("No reply (closed)")
        for junk in ("NaN", "<NA>", "None", "NaT"):
            assert junk not in preview.inner_text()
        button = form.locator("button.ct-import")
        expect(button).to_be_enabled(timeout=10_000)
        SHOTS.mkdir(exist_ok=True)
        form.screenshot(path=str(SHOTS / "lab-00-guided-import.png"))
        page.keyboard.press("Control+b")  # a phone-sized page: the file browser closed
        page.set_viewport_size({"width": 390, "height": 5000})
        page.wait_for_timeout(500)
        form.screenshot(path=str(SHOTS / "lab-00-guided-import-390.png"))
        page.screenshot(path=str(SHOTS / "lab-00-page-390.png"))
        page.set_viewport_size({"width": 1280, "height": 2400})

        # 4. Import.
        button.click()
        expect(form.locator(".ct-report")).to_contain_text(
            "Imported my job search.csv: 1 client, 3 interviews", timeout=WAIT_MS
        )
        expect(page.locator(".ct-start-here, .jp-OutputArea-output").first).to_be_visible()
        form.screenshot(path=str(SHOTS / "lab-00-guided-import-done.png"))
        assert dialogs == []
    with fk.open_workbook(store, today=TODAY) as wb:
        assert sorted(wb.interviews()["company"]) == ["Contoso", "Northwind", "Tailspin"]
        assert sorted(wb.clients()["name"]) == ["Alex Rivera", "Bea Okafor"]
