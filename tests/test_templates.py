"""Script templates: visible blanks, strict filling, the sandbox and the interview's values."""

from __future__ import annotations

from datetime import date

import pytest

import followup_kit as fk
from followup_kit.exceptions import FollowupKitError, NotFoundError, TemplateError
from followup_kit.library import get_script, render_script
from followup_kit.templates import render_script_text


# --------------------------------------------------------------------------- rendering
def test_missing_placeholders_show_as_visible_blanks():
    text = render_script_text(
        "Dear {{ interviewer }}, about {{ specific_point }} at {{ company }} ({{ odd_name }}).",
        {"interviewer": None, "company": "  "},
    )
    assert text == (
        "Dear [interviewer's name], about [one thing you discussed] at [company] ([odd name])."
    )
    assert "None" not in text


def test_a_script_may_word_its_own_blanks():
    text = render_script("shortlisted_then_silence", "email", {})
    assert "[the person who arranged your first interview]" in text


def test_strict_rendering_names_the_missing_placeholder():
    with pytest.raises(TemplateError, match="specific_point"):
        render_script_text("About {{ specific_point }}.", {"x": 1}, strict=True)
    assert render_script_text("Hi {{ a }}", {"a": "Dana"}, strict=True) == "Hi Dana"


def test_a_blank_counts_as_empty_in_conditions():
    template = "{% if decision_date %}by {{ decision_date }}{% else %}soon{% endif %}"
    assert render_script_text(template, {}) == "soon"
    assert render_script_text(template, {"decision_date": "Friday"}) == "by Friday"


def test_render_script_refuses_a_channel_the_script_lacks():
    with pytest.raises(TemplateError, match="has no 'text'"):
        render_script("thank_you_note", "text", {})
    with pytest.raises(TemplateError, match="no script"):
        get_script("not_a_script")


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ x.__globals__ }}",
        "{{ x['__globals__'] }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ joiner }}",
        "{{ namespace() }}",
        "{{ lipsum.__globals__ }}",
        "{{ range(10) }}",
        "{{ self }}",
        "{{ ''|attr('__class__') }}",
        "{{ x|map(attribute='__class__')|list }}",
        "{% set k = '_' ~ '_class' ~ '_' ~ '_' %}{{ x[k] }}",
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
        "{% extends 'base.html' %}",
        "{{ 'ab' * 100000000 }}",
        "{{ 9 ** 99999999 }}",
        "{{ x.append(3) }}",
        "{{ '{0.__class__}'.format(x) }}",
        "{% if %}broken",
    ],
)
def test_the_sandbox_refuses_templates_that_reach_outside(template):
    with pytest.raises(TemplateError):
        render_script_text(template, {"x": [1, 2]})


def test_sandbox_errors_are_followup_kit_errors():
    with pytest.raises(FollowupKitError):
        fk.render_script_text("{{ ''.__class__ }}", {})


# --------------------------------------------------------------------------- context
def test_context_for_fills_names_and_dates_from_the_log(filled):
    iid = filled.ids["interview"]
    ctx = fk.context_for(filled, iid, specific_point="the churn dashboard")
    assert ctx["client_name"] == "Alex Rivera" and ctx["client_first_name"] == "Alex"
    assert ctx["interviewer"] == "Dana Lee"
    assert ctx["company"] == "Acme" and ctx["role"] == "Analyst"
    assert ctx["interview_date"] == "Tuesday 4 March" and ctx["interview_day"] == "Tuesday"
    assert ctx["decision_date"] is None
    text = render_script("thank_you_note", "email", ctx)
    assert "Dear Dana Lee" in text and "the churn dashboard" in text and "[" not in text
    other = fk.context_for(filled, iid, interviewer="Sam Ortiz")
    assert other["interviewer"] == "Sam Ortiz"
    with pytest.raises(NotFoundError):
        fk.context_for(filled, 999)


def test_context_for_spells_the_decision_date(filled):
    cid = filled.ids["client"]
    iid = filled.log_interview(
        cid, "Beta", "Lead", date(2025, 3, 3), decision_expected=date(2025, 3, 14)
    )
    ctx = fk.context_for(filled, iid)
    assert ctx["decision_date"] == "Friday 14 March" and ctx["interviewer"] is None
