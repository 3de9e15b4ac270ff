"""Timing rules, business days, plans, the agenda and the .ics export."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from builders import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_business_days import _holidays
from test_calendar_export import _events

import followup_kit as fk
from followup_kit import business_days
from followup_kit.agenda import build_agenda
from followup_kit.exceptions import NotFoundError, ValidationError
from followup_kit.plans import plan_for_interview
from followup_kit.schema import STEPS

D = date


def steps(plan: pd.DataFrame, step: str) -> list[tuple[date, date]]:
    """(start, due) of every row of one step, as dates."""
    rows = plan[plan["step"] == step]
    return [(s.date(), d.date()) for s, d in zip(rows["start"], rows["due"], strict=True)]


def one(plan: pd.DataFrame, step: str) -> tuple[date, date]:
    found = steps(plan, step)
    assert len(found) == 1, f"{step}: {found}"
    return found[0]


def states(plan: pd.DataFrame) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for step, state in zip(plan["step"].astype(str), plan["state"].astype(str), strict=True):
        out.setdefault(step, []).append(state)
    return out


# --------------------------------------------------------------------------- rules


# --------------------------------------------------------------------------- business days


# --------------------------------------------------------------------------- plans
def test_default_plan_for_a_tuesday_interview():
    plan = fk.plan_follow_ups(D(2025, 3, 4))
    assert list(plan.columns) == ["step", "interviewer", "start", "due", "why", "state", "done_on"]
    assert list(plan["step"].astype(str)) == [
        "thank_you",
        "status_check",
        "second_follow_up",
        "close_as_ghosted",
    ]
    assert one(plan, "thank_you") == (D(2025, 3, 4), D(2025, 3, 5))
    # No decision date: "within a few days to a week", 3 business days, due by 5.
    assert one(plan, "status_check") == (D(2025, 3, 7), D(2025, 3, 11))
    assert one(plan, "second_follow_up") == (D(2025, 3, 14), D(2025, 3, 18))
    assert one(plan, "close_as_ghosted") == (D(2025, 3, 28), D(2025, 3, 28))
    assert set(plan["state"].astype(str)) == {"open"}
    assert plan["interviewer"].isna().all()
    assert plan["start"].dtype == "datetime64[us]"


def test_why_is_plain_words_with_the_dates():
    plan = fk.plan_follow_ups(D(2025, 3, 4), decision_expected=D(2025, 3, 14))
    why = dict(zip(plan["step"].astype(str), plan["why"], strict=True))
    assert "Tue 4 Mar 2025" in why["thank_you"]
    assert "Fri 14 Mar 2025" in why["status_check"] and "1-2 business days" in why["status_check"]
    assert "ghosted" in why["close_as_ghosted"]
    assert all(len(w) > 40 for w in why.values())


def test_friday_interview():
    plan = fk.plan_follow_ups(D(2025, 3, 7))
    assert one(plan, "thank_you") == (D(2025, 3, 7), D(2025, 3, 10))
    assert one(plan, "status_check") == (D(2025, 3, 12), D(2025, 3, 14))  # Wed to Fri


@pytest.mark.parametrize("day", [D(2025, 3, 8), D(2025, 3, 9)])
def test_weekend_interview_starts_on_monday(day):
    plan = fk.plan_follow_ups(day)
    assert one(plan, "thank_you") == (D(2025, 3, 10), D(2025, 3, 10))
    assert one(plan, "status_check") == (D(2025, 3, 12), D(2025, 3, 14))


def test_thank_you_across_holidays_us_and_gb():
    us = fk.plan_follow_ups(D(2026, 7, 2))  # 4 July 2026 is a Saturday: off on Friday 3rd
    assert one(us, "thank_you") == (D(2026, 7, 2), D(2026, 7, 6))
    gb = fk.plan_follow_ups(D(2021, 12, 24), country="GB")
    assert one(gb, "thank_you") == (D(2021, 12, 24), D(2021, 12, 29))
    us_xmas = fk.plan_follow_ups(D(2021, 12, 24), country="US")  # observed Christmas
    assert one(us_xmas, "thank_you") == (D(2021, 12, 27), D(2021, 12, 27))


def test_decision_date_given():
    plan = fk.plan_follow_ups(D(2025, 3, 4), decision_expected=D(2025, 3, 12))
    assert one(plan, "status_check") == (D(2025, 3, 13), D(2025, 3, 14))
    assert one(plan, "second_follow_up") == (D(2025, 3, 20), D(2025, 3, 24))


@pytest.mark.parametrize("decision", [D(2025, 3, 15), D(2025, 3, 16)])
def test_decision_date_on_a_weekend(decision):
    plan = fk.plan_follow_ups(D(2025, 3, 4), decision_expected=decision)
    assert one(plan, "status_check") == (D(2025, 3, 17), D(2025, 3, 18))


def test_decision_date_on_a_holiday_us_and_gb():
    us = fk.plan_follow_ups(D(2025, 5, 20), decision_expected=D(2025, 5, 26))  # Memorial Day
    assert one(us, "status_check") == (D(2025, 5, 27), D(2025, 5, 28))
    gb = fk.plan_follow_ups(D(2021, 12, 20), decision_expected=D(2021, 12, 24), country="GB")
    assert one(gb, "status_check") == (D(2021, 12, 29), D(2021, 12, 30))
    us_xmas = fk.plan_follow_ups(D(2021, 12, 20), decision_expected=D(2021, 12, 24))
    assert one(us_xmas, "status_check") == (D(2021, 12, 27), D(2021, 12, 28))


def test_panel_by_name_one_thank_you_each():
    names = ["Dana Lee", "Sam Ortiz", "Kim Park"]
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), interviewers=names, done={"thank_you": {"sam ortiz": "2025-03-05"}}
    )
    ty = plan[plan["step"] == "thank_you"]
    assert list(ty["interviewer"]) == names
    assert list(ty["state"].astype(str)) == ["open", "done", "open"]
    assert ty["done_on"].iloc[1] == pd.Timestamp("2025-03-05")
    assert all(name in why for name, why in zip(names, ty["why"], strict=True))


def test_panel_by_count_and_unaddressed_notes_fill_in_order():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), interviewers=3, done={"thank_you": ["2025-03-04", "2025-03-04"]}
    )
    ty = plan[plan["step"] == "thank_you"]
    assert list(ty["interviewer"]) == ["Interviewer 1", "Interviewer 2", "Interviewer 3"]
    assert list(ty["state"].astype(str)) == ["done", "done", "open"]


def test_status_check_sent_late_moves_the_later_steps():
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"status_check": ["2025-03-17"]})
    assert states(plan)["status_check"] == ["done"]
    assert one(plan, "second_follow_up") == (D(2025, 3, 24), D(2025, 3, 26))
    assert one(plan, "close_as_ghosted") == (D(2025, 4, 7), D(2025, 4, 7))
    assert "Mon 17 Mar 2025" in plan.loc[plan["step"] == "second_follow_up", "why"].iloc[0]


def test_status_check_sent_early_counts_from_the_real_day():
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"status_check": ["2025-03-07"]})
    assert one(plan, "second_follow_up") == (D(2025, 3, 14), D(2025, 3, 18))


def test_both_follow_ups_sent_close_counts_from_the_second():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"status_check": ["2025-03-27", "2025-03-17"]},  # any order
    )
    assert states(plan) == {
        "thank_you": ["open"],
        "status_check": ["done"],
        "second_follow_up": ["done"],
        "close_as_ghosted": ["open"],
    }
    assert one(plan, "close_as_ghosted") == (D(2025, 4, 10), D(2025, 4, 10))


def test_a_third_follow_up_moves_the_close_step():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), done={"status_check": ["2025-03-11", "2025-03-18", "2025-03-25"]}
    )
    assert one(plan, "close_as_ghosted") == (D(2025, 4, 8), D(2025, 4, 8))


def test_reply_without_decision_restarts_the_wait():
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"response": ("2025-03-06", "still_deciding")})
    assert one(plan, "status_check") == (D(2025, 3, 11), D(2025, 3, 13))
    assert "Thu 6 Mar 2025" in plan.loc[plan["step"] == "status_check", "why"].iloc[0]


def test_shortlisted_then_silence_keeps_following_up():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"response": ("2025-03-10", "next_round"), "status": "next_round"},
    )
    assert one(plan, "status_check") == (D(2025, 3, 13), D(2025, 3, 17))
    assert set(plan["state"].astype(str)) == {"open"}


def test_rejection_offers_a_gracious_reply_then_feedback_then_reconnecting():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"thank_you": ["2025-03-04"], "response": [("2025-03-14", "rejection")]},
    )
    assert list(plan["step"].astype(str)) == [
        "thank_you",
        "gracious_reply",
        "feedback_request",
        "reconnect",
    ]
    assert states(plan) == {
        "thank_you": ["done"],
        "gracious_reply": ["open"],
        "feedback_request": ["open"],
        "reconnect": ["open"],
    }
    # The reply the same day or the next, the feedback request a day later.
    assert one(plan, "gracious_reply") == (D(2025, 3, 14), D(2025, 3, 17))
    assert one(plan, "feedback_request") == (D(2025, 3, 17), D(2025, 3, 18))
    # About three to four months on: 60 and 85 US business days, counted by hand with
    # Memorial Day, Juneteenth and 4 July off.
    assert one(plan, "reconnect") == (D(2025, 6, 9), D(2025, 7, 16))
    why = dict(zip(plan["step"].astype(str), plan["why"], strict=True))
    assert "Fri 14 Mar 2025" in why["gracious_reply"] and "kept in mind" in why["gracious_reply"]
    assert "three months" in why["reconnect"] and "posted again" in why["reconnect"]
    sent = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"response": ("2025-03-14", "rejection"), "feedback_request": "2025-03-17"},
    )
    assert states(sent) == {
        "gracious_reply": ["open"],
        "feedback_request": ["done"],
        "reconnect": ["open"],
    }


def test_rejected_status_without_a_logged_reply_counts_from_the_last_news():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), done={"status_check": ["2025-03-12"], "status": "rejected"}
    )
    assert states(plan) == {
        "status_check": ["done"],
        "gracious_reply": ["open"],
        "feedback_request": ["open"],
        "reconnect": ["open"],
    }
    assert one(plan, "gracious_reply") == (D(2025, 3, 12), D(2025, 3, 13))
    assert one(plan, "feedback_request") == (D(2025, 3, 13), D(2025, 3, 14))


@pytest.mark.parametrize(
    "done",
    [
        {"status": "offer"},
        {"status": "withdrawn"},
        {"response": ("2025-03-12", "offer")},
        {"status": "ghosted"},
    ],
)
def test_closing_states_have_no_open_steps(done):
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"thank_you": ["2025-03-04"], **done})
    assert states(plan)["thank_you"] == ["done"]
    if done.get("status") == "ghosted":
        assert states(plan)["close_as_ghosted"] == ["done"]
        # The one step left: a friendly note a few months after the last contact.
        assert states(plan)["reconnect"] == ["open"]
        plan = plan[plan["step"] != "reconnect"]
    assert "open" not in set(plan["state"].astype(str))


def test_skipped_status_check_keeps_the_plan_from_its_planned_date():
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"skipped": ["status_check"]})
    assert states(plan)["status_check"] == ["skipped"]
    assert one(plan, "second_follow_up") == (D(2025, 3, 14), D(2025, 3, 18))


def test_skipping_one_or_every_thank_you():
    names = ["Dana Lee", "Sam Ortiz"]
    one_skip = fk.plan_follow_ups(
        D(2025, 3, 4), interviewers=names, done={"skipped": [("thank_you", "Sam Ortiz")]}
    )
    assert states(one_skip)["thank_you"] == ["open", "skipped"]
    all_skip = fk.plan_follow_ups(
        D(2025, 3, 4), interviewers=names, done={"skipped": ["thank_you"]}
    )
    assert states(all_skip)["thank_you"] == ["skipped", "skipped"]


def test_a_sent_step_stays_done_even_if_also_skipped():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), done={"status_check": ["2025-03-11"], "skipped": ["status_check"]}
    )
    assert states(plan)["status_check"] == ["done"]


def test_one_status_check_only():
    plan = fk.plan_follow_ups(D(2025, 3, 4), rules={"max_status_checks": 1})
    assert "second_follow_up" not in set(plan["step"].astype(str))
    assert one(plan, "close_as_ghosted") == (D(2025, 3, 21), D(2025, 3, 21))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision_expected": D(2025, 3, 1)}, "decision_expected"),
        ({"done": {"sent": []}}, "sent"),
        ({"done": {"status": "hired"}}, "status"),
        ({"done": {"thank_you": {"Nobody": "2025-03-04"}}}, "thank_you"),
        ({"done": {"status_check": ["2025-03-01"]}}, "status_check"),
        ({"done": {"response": ("2025-03-05", "maybe")}}, "response"),
        ({"done": {"skipped": ["lunch"]}}, "skipped"),
        ({"interviewers": 0}, "interviewers"),
        ({"decision_expected": "next week"}, "decision_expected"),
    ],
)
def test_bad_plan_inputs_are_named(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        fk.plan_follow_ups(D(2025, 3, 4), **kwargs)
    assert field in caught.value.by_field()


COUNTRY = st.sampled_from(business_days.SUPPORTED_COUNTRIES)


@st.composite
def interviews(draw):
    day = draw(st.dates(D(2001, 1, 1), D(2034, 6, 30)))
    decision = draw(st.none() | st.integers(0, 60).map(lambda k: day + timedelta(days=k)))
    later = st.integers(0, 40).map(lambda k: day + timedelta(days=k))
    done = {
        "thank_you": draw(st.lists(later, max_size=3)),
        "status_check": draw(st.lists(later, max_size=3)),
        "status": draw(st.sampled_from(["open", "next_round", "rejected", "ghosted"])),
        "skipped": draw(st.lists(st.sampled_from(STEPS), max_size=2)),
    }
    result = st.sampled_from(["still_deciding", "next_round", "rejection", "other"])
    done["response"] = draw(st.lists(st.tuples(later, result), max_size=2))
    return day, decision, draw(st.integers(1, 4)), done


@pytest.mark.parametrize("country", business_days.SUPPORTED_COUNTRIES)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=interviews())
def test_plan_properties_in_every_supported_country(country, case):
    day, decision, people, done = case
    plan = fk.plan_follow_ups(
        day, decision_expected=decision, interviewers=people, country=country, done=done
    )
    assert len(plan) > 0
    start = plan["start"].to_numpy("datetime64[D]")
    due = plan["due"].to_numpy("datetime64[D]")
    assert (start >= np.datetime64(day)).all()
    assert (due >= start).all()
    hol = _holidays(country)
    for d in np.concatenate([start, due]).astype(date):
        assert d.weekday() < 5 and d not in hol, (country, d)
    assert plan["why"].str.len().min() > 20


# --------------------------------------------------------------------------- stored plans


def test_plan_for_a_stored_interview_has_states(book):
    plan = plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
    assert list(plan.columns) == [
        "interview_id",
        "step",
        "interviewer",
        "interviewer_id",
        "start",
        "due",
        "state",
        "done_on",
        "why",
        "script_id",
    ]
    assert states(plan) == {
        "thank_you": ["done", "missed"],  # Sam's note is 11 business days late
        "status_check": ["overdue"],
        "second_follow_up": ["open"],
        "close_as_ghosted": ["open"],
    }
    # The next_round reply on 11 Mar restarts the wait for the first status check.
    assert one(plan, "status_check") == (D(2025, 3, 14), D(2025, 3, 18))
    assert plan["interview_id"].eq(book.ids["acme"]).all()
    assert plan.loc[plan["step"] == "status_check", "script_id"].iloc[0] == (
        "shortlisted_then_silence"
    )


def test_plan_for_interview_overdue_and_closed(book):
    tables = book.tables()
    initech = plan_for_interview(tables, book.ids["initech"], today=TODAY)
    assert states(initech)["status_check"] == ["overdue"]
    assert one(initech, "status_check") == (D(2025, 3, 17), D(2025, 3, 18))
    umbrella = plan_for_interview(tables, book.ids["umbrella"], today=TODAY)
    assert umbrella.empty
    with pytest.raises(NotFoundError):
        plan_for_interview(tables, 999, today=TODAY)


def test_status_checks_are_overtaken_by_the_close_step(book):
    plan = plan_for_interview(book.tables(), book.ids["initech"], today=D(2025, 4, 30))
    assert states(plan)["status_check"] == ["missed"]
    assert states(plan)["second_follow_up"] == ["missed"]
    assert states(plan)["close_as_ghosted"] == ["overdue"]


def test_plan_for_interview_agrees_with_plan_follow_ups(book):
    stored = plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
    direct = fk.plan_follow_ups(
        D(2025, 3, 4),
        interviewers=["Dana Lee", "Sam Ortiz"],
        done={"thank_you": {"Dana Lee": "2025-03-04"}, "response": ("2025-03-11", "next_round")},
    )
    cols = ["step", "interviewer", "start", "due", "why"]
    pd.testing.assert_frame_equal(stored[cols], direct[cols])


def test_after_a_rejection_the_new_steps_are_logged_skipped_and_suggested(wb):
    from followup_kit import actions

    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(cid, "Acme", "Analyst", D(2025, 3, 4), interviewers=["Dana Lee"])
    wb.log_response(iid, received_on=D(2025, 3, 14), result="rejection")
    plan = plan_for_interview(wb.tables(), iid, today=D(2025, 3, 17))
    assert states(plan) == {
        "gracious_reply": ["open"],
        "feedback_request": ["open"],
        "reconnect": ["open"],
    }
    scripts = dict(zip(plan["step"].astype(str), plan["script_id"], strict=True))
    assert scripts == {
        "gracious_reply": "different_direction",
        "feedback_request": "feedback_request",
        "reconnect": "reconnect_later",
    }
    # The reply is logged as "other" and counts only from the day of the news.
    actions.log_step_sent(wb, iid, "gracious_reply", sent_on=D(2025, 3, 14))
    actions.skip_plan_step(wb, iid, "reconnect", reason="I have another offer")
    plan = plan_for_interview(wb.tables(), iid, today=D(2025, 3, 17))
    assert states(plan) == {
        "gracious_reply": ["done"],
        "feedback_request": ["open"],
        "reconnect": ["skipped"],
    }
    assert list(wb.follow_ups()["kind"].astype(str)) == ["other"]
    actions.log_step_sent(wb, iid, "reconnect", sent_on=D(2025, 3, 17))
    assert list(wb.follow_ups()["kind"].astype(str)) == ["other", "reconnect"]
    plan = plan_for_interview(wb.tables(), iid, today=D(2025, 3, 17))
    assert states(plan)["reconnect"] == ["done"]


def test_an_earlier_other_message_is_not_the_gracious_reply(wb):
    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(cid, "Acme", "Analyst", D(2025, 3, 4))
    wb.log_follow_up(iid, kind="other", channel="email", sent_on=D(2025, 3, 5))
    wb.log_response(iid, received_on=D(2025, 3, 14), result="rejection")
    plan = plan_for_interview(wb.tables(), iid, today=D(2025, 3, 14))
    assert states(plan)["gracious_reply"] == ["open"]


def test_a_ghosted_interview_offers_reconnecting_from_the_last_contact(wb):
    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(cid, "Acme", "Analyst", D(2025, 3, 4))
    wb.log_follow_up(iid, kind="status_check", channel="email", sent_on=D(2025, 3, 7))
    wb.update_interview(iid, status="ghosted")
    plan = plan_for_interview(wb.tables(), iid, today=D(2025, 4, 1))
    reconnect = plan[plan["step"] == "reconnect"]
    assert list(reconnect["state"].astype(str)) == ["open"]
    assert reconnect["script_id"].iloc[0] == "reconnect_later"
    # 60 US business days after Fri 7 Mar (Memorial Day off), as counted by hand.
    assert one(plan, "reconnect")[0] == D(2025, 6, 2)
    assert "never gave an answer" in reconnect["why"].iloc[0]
    assert "Fri 7 Mar 2025" in reconnect["why"].iloc[0]
    # A reconnect long overdue stops nagging, like a late thank-you.
    late = plan_for_interview(wb.tables(), iid, today=D(2025, 12, 1))
    assert states(late)["reconnect"] == ["missed"]


def test_country_comes_from_the_client_record(wb):
    gb = wb.add_client("Bea", country="GB")
    us = wb.add_client("Cal", country="US")
    gb_iv = wb.log_interview(gb, "A", "B", D(2021, 12, 24))
    us_iv = wb.log_interview(us, "A", "B", D(2021, 12, 24))
    tables = wb.tables()
    gb_plan = plan_for_interview(tables, gb_iv, today=D(2021, 12, 24))
    us_plan = plan_for_interview(tables, us_iv, today=D(2021, 12, 24))
    assert one(gb_plan, "thank_you") == (D(2021, 12, 24), D(2021, 12, 29))
    assert one(us_plan, "thank_you") == (D(2021, 12, 27), D(2021, 12, 27))
    # The agenda plans both countries in one pass and gets the same dates.
    agenda = build_agenda(tables, today=D(2021, 12, 24))
    due = {r.interview_id: r.due.date() for r in agenda[agenda["step"] == "thank_you"].itertuples()}
    assert due == {gb_iv: D(2021, 12, 29), us_iv: D(2021, 12, 27)}


# --------------------------------------------------------------------------- agenda


# --------------------------------------------------------------------------- calendar


def test_format_day():
    assert fk.format_day(D(2025, 3, 4)) == "Tue 4 Mar 2025"
    assert fk.format_day(pd.NaT) == "" and fk.format_day(None) == ""


# --------------------------------------------------------------------------- the workbook
def test_workbook_wires_rules_plan_agenda_and_ics(book, tmp_path):
    assert book.data_dir == tmp_path
    (tmp_path / "rules.toml").write_text("status_check_after_decision_due = 3\n")
    assert book.rules["status_check_after_decision_due"] == 3
    plan = book.plan(book.ids["initech"], today=TODAY)
    assert one(plan, "status_check") == (D(2025, 3, 17), D(2025, 3, 19))
    assert states(plan)["status_check"] == ["overdue"]
    agenda = book.agenda(today=TODAY)
    pd.testing.assert_frame_equal(
        agenda, build_agenda(book.tables(), today=TODAY, rules=book.rules)
    )
    mine = book.agenda(today=TODAY, client_id=book.ids["gb"])
    assert set(mine["company"]) == {"Hooli"}
    path = book.export_ics(tmp_path / "all.ics", today=TODAY)
    assert len(_events(path)) == len(agenda)


def test_workbook_with_a_bad_rules_file_keeps_working(book, tmp_path):
    (tmp_path / "rules.toml").write_text("thank_you_due = 'soon'\n")
    with pytest.warns(UserWarning, match="thank_you_due"):
        rules = book.rules
    assert rules["thank_you_due"] == 1 and rules.problems
    with pytest.warns(UserWarning):
        agenda = book.agenda(today=TODAY)
    assert len(agenda) > 0
