"""The real page: JupyterLab and the Voila app driven in Debian's chromium with Playwright.

Each server gets its own store, notebook copies and free loopback port; screenshots of
every form page go to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser_support import (
    ROOT,
    chromium_browser,
    copy_notebooks,
    loopback_context,
    require_chromium,
    start_app,
    start_lab,
)
from builders import DEMO_TODAY

import followup_kit as fk

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
TODAY = DEMO_TODAY.isoformat()
SHOTS = ROOT / "screenshots"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A small store of our own: two clients (Alex is the hub user "alex"), one interview."""
    store = tmp_path_factory.mktemp("browser-store") / "workbook.sqlite"
    with fk.open_workbook(store, today=TODAY) as wb:
        alex = wb.add_client("Alex Rivera", cohort="Spring cohort", username="alex")
        wb.add_client("Bea Okafor", cohort="Spring cohort")
        wb.log_interview(alex, "Bluepeak Logistics", "Planner", "2026-10-20")
    base = dict(os.environ, FOLLOWUP_DB_URL=f"sqlite:///{store}", FOLLOWUP_TODAY=TODAY)
    base.pop("JUPYTERHUB_USER", None)
    return base


@pytest.fixture(scope="module")
def servers(chromium, env, tmp_path_factory):
    """Start JupyterLab and the Voila app side by side; stop both at the end."""
    lab_work, app_work = tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("voila")
    notebooks = copy_notebooks(
        lab_work / "notebooks", ["01_log_an_interview.ipynb", "04_record_what_happened.ipynb"]
    )
    # Lab runs as on a JupyterHub: the forms open on the signed-in user's own client.
    lab_env = {**env, "JUPYTERHUB_USER": "alex"}
    with ThreadPoolExecutor(2) as pool:
        started = {
            "lab": pool.submit(start_lab, notebooks, lab_work, lab_env),
            "voila": pool.submit(start_app, ROOT / "notebooks", app_work, env),
        }
        yield started
        running = [f.result() for f in started.values() if f.exception() is None]
        for server in running:
            server.proc.terminate()  # both shut their kernels down at once
        for server in running:
            server.stop()


@pytest.fixture(scope="module")
def lab(servers):
    return servers["lab"].result()


@pytest.fixture(scope="module")
def voila(servers):
    return servers["voila"].result()


@pytest.fixture(scope="module")
def browser(chromium, servers):
    """Chromium, launched while the servers (requested first) boot."""
    with chromium_browser(chromium) as launched:
        yield launched


@pytest.fixture
def page_and_dialogs(browser):
    context = loopback_context(browser, width=1280, height=900)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        if dialog.type == "beforeunload":  # Lab asking before leaving a run notebook
            dialog.accept()
            return
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.on("dialog", on_dialog)  # every page of the context, the second Lab tab too
    yield page, dialogs
    context.close()


def _shot(target, name: str) -> None:
    """Screenshot a form (a locator) or a whole page into screenshots/."""
    SHOTS.mkdir(exist_ok=True)
    if hasattr(target, "goto"):
        target.screenshot(path=str(SHOTS / name), full_page=True)
    else:
        target.screenshot(path=str(SHOTS / name))


def _run_all_in_lab(page) -> None:
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=WAIT_MS)
    page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('li[data-command="runmenu:run-all"]').click()


def _assert_no_code(page) -> None:
    """No code cell, editor or source text anywhere in the page (markdown may show)."""
    code = ".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .cm-editor, .jp-InputPrompt"
    assert page.locator(code).count() == 0
    html, text = page.content(), page.inner_text("body")
    for source in ("open_workbook", "import followup_kit", "STORE = None"):
        assert source not in html and source not in text


def _fill_interview(form, company: str, role: str, day: str, people: list[tuple[str, str]]):
    form.locator(".ct-company input").fill(company)
    form.locator(".ct-role input").fill(role)
    form.locator(".ct-interview-date input[type=date]").fill(day)
    for i, (name, title) in enumerate(people):
        if i:
            form.locator("button.ct-add-interviewer").click()
        row = form.locator(".ct-interviewer").nth(i)
        row.locator(".ct-interviewer-name input").fill(name)
        row.locator(".ct-interviewer-title input").fill(title)


def test_lab_interview_saved_in_01_is_listed_in_04_as_text(lab, page_and_dialogs):
    from playwright.sync_api import expect

    page, dialogs = page_and_dialogs
    page.set_viewport_size({"width": 1280, "height": 1800})  # Lab scrolls inside; show it all
    page.goto(f"{lab.url}/lab/tree/01_log_an_interview.ipynb?reset&token={lab.token}")
    # 04 opens in a second tab (its own workspace) now, so its kernel starts meanwhile.
    second = page.context.new_page()
    second.set_viewport_size({"width": 1280, "height": 1800})
    second.goto(
        f"{lab.url}/lab/workspaces/second/tree/04_record_what_happened.ipynb?reset",
        wait_until="commit",
    )
    page.bring_to_front()
    _run_all_in_lab(page)
    form = page.locator(".jp-OutputArea-output .ct-interview-form")
    form.wait_for(timeout=WAIT_MS)
    expect(form.locator(".ct-signed-in")).to_contain_text("Signed in as alex")
    save = form.locator("button.ct-save")
    expect(save).to_be_disabled()
    # The attack any typed text could carry, in every free-text field of the form: it
    # must show as text and run nothing.
    _fill_interview(form, XSS, f"Analyst {XSS}", "2026-10-28", [(f"Dana {XSS}", XSS)])
    form.locator(".ct-notes textarea").fill(f"Notes {XSS}")
    expect(save).to_be_enabled(timeout=10_000)
    _shot(form, "lab-01-log-an-interview.png")
    save.click()
    status = form.locator(".ct-report")
    expect(status).to_contain_text("Saved: First interview at " + XSS)
    expect(status).to_contain_text(f"Dana {XSS}")
    expect(form.locator(".ct-entries")).to_contain_text(f"Analyst {XSS}")
    expect(form.locator(".ct-company input")).to_have_value("")  # cleared for the next one
    assert page.locator("img[src='x']").count() == 0

    second.bring_to_front()
    _run_all_in_lab(second)
    record = second.locator(".jp-OutputArea-output .ct-record-form")
    record.wait_for(timeout=WAIT_MS)
    expect(record.locator(".ct-overview")).to_contain_text(XSS)
    expect(record.locator(".ct-overview")).to_contain_text("Bluepeak Logistics")
    expect(record.locator(".ct-interview select")).to_contain_text(XSS)
    _shot(record, "lab-04-record-what-happened.png")
    assert second.locator("img[src='x']").count() == 0
    assert dialogs == []


def test_voila_serves_the_same_forms_without_code(voila, page_and_dialogs):
    from playwright.sync_api import expect

    page, dialogs = page_and_dialogs
    page.goto(f"{voila.url}/voila/render/01_log_an_interview.ipynb?token={voila.token}")
    form = page.locator(".ct-interview-form")
    form.wait_for(timeout=WAIT_MS)
    _assert_no_code(page)
    expect(page.get_by_text("Log an interview").first).to_be_visible()

    form.locator(".ct-client select").select_option(label="Bea Okafor (Spring cohort)")
    _fill_interview(
        form,
        "Northwind Analytics",
        "Data Analyst",
        "2026-10-29",
        [("Dana Lee", "Head of Data"), ("Sam Ortiz", "CTO")],
    )
    form.locator(".ct-round select").select_option(label="Final interview")
    save = form.locator("button.ct-save")
    expect(save).to_be_enabled(timeout=10_000)
    _shot(page, "voila-01-log-an-interview.png")
    save.click()
    expect(form.locator(".ct-report")).to_contain_text(
        "Saved: Final interview at Northwind Analytics for the role Data Analyst on Thu 29 Oct 2026"
    )

    page.goto(f"{voila.url}/voila/render/04_record_what_happened.ipynb?token={voila.token}")
    record = page.locator(".ct-record-form")
    record.wait_for(timeout=WAIT_MS)
    _assert_no_code(page)
    record.locator(".ct-client select").first.select_option(label="Bea Okafor (Spring cohort)")
    expect(record.locator(".ct-overview")).to_contain_text("Northwind Analytics")
    # Date sent starts on today, so a thank-you sent today needs no other field.
    expect(record.locator(".ct-sent-form .ct-sent-on input[type=date]")).to_have_value(TODAY)
    expect(record.locator(".ct-sent-form button.ct-save")).to_be_enabled(timeout=10_000)
    _shot(page, "voila-04-record-what-happened.png")
    assert dialogs == []
