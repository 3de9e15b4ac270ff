"""A signed-in client's whole journey through the app (Voila) in Debian's chromium.

01 log a panel interview with two interviewers; 02 see both thank-yous on the plan; 03
pick the SECOND interviewer's thank-you, edit it, copy it, log it as sent; 04 record the
reply. Then the stored rows are checked, and 02 must show that thank-you done and the
other still open. At a phone's 390 px every page is measured: nothing scrolls sideways
and every visible button is whole and on screen.

Screenshots of each page at both sizes go to ``screenshots/`` (git-ignored), or to the
folder ``FOLLOWUP_SCREENSHOTS`` names (``docs/screenshots`` for the README). The time
each page took to become usable is printed (run with ``-s`` to see it).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browser_support import (
    ROOT,
    SHOTS,
    chromium_browser,
    layout_problems,
    loopback_context,
    require_chromium,
    shrink_png,
    start_app,
)
from builders import DEMO_TODAY

import followup_kit as fk

pytestmark = pytest.mark.browser

TODAY = DEMO_TODAY  # a Monday
WAIT_MS = 90_000
DESKTOP = (1280, 900)
PHONE = (390, 844)
PAGES = {
    "01": "01_log_an_interview.ipynb",
    "02": "02_plan_your_follow_up.ipynb",
    "03": "03_scripts_and_practice.ipynb",
    "04": "04_record_what_happened.ipynb",
}
#: How long each page took to become usable, per width (printed at the end).
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """An empty store holding only Alex, the signed-in hub user "alex"."""
    path = tmp_path_factory.mktemp("journey-store") / "workbook.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.add_client("Alex Rivera", cohort="Spring cohort", username="alex")
    return path


@pytest.fixture(scope="module")
def voila(store, tmp_path_factory):
    require_chromium()
    env = dict(
        os.environ,
        FOLLOWUP_DB_URL=f"sqlite:///{store}",
        FOLLOWUP_TODAY=TODAY.isoformat(),
        JUPYTERHUB_USER="alex",  # what a hub sets: the pages open on Alex, nobody else
    )
    server = start_app(ROOT / "notebooks", tmp_path_factory.mktemp("journey-voila"), env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(voila):
    with chromium_browser(require_chromium()) as launched:
        yield launched
    if TIMINGS:
        print("\nTime to a usable page (app mode):")
        for key, seconds in TIMINGS.items():
            print(f"  {key}: {seconds:.1f} s")


def _context(browser, voila, size):
    context = loopback_context(browser, width=size[0], height=size[1])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=voila.url)
    return context


_READY = {
    "01": ".ct-interview-form .ct-company input",
    "02": ".fk-interview select",
    "03": ".ct-script-text textarea",
    "04": ".ct-record-form .ct-overview",
}


def _open(page, voila, key: str) -> None:
    """Open a page in app mode and wait until a client can use it; time it."""
    started = time.monotonic()
    page.goto(f"{voila.url}/voila/render/{PAGES[key]}?token={voila.token}")
    page.locator(_READY[key]).first.wait_for(state="visible", timeout=WAIT_MS)
    if key == "03":  # usable once the script is filled in
        page.wait_for_function(
            "() => (document.querySelector('.ct-script-text textarea') || {}).value",
            timeout=WAIT_MS,
        )
    width = page.viewport_size["width"]
    TIMINGS[f"{key} at {width} px"] = time.monotonic() - started


def _shot(page, key: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = PAGES[key].removesuffix(".ipynb").replace("_", "-")
    size = page.viewport_size
    path = SHOTS / f"journey-{name}-{size['width']}px.png"
    # Voila scrolls inside a panel, not the document: show the whole page by making the
    # window as tall as what that panel holds.
    tall = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('div')].map((e) => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(tall), 12_000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    if "docs" in path.parts:
        shrink_png(path)


_STEP_TEXT = """(name) => {
  const words = ["Done", "To do", "Overdue", "Skipped", "Missed"];
  let best = null;
  for (const el of document.querySelectorAll("tr, li, .fk-card, div")) {
    const text = el.innerText || "";
    if (!text.includes(name) || !words.some((w) => text.includes(w))) continue;
    if (best === null || text.length < best.length) best = text;
  }
  return best;
}"""


def _plan_line(page, name: str) -> str:
    """The plan's smallest row (or card) naming ``name`` with a state, as text."""
    return page.evaluate(_STEP_TEXT, name) or ""


def _options(select) -> list[str]:
    """A select's option labels (ipywidgets writes their spaces as no-break spaces)."""
    return [o.replace("\xa0", " ") for o in select.locator("option").all_inner_texts()]


def _fill_interview(page) -> None:
    form = page.locator(".ct-interview-form")
    form.locator(".ct-company input").fill("Northwind Analytics")
    form.locator(".ct-role input").fill("Data Analyst")
    form.locator(".ct-interview-date input[type=date]").fill(TODAY.isoformat())
    form.locator(".ct-round select").select_option(label="Panel interview")
    for i, (name, title) in enumerate([("Dana Lee", "Head of Data"), ("Sam Ortiz", "CTO")]):
        if i:
            form.locator("button.ct-add-interviewer").click()
        row = form.locator(".ct-interviewer").nth(i)
        row.locator(".ct-interviewer-name input").fill(name)
        row.locator(".ct-interviewer-title input").fill(title)


def test_the_whole_journey_as_a_signed_in_client(browser, voila, store):
    from playwright.sync_api import expect

    context = _context(browser, voila, DESKTOP)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # 01: log the interview, with both people.
    _open(page, voila, "01")
    expect(page.locator(".ct-signed-in")).to_contain_text("Signed in as alex")
    _fill_interview(page)
    save = page.locator(".ct-interview-form button.ct-save")
    expect(save).to_be_enabled(timeout=10_000)
    _shot(page, "01")
    save.click()
    expect(page.locator(".ct-interview-form .ct-report")).to_contain_text("Saved")

    # 02: the plan has a thank-you for each of them.
    _open(page, voila, "02")
    expect(page.get_by_text("Thank-you note to Sam Ortiz").first).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Thank-you note to Dana Lee").first).to_be_visible()

    # 03: the second interviewer's thank-you, edited, copied, logged.
    _open(page, voila, "03")
    body = page.inner_text("body")
    assert "Run All" not in body and "CLIENT" not in body  # Lab's words, not the app's
    sending = page.locator(".ct-sending select")
    options = _options(sending)
    assert options[0].startswith("Thank-you note to Dana Lee")
    sam = next(i for i, o in enumerate(options) if o.startswith("Thank-you note to Sam Ortiz"))
    sending.select_option(index=sam)
    text = page.locator(".ct-script-text textarea")
    expect(text).to_have_value(_contains("Sam"), timeout=20_000)
    edited = text.input_value().replace("Best regards", "Warm regards") + "\nP.S. Merci!"
    text.fill(edited)
    # The kernel has the edited text once the mail link carries it.
    expect(page.locator(".ct-mailto a")).to_have_attribute(
        "href", _contains("P.S.%20Merci%21"), timeout=20_000
    )
    page.locator("button.fk-copy-button").click()
    expect(page.locator(".fk-copy-message")).to_contain_text("Copied", timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == edited
    page.locator("button.ct-log-sent").click()
    status = page.locator(".ct-send-part .ct-status")
    expect(status).to_contain_text("Logged: Thank-you note to Sam Ortiz, sent by email")
    # The choice moved on: Dana's thank-you is chosen, Sam's is no longer offered.
    expect(sending.locator("option:checked")).to_have_text(
        re.compile(r"^Thank-you\snote\sto\sDana\sLee"), timeout=10_000
    )
    expect(sending.locator("option", has_text=re.compile(r"Sam\sOrtiz"))).to_have_count(0)
    expect(page.locator(".ct-sent-list")).to_contain_text("Thank-you note to Sam Ortiz")
    for raw in ("panel_thank_you", "script_id", "interview_id", "<NA>", "NaN"):
        assert raw not in page.inner_text("body")
    _shot(page, "03")

    # 04: the reply came.
    _open(page, voila, "04")
    expect(page.locator(".ct-record-form .ct-overview")).to_contain_text("Northwind Analytics")
    reply = page.locator(".ct-reply-form")
    reply.locator(".ct-received-on input[type=date]").fill(TODAY.isoformat())
    reply.locator(".ct-result select").select_option(label="Next round")
    reply.locator("button.ct-save").click()
    expect(reply.locator(".ct-report")).to_contain_text("Saved", timeout=20_000)
    _shot(page, "04")

    # What was stored.
    with fk.open_workbook(store, today=TODAY) as wb:
        people = wb.interviewers().set_index("name")["id"]
        sent = wb.follow_ups().to_dict("records")
        replies = wb.responses().to_dict("records")
    assert len(sent) == 1, sent
    (row,) = sent
    assert (row["kind"], row["interviewer_id"], row["channel"]) == (
        "thank_you",
        people["Sam Ortiz"],
        "email",
    )
    assert (row["script_id"], row["script_version"]) == ("panel_thank_you", "1.0")
    assert row["sent_on"].date() == TODAY
    assert [(r["result"], r["received_on"].date()) for r in replies] == [("next_round", TODAY)]

    # 02 again: Sam's thank-you done, Dana's still open.
    _open(page, voila, "02")
    expect(page.get_by_text("Thank-you note to Sam Ortiz").first).to_be_visible(timeout=WAIT_MS)
    sam_line, dana_line = _plan_line(page, "Sam Ortiz"), _plan_line(page, "Dana Lee")
    assert "Done" in sam_line, sam_line
    assert "Done" not in dana_line and ("To do" in dana_line or "Overdue" in dana_line), dana_line
    _shot(page, "02")
    assert dialogs == []
    context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "key",
    ["01", "02", "03", "04"],
)
def test_nothing_scrolls_sideways_or_is_cut_and_every_button_is_on_screen(
    browser, voila, key, size
):
    context = _context(browser, voila, size)
    page = context.new_page()
    try:
        _open(page, voila, key)
        page.wait_for_timeout(1000)  # late layout: fonts, the plan's chart
        if key == "03":
            page.get_by_text("Change the situation").first.click()  # open it: measured too
            page.wait_for_timeout(300)
        if size == PHONE:  # the journey itself leaves the desktop screenshots
            _shot(page, key)
        problems = layout_problems(page)
    finally:
        context.close()
    assert problems == []


def _contains(text: str) -> re.Pattern[str]:
    """A pattern for a value that contains ``text`` literally."""
    return re.compile(re.escape(text))
