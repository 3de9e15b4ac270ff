"""Script templates: visible blanks, strict filling, the sandbox and the interview's values."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from jinja2 import meta

import followup_kit as fk
from followup_kit.exceptions import FollowupKitError, NotFoundError, TemplateError
from followup_kit.library import flow_paragraphs, get_script, load_scripts, render_script
from followup_kit.templates import greeting_name, render_script_text


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
    assert ctx["interviewer"] == "Dana" and ctx["interviewer_full_name"] == "Dana Lee"
    assert ctx["company"] == "Acme" and ctx["role"] == "Analyst"
    assert ctx["interview_date"] == "Tuesday 4 March" and ctx["interview_day"] == "Tuesday"
    assert ctx["decision_date"] is None
    text = render_script("thank_you_note", "email", ctx)
    assert "Dear Dana," in text and "Dana Lee" not in text
    assert "the churn dashboard" in text and "[" not in text
    # The old name override still works, and finds the stored person's record.
    other = fk.context_for(filled, iid, interviewer="Sam Ortiz")
    assert (other["interviewer"], other["interviewer_title"]) == ("Sam", "CTO")
    stranger = fk.context_for(filled, iid, interviewer="Kim Park")
    assert (stranger["interviewer"], stranger["interviewer_full_name"]) == ("Kim", "Kim Park")
    with pytest.raises(NotFoundError):
        fk.context_for(filled, 999)


def contact_book(wb) -> dict[str, int]:
    """A client with a phone; an interview with an HR contact, a link and two interviewers."""
    cid = wb.add_client("Alex Rivera", phone="+1 555 010 0199")
    iid = wb.log_interview(
        cid,
        "Acme",
        "Analyst",
        date(2025, 3, 4),
        round="panel",
        contact_route="agency",
        decision_expected=date(2025, 3, 14),
        hr_name="Priya Shah",
        hr_email="priya@acme.example",
        hr_phone="+1 555 010 0100",
        posting_link="acme.example/jobs/42",
        interviewers=[
            {"name": "Dana Lee", "title": "Head of Data", "email": "dana@acme.example"},
            {"name": "Sam Ortiz", "greet_as": "title_surname", "honorific": "Dr"},
        ],
    )
    people = wb.interviewers().set_index("name")["id"]
    return {"client": cid, "interview": iid, "dana": people["Dana Lee"], "sam": people["Sam Ortiz"]}


def test_context_for_fills_the_contacts_from_the_record(wb):
    ids = contact_book(wb)
    ctx = fk.context_for(wb, ids["interview"], interviewer_id=ids["dana"])
    assert ctx["client_phone"] == "+1 555 010 0199"
    assert ctx["hr_contact"] == ctx["recruiter"] == "Priya Shah"
    assert ctx["hr_email"] == ctx["recruiter_email"] == "priya@acme.example"
    assert ctx["hr_phone"] == ctx["recruiter_phone"] == "+1 555 010 0100"
    assert ctx["posting_link"] == "https://acme.example/jobs/42"
    assert ctx["interviewer_email"] == "dana@acme.example"
    assert ctx["interviewer_title"] == "Head of Data"
    for script, blank in (
        ("hr_only_follow_up", "[HR contact's name]"),
        ("agency_follow_up", "[your recruiter's name]"),
        ("voicemail_message", "[your phone number]"),
    ):
        for channel in get_script(script).channels:
            text = render_script(script, channel, ctx)
            assert blank not in text, (script, channel)
    text = render_script("hr_only_follow_up", "email", ctx)
    assert "Dear Priya Shah," in text
    assert "+1 555 010 0199" in render_script("voicemail_message", "voicemail", ctx)


def test_the_message_is_to_the_interviewer_chosen_by_id(wb):
    ids = contact_book(wb)
    sam = fk.context_for(wb, ids["interview"], interviewer_id=ids["sam"])
    # Sam's record asks for title and surname.
    assert (sam["interviewer"], sam["interviewer_full_name"]) == ("Dr Ortiz", "Sam Ortiz")
    assert "Dear Dr Ortiz," in render_script("thank_you_note", "email", sam)
    # A greeting asked for by the caller applies to everyone.
    first = fk.context_for(wb, ids["interview"], interviewer_id=ids["sam"], greeting="first_name")
    assert first["interviewer"] == "Sam"
    with pytest.raises(NotFoundError):
        fk.context_for(wb, ids["interview"], interviewer_id=ids["sam"] + 100)


def test_the_coach_can_greet_by_title_and_surname(tmp_path):
    (tmp_path / "rules.toml").write_text('greeting = "title_surname"\n', encoding="utf-8")
    with fk.open_workbook(tmp_path / "w.sqlite", today="2025-03-20", data_dir=tmp_path) as wb:
        assert wb.rules.greeting == "title_surname"
        cid = wb.add_client("Alex Rivera")
        iid = wb.log_interview(
            cid,
            "Acme",
            "Analyst",
            "2025-03-04",
            interviewers=[
                {"name": "Dana Lee", "honorific": "Ms"},
                "Dr Kim Park",
                "Jo Smith",
                {"name": "Sam Ortiz", "greet_as": "first_name"},
            ],
        )
        people = wb.interviewers().set_index("name")["id"]
        said = {
            name: fk.context_for(wb, iid, interviewer_id=people[name])["interviewer"]
            for name in people.index
        }
    # No title known for Jo: the full name, never a blank or a guess.
    assert said == {
        "Dana Lee": "Ms Lee",
        "Dr Kim Park": "Dr Park",
        "Jo Smith": "Jo Smith",
        "Sam Ortiz": "Sam",
    }


@pytest.mark.parametrize(
    ("name", "greet_as", "honorific", "said"),
    [
        ("Dana Lee", None, None, "Dana"),
        ("  dana   Lee ", "first_name", "Dr", "dana"),
        ("Dr Dana Lee", None, None, "Dana"),
        ("Dr. Lee", None, None, "Dr. Lee"),
        ("Lee, Dana", None, None, "Dana"),
        ("Dana Lee", "title_surname", "Dr", "Dr Lee"),
        ("Ana de la Cruz", "title_surname", "Ms", "Ms de la Cruz"),
        ("Dana Lee", "title_surname", None, "Dana Lee"),
        ("Cher", None, None, "Cher"),
        (None, None, None, None),
    ],
)
def test_greeting_names(name, greet_as, honorific, said):
    assert greeting_name(name, greet_as, honorific) == said


def test_every_built_in_script_greets_by_first_name_and_shows_no_missing_value(wb):
    ids = contact_book(wb)
    ctx = fk.context_for(
        wb,
        ids["interview"],
        interviewer_id=ids["dana"],
        specific_point="the churn model",
        new_point="a short write-up on churn",
        offer_deadline="Friday 21 March",
        concern="industry experience",
        example_1="the logistics project",
        example_2="a 12% saving",
    )
    checked = 0
    for script in load_scripts()[0].values():
        if script.source != "built-in":
            continue
        for channel in script.texts:
            text = render_script(script, channel, ctx)
            where = (script.id, channel)
            assert "Dana Lee" not in text, where
            assert not re.search(r"\b(?:None|nan|NaN|NaT)\b|<NA>|\[missing\]", text), where
            # Every value the record holds is filled: what is left is what only the
            # client can add (and they were given here), so no blank remains.
            assert "[" not in text, (where, text)
            if "{{ interviewer }}" in script.texts[channel]:
                assert "Dana" in text, where
            checked += 1
    assert checked >= 30


def test_title_and_surname_when_asked_in_every_script_that_greets(wb):
    ids = contact_book(wb)
    ctx = fk.context_for(wb, ids["interview"], interviewer_id=ids["sam"])
    greeted = 0
    for script in load_scripts()[0].values():
        for channel, template in script.texts.items():
            if "{{ interviewer }}" not in template:
                continue
            text = render_script(script, channel, ctx)
            assert "Dr Ortiz" in text and "Sam Ortiz" not in text, (script.id, channel)
            greeted += 1
    assert greeted >= 10


def test_context_for_spells_the_decision_date(filled):
    cid = filled.ids["client"]
    iid = filled.log_interview(
        cid, "Beta", "Lead", date(2025, 3, 3), decision_expected=date(2025, 3, 14)
    )
    ctx = fk.context_for(filled, iid)
    assert ctx["decision_date"] == "Friday 14 March" and ctx["interviewer"] is None


# --------------------------------------------------------------------------- limits
_LONG = "{% set s = 'x' * 20000 %}"
BOMBS = {
    # the reproductions from issue 12
    "doubling with ~": "{% set a = 'x' * 20000 %}" + "{% set a = a ~ a %}" * 30 + "{{ a }}",
    "replace with a long text": "{{ ('x' * 20000)|replace('x', 'y' * 20000) }}",
    "center": "{{ 'x'|center(10000000) }}",
    "printf width": "{{ '%10000000s'|format('x') }}",
    "tower of powers": "{{ (((9**64)**64)**64)**64 }}",
    "nested loops": "{% set l = 'x' * 10000 %}{% for a in l %}{% for b in l %}"
    "{% for c in l %}{% endfor %}{% endfor %}{% endfor %}",
    # more of the same kind
    "doubling with +": "{% set a = 'xx' %}" + "{% set a = a + a %}" * 40,
    "doubling a list": "{% set a = [1] %}" + "{% set a = a + a %}" * 40,
    "squaring a number": "{% set a = 2**100 %}" + "{% set a = a * a %}" * 30,
    "power of a power": "{{ 9**64**64 }}",
    "int from long digits": "{{ ('9' * 4000)|int }}",
    "float overflow": "{{ 2.0 ** 100000 }}",
    "replace the empty text": "{{ ('x' * 20000).replace('', 'y' * 20000) }}",
    "center method": "{{ 'x'.center(10000000) }}",
    "printf operator": "{{ '%10000000s' % 'x' }}",
    "printf star width": "{{ '%*s' % (10000000, 'x') }}",
    "printf precision": "{{ '%.20000f' % 1.5 }}",
    "format width": "{{ '{:>10000000}'.format('x') }}",
    "format nested width": "{{ '{:>{}}'.format('x', 10000000) }}",
    "format many fields": "{{ ('{0}' * 6000).format('y' * 20000) }}",
    "format_map width": "{{ '{x:>99999999}'.format_map({'x': 1}) }}",
    "join a huge list": _LONG + "{{ [s, s, s, s, s, s]|join }}",
    "join with a long separator": "{{ ('x' * 20000)|list|join('y' * 20000) }}",
    "join method": "{{ ('y' * 20000).join('x' * 20000) }}",
    "list repeated": _LONG + "{{ [s] * 20000 }}",
    "nested list literals": _LONG + "{% set a = [s,s,s,s,s,s,s,s,s,s] %}"
    "{% set b = [a,a,a,a,a,a,a,a,a,a] %}{{ b }}",
    "nested empty lists": "{% set a = [[],[],[],[],[],[],[],[],[],[]] %}"
    + "{% set a = [a,a,a,a,a,a,a,a,a,a] %}" * 8
    + "{{ a }}",
    "indent": "{{ 'x'|indent(width=10**8) }}",
    "wordwrap with a long break": "{{ ('x ' * 10000)|wordwrap(1, wrapstring='y' * 20000) }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "range": "{% for i in range(10**9) %}{% endfor %}",
    "batch filler": "{{ [1]|batch(10**8, 'x')|list }}",
    "slice count": "{{ [1]|slice(10**8)|list }}",
    "tojson indent": "{{ ('x' * 9000)|list|tojson(indent=10000) }}",
    "urlize target": "{{ ('a.co ' * 4000)|urlize(target='y' * 20000) }}",
    "expandtabs": "{{ ('\t' * 20000).expandtabs(20000) }}",
    "translate": "{{ ('a' * 20000).translate(''.maketrans({'a': 'b' * 20000})) }}",
    "literal text in a loop": "{% for c in 'x' * 10000 %}" + "y" * 10000 + "{% endfor %}",
    "captured output": "{% set x %}{% for c in 'x' * 9000 %}" + "y" * 10000 + "{% endfor %}"
    "{% endset %}{{ x|length }}",
    "macro fan-out": "{% macro m(n) %}{% if n %}{{ m(n-1) }}{{ m(n-1) }}{% endif %}"
    "{% endmacro %}{{ m(40) }}",
    "macro calling itself": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "recursive loop": "{% for a in 'xx' recursive %}{{ loop('xx') }}{% endfor %}",
    "slow filter in a loop": "{% set s = 'x ' * 10000 %}{% for i in s %}{{ s|title|length }}"
    "{% endfor %}",
    "deep brackets": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "a very long script": "x" * 30_000,
}


@pytest.mark.parametrize("template", BOMBS.values(), ids=BOMBS.keys())
def test_a_template_over_the_limits_is_refused_within_a_second(template):
    start = time.perf_counter()
    with pytest.raises(TemplateError) as caught:
        render_script_text(template, {})
    assert time.perf_counter() - start < 1.0
    message = str(caught.value)
    assert message and "Traceback" not in message and "jinja" not in message.lower()


@pytest.mark.parametrize(
    ("template", "limit"),
    [
        ("{{ 'x' * 20001 }}", "longer than 20,000 characters"),
        ("{% set s = 'x' * 20000 %}{{ s }}{{ s }}{{ s }}", "longer than 50,000"),
        ("{% set l = 'x' * 200 %}{% for a in l %}{% for b in l %}{% endfor %}{% endfor %}",
         "more than 10,000 steps"),
        ("{{ 2 ** 200 }}", "too large"),
        ("{{ 'x'.center(20001) }}", "width or count larger than 20,000"),
        ("{% macro m(n) %}{% if n %}{{ m(n-1) }}{{ m(n-1) }}{% endif %}{% endmacro %}"
         "{{ m(40) }}", "more than 10,000 steps"),
        ("{% set s = 'x ' * 9000 %}{% for i in 'xx' * 4000 %}{{ s|title|length }}{% endfor %}",
         "too long to fill in"),
        ("x" * 20_001, "too long"),
    ],
)  # fmt: skip
def test_the_refusal_names_the_limit(template, limit):
    with pytest.raises(TemplateError, match=limit):
        render_script_text(template, {})


def test_templates_within_the_limits_still_work():
    template = (
        "{% for name in people %}{{ loop.index }}. {{ name|upper }}{{ ', ' if not loop.last }}"
        "{% endfor %} | {{ 'x' * 3 ~ '!' }} | {{ (2 ** 10) * 3 }} | {{ '%-5s|' % 'ab' }}"
        " | {{ '{:>4}'.format(7) }} | {{ ['a', 'b']|join('+') }} | {{ 'a-b'.replace('-', ' ') }}"
        " | {{ {'k': 1}|dictsort }} | {{ ('x' * 20000)|length }}"
    )
    text = render_script_text(template, {"people": ["Dana", "Sam"]})
    assert text == (
        "1. DANA, 2. SAM | xxx! | 3072 | ab   | |    7 | a+b | a b | [('k', 1)] | 20000"
    )


def test_each_rendering_gets_its_own_budget():
    # 9,000 loop turns twice in a row: each rendering starts from nothing.
    template = "{% for c in 'x' * 9000 %}{% endfor %}done"
    assert render_script_text(template, {}) == "done"
    assert render_script_text(template, {}) == "done"


def _reference_render(text, context, hints):
    """The same script filled by Jinja2's own immutable sandbox, without any guards."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from followup_kit import templates as tp

    env = ImmutableSandboxedEnvironment(undefined=tp._Blank, finalize=tp._finalize)
    tree = env.parse(text)
    ctx = dict(context)
    for name in meta.find_undeclared_variables(tree):
        if tp.is_blank(ctx.get(name)):
            ctx[name] = tp._BlankText(f"[{hints.get(name, name.replace('_', ' '))}]")
    return env.from_string(text).render(ctx).strip()


SAMPLE = {
    "client_name": "Alex Rivera",
    "client_first_name": "Alex",
    "interviewer": "Dana $Lee$",
    "company": "R&D {{ 1 }}",
    "role": "Analyst",
    "interview_date": "Tuesday 4 March",
    "decision_date": "Friday 14 March",
    "specific_point": "the churn dashboard",
}


@pytest.mark.parametrize("context", [{}, SAMPLE], ids=["blank", "filled"])
def test_every_real_script_renders_as_plain_jinja_would(context):
    library, problems = load_scripts()
    assert not problems and len(library) >= 13
    checked = 0
    for script in library.values():
        for channel, text in script.texts.items():
            got = render_script(script, channel, context)
            # The sandbox fills in exactly what plain Jinja would; then the paragraphs flow.
            want = flow_paragraphs(_reference_render(text, context, script.hints()))
            assert got == want, (script.id, channel)
            checked += 1
    assert checked > 40
