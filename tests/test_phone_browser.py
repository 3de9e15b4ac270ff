"""Pages 01, 02 and 04 in app mode (Voila) on a phone (390x844) and a laptop (1280x900).

A signed-in client (the hub user "alex") with an interview, two interviewers and a plan
opens each page; no page may scroll sideways, every visible button must lie inside the
viewport's width, and the visible text must carry no missing-value markers, ISO dates or
snake_case step names. Each page is saved to ``docs/screenshots/<page>-<size>.png``.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    loopback_context,
    require_chromium,
    start_app,
)
from builders import DEMO_TODAY

import followup_kit as fk

pytestmark = pytest.mark.browser

TODAY = DEMO_TODAY.isoformat()
SHOTS = ROOT / "docs" / "screenshots"
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


_MEASURE = """
() => {
  const width = window.innerWidth;
  const outside = [];
  for (const b of document.querySelectorAll('button')) {
    const r = b.getBoundingClientRect();
    const style = getComputedStyle(b);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    const words = (b.innerText || b.title || '').trim();
    if (r.left < -0.5 || r.right > width + 0.5) outside.push(`${words} [${r.left}, ${r.right}]`);
    if (b.scrollWidth > b.clientWidth + 1) outside.push(`${words} (cut off)`);
  }
  // A box that scrolls sideways inside the page is as bad as a page that does.
  const scrollers = [];
  for (const el of document.querySelectorAll('body *')) {
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && el.getBoundingClientRect().height > 0) {
      scrollers.push(`${el.className} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return {
    scrollers: scrollers,
    scroll: document.scrollingElement.scrollWidth,
    width: width,
    outside: outside,
  };
}
"""


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
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{page_name}-{size}.png"), full_page=True)

        found = page.evaluate(_MEASURE)
        assert found["scroll"] <= found["width"], f"scrolls sideways: {found}"
        assert found["outside"] == [], f"buttons off-screen or cut: {found['outside']}"
        assert found["scrollers"] == [], f"boxes scrolling sideways: {found['scrollers']}"
        text = page.inner_text("body")
        assert "Signed in as alex" in text
        raw = sorted({m.group(0) for m in RAW.finditer(text)})
        assert raw == [], f"raw values in the page: {raw}"
    finally:
        context.close()
