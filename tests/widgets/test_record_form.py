"""The record form: what was sent, what came back, reflections; editing and deleting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import TODAY
from form_helpers import click_delete, find_row, texts

import followup_kit as fk
from followup_kit.library import get_script


def test_logging_a_follow_up_and_a_reply_with_a_reflection(filled):
    wb = filled
    iid = wb.ids["interview"]
    form = fk.record_form(wb, client_id=wb.ids["client"])
    assert form.interview.value == iid
    people = dict((label, v) for label, v in form.sent.fields["interviewer_id"].widget.options)
    assert set(people) == {"Everyone / not one person", "Dana Lee", "Sam Ortiz (CTO)"}
    sent = form.sent.fields
    sent["kind"].value = "status_check"
    sent["channel"].value = "phone"
    sent["sent_on"].value = date(2025, 3, 12)
    sent["interviewer_id"].value = people["Sam Ortiz (CTO)"]
    sent["script_id"].value = "decision_check_call"
    form.sent.save.click()
    said = form.sent.status.value
    assert "Saved: Status check by phone call to Sam Ortiz (CTO) on Wed 12 Mar 2025" in said
    assert "with the script <i>Calling to ask whether a decision has been made</i>" in said
    row = wb.follow_ups().iloc[-1]
    assert (row["kind"], row["channel"], row["script_id"]) == (
        "status_check",
        "phone",
        "decision_check_call",
    )
    assert row["interviewer_id"] == people["Sam Ortiz (CTO)"]
    assert row["script_version"] == get_script("decision_check_call").version

    reply = form.reply.fields
    reply["received_on"].value = date(2025, 3, 18)
    reply["result"].value = "offer"
    reply["feedback"].value = "Strong on the case study"
    reply["reflection"].worked.value = "Calling on the promised day"
    reply["reflection"].change.value = "Ask about start dates"
    form.reply.save.click()
    assert "Offer" in form.reply.status.value
    stored = wb.responses().iloc[-1]
    assert stored["reflection"] == (
        "What worked: Calling on the promised day\nWhat I'd change next time: Ask about start dates"
    )
    assert "Calling on the promised day" in form.overview.value  # beside the outcome
    assert "Offer, Tue 18 Mar 2025" in form.overview.value
    listed = " ".join(texts(form.entries))
    assert "Sent: Status check by phone call to Sam Ortiz" in listed
    assert "Reply: Offer. Their feedback: Strong on the case study" in listed
    assert "with the script “Calling to ask whether a decision has been made”" in listed
    assert form.sent.fields["sent_on"].value == TODAY  # ready for the next one, dated today
    assert form.sent.fields["notes"].value == ""


def test_date_sent_and_date_of_the_reply_start_on_today(filled):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    assert form.sent.fields["sent_on"].value == TODAY
    assert form.reply.fields["received_on"].value == TODAY
    assert not form.sent.save.disabled  # a thank-you sent today needs no other field
    form.sent.fields["sent_on"].value = date(2025, 3, 12)
    form.sent.clear()
    assert form.sent.fields["sent_on"].value == TODAY


def test_sent_to_and_script_used_open_in_words_without_interviewers(wb, cid):
    wb.log_interview(cid, "Acme", "Analyst", date(2025, 3, 4))  # nobody named
    form = fk.record_form(wb, client_id=cid)
    to, script = (form.sent.fields[n].widget for n in ("interviewer_id", "script_id"))
    assert (_shown(to), _shown(script)) == ("Everyone / not one person", "No script")


def _shown(dropdown) -> str | None:
    """What the browser shows in a dropdown: the label at ``index`` (blank when None)."""
    return None if dropdown.index is None else dropdown.options[dropdown.index][0]


def test_after_a_save_sent_to_and_script_used_show_what_was_saved(filled):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    sent = form.sent.fields
    to, script = sent["interviewer_id"].widget, sent["script_id"].widget
    assert (_shown(to), _shown(script)) == ("Everyone / not one person", "No script")
    sam = dict(to.options)["Sam Ortiz (CTO)"]
    sent["interviewer_id"].value = sam
    sent["script_id"].value = "thank_you_note"
    form.sent.save.click()
    assert "Saved:" in form.sent.status.value
    assert _shown(to) == "Sam Ortiz (CTO)" and to.value == sam
    assert _shown(script) == "Thank-you note after an interview"
    assert _shown(sent["kind"].widget) == "Thank-you note"

    form.sent.clear()  # a fresh form shows its defaults in words, never a blank box
    assert (_shown(to), _shown(script)) == ("Everyone / not one person", "No script")
    form.interview.value = None
    form.interview.value = filled.ids["interview"]
    assert _shown(to) == "Everyone / not one person"


def test_feedback_and_reflection_read_as_sentences_without_double_stops(filled):
    wb = filled
    iid = wb.ids["interview"]
    wb.log_response(
        iid,
        received_on=date(2025, 3, 18),
        channel="email",
        result="still_deciding",
        feedback="They will decide next week.",
        reflection="Patience",
    )
    form = fk.record_form(wb, client_id=wb.ids["client"])
    listed = " ".join(texts(form.entries))
    assert "Their feedback: They will decide next week. Your reflection: Patience" in listed
    assert ".." not in listed


def test_overview_carries_labels_for_cards_on_a_phone(filled):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    html = form.overview.value
    assert "fk-cards" in html and "<thead>" in html
    for label in ("Interview", "Company", "Role", "Status", "Follow-ups sent", "Latest reply"):
        assert f"data-label='{label}'" in html
    assert "fk-page" in form.box._dom_classes
    assert "@media (max-width" in form.box.children[0].value


@pytest.mark.parametrize("part", ["sent", "reply"])
def test_sent_and_received_dates_cannot_be_in_the_future_or_before(filled, part):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    sub = getattr(form, part)
    field = sub.fields["sent_on" if part == "sent" else "received_on"]
    field.value = TODAY + timedelta(days=1)
    assert sub.save.disabled and "Cannot be in the future." in field.message.value
    field.value = date(2025, 3, 3)  # the day before the interview
    assert sub.save.disabled and "before the interview" in field.message.value
    field.value = TODAY
    assert not sub.save.disabled and field.message.value == ""


def test_a_too_long_reflection_is_refused_beside_it(filled):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    form.reply.fields["received_on"].value = date(2025, 3, 12)
    form.reply.fields["reflection"].worked.value = "x" * 5000
    assert form.reply.save.disabled
    assert "5000 characters" in form.reply.fields["reflection"].message.value


def test_without_an_interview_the_record_form_says_to_log_one(wb, cid):
    form = fk.record_form(wb, client_id=cid)
    assert form.interview.value is None
    form.sent.fields["sent_on"].value = date(2025, 3, 5)
    assert form.sent.save.disabled and "choose the interview" in form.sent.hint.value
    assert "No interviews logged yet" in form.overview.value


def test_editing_a_reply_keeps_its_reflection_in_two_parts(filled):
    wb = filled
    rid = int(wb.responses()["id"].iloc[0])
    wb.update_response(rid, reflection="What worked: a short note\nWhat I'd change next time: x")
    form = fk.record_form(wb, client_id=wb.ids["client"])
    find_row(form.entries, "Reply: Next round").children[1].click()
    reflection = form.reply.fields["reflection"]
    assert (reflection.worked.value, reflection.change.value) == ("a short note", "x")
    assert form.reply.fields["received_on"].value == date(2025, 3, 11)
    reflection.change.value = "call two days earlier"
    form.reply.fields["result"].value = "still_deciding"
    form.reply.save.click()
    stored = wb.responses().set_index("id").loc[rid]
    assert stored["result"] == "still_deciding"
    assert stored["reflection"].endswith("What I'd change next time: call two days earlier")
    assert "Changed: the reply from <b>Acme</b>" in form.reply.status.value


def test_editing_a_follow_up_keeps_its_script_version(filled):
    wb = filled
    fid = int(wb.follow_ups()["id"].iloc[0])
    wb.update_follow_up(fid, script_id="thank_you_note", script_version="0.9")
    form = fk.record_form(wb, client_id=wb.ids["client"])
    find_row(form.entries, "Sent: Thank-you note").children[1].click()
    assert form.sent.editing == fid
    form.sent.fields["notes"].value = "Mentioned the data migration"
    form.sent.save.click()
    row = wb.follow_ups().set_index("id").loc[fid]
    assert (row["notes"], row["script_version"]) == ("Mentioned the data migration", "0.9")


def test_deleting_a_follow_up_asks_first(filled):
    form = fk.record_form(filled, client_id=filled.ids["client"])
    confirm = click_delete(find_row(form.entries, "Sent: Thank-you note"))
    assert "Delete the follow-up of Tue 4 Mar 2025 (Acme)? Only this entry goes." in (
        confirm.children[0].value
    )
    confirm.children[1].click()
    assert filled.follow_ups().empty and len(filled.responses()) == 1
    assert "Deleted 1 follow-up." in form.entries_status.value
    assert "Sent:" not in " ".join(texts(form.entries))


def test_interviews_are_chosen_in_the_words_of_the_plan_page(filled):
    wb = filled
    later = wb.log_interview(
        wb.ids["client"], "Globex", "Engineer", TODAY - timedelta(days=1), interviewers=["Kim"]
    )
    form = fk.record_form(wb, client_id=wb.ids["client"])
    plan = fk.plan_view(wb, client_id=wb.ids["client"])
    assert form.interview.options[1:] == plan.interview.options  # newest first, same words
    assert form.interview.options[1][1] == later and form.interview.value == later
    assert form.interview.options[0] == ("Choose the interview", None)
