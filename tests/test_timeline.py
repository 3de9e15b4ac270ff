"""The plan as an HTML timeline: rows, bar positions, states in words, escaping, reflow."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from followup_kit.plans import STATE_WORDS, plan_follow_ups
from followup_kit.timeline import STATE_COLOURS, plan_timeline_html


def _rows(html: str) -> list[str]:
    return re.findall(r'<li class="fk-tl-row.*?</li>', html, flags=re.S)


def _visible(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _style(row: str, cls: str) -> dict[str, str]:
    style = re.search(rf'class="{cls}" style="([^"]*)"', row).group(1)
    return dict(part.split(":", 1) for part in style.split(";"))


def test_one_row_per_step_with_the_step_person_state_and_dates_in_words():
    plan = plan_follow_ups("2025-03-07", interviewers=["Dana Lee", "Sam Ortiz"])
    html = plan_timeline_html(plan, today="2025-03-10")
    rows = _rows(html)
    assert len(rows) == len(plan) == 5
    first = _visible(rows[1])
    assert "Thank-you note to Sam Ortiz" in first and STATE_WORDS["open"] in first
    assert "Fri 7 Mar 2025 to Mon 10 Mar 2025" in first
    assert "Today, Mon 10 Mar 2025" in _visible(html)
    assert "fk-tl-open" in rows[1] and STATE_COLOURS["open"] in rows[1]


def test_bars_sit_in_percent_of_the_plan_span_and_today_is_marked():
    # Fri 7 Mar to Wed 2 Apr: 27 days including the last due day
    plan = plan_follow_ups("2025-03-07", interviewers=["Dana Lee"])
    rows = _rows(plan_timeline_html(plan, today="2025-03-10"))
    thank_you = _style(rows[0], "fk-tl-bar")
    assert thank_you["left"] == "0.00%"
    assert thank_you["width"] == f"{100 * 4 / 27:.2f}%"  # Fri 7 to Mon 10, due day included
    last = _style(rows[-1], "fk-tl-bar")  # close as ghosted, Wed 2 Apr only
    assert float(last["left"].rstrip("%")) + float(last["width"].rstrip("%")) == 100.0
    today = _style(rows[0], "fk-tl-today")
    assert today["left"] == f"{100 * 3.5 / 27:.2f}%"  # the middle of Mon 10 Mar
    assert all("fk-tl-today" in row for row in rows)


def test_a_done_step_is_green_says_when_it_was_sent_and_has_a_dot():
    plan = plan_follow_ups(
        "2025-03-07", interviewers=["Dana Lee"], done={"thank_you": ["2025-03-08"]}
    )
    html = plan_timeline_html(plan, today="2025-03-12")
    row = _rows(html)[0]
    assert "fk-tl-done" in row and STATE_COLOURS["done"] in row
    assert "Done" in _visible(row) and "sent Sat 8 Mar 2025" in _visible(row)
    assert _style(row, "fk-tl-sent")["left"] == f"{100 * 1.5 / 27:.2f}%"
    assert "a dot marks the day a step was sent" in html
    assert html.count("fk-tl-sent") == 1 + html.count(".fk-tl-sent")  # one dot, plus the CSS


def test_every_state_is_in_words_and_colour():
    day = pd.Timestamp("2025-03-07")
    plan = pd.DataFrame(
        {
            "step": ["thank_you"] * 5,
            "interviewer": ["A", "B", "C", "D", "E"],
            "start": [day] * 5,
            "due": [day] * 5,
            "state": list(STATE_COLOURS),
            "done_on": [pd.NaT] * 5,
        }
    )
    html = plan_timeline_html(plan, today="2025-03-20")
    for row, state in zip(_rows(html), STATE_COLOURS, strict=True):
        assert STATE_WORDS[state] in _visible(row) and STATE_COLOURS[state] in row


def test_names_are_escaped_and_no_raw_values_show():
    plan = plan_follow_ups("2025-03-07", interviewers=["Sam <b>Ortiz</b> & co"])
    html = plan_timeline_html(plan, today=date(2025, 3, 10), title="<i>Plan</i>")
    assert "Sam &lt;b&gt;Ortiz&lt;/b&gt; &amp; co" in html and "<b>Ortiz" not in html
    assert "&lt;i&gt;Plan&lt;/i&gt;" in html
    raw = re.compile(r"<NA>|\bNaN\b|\bnan\b|\bNone\b|\bNaT\b|\d{4}-\d{2}-\d{2}|\b[a-z]+_[a-z_]+\b")
    assert raw.findall(_visible(html)) == []


def test_it_reflows_on_a_phone_and_an_empty_plan_draws_nothing():
    html = plan_timeline_html(plan_follow_ups("2025-03-07"), today="2025-03-10")
    narrow = html.split("@media (max-width: 640px)")[1]
    assert ".fk-tl-row, .fk-tl-axis { grid-template-columns: minmax(0, 1fr);" in narrow
    assert "overflow-wrap: anywhere" in html  # long names wrap, never scroll sideways
    assert plan_timeline_html(plan_follow_ups("2025-03-07").iloc[:0], today="2025-03-10") == ""
