"""Pages 01, 02 and 04 in app mode (Voila) on a phone (390x844) and a laptop (1280x900).

A signed-in client (the hub user "alex") with an interview, two interviewers and a plan
opens each page; no page may scroll sideways, every visible button must lie inside the
viewport's width, and the visible text must carry no missing-value markers, ISO dates or
snake_case step names. Each page is saved to ``screenshots/<page>-<size>.png`` (git-ignored),
or under the folder ``FOLLOWUP_SCREENSHOTS`` names (``docs/screenshots`` for the README).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

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

TODAY = DEMO_TODAY.isoformat()
WAIT_MS = 60_000
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
PAGES = {
    "01-log-an-interview": ("01_log_an_interview.ipynb", ".ct-interview-form"),
    "02-plan-your-follow-up": ("02_plan_your_follow_up.ipynb", ".fk-plan-form"),
    "04-record-what-happened": ("04_record_what_happened.ipynb", ".ct-record-form"),
}
#: Words a client must never read: missing values, and step or state names as code.
RAW = re.compile(
    r"<NA>|\bNaN\b|\bnan\b|\bNone\b|\bNaT\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:thank_you|status_check|second_follow_up|close_as_ghosted|feedback_request"
    r"|no_reply|next_round|still_deciding|[a-z]+_[a-z_]+)\b"
)


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def app(chromium, tmp_path_factory):
    """The Voila app on a store where Alex (hub user "alex") has an interview and a plan."""
    store = tmp_path_factory.mktemp("phone-store") / "workbook.sqlite"
    interviewed = DEMO_TODAY - timedelta(days=6)
    with fk.open_workbook(store, today=TODAY) as wb:
        alex = wb.add_client("Alex Rivera", cohort="Spring cohort", username="alex")
        wb.add_client("Bea Okafor", cohort="Spring cohort")
        iid = wb.log_interview(
            alex,
            "Northwind Analytics",
            "Data Analyst",
            interviewed,
            interviewers=[
                {"name": "Dana Lee", "title": "Head of Data"},
                {"name": "Sam Ortiz", "title": "Chief Technology Officer"},
            ],
        )
        people = wb.interviewers(alex)
        dana = int(people.loc[people["name"] == "Dana Lee", "id"].iloc[0])
        wb.log_follow_up(
            iid, kind="thank_you", sent_on=interviewed, channel="email", interviewer_id=dana,
            script_id="thank_you_note",
        )  # fmt: skip
    env = dict(
        os.environ,
        FOLLOWUP_DB_URL=f"sqlite:///{store}",
        FOLLOWUP_TODAY=TODAY,
        JUPYTERHUB_USER="alex",
    )
    server = start_app(ROOT / "notebooks", tmp_path_factory.mktemp("voila"), env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(chromium, app):
    with chromium_browser(chromium) as launched:
        yield launched


def _shoot(page, path, width: int) -> None:
    """The whole page: Voila scrolls inside ``#rendered_cells``, so grow the window to it."""
    tall = page.evaluate(
        "() => Math.max(document.body.scrollHeight,"
        " document.querySelector('#rendered_cells')?.scrollHeight || 0)"
    )
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 12_000)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    shrink_png(path)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page_name", list(PAGES))
def test_page_fits_and_reads_in_plain_words(app, browser, page_name, size):
    notebook, form_class = PAGES[page_name]
    width, height = SIZES[size]
    context = loopback_context(browser, width=width, height=height)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/voila/render/{notebook}?token={app.token}")
        form = page.locator(form_class)
        form.wait_for(timeout=WAIT_MS)
        page.wait_for_timeout(1500)  # images (the timeline) and late layout
        problems = layout_problems(page)
        text = page.inner_text("body")
        _shoot(page, SHOTS / f"{page_name}-{size}.png", width)

        assert problems == []
        assert "Signed in as alex" in text
        raw = sorted({m.group(0) for m in RAW.finditer(text)})
        assert raw == [], f"raw values in the page: {raw}"
    finally:
        context.close()


def test_after_a_save_04_shows_what_was_sent_on_a_phone(app, browser):
    """Sent to and Script used keep what was saved; Date sent starts on today."""
    from playwright.sync_api import expect

    context = loopback_context(browser, width=390, height=844)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/voila/render/04_record_what_happened.ipynb?token={app.token}")
        form = page.locator(".ct-sent-form")
        form.wait_for(timeout=WAIT_MS)
        expect(form.locator(".ct-sent-on input[type=date]")).to_have_value(TODAY)
        form.locator(".ct-interviewer-id select").select_option(
            label="Sam Ortiz (Chief Technology Officer)"
        )
        form.locator(".ct-script-id select").select_option(
            label="Thank-you notes after a panel interview"
        )
        save = form.get_by_role("button", name="Save what I sent")
        expect(save).to_be_enabled(timeout=10_000)
        save.click()
        expect(form.locator(".ct-report")).to_contain_text(
            "Saved: Thank-you note by email to Sam Ortiz (Chief Technology Officer)"
        )
        for hook, words in (
            (".ct-interviewer-id", "Sam Ortiz (Chief Technology Officer)"),
            (".ct-script-id", "Thank-you notes after a panel interview"),
        ):
            # The form is redrawn after the "Saved" line: wait for the choice to come back.
            page.wait_for_function(
                "([hook, words]) => { const s = document.querySelector(hook + ' select');"
                " return s && s.selectedIndex >= 0 &&"
                " s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' ') === words; }",
                arg=[hook, words],
                timeout=10_000,
            )
        entries = page.locator(".ct-entries")
        expect(entries).to_contain_text("to Sam Ortiz")
        assert ".." not in entries.inner_text()
    finally:
        context.close()


def test_the_layout_check_names_a_cut_choice_unless_it_is_written_out(browser):
    """A dropdown too narrow for its choice is a problem, unless the line beneath it
    (``fk-full-choice``, shown on a phone only) writes the whole choice out."""
    from followup_kit.widgets._kit import style_html

    long = "Told you were through to another round, then silence"

    def dropdown(text: str) -> str:
        return f"<div class='widget-dropdown'><select style='width:200px'><option>{text}</option></select></div>"  # noqa: E501

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_content(
            f"{style_html()}<div class='fk-page'>{dropdown(long)}{dropdown(long + ' again')}"
            f"<div class='fk-full-choice'>{long} again</div>{dropdown('Email')}</div>"
        )
        assert layout_problems(page) == [f"dropdown cuts its choice: {long!r}"]
        page.set_viewport_size({"width": 1280, "height": 900})  # the line is for phones
        assert len(layout_problems(page)) == 2
    finally:
        context.close()
