"""The plan view of notebook 02, driven without a browser."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from datetime import date

import icalendar
import pandas as pd
import pytest
from builders import TODAY
from form_helpers import shown_in

import followup_kit as fk
from followup_kit.widgets.plan import PlanForm, interview_choices, plan_table_html


@pytest.fixture
def book(wb):
    cid = wb.add_client("Alex Rivera", country="US")
    other = wb.add_client("Bea Okafor", country="GB")
    acme = wb.log_interview(
        cid, "Acme", "Analyst", date(2025, 3, 4), interviewers=["Dana Lee", "Sam <b>Ortiz</b>"]
    )
    globex = wb.log_interview(cid, "Globex", "Engineer", date(2025, 3, 18))
    hooli = wb.log_interview(other, "Hooli", "Designer", date(2025, 3, 19))
    wb.ids = {"client": cid, "other": other, "acme": acme, "globex": globex, "hooli": hooli}
    return wb


def form_for(wb, **kwargs):
    form = fk.plan_view(wb, today=TODAY, **kwargs)
    return form.box, form


def pick_step(form, step, interviewer=None):
    for _label, value in form.step.options:
        if value[0] == step and (interviewer is None or value[2] == interviewer):
            form.step.value = value
            return value
    raise AssertionError(f"{step} not offered: {form.step.options}")


def test_interviews_listed_newest_first_in_plain_words(book):
    box, form = form_for(book, client_id=book.ids["client"])
    assert [label for label, _ in form.interview.options] == [
        "Globex, Engineer, Tue 18 Mar 2025",
        "Acme, Analyst, Tue 4 Mar 2025",
    ]
    assert form.interview.value == book.ids["globex"]
    assert shown_in(form.interview, box)


def test_nothing_shown_until_a_client_is_chosen(book):
    _, form = form_for(book)
    assert form.client_id is None and form.interview.options == ()
    assert "Choose your name above" in form.table.value
    assert form.sent_button.disabled and form.skip_button.disabled
    form.picker.dropdown.value = book.ids["other"]
    assert [label for label, _ in form.interview.options] == ["Hooli, Designer, Wed 19 Mar 2025"]
    assert "Hooli" in form.next_steps.value and "Acme" not in form.next_steps.value


def test_next_steps_list_the_clients_open_steps(book):
    _, form = form_for(book, client_id=book.ids["client"])
    text = form.next_steps.value
    assert text.startswith("<p><b>Your next steps</b>")
    # No decision date: the check is due 5 business days after the interview of 4 Mar.
    assert "<b>Overdue</b>: First status check (Acme), due Tue 11 Mar 2025" in text
    assert "<b>Overdue</b>: Second follow-up (Acme), due Tue 18 Mar 2025" in text
    assert "<b>This week</b>: First status check (Globex), due Tue 25 Mar 2025" in text
    assert "Hooli" not in text


def test_jupyterhub_user_sees_only_their_own_record(book):
    cid = book.add_client("Cal Nguyen", username="cal")
    book.log_interview(cid, "Initech", "Planner", date(2025, 3, 17))
    _, form = form_for(book, username="cal")
    assert form.client_id == cid and form.picker.dropdown.disabled
    assert [label for label, _ in form.interview.options] == ["Initech, Planner, Mon 17 Mar 2025"]


def test_plan_table_chart_and_names_are_escaped(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    html = form.table.value
    assert "Sam &lt;b&gt;Ortiz&lt;/b&gt;" in html and "<b>Ortiz" not in html
    assert "Tue 11 Mar 2025" in html and "First status check" in html
    assert "Missed (too late to help now)" in html  # both thank-yous are 11 days late
    chart = form.chart.value
    assert chart.startswith('<div class="fk-tl">') and "<img" not in chart
    assert "Thank-you note to Sam &lt;b&gt;Ortiz&lt;/b&gt;" in chart and "<b>Ortiz" not in chart
    assert chart.count('<li class="fk-tl-row ') == 5
    assert len(form.plan) == 5


def test_i_sent_it_logs_a_thank_you_to_the_named_interviewer(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    dana = pick_step(form, "thank_you", "Dana Lee")
    form.channel.value = "handwritten"
    form.sent_on.value = date(2025, 3, 6)
    form.sent_button.click()
    sent = book.follow_ups()
    assert len(sent) == 1
    row = sent.iloc[0]
    assert (row["kind"], row["channel"], row["interviewer_id"]) == (
        "thank_you",
        "handwritten",
        dana[1],
    )
    assert row["sent_on"] == pd.Timestamp("2025-03-06")
    assert row["script_id"] == "thank_you_note"
    assert "Logged: Thank-you note to Dana Lee on Thu 6 Mar 2025" in form.message.value
    states = dict(
        zip(form.plan["interviewer"].fillna(""), form.plan["state"].astype(str), strict=True)
    )
    assert states["Dana Lee"] == "done"
    assert all(v[2] != "Dana Lee" for _, v in form.step.options)


def test_i_sent_it_logs_follow_ups_as_status_checks(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    pick_step(form, "second_follow_up")
    form.channel.value = "phone"
    form.sent_button.click()
    row = book.follow_ups().iloc[0]
    assert (row["kind"], row["channel"], row["sent_on"]) == (
        "status_check",
        "phone",
        pd.Timestamp(TODAY),
    )
    assert pd.isna(row["interviewer_id"])


def test_gracious_reply_then_feedback_request_after_a_rejection(book):
    book.log_response(book.ids["globex"], received_on=TODAY, result="rejection")
    _, form = form_for(book, client_id=book.ids["client"])
    assert [v[0] for _, v in form.step.options] == [
        "gracious_reply",
        "feedback_request",
        "reconnect",
    ]
    assert form.step.value[0] == "gracious_reply"  # offered first
    form.sent_button.click()
    assert form.step.value[0] == "feedback_request"
    form.sent_button.click()
    assert book.follow_ups()["kind"].tolist() == ["other", "feedback_request"]
    # What is left: a friendly note a few months on.
    assert [v[0] for _, v in form.step.options] == ["reconnect"]


def test_close_as_ghosted_button(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    assert form.sent_button.description == "I sent it"
    pick_step(form, "close_as_ghosted")
    assert form.sent_button.description == "Close as ghosted"
    form.sent_button.click()
    assert book.interviews().set_index("id").loc[book.ids["acme"], "status"] == "ghosted"
    assert "Closed as ghosted" in form.message.value
    left = form.plan[form.plan["step"] != "reconnect"]
    assert set(left["state"].astype(str)) <= {"done", "skipped", "missed"}
    assert [v[0] for _, v in form.step.options] == ["reconnect"]  # a few months on


def test_a_refused_entry_is_reported_and_nothing_saved(book):
    _, form = form_for(book, client_id=book.ids["client"])
    pick_step(form, "thank_you")
    form.sent_on.value = date(2025, 3, 1)  # before the interview
    form.sent_button.click()
    assert book.follow_ups().empty
    assert "Not saved" in form.message.value and "sent_on" in form.message.value


def test_skip_with_reason_and_note_then_undo(book):
    _, form = form_for(book, client_id=book.ids["client"])
    pick_step(form, "status_check")
    form.reason.value = "No contact address"
    form.note.value = "HR <never> answered"
    form.skip_button.click()
    skipped = book.skipped_steps()
    assert skipped["reason"].tolist() == ["No contact address: HR <never> answered"]
    assert skipped["step"].tolist() == ["status_check"]
    assert "status_check" not in [v[0] for _, v in form.step.options]
    assert form.note.value == ""
    assert form.skipped.options == (
        ("First status check: No contact address: HR <never> answered", int(skipped["id"][0])),
    )
    assert "&lt;never&gt;" in form.table.value or "never" not in form.table.value
    agenda = book.agenda(today=TODAY, client_id=book.ids["client"])
    globex = agenda[agenda["company"] == "Globex"]
    assert "status_check" not in set(globex["step"].astype(str))
    form.undo_button.click()
    assert book.skipped_steps().empty
    assert "status_check" in [v[0] for _, v in form.step.options]
    assert "Back on the plan: First status check" in form.message.value
    assert form.undo_button.disabled


def test_skip_one_thank_you_of_a_panel(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    pick_step(form, "thank_you", "Sam <b>Ortiz</b>")
    form.reason.value = "The client chose not to"
    form.skip_button.click()
    row = book.skipped_steps().iloc[0]
    assert (row["step"], row["interviewer"], row["reason"]) == (
        "thank_you",
        "Sam <b>Ortiz</b>",
        "The client chose not to",
    )
    states = dict(
        zip(form.plan["interviewer"].fillna(""), form.plan["state"].astype(str), strict=True)
    )
    assert states["Sam <b>Ortiz</b>"] == "skipped" and states["Dana Lee"] == "missed"


def test_download_link_holds_the_open_steps(book):
    _, form = form_for(book, client_id=book.ids["client"])
    link = form.download.value
    assert 'download="follow-up-Globex-2025-03-18.ics"' in link
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)
    cal = icalendar.Calendar.from_ical(base64.b64decode(data))
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == int(form.plan["state"].isin(["open", "overdue"]).sum()) == 4


def test_client_without_interviews(wb):
    cid = wb.add_client("Dee")
    _, form = form_for(wb, client_id=cid)
    assert "No interviews logged yet" in form.table.value
    assert "nothing open" in form.next_steps.value
    assert form.sent_button.disabled and form.skip_button.disabled and form.undo_button.disabled
    form.sent_button.click()  # nothing to do, nothing breaks
    assert wb.follow_ups().empty


def test_plan_view_is_its_own_object(book):
    form = fk.plan_view(book, client_id=book.ids["client"], today=TODAY)
    assert isinstance(form, PlanForm) and not hasattr(form.box, "form")
    assert form._repr_mimebundle_()["text/plain"] == "<PlanForm>"


def test_plain_html_helpers(book):
    assert interview_choices(book.interviews().iloc[0:0]) == []
    assert plan_table_html(pd.DataFrame()).startswith("<p>Nothing to plan")


_RAW = re.compile(r"<NA>|\bNaN\b|\bnan\b|\bNone\b|\d{4}-\d{2}-\d{2}|\b[a-z]+_[a-z_]+\b")


def _visible(html: str) -> str:
    """The words a browser shows: no tags, attributes or style sheet."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_example_plan_reads_in_plain_words_and_becomes_cards_on_a_phone():
    example = fk.plan_follow_ups("2025-03-07", interviewers=["Dana Lee", "Sam Ortiz"])
    shown = fk.plan_table(example)
    html = shown._repr_html_()
    words = _visible(html)
    assert _RAW.findall(words) == []
    assert "Thank-you note to Dana Lee" in words and "Close as ghosted and move on" in words
    assert "Mon 10 Mar 2025" in words and "1 business day later" in words
    assert "1 business days" not in words
    assert '<table class="fk-plan fk-cards">' in html and "@media (max-width" in html
    assert 'data-label="Due by"' in html and 'data-label="Why"' in html
    assert "<th>Status</th>" not in html  # only the columns asked for
    assert repr(shown).splitlines() == [
        "Thank-you note to Dana Lee: from Fri 7 Mar 2025, due by Mon 10 Mar 2025",
        "Thank-you note to Sam Ortiz: from Fri 7 Mar 2025, due by Mon 10 Mar 2025",
        "First status check: from Wed 12 Mar 2025, due by Fri 14 Mar 2025",
        "Second follow-up: from Wed 19 Mar 2025, due by Fri 21 Mar 2025",
        "Close as ghosted and move on: from Wed 2 Apr 2025, due by Wed 2 Apr 2025",
    ]


def test_the_live_plan_names_scripts_steps_and_dates_in_words(book):
    _, form = form_for(book, client_id=book.ids["client"])
    form.interview.value = book.ids["acme"]
    words = _visible(form.table.value)
    assert _RAW.findall(words) == []
    assert "Thank-you note after an interview" in words  # a script's title, not its id
    for label in ("Step", "From", "Due by", "Status", "Suggested script", "Why"):
        assert f'data-label="{label}"' in form.table.value
    chart = form.chart.value  # HTML that reflows: the words above the bars on a phone
    assert "@media (max-width: 640px)" in chart and "grid-template-columns" in chart
    assert _RAW.findall(_visible(chart)) == []
    assert "fk-timeline" in form.chart._dom_classes
    assert _RAW.findall(_visible(form.download.value)) == []  # the file name is not shown
    assert "fk-page" in form.box._dom_classes and "fk-plan-form" in form.box._dom_classes


def test_skipped_steps_show_only_when_there_are_some_with_a_label(book):
    _, form = form_for(book, client_id=book.ids["client"])
    assert form.skipped_row.layout.display == "none"  # nothing skipped: no empty box
    pick_step(form, "status_check")
    form.skip_button.click()
    assert form.skipped_row.layout.display is None
    assert form.skipped.description == "Skipped"
    assert form.skipped.layout.width == "30em" and form.skipped.label.startswith("First status")
    assert form.undo_button.description == "Put it back"
    form.undo_button.click()
    assert form.skipped_row.layout.display == "none"


def test_every_page_shares_one_stylesheet_with_a_phone_breakpoint(book):
    plan = fk.plan_view(book, client_id=book.ids["client"], today=TODAY)
    record = fk.record_form(book, client_id=book.ids["client"])
    interview = fk.interview_form(book, client_id=book.ids["client"])
    sheets = [f.box.children[0] for f in (plan, record, interview)]
    assert sheets[0] is sheets[1] is sheets[2]  # one widget, sent to the page once
    css = sheets[0].value
    assert "@media (max-width: 640px)" in css and "flex-wrap: wrap" in css
    assert "table.fk-cards thead { display: none; }" in css


_PAGE_PROBE = """
import json, sys, tempfile
from datetime import date
from pathlib import Path

import followup_kit as fk
from followup_kit.widgets.plan import PlanForm

with fk.open_workbook(Path(tempfile.mkdtemp()) / "wb.sqlite", today="2025-03-20") as wb:
    cid = wb.add_client("Alex Rivera")
    wb.log_interview(cid, "Acme", "Analyst", date(2025, 3, 14), interviewers=["Sam Ortiz"])
    form = fk.plan_view(wb, client_id=cid)
    assert isinstance(form, PlanForm) and "fk-tl-row" in form.chart.value
print(json.dumps(sorted(m for m in ("matplotlib", "PIL") if m in sys.modules)))
"""


def test_the_plan_page_never_loads_matplotlib(tmp_path):
    """Each client page's kernel stays small: the timeline is HTML, not a chart."""
    env = {**os.environ, "HOME": str(tmp_path), "FOLLOWUP_DATA_DIR": str(tmp_path)}
    out = subprocess.check_output([sys.executable, "-c", _PAGE_PROBE], text=True, env=env)
    assert json.loads(out.splitlines()[-1]) == []
