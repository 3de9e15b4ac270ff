"""The interview form driven without a browser: set values, click, check the store."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from builders import TODAY
from form_helpers import XSS, click_delete, fill_interview, find_row, texts

import followup_kit as fk
from followup_kit.exceptions import Problem, StoreError, ValidationError
from followup_kit.formatting import escape_html


def test_forms_display_as_their_box_with_a_stable_text(wb, cid):
    bundle = fk.interview_form(wb, client_id=cid)._repr_mimebundle_()
    assert bundle["text/plain"] == "<InterviewForm>"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_valid_interview_is_saved_confirmed_and_the_form_clears(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    assert form.save.disabled
    assert "fill in: Company, Role, Interview date" in form.hint.value
    fill_interview(form, decision_expected=date(2025, 3, 14), notes="Met the team")
    second = form.add_interviewer()
    second.name.value, second.title.value, second.email.value = "Sam Ortiz", "CTO", "sam@acme.test"
    assert not form.save.disabled and form.hint.value == ""
    form.save.click()

    iv = wb.interviews().iloc[0]
    assert (iv["company"], iv["role"], iv["round"], iv["notes"]) == (
        "Acme",
        "Analyst",
        "panel",
        "Met the team",
    )
    assert iv["interview_date"] == pd.Timestamp("2025-03-04")
    people = wb.interviewers()[["name", "title", "email"]].astype(object)
    assert people.where(people.notna(), None).values.tolist() == [
        ["Dana Lee", None, None],
        ["Sam Ortiz", "CTO", "sam@acme.test"],
    ]
    status = form.status.value
    assert "Saved: Panel interview at <b>Acme</b>" in status
    assert "Tue 4 Mar 2025" in status and "Dana Lee and Sam Ortiz" in status
    # cleared for the next entry, and listed below
    assert form.fields["company"].value == "" and form.fields["interview_date"].value is None
    assert len(form.interviewers) == 1 and form.interviewers[0].blank
    assert form.save.disabled and form.editing is None
    assert "Acme" in texts(form.entries)[0]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda f: f.fields["company"].__setattr__("value", ""), "company", "fill in company"),
        (lambda f: f.fields["role"].__setattr__("value", "  "), "role", "fill in role"),
        (lambda f: f.fields["company"].__setattr__("value", "x" * 201), "company", "200 char"),
        (
            lambda f: f.fields["interview_date"].__setattr__("value", None),
            "interview_date",
            "fill in interview date",
        ),
        (
            lambda f: f.fields["interview_date"].__setattr__("value", TODAY + timedelta(800)),
            "interview_date",
            "more than two years ahead",
        ),
        (
            lambda f: f.fields["interview_date"].__setattr__("value", date(1999, 5, 1)),
            "interview_date",
            "before 2000",
        ),
        (
            lambda f: f.fields["decision_expected"].__setattr__("value", date(2025, 3, 1)),
            "decision_expected",
            "cannot be before the interview",
        ),
        (
            lambda f: f.interviewers[0].email.__setattr__("value", "dana-at-acme"),
            "interviewers",
            "does not look like an email",
        ),
        (
            lambda f: f.add_interviewer(title="CTO"),
            "interviewers",
            "Interviewer&#x27;s name: please fill in",
        ),
        (
            lambda f: f.interviewers[0].name.__setattr__("value", "D" * 121),
            "interviewers",
            "120 char",
        ),
    ],
)
def test_each_invalid_field_blocks_save_with_its_message(wb, cid, change, where, message):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    assert not form.save.disabled
    change(form)
    assert form.save.disabled
    if where == "interviewers":
        shown = " ".join(r.message.value for r in form.interviewers)
    else:
        shown = form.fields[where].message.value
    assert message in shown
    form.save.click()  # a click that slips through still saves nothing
    assert wb.interviews().empty


def test_no_client_chosen_blocks_save_and_says_so(wb, cid):
    form = fk.interview_form(wb)
    fill_interview(form)
    assert form.save.disabled
    assert "choose your name" in form.hint.value.lower()
    assert "Choose your name first" in form.picker.message.value
    form.picker.dropdown.value = cid
    assert not form.save.disabled and form.picker.message.value == ""


def test_an_empty_interviewer_row_blocks_save_and_names_the_row(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    spare = form.add_interviewer()
    assert form.save.disabled
    assert "give the name of interviewer 2, or remove the empty row" in form.hint.value
    form.save.click()  # a click that slips through writes nothing, half or whole
    form._on_save()
    assert wb.interviews().empty and wb.interviewers().empty
    spare.title.value = "CTO"
    assert "Interviewer&#x27;s name: please fill in" in spare.message.value
    spare.title.value = ""  # touched and empty again: the row itself says what to do
    assert "Give this interviewer&#x27;s name, or press Remove" in spare.message.value
    bad = form.add_interviewer(email="nope")
    form.remove_interviewer(bad)
    form.remove_interviewer(spare)
    assert not form.save.disabled
    form.save.click()
    assert wb.interviewers()["name"].tolist() == ["Dana Lee"]


def test_an_interview_without_interviewers_needs_the_row_removed(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    form.interviewers[0].name.value = ""
    assert form.save.disabled
    assert "give your interviewer&#x27;s name (or press Remove" in form.hint.value
    form.remove_interviewer(form.interviewers[0])
    assert form._add_row.description == "Add an interviewer"
    assert not form.save.disabled
    form.save.click()
    assert len(wb.interviews()) == 1 and wb.interviewers().empty
    # Editing it shows no empty row to fill in, so its changes can be saved.
    form.edit(int(wb.interviews()["id"].iloc[0]))
    assert form.interviewers == [] and not form.save.disabled


def test_the_contacts_and_greetings_are_saved_and_come_back_for_editing(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form, contact_route="agency", posting_link="acme.example/jobs/42")
    for name, value in (
        ("hr_name", "Priya Shah"),
        ("hr_email", "priya@agency.example"),
        ("hr_phone", "+44 20 7946 0000"),
    ):
        form.fields[name].value = value
    dana = form.interviewers[0]
    dana.title.value, dana.email.value = "Head of Data", "dana@acme.example"
    assert dana.greet_as.value == "first_name" and dana.honorific.layout.display == "none"
    sam = form.add_interviewer("Sam Ortiz")
    sam.greet_as.value = "title_surname"
    assert sam.honorific.layout.display != "none"
    assert form.save.disabled  # title and surname, but which title?
    assert "give the title (e.g. Dr, Ms, Mr)" in sam.message.value
    sam.honorific.value = "Dr"
    assert not form.save.disabled
    form.save.click()

    iv = wb.interviews().iloc[0]
    assert (iv["hr_name"], iv["hr_email"], iv["hr_phone"], iv["posting_link"]) == (
        "Priya Shah",
        "priya@agency.example",
        "+44 20 7946 0000",
        "https://acme.example/jobs/42",
    )
    people = wb.interviewers().set_index("name")
    assert people.loc["Dana Lee", "email"] == "dana@acme.example"
    assert pd.isna(people.loc["Dana Lee", "greet_as"])  # the coach's setting decides
    assert (people.loc["Sam Ortiz", "greet_as"], people.loc["Sam Ortiz", "honorific"]) == (
        "title_surname",
        "Dr",
    )
    ctx = fk.context_for(wb, int(iv["id"]), interviewer_id=int(people.loc["Sam Ortiz", "id"]))
    assert ctx["interviewer"] == "Dr Ortiz" and ctx["recruiter"] == "Priya Shah"

    form.edit(int(iv["id"]))
    assert form.fields["hr_email"].value == "priya@agency.example"
    assert form.fields["posting_link"].value == "https://acme.example/jobs/42"
    sam_row = form.interviewers[1]
    assert (sam_row.greet_as.value, sam_row.honorific.value) == ("title_surname", "Dr")
    sam_row.greet_as.value = "first_name"
    form.fields["hr_phone"].value = ""
    form.save.click()
    people = wb.interviewers().set_index("name")
    assert pd.isna(people.loc["Sam Ortiz", "greet_as"]) and pd.isna(
        people.loc["Sam Ortiz", "honorific"]
    )
    assert pd.isna(wb.interviews()["hr_phone"].iloc[0])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hr_email", "priya-at-agency", "does not look like an email"),
        ("hr_phone", "call the front desk", "does not look like a phone number"),
        ("posting_link", "the one on LinkedIn", "does not look like a web address"),
    ],
)
def test_a_bad_contact_is_named_beside_its_field_and_nothing_is_saved(
    wb, cid, field, value, message
):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    form.fields[field].value = value
    assert form.save.disabled and message in form.fields[field].message.value
    assert "fix what is marked in red" in form.hint.value
    form._on_save()
    assert wb.interviews().empty and wb.interviewers().empty


def test_the_coach_setting_is_where_each_greeting_starts(tmp_path):
    (tmp_path / "rules.toml").write_text('greeting = "title_surname"\n', encoding="utf-8")
    with fk.open_workbook(tmp_path / "w.sqlite", today=TODAY, data_dir=tmp_path) as wb:
        cid = wb.add_client("Alex Rivera")
        form = fk.interview_form(wb, client_id=cid)
        fill_interview(form)
        row = form.interviewers[0]
        assert row.greet_as.value == "title_surname" and form.save.disabled
        row.honorific.value = "Ms"
        other = form.add_interviewer("Sam Ortiz")
        other.greet_as.value = "first_name"
        form.save.click()
        people = wb.interviewers().set_index("name")
        assert pd.isna(people.loc["Dana Lee", "greet_as"])
        assert people.loc["Dana Lee", "honorific"] == "Ms"
        assert people.loc["Sam Ortiz", "greet_as"] == "first_name"


def test_the_clients_phone_is_kept_in_their_profile(wb, cid):
    other = wb.add_client("Bea Okafor", phone="+44 7700 900123")
    form = fk.interview_form(wb, client_id=cid)
    phone = form.phone.field
    assert phone.value == "" and form.phone.box.layout.display != "none"
    phone.value = "not a number"
    assert "does not look like a phone number" in phone.message.value
    assert "not saved" in form.phone.status.value
    assert wb.clients(cid)["phone"].isna().all()
    phone.value = "+1 555 010 0199"
    assert wb.clients(cid)["phone"].iloc[0] == "+1 555 010 0199"
    assert "saved" in form.phone.status.value and phone.message.value == ""
    form.picker.dropdown.value = other  # another client's number shows, unchanged
    assert phone.value == "+44 7700 900123"
    assert wb.clients(other)["phone"].iloc[0] == "+44 7700 900123"
    form.picker.dropdown.value = None
    assert form.phone.box.layout.display == "none"


def test_typed_markup_is_shown_as_text_in_the_confirmation_and_list(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form, company=XSS, role=XSS)
    form.interviewers[0].name.value = XSS
    form.save.click()
    assert wb.interviews()["company"].iloc[0] == XSS  # stored as typed
    for shown in (form.status.value, *texts(form.entries)):
        assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in form.status.value


@pytest.mark.parametrize(
    "error",
    [
        StoreError(
            "The disk is full, so nothing was saved. Free some space and try again; "
            "everything saved before is still there."
        ),
        StoreError(
            "The workbook is read-only here, so nothing was saved. Ask your coach to "
            "check the file's permissions; everything saved before is still there."
        ),
    ],
)
def test_a_store_error_is_shown_in_plain_words_and_the_entry_stays(wb, cid, monkeypatch, error):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(wb, "log_interview", refuse)
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    form.save.click()
    assert escape_html(str(error)) in form.status.value
    assert "What you typed is still in the form" in form.status.value
    assert "Traceback" not in form.status.value
    assert form.fields["company"].value == "Acme"
    assert form.interviewers[0].name.value == "Dana Lee"
    assert not form.save.disabled  # they can press Save again


def test_an_unexpected_error_is_plain_words_not_a_traceback(wb, cid, monkeypatch, caplog):
    monkeypatch.setattr(wb, "log_interview", lambda *a, **k: 1 / 0)
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    form.save.click()
    assert "Something unexpected went wrong, so nothing was saved" in form.status.value
    assert "ZeroDivisionError" in form.status.value and "Traceback" not in form.status.value
    assert form.fields["role"].value == "Analyst"
    assert "unexpected error in a form" in caplog.text


def test_a_store_refusal_is_shown_beside_its_field(wb, cid, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError(
            [Problem("role", "that role is closed."), Problem("interviewers[1].name", "unknown.")]
        )

    monkeypatch.setattr(wb, "log_interview", refuse)
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    form.save.click()
    assert "That role is closed." in form.fields["role"].message.value
    assert "unknown." in form.interviewers[0].message.value
    assert "Not saved" in form.status.value and form.save.disabled
    assert form.fields["company"].value == "Acme"


def test_editing_an_interview_changes_it_and_its_interviewers(filled):
    wb, iid = filled, filled.ids["interview"]
    form = fk.interview_form(wb, client_id=filled.ids["client"])
    find_row(form.entries, "Acme").children[1].click()  # Edit
    assert form.editing == iid and form.save.description == "Save changes"
    assert form.fields["company"].value == "Acme"
    assert form.fields["interview_date"].value == date(2025, 3, 4)
    assert [r.name.value for r in form.interviewers] == ["Dana Lee", "Sam Ortiz"]
    assert form.interviewers[1].title.value == "CTO"
    assert form.picker.dropdown.disabled  # an interview stays with its client

    form.fields["role"].value = "Senior Analyst"
    form.fields["status"].value = "next_round"
    form.remove_interviewer(form.interviewers[0])
    form.add_interviewer(name="Lee Chen")
    form.save.click()

    iv = wb.interviews().set_index("id").loc[iid]
    assert (iv["role"], iv["status"]) == ("Senior Analyst", "next_round")
    assert sorted(wb.interviewers()["name"]) == ["Lee Chen", "Sam Ortiz"]
    assert "Changed: First interview at <b>Acme</b>" in form.status.value
    assert form.editing is None and form.save.description == "Save interview"
    assert not form.picker.dropdown.disabled


def test_an_edit_the_store_refuses_keeps_the_form_and_names_the_field(filled):
    form = fk.interview_form(filled, client_id=filled.ids["client"])
    form.edit(filled.ids["interview"])
    form.fields["interview_date"].value = date(2025, 3, 6)  # after the thank-you was sent
    form.save.click()
    assert "before this new date" in form.fields["interview_date"].message.value
    assert form.editing == filled.ids["interview"]
    assert filled.interviews()["interview_date"].iloc[0] == pd.Timestamp("2025-03-04")


def test_deleting_an_interview_asks_says_what_goes_and_reports(filled):
    form = fk.interview_form(filled, client_id=filled.ids["client"])
    confirm = click_delete(find_row(form.entries, "Acme"))
    question = confirm.children[0].value
    assert "Delete the interview at Acme on Tue 4 Mar 2025?" in question
    assert "2 interviewers, 1 follow-up and 1 reply will be deleted with it" in question
    confirm.children[2].click()  # Keep it
    assert len(filled.interviews()) == 1
    confirm.children[0].click()
    confirm.children[1].click()  # Yes, delete
    assert filled.interviews().empty and filled.follow_ups().empty
    assert "Deleted 1 interview, 2 interviewers, 1 follow-up and 1 reply." in (
        form.entries_status.value
    )
    assert "No interviews logged yet" in form.entries.children[0].value


def test_switching_client_lists_only_that_clients_interviews(filled):
    bea = filled.add_client("Bea Okafor")
    filled.log_interview(bea, "Bluepeak", "Planner", date(2025, 3, 10))
    form = fk.interview_form(filled, client_id=filled.ids["client"])
    assert "Acme" in " ".join(texts(form.entries))
    form.picker.dropdown.value = bea
    listed = " ".join(texts(form.entries))
    assert "Bluepeak" in listed and "Acme" not in listed
