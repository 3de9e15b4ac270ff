"""Recording a take in notebook 03, in a real JupyterLab page and the Voila app.

Debian's chromium gets a fake microphone (``--use-fake-device-for-media-stream``) and
grants it without asking (``--use-fake-ui-for-media-stream``); 127.0.0.1 counts as a
secure page, so ``getUserMedia`` works. Screenshots (desktop and 390 px wide) go to
``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os

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

import followup_kit as fk

pytestmark = pytest.mark.browser

TODAY = "2026-11-02"
SHOTS = ROOT / "screenshots"
WAIT_MS = 60_000
FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
EBML = b"\x1a\x45\xdf\xa3"  # how every webm file starts


@pytest.fixture
def store(tmp_path):
    """Alex (hub user "alex") with one interview, and Bea, whose takes must stay apart."""
    path = tmp_path / "store" / "workbook.sqlite"
    path.parent.mkdir()
    with fk.open_workbook(path, today=TODAY) as wb:
        alex = wb.add_client("Alex Rivera", cohort="Spring cohort", username="alex")
        wb.add_client("Bea Okafor", cohort="Spring cohort")
        wb.log_interview(
            alex, "Bluepeak Logistics", "Planner", "2026-10-20", interviewers=["Dana Lee"]
        )
    return path, alex


@pytest.fixture
def env(store):
    path, _ = store
    base = dict(os.environ, FOLLOWUP_DB_URL=f"sqlite:///{path}", FOLLOWUP_TODAY=TODAY)
    base.pop("JUPYTERHUB_USER", None)
    return base


@pytest.fixture(scope="module")
def browser():
    with chromium_browser(require_chromium(), *FAKE_MICROPHONE) as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = loopback_context(browser, width=1280, height=2400)
    context.on("dialog", lambda d: d.accept() if d.type == "beforeunload" else d.dismiss())
    page = context.new_page()
    yield page
    context.close()


def _record_two_seconds(page, rehearsal) -> None:
    from playwright.sync_api import expect

    record = rehearsal.locator("button.fk-recorder-record")
    stop = rehearsal.locator("button.fk-recorder-stop")
    expect(record).to_have_text("Record")
    expect(stop).to_be_disabled()
    record.click()
    expect(rehearsal.locator(".fk-recorder-message")).to_contain_text("Recording", timeout=10_000)
    expect(stop).to_be_enabled()
    page.wait_for_timeout(2_000)
    expect(rehearsal.locator(".fk-recorder-timer")).to_have_text("0:02", timeout=2_000)
    stop.click()


def _check_saved_and_played(page, rehearsal, name: str) -> None:
    from playwright.sync_api import expect

    status = rehearsal.locator(".ct-status")
    expect(status).to_contain_text(f"Saved {name}. Press play to listen.", timeout=WAIT_MS)
    expect(status).to_contain_text("Your take: 2 s; the script takes about")
    expect(rehearsal.locator(".ct-take-length")).to_contain_text("Your take: 2 s")
    expect(rehearsal.locator(".ct-takes select")).to_contain_text(f"{name} · Mon 2 Nov 2026 · 2 s")
    expect(rehearsal.locator(".fk-recorder-message")).to_have_text("")  # "Saving" is gone
    audio = rehearsal.locator(".ct-playback audio, audio.ct-playback").first
    # The browser can read the stored take back: its metadata loads without an error.
    loaded = audio.evaluate(
        """a => new Promise(done => {
            if (a.readyState >= 1) return done(a.error === null);
            a.addEventListener("loadedmetadata", () => done(a.error === null));
            a.addEventListener("error", () => done(false));
            a.load();
        })"""
    )
    assert loaded and audio.get_attribute("src").startswith("blob:")


def _stored_takes(store) -> list[dict]:
    path, alex = store
    with fk.open_workbook(path, today=TODAY) as wb:
        rows = wb.recordings().to_dict("records")
        for row in rows:
            row["data"] = wb.recording_data(int(row["id"]))
    assert all(row["client_id"] == alex for row in rows)  # only the signed-in client's
    return rows


def _shots(page, rehearsal, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    rehearsal.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 390, "height": 2400})
    page.wait_for_timeout(500)
    rehearsal.screenshot(path=str(SHOTS / f"{name}-390.png"))
    page.set_viewport_size({"width": 1280, "height": 2400})


def test_record_a_take_in_notebook_03_in_lab(store, env, browser, page, tmp_path):
    from playwright.sync_api import expect

    notebooks = copy_notebooks(tmp_path / "notebooks", ["03_scripts_and_practice.ipynb"])
    lab = start_lab(notebooks, tmp_path, {**env, "JUPYTERHUB_USER": "alex"})
    try:
        page.goto(f"{lab.url}/lab/tree/03_scripts_and_practice.ipynb?reset&token={lab.token}")
        page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=WAIT_MS)
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator('li[data-command="runmenu:run-all"]').click()
        rehearsal = page.locator(".jp-OutputArea-output .ct-rehearsal").first
        rehearsal.wait_for(timeout=WAIT_MS)
        rehearsal.scroll_into_view_if_needed()
        _record_two_seconds(page, rehearsal)
        _check_saved_and_played(page, rehearsal, "Take 1.webm")
        rehearsal.locator(".ct-take-note textarea").fill("Slower on the opener next time.")
        rehearsal.locator("button.ct-save-note").click()
        expect(rehearsal.locator(".ct-note-status")).to_contain_text("Note saved.")
        page.keyboard.press("Control+b")  # the file browser closed, as on a small screen
        _shots(page, rehearsal, "lab-03-rehearsal-recorded")
    finally:
        lab.stop()
    (take,) = _stored_takes(store)
    assert take["filename"] == "Take 1.webm" and take["mime"] == "audio/webm"
    assert 1.5 <= take["seconds"] <= 4.0, take["seconds"]
    assert take["data"].startswith(EBML) and len(take["data"]) > 2_000
    assert take["note"] == "Slower on the opener next time."
    assert take["script_id"] == "decision_check_call"


def test_record_a_take_in_the_voila_app(store, env, browser, page, tmp_path):
    from playwright.sync_api import expect

    app = start_app(ROOT / "notebooks", tmp_path, env)
    try:
        page.goto(f"{app.url}/voila/render/03_scripts_and_practice.ipynb?token={app.token}")
        page.locator(".ct-practice .ct-client select").first.wait_for(timeout=WAIT_MS)
        page.locator(".ct-practice .ct-client select").first.select_option(
            label="Alex Rivera (Spring cohort)"
        )
        rehearsal = page.locator(".ct-rehearsal").first
        rehearsal.wait_for(timeout=WAIT_MS)
        rehearsal.scroll_into_view_if_needed()
        _record_two_seconds(page, rehearsal)
        _check_saved_and_played(page, rehearsal, "Take 1.webm")
        _shots(page, rehearsal, "voila-03-rehearsal-recorded")
        page.set_viewport_size({"width": 390, "height": 2400})
        page.wait_for_timeout(500)
        # On a phone nothing of the rehearsal sticks out to the right.
        right = rehearsal.evaluate(
            "el => Math.max(...[...el.querySelectorAll('*')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= 390, right
        expect(rehearsal.locator("button.fk-recorder-stop")).to_be_visible()
    finally:
        app.stop()
    (take,) = _stored_takes(store)
    assert take["mime"] == "audio/webm" and 1.5 <= take["seconds"] <= 4.0
    assert take["data"].startswith(EBML)
