"""Timing rules: the defaults in rules.toml, a coach's overrides and their checks."""

from __future__ import annotations

from datetime import date

import pytest
from test_plans import one

import followup_kit as fk
from followup_kit.exceptions import RulesFileError

D = date


DOMAIN_DEFAULTS = {
    "thank_you_start": 0,
    "thank_you_due": 1,
    "status_check_after_decision_start": 1,
    "status_check_after_decision_due": 2,
    # The seed article's "within a few days to a week": 3 business days, due by 5.
    "status_check_start": 3,
    "status_check_due": 5,
    "second_follow_up_start": 5,
    "second_follow_up_due": 7,
    "max_status_checks": 2,
    "close_as_ghosted_after": 10,
    "gracious_reply_start": 0,
    "gracious_reply_due": 1,
    "feedback_request_start": 1,
    "feedback_request_due": 2,
    "reconnect_start": 60,  # about three months
    "reconnect_due": 85,  # about four months: when re-applying is usually fine
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
    assert rules["status_check_due"] == 5
    plan = fk.plan_follow_ups(D(2025, 3, 4), rules=rules)
    assert one(plan, "thank_you") == (D(2025, 3, 4), D(2025, 3, 6))
    assert one(plan, "status_check") == (D(2025, 3, 10), D(2025, 3, 11))


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
    ("status_check_due = 2\n", "status_check_due", "cannot be earlier than"),
    ("reconnect_due = 30\n", "reconnect_due", "cannot be earlier than"),
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
    # Status check from Fri 7 Mar, second follow-up from Fri 14, then 5 business days.
    assert one(plan, "close_as_ghosted") == (D(2025, 3, 21), D(2025, 3, 21))
    with pytest.raises(RulesFileError, match="unknown rule"):
        fk.plan_follow_ups(D(2025, 3, 4), rules={"close_after": 5})


# -- the greeting setting ------------------------------------------------------------
def test_the_greeting_is_first_name_unless_the_coach_says_otherwise(tmp_path):
    assert fk.load_rules().greeting == "first_name"
    assert fk.load_rules(tmp_path).greeting == "first_name"
    (tmp_path / "rules.toml").write_text(
        'greeting = "title_surname"\nthank_you_due = 2\n', encoding="utf-8"
    )
    rules = fk.load_rules(tmp_path)
    assert (rules.greeting, rules["thank_you_due"]) == ("title_surname", 2)
    assert "greeting" not in rules  # not a timing rule
    assert rules.with_values({"thank_you_due": 3}).greeting == "title_surname"
    (tmp_path / "rules.toml").write_text('[greeting]\nvalue = "title_surname"\n')
    assert fk.load_rules(tmp_path).greeting == "title_surname"


def test_a_bad_greeting_is_named_and_the_defaults_stay(tmp_path):
    (tmp_path / "rules.toml").write_text('greeting = "formal"\nthank_you_due = 2\n')
    with pytest.warns(UserWarning, match="greeting"):
        rules = fk.load_rules(tmp_path)
    assert rules.greeting == "first_name" and rules["thank_you_due"] == 1
    assert "first_name" in str(rules.problems[0])
    with pytest.raises(RulesFileError, match="greeting"):
        fk.load_rules(tmp_path, strict=True)


def test_the_status_check_without_a_date_follows_the_seed_and_says_so():
    rule = fk.load_rules().rule("status_check_start")
    assert "few days to a week" in rule.source and "seed" in rule.source.lower()
    due = fk.load_rules().rule("status_check_due")
    assert "calendar week" in due.why
    # A Tuesday interview: the check opens on Friday and is due the next Tuesday.
    plan = fk.plan_follow_ups(D(2025, 3, 4))
    assert one(plan, "status_check") == (D(2025, 3, 7), D(2025, 3, 11))
    # With a decision date the rule is as before: 1-2 business days after it.
    dated = fk.plan_follow_ups(D(2025, 3, 4), decision_expected=D(2025, 3, 14))
    assert one(dated, "status_check") == (D(2025, 3, 17), D(2025, 3, 18))


def test_the_new_rules_explain_themselves():
    rules = fk.load_rules()
    for key in ("gracious_reply_start", "reconnect_start", "reconnect_due"):
        assert rules.rule(key).why and rules.rule(key).source, key
    assert "months" in rules.rule("reconnect_start").why


def test_rules_table_reads_one_business_day_and_aligns_left():
    html = fk.load_rules()._repr_html_()
    assert "1 business day after the interview" in html
    assert "1 business days" not in html and "0 business days after the interview" in html
    assert "text-align:left" in html and "data-label='Why'" in html
