"""Timing rules, business days, plans, the agenda and the .ics export."""

from __future__ import annotations

import functools
import warnings
from datetime import date, timedelta

import holidays
import icalendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import followup_kit as fk
from followup_kit import timing
from followup_kit.exceptions import NotFoundError, RulesFileError, ValidationError

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
DOMAIN_DEFAULTS = {
    "thank_you_start": 0,
    "thank_you_due": 1,
    "status_check_after_decision_start": 1,
    "status_check_after_decision_due": 2,
    "status_check_start": 5,
    "status_check_due": 7,
    "second_follow_up_start": 5,
    "second_follow_up_due": 7,
    "max_status_checks": 2,
    "close_as_ghosted_after": 10,
    "feedback_request_start": 1,
    "feedback_request_due": 2,
    "missed_after": 10,
}


def test_default_rules_match_the_timing_table_and_explain_themselves():
    rules = fk.load_rules()
    assert dict(rules) == DOMAIN_DEFAULTS
    for key in rules:
        rule = rules.rule(key)
        assert rule.why.strip() and rule.source.strip() and rule.label.strip(), key
        assert rule.set_by == "default"
    frame = rules.as_frame()
    assert list(frame.columns) == ["rule", "label", "value", "unit", "why", "source", "set_by"]
    assert len(frame) == len(DOMAIN_DEFAULTS)
    assert rules.problems == ()


def test_folder_without_rules_file_gives_defaults(tmp_path):
    rules = fk.load_rules(tmp_path)
    assert dict(rules) == DOMAIN_DEFAULTS
    assert rules.path is None and rules.data_dir == tmp_path


def test_coach_file_overrides_bare_numbers_and_tables(tmp_path):
    (tmp_path / "rules.toml").write_text(
        'thank_you_due = 2\n\n[status_check_start]\nvalue = 4\nwhy = "Our market moves fast."\n',
        encoding="utf-8",
    )
    rules = fk.load_rules(tmp_path)
    assert rules["thank_you_due"] == 2 and rules["status_check_start"] == 4
    assert rules.rule("status_check_start").why == "Our market moves fast."
    assert (
        rules.rule("status_check_start").source == fk.load_rules().rule("status_check_start").source
    )
    assert rules.rule("thank_you_due").set_by == str(tmp_path / "rules.toml")
    assert rules["status_check_due"] == 7
    plan = fk.plan_follow_ups(D(2025, 3, 4), rules=rules)
    assert one(plan, "thank_you") == (D(2025, 3, 4), D(2025, 3, 6))
    assert one(plan, "status_check") == (D(2025, 3, 10), D(2025, 3, 13))


def test_load_rules_accepts_the_file_path_itself(tmp_path):
    path = tmp_path / "practice.toml"
    path.write_text("close_as_ghosted_after = 15\n", encoding="utf-8")
    assert fk.load_rules(path)["close_as_ghosted_after"] == 15


BAD_FILES = [
    ("thank_you_dew = 2\n", "thank_you_dew", "Did you mean 'thank_you_due'"),
    ("thank_you_due = -1\n", "thank_you_due", "cannot be negative"),
    ('thank_you_due = "two"\n', "thank_you_due", "whole number"),
    ("thank_you_due = 1.5\n", "thank_you_due", "whole number"),
    ("thank_you_due = true\n", "thank_you_due", "whole number"),
    ("status_check_due = 3\n", "status_check_due", "cannot be earlier than"),
    ("max_status_checks = 3\n", "max_status_checks", "must be 1 or 2"),
    ("close_as_ghosted_after = 0\n", "close_as_ghosted_after", "at least 1"),
    ("status_check_due = 400\n", "status_check_due", "more than a year"),
    ("[thank_you_due]\nvalue = 2\ncolour = 'red'\n", "thank_you_due.colour", "unknown field"),
    ("[thank_you_due]\nwhy = 3\n", "thank_you_due.why", "text"),
    ("thank_you_due = = 2\n", "(whole file)", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "key", "words"), BAD_FILES)
def test_bad_coach_file_names_file_and_key_and_keeps_defaults(tmp_path, text, key, words):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(UserWarning, match="default timing rules"):
        rules = fk.load_rules(tmp_path)
    assert dict(rules) == DOMAIN_DEFAULTS
    assert rules.path == path
    problem = rules.problems[0]
    assert isinstance(problem, RulesFileError)
    assert problem.key == key and problem.path == path
    assert words in str(problem) and str(path) in str(problem)
    with pytest.raises(RulesFileError, match=words) as caught:
        fk.load_rules(tmp_path, strict=True)
    assert caught.value.key == key


def test_one_bad_key_rejects_the_whole_file(tmp_path):
    (tmp_path / "rules.toml").write_text("thank_you_due = 3\nstatus_check_start = -2\n")
    with pytest.warns(UserWarning):
        rules = fk.load_rules(tmp_path)
    assert rules["thank_you_due"] == 1  # the good line is not applied either
    assert [p.key for p in rules.problems] == ["status_check_start"]


def test_non_utf8_rules_file_is_reported(tmp_path):
    (tmp_path / "rules.toml").write_bytes(b"thank_you_due = 2 # \xe9t\xe9\n")
    with pytest.warns(UserWarning):
        rules = fk.load_rules(tmp_path)
    assert "UTF-8" in str(rules.problems[0])


def test_rules_argument_as_dict_is_checked():
    plan = fk.plan_follow_ups(D(2025, 3, 4), rules={"close_as_ghosted_after": 5})
    assert one(plan, "close_as_ghosted") == (D(2025, 3, 25), D(2025, 3, 25))
    with pytest.raises(RulesFileError, match="unknown rule"):
        fk.plan_follow_ups(D(2025, 3, 4), rules={"close_after": 5})


# --------------------------------------------------------------------------- business days
@pytest.mark.parametrize(
    ("day", "n", "country", "expected"),
    [
        (D(2025, 3, 4), 1, "US", D(2025, 3, 5)),  # Tuesday
        (D(2025, 3, 7), 1, "US", D(2025, 3, 10)),  # Friday -> Monday
        (D(2025, 3, 8), 1, "US", D(2025, 3, 10)),  # Saturday -> Monday, not Tuesday
        (D(2025, 3, 9), 0, "US", D(2025, 3, 10)),  # Sunday itself rolls to Monday
        (D(2025, 3, 4), 0, "US", D(2025, 3, 4)),
        (D(2025, 5, 23), 1, "US", D(2025, 5, 27)),  # Memorial Day
        (D(2025, 5, 26), 1, "US", D(2025, 5, 27)),  # counted from the holiday itself
        (D(2020, 7, 2), 1, "US", D(2020, 7, 6)),  # 4 July on Saturday, observed Friday 3rd
        (D(2021, 7, 2), 1, "US", D(2021, 7, 6)),  # 4 July on Sunday, observed Monday 5th
        (D(2021, 12, 23), 1, "US", D(2021, 12, 27)),  # Christmas observed Friday 24th
        (D(2021, 12, 24), 1, "GB", D(2021, 12, 29)),  # substitutes on 27th and 28th
        (D(2022, 12, 23), 1, "GB", D(2022, 12, 28)),  # Boxing Day Mon, Christmas sub Tue
        (D(2021, 12, 23), 1, "GB", D(2021, 12, 24)),  # GB does not observe it on the 24th
        (D(2025, 3, 4), 5, "US", D(2025, 3, 11)),
        # Good Friday is UK-wide; Easter Monday is not (Scotland works), so country-wide
        # rules count it as a business day.
        (D(2025, 4, 17), 1, "GB", D(2025, 4, 21)),
        (D(2025, 4, 17), 1, "US", D(2025, 4, 18)),  # neither is a US federal holiday
    ],
)
def test_business_day_after(day, n, country, expected):
    assert fk.business_day_after(day, n, country=country) == expected


def test_is_business_day_with_observed_and_substitute_days():
    assert not fk.is_business_day(D(2021, 7, 5), "US")  # observed Independence Day
    assert not fk.is_business_day(D(2020, 7, 3), "US")
    assert fk.is_business_day(D(2021, 7, 5), "GB")
    assert not fk.is_business_day(D(2021, 12, 27), "GB")  # Christmas substitute
    assert not fk.is_business_day(D(2021, 12, 28), "GB")  # Boxing Day substitute
    assert not fk.is_business_day(D(2025, 3, 8), "US")  # Saturday
    assert fk.is_business_day("2025-03-04", "DE")


def test_business_day_input_errors():
    with pytest.raises(ValueError, match="negative"):
        fk.business_day_after(D(2025, 3, 4), -1)
    with pytest.raises(ValidationError, match="country"):
        fk.business_day_after(D(2025, 3, 4), 1, country="XX")
    with pytest.raises(ValueError):
        fk.business_day_after(None, 1)


def test_vectorised_business_days_match_the_scalar_version():
    days = pd.date_range("2021-12-20", "2022-01-10").to_numpy()
    got = fk.business_days_after(days, 2, country="GB")
    want = [
        fk.business_day_after(d.astype("datetime64[D]").astype(date), 2, country="GB") for d in days
    ]
    assert [g.astype(date) for g in got] == want
    with_gap = fk.business_days_after(np.array(["2025-03-07", "NaT"], dtype="datetime64[D]"), 1)
    assert with_gap[0] == np.datetime64("2025-03-10") and np.isnat(with_gap[1])


@functools.cache
def _holidays(country: str) -> frozenset[date]:
    """The package's country-wide holidays, straight from ``holidays`` (the reference)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frozenset(holidays.country_holidays(country, years=range(2000, 2040)))


def _naive_bd(day: date, n: int, country: str) -> date:
    """Reference: walk day by day, skipping weekends and the package's holidays."""
    hol = _holidays(country)

    def works(x: date) -> bool:
        return x.weekday() < 5 and x not in hol

    if n == 0:
        while not works(day):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        n -= works(day)
    return day


@pytest.mark.parametrize("country", timing.SUPPORTED_COUNTRIES)
@settings(max_examples=25, deadline=None)
@given(day=st.dates(D(2001, 1, 1), D(2034, 6, 30)), n=st.integers(0, 12))
def test_business_day_after_matches_a_day_by_day_walk(country, day, n):
    assert fk.business_day_after(day, n, country=country) == _naive_bd(day, n, country)


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
    assert one(plan, "status_check") == (D(2025, 3, 11), D(2025, 3, 13))
    assert one(plan, "second_follow_up") == (D(2025, 3, 18), D(2025, 3, 20))
    assert one(plan, "close_as_ghosted") == (D(2025, 4, 1), D(2025, 4, 1))
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
    assert one(plan, "status_check") == (D(2025, 3, 14), D(2025, 3, 18))


@pytest.mark.parametrize("day", [D(2025, 3, 8), D(2025, 3, 9)])
def test_weekend_interview_starts_on_monday(day):
    plan = fk.plan_follow_ups(day)
    assert one(plan, "thank_you") == (D(2025, 3, 10), D(2025, 3, 10))
    assert one(plan, "status_check") == (D(2025, 3, 14), D(2025, 3, 18))


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
    assert one(plan, "status_check") == (D(2025, 3, 13), D(2025, 3, 17))
    assert "Thu 6 Mar 2025" in plan.loc[plan["step"] == "status_check", "why"].iloc[0]


def test_shortlisted_then_silence_keeps_following_up():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"response": ("2025-03-10", "next_round"), "status": "next_round"},
    )
    assert one(plan, "status_check") == (D(2025, 3, 17), D(2025, 3, 19))
    assert set(plan["state"].astype(str)) == {"open"}


def test_rejection_leaves_only_the_feedback_request():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"thank_you": ["2025-03-04"], "response": [("2025-03-14", "rejection")]},
    )
    assert states(plan) == {"thank_you": ["done"], "feedback_request": ["open"]}
    assert one(plan, "feedback_request") == (D(2025, 3, 17), D(2025, 3, 18))
    sent = fk.plan_follow_ups(
        D(2025, 3, 4),
        done={"response": ("2025-03-14", "rejection"), "feedback_request": "2025-03-17"},
    )
    assert states(sent) == {"feedback_request": ["done"]}


def test_rejected_status_without_a_logged_reply_counts_from_the_last_news():
    plan = fk.plan_follow_ups(
        D(2025, 3, 4), done={"status_check": ["2025-03-12"], "status": "rejected"}
    )
    assert states(plan) == {"status_check": ["done"], "feedback_request": ["open"]}
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
    assert "open" not in set(plan["state"].astype(str))
    assert states(plan)["thank_you"] == ["done"]
    if done.get("status") == "ghosted":
        assert states(plan)["close_as_ghosted"] == ["done"]


def test_skipped_status_check_keeps_the_plan_from_its_planned_date():
    plan = fk.plan_follow_ups(D(2025, 3, 4), done={"skipped": ["status_check"]})
    assert states(plan)["status_check"] == ["skipped"]
    assert one(plan, "second_follow_up") == (D(2025, 3, 18), D(2025, 3, 20))


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
    assert one(plan, "close_as_ghosted") == (D(2025, 3, 25), D(2025, 3, 25))


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


COUNTRY = st.sampled_from(timing.SUPPORTED_COUNTRIES)


@st.composite
def interviews(draw):
    day = draw(st.dates(D(2001, 1, 1), D(2034, 6, 30)))
    decision = draw(st.none() | st.integers(0, 60).map(lambda k: day + timedelta(days=k)))
    later = st.integers(0, 40).map(lambda k: day + timedelta(days=k))
    done = {
        "thank_you": draw(st.lists(later, max_size=3)),
        "status_check": draw(st.lists(later, max_size=3)),
        "status": draw(st.sampled_from(["open", "next_round", "rejected", "ghosted"])),
        "skipped": draw(st.lists(st.sampled_from(fk.STEPS), max_size=2)),
    }
    result = st.sampled_from(["still_deciding", "next_round", "rejection", "other"])
    done["response"] = draw(st.lists(st.tuples(later, result), max_size=2))
    return day, decision, draw(st.integers(1, 4)), done


@pytest.mark.parametrize("country", timing.SUPPORTED_COUNTRIES)
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
TODAY = D(2025, 3, 20)


@pytest.fixture
def book(wb):
    """Two clients (US and GB) with interviews in every situation the agenda sorts."""
    us = wb.add_client("Alex Rivera", country="US")
    gb = wb.add_client("Bea Okafor", country="GB")
    ids = {"us": us, "gb": gb}
    # Thank-you to Dana sent, to Sam not (and long overdue: missed); reply next_round.
    ids["acme"] = wb.log_interview(
        us, "Acme", "Analyst", D(2025, 3, 4), interviewers=["Dana Lee", "Sam Ortiz"]
    )
    dana = int(wb.interviewers().query("name == 'Dana Lee'")["id"].iloc[0])
    wb.log_follow_up(
        ids["acme"], kind="thank_you", channel="email", sent_on=D(2025, 3, 4), interviewer_id=dana
    )
    wb.log_response(ids["acme"], received_on=D(2025, 3, 11), result="next_round")
    # Yesterday's interview: thank-you due today.
    ids["globex"] = wb.log_interview(us, "Globex", "Engineer", D(2025, 3, 19))
    # Decision date passed: status check overdue, with the thank-you done.
    ids["initech"] = wb.log_interview(
        us, "Initech", "Planner", D(2025, 3, 10), decision_expected=D(2025, 3, 14)
    )
    wb.log_follow_up(ids["initech"], kind="thank_you", channel="email", sent_on=D(2025, 3, 10))
    # Offer: nothing open.
    ids["umbrella"] = wb.log_interview(us, "Umbrella", "Nurse", D(2025, 3, 3), status="offer")
    # GB client, today's interview; the thank-you is skipped.
    ids["hooli"] = wb.log_interview(gb, "Hooli", "Designer", D(2025, 3, 20), interviewers=["Kim"])
    wb.skip_step(ids["hooli"], "thank_you", reason="No contact address", interviewer="Kim")
    wb.ids = ids
    return wb


def test_plan_for_a_stored_interview_has_states(book):
    plan = fk.plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
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
        "status_check": ["open"],
        "second_follow_up": ["open"],
        "close_as_ghosted": ["open"],
    }
    # The next_round reply on 11 Mar restarts the wait for the first status check.
    assert one(plan, "status_check") == (D(2025, 3, 18), D(2025, 3, 20))
    assert plan["interview_id"].eq(book.ids["acme"]).all()
    assert plan.loc[plan["step"] == "status_check", "script_id"].iloc[0] == (
        "shortlisted_then_silence"
    )


def test_plan_for_interview_overdue_and_closed(book):
    tables = book.tables()
    initech = fk.plan_for_interview(tables, book.ids["initech"], today=TODAY)
    assert states(initech)["status_check"] == ["overdue"]
    assert one(initech, "status_check") == (D(2025, 3, 17), D(2025, 3, 18))
    umbrella = fk.plan_for_interview(tables, book.ids["umbrella"], today=TODAY)
    assert umbrella.empty
    with pytest.raises(NotFoundError):
        fk.plan_for_interview(tables, 999, today=TODAY)


def test_status_checks_are_overtaken_by_the_close_step(book):
    plan = fk.plan_for_interview(book.tables(), book.ids["initech"], today=D(2025, 4, 30))
    assert states(plan)["status_check"] == ["missed"]
    assert states(plan)["second_follow_up"] == ["missed"]
    assert states(plan)["close_as_ghosted"] == ["overdue"]


def test_plan_for_interview_agrees_with_plan_follow_ups(book):
    stored = fk.plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
    direct = fk.plan_follow_ups(
        D(2025, 3, 4),
        interviewers=["Dana Lee", "Sam Ortiz"],
        done={"thank_you": {"Dana Lee": "2025-03-04"}, "response": ("2025-03-11", "next_round")},
    )
    cols = ["step", "interviewer", "start", "due", "why"]
    pd.testing.assert_frame_equal(stored[cols], direct[cols])


def test_country_comes_from_the_client_record(wb):
    gb = wb.add_client("Bea", country="GB")
    us = wb.add_client("Cal", country="US")
    gb_iv = wb.log_interview(gb, "A", "B", D(2021, 12, 24))
    us_iv = wb.log_interview(us, "A", "B", D(2021, 12, 24))
    tables = wb.tables()
    gb_plan = fk.plan_for_interview(tables, gb_iv, today=D(2021, 12, 24))
    us_plan = fk.plan_for_interview(tables, us_iv, today=D(2021, 12, 24))
    assert one(gb_plan, "thank_you") == (D(2021, 12, 24), D(2021, 12, 29))
    assert one(us_plan, "thank_you") == (D(2021, 12, 27), D(2021, 12, 27))
    # The agenda plans both countries in one pass and gets the same dates.
    agenda = fk.build_agenda(tables, today=D(2021, 12, 24))
    due = {r.interview_id: r.due.date() for r in agenda[agenda["step"] == "thank_you"].itertuples()}
    assert due == {gb_iv: D(2021, 12, 29), us_iv: D(2021, 12, 27)}


# --------------------------------------------------------------------------- agenda
AGENDA_COLUMNS = [
    "group",
    "client_id",
    "client",
    "interview_id",
    "company",
    "role",
    "interviewer",
    "interviewer_id",
    "step",
    "start",
    "due",
    "state",
    "script_id",
]


def test_agenda_groups_and_order(book):
    agenda = fk.build_agenda(book.tables(), today=TODAY)
    assert list(agenda.columns) == AGENDA_COLUMNS
    assert agenda["group"].cat.ordered
    assert list(agenda["group"].cat.categories) == list(fk.AGENDA_GROUPS)
    rows = {
        (r.company, r.step, r.interviewer if isinstance(r.interviewer, str) else None): r.group
        for r in agenda.itertuples()
    }
    assert rows[("Initech", "status_check", None)] == "overdue"
    assert rows[("Globex", "thank_you", None)] == "due today"
    assert rows[("Acme", "status_check", None)] == "due today"
    assert rows[("Acme", "second_follow_up", None)] == "this week"  # due 27 Mar
    assert rows[("Globex", "status_check", None)] == "later"  # due 28 Mar
    assert rows[("Acme", "close_as_ghosted", None)] == "later"
    # Done, skipped, missed and closed steps are not on the agenda.
    assert ("Acme", "thank_you", "Dana Lee") not in rows
    assert ("Acme", "thank_you", "Sam Ortiz") not in rows
    assert ("Hooli", "thank_you", "Kim") not in rows
    assert "Umbrella" not in set(agenda["company"])
    assert agenda["group"].is_monotonic_increasing
    assert set(agenda["state"].astype(str)) <= {"open", "overdue"}
    assert (agenda.loc[agenda["group"] == "overdue", "state"] == "overdue").all()
    assert agenda.loc[agenda["company"] == "Hooli", "client"].iloc[0] == "Bea Okafor"


def test_agenda_suggests_scripts(book):
    agenda = fk.build_agenda(book.tables(), today=TODAY)
    script = {(r.company, r.step): r.script_id for r in agenda.itertuples()}
    assert script[("Globex", "thank_you")] == "thank_you_note"
    assert script[("Initech", "status_check")] == "decision_date_passed"
    assert pd.isna(script[("Acme", "close_as_ghosted")])  # closing sends nothing


def test_agenda_for_one_client(book):
    agenda = fk.build_agenda(book.tables(), today=TODAY, client_id=book.ids["gb"])
    assert set(agenda["client_id"]) == {book.ids["gb"]}
    assert set(agenda["company"]) == {"Hooli"}
    assert "thank_you" not in set(agenda["step"].astype(str))  # skipped


def test_skipping_clears_the_agenda_and_undo_brings_it_back(book):
    before = fk.build_agenda(book.tables(), today=TODAY)
    assert ((before["company"] == "Initech") & (before["step"] == "status_check")).any()
    sid = book.skip_step(book.ids["initech"], "status_check", reason="The client chose not to")
    after = fk.build_agenda(book.tables(), today=TODAY)
    assert not ((after["company"] == "Initech") & (after["step"] == "status_check")).any()
    second = after[(after["company"] == "Initech") & (after["step"] == "second_follow_up")]
    assert (second["start"].dt.date.iloc[0], second["due"].dt.date.iloc[0]) == (
        D(2025, 3, 24),
        D(2025, 3, 26),
    )
    book.delete_skipped_step(sid)
    again = fk.build_agenda(book.tables(), today=TODAY)
    pd.testing.assert_frame_equal(again, before)


def test_empty_workbook_gives_an_empty_agenda(wb):
    agenda = fk.build_agenda(wb.tables(), today=TODAY)
    assert agenda.empty and list(agenda.columns) == AGENDA_COLUMNS


def test_agenda_matches_each_interviews_plan_on_demo_data():
    from followup_kit.demo import generate

    tables = generate(n_clients=3, seed=3)
    today = D(2026, 11, 2)
    agenda = fk.build_agenda(tables, today=today)
    assert len(agenda) > 0
    # Every interview with open steps, plus a few without.
    ids = set(agenda["interview_id"]) | set(tables["interviews"]["id"].iloc[::10])
    for iid in sorted(ids):
        plan = fk.plan_for_interview(tables, int(iid), today=today)
        open_plan = plan[plan["state"].isin(["open", "overdue"])]
        mine = agenda[agenda["interview_id"] == iid]
        key = ["step", "interviewer", "start", "due", "script_id"]
        left = open_plan[key].sort_values(key[:3]).reset_index(drop=True)
        right = mine[key].sort_values(key[:3]).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_categorical=False)


def test_agenda_on_hand_made_frames_with_plain_dtypes():
    tables = {
        "clients": pd.DataFrame({"id": [1], "name": ["Alex"], "country": ["US"]}),
        "interviews": pd.DataFrame(
            {
                "id": [10],
                "client_id": [1],
                "company": ["Acme"],
                "role": ["Analyst"],
                "interview_date": ["2025-03-04"],
                "decision_expected": [None],
                "status": ["open"],
            }
        ),
    }
    agenda = fk.build_agenda(tables, today=TODAY)
    # The thank-you (due 5 Mar) is more than 10 business days late: missed, not listed.
    assert list(agenda["step"].astype(str)) == [
        "status_check",
        "second_follow_up",
        "close_as_ghosted",
    ]
    assert list(agenda["group"].astype(str)) == ["overdue", "due today", "later"]
    assert list(agenda["client"]) == ["Alex"] * 3


# --------------------------------------------------------------------------- calendar
def _events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_ics_has_one_all_day_event_per_open_step(book, tmp_path):
    agenda = fk.build_agenda(book.tables(), today=TODAY)
    path = fk.write_ics(agenda, tmp_path / "plan.ics")
    events = _events(path)
    assert len(events) == len(agenda)
    by_uid = {str(e["uid"]): e for e in events}
    assert len(by_uid) == len(events)
    first = agenda.iloc[0]
    event = next(e for e in events if first["company"] in str(e["summary"]))
    start = event.decoded("dtstart")
    assert type(start) is date and start == first["start"].date()
    assert event.decoded("dtend") == start + timedelta(days=1)
    description = str(event["description"])
    assert f"Due by {timing.format_day(first['due'])}" in description
    script = agenda.loc[agenda["script_id"].notna()].iloc[0]
    assert any(f"Suggested script: {script['script_id']}" in str(e["description"]) for e in events)


def test_ics_uids_are_stable_across_exports(book, tmp_path):
    first = _events(fk.write_ics(fk.build_agenda(book.tables(), today=TODAY), tmp_path / "a.ics"))
    book.log_follow_up(book.ids["initech"], kind="status_check", channel="phone", sent_on=TODAY)
    second = _events(fk.write_ics(fk.build_agenda(book.tables(), today=TODAY), tmp_path / "b.ics"))
    uid_a = {str(e["uid"]): e for e in first}
    uid_b = {str(e["uid"]): e for e in second}
    assert set(uid_b) - set(uid_a) == set()  # nothing duplicated under a new id
    gone = set(uid_a) - set(uid_b)
    assert len(gone) == 1 and "First status check" in str(uid_a[gone.pop()]["summary"])
    # The later steps moved with the real date but kept their calendar entries.
    moved = [u for u in uid_b if uid_b[u].decoded("dtstart") != uid_a[u].decoded("dtstart")]
    assert sorted(str(uid_b[u]["summary"]) for u in moved) == [
        "Alex Rivera: Close as ghosted and move on (Initech)",
        "Alex Rivera: Second follow-up (Initech)",
    ]


def test_ics_from_a_plan_leaves_out_done_steps(book, tmp_path):
    plan = fk.plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
    events = _events(fk.write_ics(plan, tmp_path / "acme.ics"))
    assert len(events) == int(plan["state"].isin(["open", "overdue"]).sum()) == 3
    assert any("ghosted" in str(e["description"]) for e in events)  # the why travels along


def test_ics_needs_the_identifying_columns(tmp_path):
    with pytest.raises(ValueError, match="interview_id"):
        fk.write_ics(fk.plan_follow_ups(D(2025, 3, 4)), tmp_path / "x.ics")


def test_format_day():
    assert timing.format_day(D(2025, 3, 4)) == "Tue 4 Mar 2025"
    assert timing.format_day(pd.NaT) == "" and timing.format_day(None) == ""


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
        agenda, fk.build_agenda(book.tables(), today=TODAY, rules=book.rules)
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
