"""The one schema: every rule and its message, for single records and whole frames."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from builders import TODAY

from followup_kit import business_days, schema
from followup_kit.exceptions import CHECKS, Problem

INTERVIEW = dict(client_id=1, company="Acme", role="Analyst", interview_date="2025-03-04")


def problems(table, values, **kw):
    _, found = schema.validate_record(table, values, today=TODAY, **kw)
    return {p.field: p.message for p in found}


def test_valid_interview_is_cleaned_and_defaults_filled():
    record, found = schema.validate_record(
        "interviews", {**INTERVIEW, "company": "  Acme  ", "round": "Final interview"}, today=TODAY
    )
    assert found == []
    assert record["company"] == "Acme"
    assert record["round"] == "final"  # the plain-words label is accepted too
    assert record["interview_date"] == date(2025, 3, 4)
    assert (record["format"], record["contact_route"], record["status"]) == (
        "video",
        "direct",
        "open",
    )


@pytest.mark.parametrize("blank", ["", "   ", None, float("nan")])
def test_required_text_cannot_be_blank(blank):
    assert problems("interviews", {**INTERVIEW, "company": blank}) == {
        "company": "please fill in company."
    }


def test_text_has_a_sane_length():
    found = problems("interviews", {**INTERVIEW, "role": "x" * 201})
    assert found["role"] == "too long; keep it to 200 characters or fewer."
    assert problems("interviews", {**INTERVIEW, "role": "x" * 200}) == {}


@pytest.mark.parametrize(
    ("field", "table", "base"),
    [
        ("round", "interviews", INTERVIEW),
        ("format", "interviews", INTERVIEW),
        ("contact_route", "interviews", INTERVIEW),
        ("status", "interviews", INTERVIEW),
        ("kind", "follow_ups", dict(interview_id=1, sent_on="2025-03-05")),
        ("channel", "follow_ups", dict(interview_id=1, sent_on="2025-03-05", kind="other")),
        ("result", "responses", dict(interview_id=1, received_on="2025-03-05")),
    ],
)
def test_enums_only_take_their_values(field, table, base):
    found = problems(table, {**base, field: "carrier pigeon"})
    allowed = ", ".join(schema.CHOICES[field])
    assert found == {field: f"choose one of: {allowed}."}
    for value in schema.CHOICES[field]:
        assert problems(table, {**base, field: value}) == {}


@pytest.mark.parametrize(
    "value",
    [
        date(2025, 3, 4),
        datetime(2025, 3, 4, 15, 30),
        "2025-03-04",
        "2025-03-04T09:00",
        pd.Timestamp("2025-03-04"),
    ],
)
def test_dates_accept_date_datetime_and_iso(value):
    record, found = schema.validate_record(
        "interviews", {**INTERVIEW, "interview_date": value}, today=TODAY
    )
    assert found == [] and record["interview_date"] == date(2025, 3, 4)


@pytest.mark.parametrize("value", ["03/04/2025", "4 March", "2025-02-30", "yesterday", 20250304])
def test_unreadable_or_ambiguous_dates_are_refused(value):
    found = problems("interviews", {**INTERVIEW, "interview_date": value})
    assert found == {
        "interview_date": "not a date I can read; write it as YYYY-MM-DD, e.g. 2025-03-04."
    }


def test_interview_may_be_upcoming_but_not_years_ahead():
    assert problems("interviews", {**INTERVIEW, "interview_date": "2025-04-02"}) == {}
    found = problems("interviews", {**INTERVIEW, "interview_date": "2205-04-02"})
    assert found == {"interview_date": "that is more than two years ahead; check the year."}
    found = problems("interviews", {**INTERVIEW, "interview_date": "1925-04-02"})
    assert found == {"interview_date": "that is before 2000; check the year."}


def test_nothing_sent_or_received_in_the_future():
    fu = problems("follow_ups", {"interview_id": 1, "kind": "other", "sent_on": "2025-03-21"})
    rs = problems("responses", {"interview_id": 1, "received_on": "2025-03-21"})
    assert fu == {"sent_on": "cannot be in the future."}
    assert rs == {"received_on": "cannot be in the future."}
    assert problems("follow_ups", {"interview_id": 1, "kind": "other", "sent_on": TODAY}) == {}


def test_follow_up_and_reply_not_before_their_interview():
    ctx = {"interview_id": 1, "interview_date": date(2025, 3, 4)}
    assert problems("follow_ups", {**ctx, "kind": "other", "sent_on": "2025-03-03"}) == {
        "sent_on": "a follow-up cannot be sent before the interview."
    }
    assert problems("responses", {**ctx, "received_on": "2025-03-03"}) == {
        "received_on": "a reply cannot come before the interview."
    }
    assert problems("responses", {**ctx, "received_on": "2025-03-04"}) == {}


def test_decision_date_not_before_interview():
    found = problems("interviews", {**INTERVIEW, "decision_expected": "2025-03-01"})
    assert found == {
        "decision_expected": "the expected decision date cannot be before the interview."
    }


def test_every_problem_is_reported_at_once():
    found = problems(
        "interviews",
        {"client_id": "abc", "company": "", "role": "", "interview_date": "soon", "round": "x"},
    )
    assert set(found) == {"client_id", "company", "role", "interview_date", "round"}


def test_country_and_email():
    assert problems("clients", {"name": "A", "country": "gb"}) == {}
    assert problems("clients", {"name": "A", "country": "XX"}) == {
        "country": "choose a country from the list, or give its two-letter code (US, GB, DE)."
    }
    assert problems("interviewers", {"interview_id": 1, "name": "D", "email": "d@x"}) == {
        "email": "this does not look like an email address."
    }


def test_partial_checks_only_given_fields():
    assert problems("interviews", {"company": "New name"}, partial=True) == {}
    assert problems("interviews", {"company": " "}, partial=True) == {
        "company": "please fill in company."
    }


def test_frame_validation_names_rows_and_matches_record_rules():
    frame = pd.DataFrame(
        [
            INTERVIEW,
            {**INTERVIEW, "company": ""},
            {**INTERVIEW, "interview_date": "31/12/2024"},
        ],
        index=[2, 3, 4],
    )
    clean, found = schema.validate_frame("interviews", frame, today=TODAY)
    assert [(p.row, p.field) for p in found] == [(3, "company"), (4, "interview_date")]
    assert clean.loc[2, "interview_date"] == date(2025, 3, 4)
    # Same rule, same words, whichever door the value came in by.
    _, single = schema.validate_record("interviews", frame.loc[3].to_dict(), today=TODAY)
    assert [p.message for p in single] == [found[0].message]


def test_flat_layout_requires_a_date_when_a_channel_or_result_is_given():
    row = {**INTERVIEW, "client": "Alex", "thank_you_channel": "email", "response_result": "offer"}
    _, found = schema.validate_frame(schema.FLAT, pd.DataFrame([row], index=[2]), today=TODAY)
    assert {p.field for p in found} == {"thank_you_date", "response_date"}


def test_frame_dtypes():
    dtypes = schema.frame_dtypes("interviews")
    assert dtypes["id"] == "Int64"
    assert dtypes["interview_date"] == "datetime64[us]"
    assert list(dtypes["round"].categories) == list(schema.CHOICES["round"])


def test_as_date():
    assert schema.as_date("2025-03-04") == date(2025, 3, 4)
    assert schema.as_date(None) is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        schema.as_date("4/3/25")


@pytest.mark.parametrize(
    ("table", "field", "value", "check"),
    [
        ("clients", "name", "  ", "required"),
        ("clients", "name", "x" * 121, "too_long"),
        ("clients", "name", "Al\x00ex", "bad_text"),
        ("interviewers", "email", "not-an-email", "not_an_email"),
        ("interviews", "round", "semi-final", "not_a_choice"),
        ("interviews", "interview_date", "03/04/2025", "not_a_date"),
        ("interviews", "interview_date", "1999-12-31", "too_early"),
        ("follow_ups", "sent_on", "2025-03-21", "in_future"),
        ("interviews", "interview_date", "2030-01-01", "too_far_ahead"),
        ("clients", "country", "Narnia", "not_a_country"),
        ("interviews", "client_id", "abc", "not_an_id"),
        ("clients", "phone", "call the desk", "not_a_phone"),
        ("interviews", "hr_phone", "12", "not_a_phone"),
        ("interviews", "hr_email", "priya-at-acme", "not_an_email"),
        ("interviews", "posting_link", "javascript:alert(1)", "not_a_link"),
        ("interviews", "posting_link", "the LinkedIn one", "not_a_link"),
        ("interviewers", "greet_as", "nickname", "not_a_choice"),
    ],
)
def test_each_value_problem_carries_its_check_code(table, field, value, check):
    spec = schema.TABLES[table]
    cleaned, problem = schema.clean_value(spec[field], value, date(2025, 3, 20))
    assert cleaned is None and problem.check == check and problem.field == field
    assert check in CHECKS
    _, frame_problems = schema.validate_frame(
        table, pd.DataFrame({field: [value]}, index=[7]), today=date(2025, 3, 20)
    )
    assert any(p.check == check and p.row == 7 for p in frame_problems)


def test_row_rules_carry_not_before_and_required_with():
    _, problems = schema.validate_record(
        "interviews",
        {"client_id": 1, "company": "A", "role": "B", "interview_date": "2025-03-10",
         "decision_expected": "2025-03-01"},
        today=date(2025, 3, 20),
    )  # fmt: skip
    assert [p.check for p in problems] == ["not_before"]
    flat = pd.DataFrame({"response_result": ["offer"], "response_channel": ["email"]})
    _, problems = schema.validate_frame(schema.FLAT, flat, today=date(2025, 3, 20))
    assert {p.check for p in problems if p.field == "response_date"} == {"required_with"}


def test_problem_keeps_its_positional_form_and_defaults_to_invalid():
    p = Problem("name", "bad.", 3)
    assert (p.field, p.message, p.row, p.check) == ("name", "bad.", 3, "invalid")


# -- bad input is refused, not changed (issue 12) ----------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (42, "a number"),
        (3.5, "a number"),
        (True, "yes/no"),
        (b"Acme", "a file's bytes"),
        (["Acme"], "a list"),
        ({"name": "Acme"}, "a list"),
        (date(2025, 3, 4), "a date"),
    ],
)
def test_a_text_field_refuses_what_is_not_text(value, kind):
    cleaned, problem = schema.clean_value(schema.TABLES["interviews"]["company"], value, TODAY)
    assert cleaned is None and problem.check == "not_text_value" and "not_text_value" in CHECKS
    assert problem.message == f"must be text, not {kind}."
    assert problems("interviewers", {"interview_id": 1, "name": "Dana", "email": value}) == {
        "email": f"must be text, not {kind}."
    }


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (1800, "1800"),
        (1.5, "1.5"),
        (2.0, "2"),
        (True, "TRUE"),
        (datetime(2025, 3, 4), "2025-03-04"),
        (datetime(2025, 3, 4, 9, 30), "2025-03-04 09:30:00"),
        ("3M", "3M"),
    ],
)
def test_a_spreadsheet_cell_in_a_text_column_is_the_text_it_shows(cell, text):
    frame = pd.DataFrame({**INTERVIEW, "company": [cell]}, index=[2])
    clean, found = schema.validate_frame("interviews", frame, today=TODAY)
    assert found == [] and clean.loc[2, "company"] == text


def test_a_list_or_bytes_in_a_frame_is_still_refused():
    frame = pd.DataFrame({**INTERVIEW, "company": [["Acme"], b"Acme"]}, index=[2, 3])
    _, found = schema.validate_frame("interviews", frame, today=TODAY)
    assert [(p.row, p.check) for p in found] == [(2, "not_text_value"), (3, "not_text_value")]


@pytest.mark.parametrize("text", ["Zo\ufffee", "end\uffff", "\ufffe"])
def test_characters_an_xlsx_cannot_hold_are_refused(text):
    _, problem = schema.clean_value(schema.TABLES["clients"]["name"], text, TODAY)
    assert problem is not None and problem.check == "bad_text"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-03-04T99:99:99", None),
        ("2025-03-04T25:00", None),
        ("2025-03-04 12:60", None),
        ("2025-03-04T", None),
        ("2025-03-04T09:15:00", date(2025, 3, 4)),
        ("2025-03-04 09:15", date(2025, 3, 4)),
        ("2025-03-04T23:59:59+05:00", date(2025, 3, 4)),
    ],
)
def test_a_time_after_a_date_must_be_a_real_time(value, day):
    cleaned, problem = schema.clean_value(
        schema.TABLES["interviews"]["interview_date"], value, TODAY
    )
    assert cleaned == day
    assert (problem is None) == (day is not None)
    if problem is not None:
        assert problem.check == "not_a_date"


@pytest.mark.parametrize("kind", [None, "", "  "])
def test_a_follow_up_without_a_kind_is_refused_not_a_thank_you(kind):
    found = problems("follow_ups", {"interview_id": 1, "kind": kind, "sent_on": "2025-03-05"})
    assert found == {"kind": "please choose what kind of follow-up this was."}


def test_person_key_ignores_case_and_spaces():
    assert schema.person_key(" Dana  LEE ") == schema.person_key("dana lee") == "dana lee"
    assert schema.person_key("Dana Lee") != schema.person_key("Dana Le")
    assert schema.person_key("  ") is None and schema.person_key(None) is None


# -- contacts ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        (("clients", "phone"), " +1 (555) 010-0199 ", "+1 (555) 010-0199"),
        (("clients", "phone"), "020 7946 0000 ext. 12", "020 7946 0000 ext. 12"),
        (("clients", "phone"), 5550100199, "5550100199"),  # an Excel number cell
        (("interviews", "posting_link"), "acme.example/jobs/42", "https://acme.example/jobs/42"),
        (
            ("interviews", "posting_link"),
            "HTTP://Acme.example/j?id=1#top",
            "HTTP://Acme.example/j?id=1#top",
        ),
        (("clients", "country"), "United Kingdom", "GB"),
        (("clients", "country"), " united   states ", "US"),
        (("clients", "country"), "UK", "GB"),
        (("interviewers", "greet_as"), "Title and surname", "title_surname"),
    ],
)
def test_contacts_are_cleaned_as_people_type_them(field, typed, stored):
    table, name = field
    frame, found = schema.validate_frame(
        table, pd.DataFrame({name: [typed]}, dtype=object), today=TODAY
    )
    assert [p for p in found if p.field == name] == []
    assert frame[name].iloc[0] == stored


def test_country_names_are_the_calendars_in_plain_words():
    names = schema.country_names()
    assert names["US"] == "United States" and names["GB"] == "United Kingdom"
    assert names["CD"] == "Democratic Republic of the Congo"
    assert set(names) <= set(business_days.known_countries())
    assert all(len(code) == 2 and name and "_" not in name for code, name in names.items())
    assert list(names.values()) == sorted(names.values(), key=str.casefold)


def test_title_and_surname_needs_the_title():
    base = {"interview_id": 1, "name": "Dana Lee"}
    assert problems("interviewers", {**base, "greet_as": "title_surname"}) == {
        "honorific": "to greet them by title and surname, give the title (e.g. Dr, Ms, Mr)."
    }
    assert problems("interviewers", {**base, "greet_as": "title_surname", "honorific": "Dr"}) == {}
    assert problems("interviewers", {**base, "honorific": "Dr"}) == {}
    frame = pd.DataFrame([{**base, "greet_as": "title_surname"}], index=[4])
    _, found = schema.validate_frame("interviewers", frame, today=TODAY)
    assert [(p.field, p.row, p.check) for p in found] == [("honorific", 4, "required_with")]
