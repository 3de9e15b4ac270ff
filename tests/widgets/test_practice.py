"""Notebook 03's guided page: the plan's open steps, the step's script, logging it."""

from __future__ import annotations

from datetime import date

import pytest
from practice_helpers import rows

from followup_kit.widgets import practice
from followup_kit.widgets.practice import SOMETHING_ELSE, PracticePage, sending_choices


@pytest.fixture
def panel(wb):
    """A client with yesterday's panel interview of two people (Sam has an email)."""
    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(
        cid,
        "Acme",
        "Analyst",
        date(2025, 3, 19),
        round="panel",
        interviewers=[
            "Dana Lee",
            {"name": "Sam Ortiz", "title": "CTO", "email": "sam@acme.example"},
        ],
    )
    people = wb.interviewers().set_index("name")["id"]
    return {"client": cid, "interview": iid, "dana": int(people["Dana Lee"]),
            "sam": int(people["Sam Ortiz"])}  # fmt: skip


def test_what_are_you_sending_lists_the_open_steps_in_words(wb, panel):
    page = PracticePage(wb, client_id=panel["client"])
    labels = [label for label, _ in page.sending.options]
    assert labels == [
        "Thank-you note to Dana Lee \u2014 due Thu 20 Mar 2025",
        "Thank-you note to Sam Ortiz \u2014 due Thu 20 Mar 2025",
        "First status check \u2014 due Wed 26 Mar 2025",
        "Second follow-up \u2014 due Wed 2 Apr 2025",
        "Something else: choose the situation yourself",
    ]
    assert page.sending.value == ("thank_you", panel["dana"], "panel_thank_you")
    ed = page.editor
    assert (ed.step.value, ed.interviewer.value, ed.script.value) == (
        "thank_you",
        panel["dana"],
        "panel_thank_you",
    )
    assert "Dana" in ed.text.value and "Sam" not in ed.text.value.split("\n\n")[1]


def test_the_second_interviewers_thank_you_is_logged_to_them_and_the_choice_moves_on(wb, panel):
    page = PracticePage(wb, client_id=panel["client"])
    page.sending.value = page.sending.options[1][1]  # the thank-you to Sam
    ed = page.editor
    assert ed.interviewer.value == panel["sam"] and "Sam" in ed.text.value
    assert "mailto:sam@acme.example?subject=" in ed.mail_link.value
    ed.text.value = ed.text.value.replace("Best regards", "Warm regards")
    ed.log_button.click()
    (logged,) = rows(wb, "follow_ups")
    assert (logged["kind"], logged["interviewer_id"], logged["channel"]) == (
        "thank_you",
        panel["sam"],
        "email",
    )
    assert (logged["script_id"], logged["script_version"]) == ("panel_thank_you", "1.0")
    assert logged["sent_on"].date() == wb.today
    # The plan moved on: Sam's thank-you is done, Dana's is still open and now chosen.
    thanks = page.plan[page.plan["step"] == "thank_you"].set_index("interviewer")["state"]
    assert thanks["Sam Ortiz"] == "done" and thanks["Dana Lee"] == "open"
    labels = [label for label, _ in page.sending.options]
    assert not any("Sam Ortiz" in label for label in labels)
    assert page.sending.value == ("thank_you", panel["dana"], "panel_thank_you")
    assert ed.interviewer.value == panel["dana"]
    assert "Next on your plan: Thank-you note to Dana Lee, due Thu 20 Mar 2025." in (
        ed.status_html.value
    )
    assert "Thank-you note to Sam Ortiz, sent by email" in page.sent_list.value
    assert "Thank-you notes after a panel interview" in page.sent_list.value
    assert "panel_thank_you" not in page.sent_list.value  # words, never ids


def test_something_else_opens_the_situation(wb, panel):
    page = PracticePage(wb, client_id=panel["client"])
    page.sending.value = SOMETHING_ELSE
    assert page.editor.situation.selected_index == 0 and page.editor.step.value is None


def test_a_step_asked_for_is_chosen_when_it_is_open(wb, panel):
    page = PracticePage(wb, client_id=panel["client"], step="status_check")
    assert page.sending.value[0] == "status_check"
    assert page.editor.script.value == "decision_check_call"


def test_nothing_due_says_so_and_offers_something_else(wb, panel):
    wb.update_interview(panel["interview"], status="offer")
    page = PracticePage(wb, client_id=panel["client"])
    assert [v for _, v in page.sending.options] == [SOMETHING_ELSE]
    assert "Nothing is due" in page.sending_note.value
    assert page.editor is not None and page.editor.step.value is None


def test_no_client_or_no_interview_says_what_to_do(wb):
    page = PracticePage(wb)
    assert "Choose your name" in page.fill_box.children[0].value and page.editor is None
    cid = wb.add_client("Bo")
    page = PracticePage(wb, client_id=cid)
    assert "Log an interview first" in page.send_box.children[0].value


def test_sending_choices_say_overdue_and_skip_what_is_not_sent(wb, panel):
    import followup_kit as fk

    plan = fk.plan_follow_ups(date(2025, 3, 4), interviewers=["Dana Lee"])
    plan["state"] = ["overdue", "open", "open", "open"][: len(plan)]
    labels = [label for label, _ in sending_choices(plan)]
    assert labels[0] == "Thank-you note to Dana Lee \u2014 overdue, was due Wed 5 Mar 2025"
    assert not any("ghosted" in label for label in labels)


def test_app_mode_hides_the_run_all_line(monkeypatch, wb, panel):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    page = PracticePage(wb, client_id=panel["client"])
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_REQUEST_URL", raising=False)
    assert not practice.in_app_mode()
    page._ipython_display_()
    assert shown == [page.box]
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    assert practice.in_app_mode()
    shown.clear()
    page._ipython_display_()
    assert ".fk-lab-only" in shown[0].data and shown[1] is page.box
