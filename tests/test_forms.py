"""The forms driven without a browser: set values, click, check the store and the messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import ipywidgets as widgets
import pandas as pd
import pytest

import followup_kit as fk
from followup_kit import forms
from followup_kit.exceptions import Problem, StoreError, ValidationError

XSS = "<img src=x onerror=alert(1)>"
TODAY = date(2025, 3, 20)  # the wb fixture's today


# --------------------------------------------------------------------------- helpers
def fill_interview(form: fk.InterviewForm, **over) -> None:
    values = {
        "company": "Acme",
        "role": "Analyst",
        "interview_date": date(2025, 3, 4),
        "round": "panel",
        **over,
    }
    for name, value in values.items():
        form.fields[name].value = value
    form.interviewers[0].name.value = "Dana Lee"


def texts(box: widgets.Box) -> list[str]:
    """The HTML of every entry row's summary in a list box."""
    out = []
    for row in box.children:
        first = row.children[0] if isinstance(row, widgets.Box) else row
        out.append(first.value)
    return out


def find_row(box: widgets.Box, text: str) -> widgets.HBox:
    for row in box.children:
        if isinstance(row, widgets.Box) and text in row.children[0].value:
            return row
    raise AssertionError(f"no row with {text!r} in {texts(box)}")


def click_delete(row: widgets.HBox) -> widgets.HBox:
    """Press Delete in an entry row; return the confirm row (question, yes, keep)."""
    confirm = row.children[-1]
    confirm.children[0].click()
    return confirm


@pytest.fixture
def cid(wb):
    return wb.add_client("Alex Rivera", cohort="Spring")


# --------------------------------------------------------------------------- small helpers
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 4), "Tue 4 Mar 2025"),
        (pd.Timestamp("2026-11-02"), "Mon 2 Nov 2026"),
        (datetime(2025, 12, 25, 9, 30), "Thu 25 Dec 2025"),
        ("2025-01-01", "Wed 1 Jan 2025"),
        (None, ""),
        (pd.NaT, ""),
    ],
)
def test_format_day_reads_like_people_write(value, expected):
    assert fk.format_day(value) == expected


def test_escape_html_turns_markup_into_text():
    assert fk.escape_html(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert fk.escape_html('"quoted" & more') == "&quot;quoted&quot; &amp; more"
    assert fk.escape_html(None) == fk.escape_html(pd.NA) == ""
    assert fk.escape_html(3) == "3"


def test_labelled_field_marks_required_fields_with_schema_labels():
    spec = fk.TABLES["interviews"]
    company = fk.LabelledField(spec["company"])
    notes = fk.LabelledField(spec["notes"])
    assert "Company" in company.label.value and "ct-required" in company.label.value
    assert "Notes" in notes.label.value and "ct-required" not in notes.label.value
    assert isinstance(notes.widget, widgets.Textarea)
    assert "ct-company" in company.widget._dom_classes
    rounds = fk.LabelledField(spec["round"]).widget
    assert ("Panel interview", "panel") in rounds.options and rounds.value == "first"


def test_confirm_delete_asks_says_what_goes_and_can_be_cancelled():
    calls = []
    row = fk.confirm_delete(
        f"the interview at {XSS}", "Its 2 interviewers go too.", lambda: calls.append(1)
    )
    row.children[0].click()
    question, yes, keep = row.children
    assert "Its 2 interviewers go too." in question.value
    assert "&lt;img" in question.value and "<img" not in question.value
    keep.click()
    assert len(row.children) == 1 and calls == []
    row.children[0].click()
    row.children[1].click()
    assert calls == [1]


def test_forms_display_as_their_box_with_a_stable_text(wb, cid):
    bundle = fk.interview_form(wb, client_id=cid)._repr_mimebundle_()
    assert bundle["text/plain"] == "<InterviewForm>"
    assert "application/vnd.jupyter.widget-view+json" in bundle


# --------------------------------------------------------------------------- client picker
def test_picker_lists_clients_by_name_and_reports_changes(wb, cid):
    other = wb.add_client("Bea Okafor")
    picker = fk.client_picker(wb)
    assert picker.value is None
    assert [label for label, _ in picker.dropdown.options] == [
        "Choose your name",
        "Alex Rivera (Spring)",
        "Bea Okafor",
    ]
    seen = []
    picker.observe(seen.append)
    picker.dropdown.value = other
    assert seen == [other] and picker.value == other


def test_picker_selects_the_jupyterhub_user_and_shows_only_their_entries(wb, cid, monkeypatch):
    alex = wb.add_client("Alex Hub", username="alex")
    wb.log_interview(cid, "Other Co", "Clerk", date(2025, 3, 3))
    wb.log_interview(alex, "Mine Ltd", "Analyst", date(2025, 3, 5))
    monkeypatch.setenv("JUPYTERHUB_USER", "alex")
    form = fk.interview_form(wb, client_id=cid)  # the hub user wins over CLIENT
    assert form.picker.value == alex
    assert form.picker.dropdown.disabled and form.picker.dropdown.options == (("Alex Hub", alex),)
    assert "Signed in as <b>alex</b>" in form.picker.signed_in.value
    listed = " ".join(texts(form.entries))
    assert "Mine Ltd" in listed and "Other Co" not in listed


def test_a_new_hub_user_adds_themselves_with_their_user_name(wb, cid):
    picker = fk.client_picker(wb, username="sam")
    assert picker.value is None and picker.add_box.layout.display != "none"
    assert picker.add_save.disabled
    picker.new["name"].value = "Sam Ortiz"
    picker.new["cohort"].value = "Autumn"
    picker.add_save.click()
    sam = wb.client_for_user("sam")
    assert sam is not None and picker.value == sam and picker.fixed
    assert wb.clients().set_index("id").loc[sam, "cohort"] == "Autumn"


def test_a_client_not_on_the_list_adds_themselves(wb, cid):
    form = fk.interview_form(wb)
    form.picker.add_me.click()
    new = form.picker.new
    new["name"].value = "Bea Okafor"
    new["country"].value = "XX"
    assert form.picker.add_save.disabled
    assert "two-letter country code" in new["country"].message.value
    new["country"].value = "gb"
    assert not form.picker.add_save.disabled
    form.picker.add_save.click()
    bea = wb.clients().set_index("name").loc["Bea Okafor"]
    assert bea["country"] == "GB" and form.picker.value == bea["id"]
    assert "No interviews logged yet" in form.entries.children[0].value


# --------------------------------------------------------------------------- interview form
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


def test_blank_interviewer_rows_are_ignored_and_rows_can_be_removed(wb, cid):
    form = fk.interview_form(wb, client_id=cid)
    fill_interview(form)
    spare = form.add_interviewer()
    bad = form.add_interviewer(email="nope")
    assert form.save.disabled
    form.remove_interviewer(bad)
    assert not form.save.disabled and spare.blank
    form.save.click()
    assert wb.interviewers()["name"].tolist() == ["Dana Lee"]


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
    assert fk.escape_html(str(error)) in form.status.value
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


# --------------------------------------------------------------------------- record form
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
    assert "Saved: Status check by phone call on Wed 12 Mar 2025" in form.sent.status.value
    row = wb.follow_ups().iloc[-1]
    assert (row["kind"], row["channel"], row["script_id"]) == (
        "status_check",
        "phone",
        "decision_check_call",
    )
    assert row["interviewer_id"] == people["Sam Ortiz (CTO)"]
    assert row["script_version"] == fk.get_script("decision_check_call").version

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
    assert form.sent.fields["sent_on"].value is None  # cleared for the next one


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


def test_reflection_text_round_trips():
    joined = forms.join_reflection(" it was quick ", "")
    assert joined == "What worked: it was quick\nWhat I'd change next time: "
    assert forms.split_reflection(joined) == ("it was quick", "")
    assert forms.split_reflection("free text from a spreadsheet") == (
        "free text from a spreadsheet",
        "",
    )
    assert forms.join_reflection(" ", "") is None


# --------------------------------------------------------------------------- start here
def test_store_summary_says_where_and_how_many(filled):
    html = fk.store_summary(filled).value
    assert "a SQLite file" in html and "wb.sqlite" in html
    assert "<td>Interviewers</td><td style='text-align:right'>2</td>" in html
    assert str(filled.data_dir) in html


def test_the_demo_button_fills_an_empty_store_only(wb):
    loader = fk.demo_loader(wb)
    assert not loader.button.disabled
    loader.button.click()
    assert wb.counts()["clients"] == 40
    assert "Loaded the demo cohort: 40 clients" in loader.status.value
    assert loader.button.disabled
    again = fk.demo_loader(wb)
    assert again.button.disabled and "already holds 40 client(s)" in again.status.value


def _upload(widget: fk.SpreadsheetImport, name: str, data: bytes) -> None:
    widget.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 20),
        },
    )


GOOD_CSV = (
    b"client,company,role,interview_date,interviewers,thank_you_date\n"
    b"Alex Rivera,Acme,Analyst,2025-03-04,Dana Lee; Sam Ortiz,2025-03-04\n"
    b"Bea Okafor,Bluepeak,Planner,2025-03-10,,\n"
)


def test_a_good_spreadsheet_is_imported_and_counted(wb):
    widget = fk.spreadsheet_import(wb)
    assert widget.button.disabled
    _upload(widget, "my sheet.csv", GOOD_CSV)
    assert not widget.button.disabled and "my sheet.csv" in widget.status.value
    widget.button.click()
    assert len(wb.interviews()) == 2 and len(wb.interviewers()) == 2
    assert "Imported <b>my sheet.csv</b>: 2 clients, 2 interviews, 2 interviewers" in (
        widget.status.value
    )
    assert widget.upload.value == () and widget.button.disabled


def test_every_bad_row_is_shown_and_nothing_is_imported(wb):
    bad = (
        "client,company,role,interview_date\n"
        "Alex Rivera,Acme,Analyst,2025-03-04\n"
        f"{XSS},Bluepeak,Planner,04/03/2025\n"
        "Bea Okafor,,Planner,2025-03-10\n"
    ).encode()
    widget = fk.spreadsheet_import(wb)
    _upload(widget, "sheet.csv", bad)
    widget.button.click()
    assert wb.interviews().empty
    assert "Nothing was imported" in widget.status.value
    assert "2 problem(s) in 2 row(s) (rows 3, 4)" in widget.status.value
    table = widget.problems.value
    assert "<td>3</td><td>interview_date (Interview date)</td><td>Not a date I can read" in table
    assert "<td>4</td><td>company (Company)</td><td>Please fill in company." in table
    assert "<img" not in widget.status.value + table


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF", "is not a spreadsheet I can read"),
        ("empty.csv", b"", "the file is empty"),
        ("extra.csv", b"client,company,role,interview_date,colour\n", "unknown column"),
    ],
)
def test_unreadable_files_are_explained(wb, name, data, message):
    widget = fk.spreadsheet_import(wb)
    assert widget.import_bytes(name, data) == {}
    assert message in widget.status.value and wb.interviews().empty


def test_start_here_refreshes_the_summary_after_loading_the_demo(wb):
    page = fk.start_here(wb)
    assert isinstance(page, widgets.VBox) and "ct-start-here" in page._dom_classes
    summary = page.children[1]
    assert "<td>Clients</td><td style='text-align:right'>0</td>" in summary.children[0].value
    demo_box = page.children[3]
    demo_box.children[0].click()
    assert "<td>Clients</td><td style='text-align:right'>40</td>" in summary.children[0].value
