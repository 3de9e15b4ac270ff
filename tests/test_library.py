"""The script library: loading, coach overrides, suggestions and speaking time."""

from __future__ import annotations

import itertools
import re
import time

import numpy as np
import pandas as pd
import pytest

import followup_kit as fk
from followup_kit.exceptions import FollowupKitError, ScriptFileError
from followup_kit.library import (
    CALL_ANSWERS,
    flow_paragraphs,
    get_script,
    guide,
    guides,
    load_scripts,
    parse_script,
    render_script,
    speaking_time,
    suggest_for_steps,
    suggest_scripts,
)
from followup_kit.schema import STEPS
from followup_kit.templates import PLACEHOLDERS

IDS = {
    "thank_you_note", "panel_thank_you", "hr_only_follow_up", "decision_date_passed",
    "decision_check_call", "voicemail_message", "second_follow_up", "shortlisted_then_silence",
    "competing_offer", "different_direction", "feedback_request", "role_reposted",
    "agency_follow_up", "feedback_request_call", "reconnect_later",
}  # fmt: skip

GOOD = """+++
id = "{id}"
version = "{version}"
title = "A coach's own scenario"

[when]
steps = ["status_check"]

[[dont]]
text = "Answer me now."
why = "It is a demand."

[[dont]]
text = "Sorry to bother you."
why = "It apologises for asking."
+++
## email
Hello {{{{ interviewer }}}}, a note about {{{{ role }}}}.
"""


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


# --------------------------------------------------------------------------- the library
def test_builtin_library_has_every_scenario_and_no_errors():
    library, errors = load_scripts()
    assert errors == []
    assert set(library) == IDS
    for s in library.values():
        assert s.version and s.title and s.summary
        assert len(s.donts) >= 2 and all(d.text and d.why for d in s.donts)
        assert s.channels, s.id
        assert set(s.when.steps) <= set(STEPS)


def test_phone_scripts_have_a_line_for_every_answer():
    library, _ = load_scripts()
    phone = [s for s in library.values() if s.is_phone]
    assert len(phone) >= 5
    for s in phone:
        assert set(s.branches()) == set(CALL_ANSWERS), s.id
    assert "voicemail" in library["voicemail_message"].channels


def test_scripts_frame_lists_every_script_with_speaking_time():
    frame = fk.scripts()
    assert list(frame["id"]) == sorted(IDS)
    expected = {"id", "version", "title", "steps", "channels", "speaking_seconds", "source"}
    assert expected <= set(frame.columns)
    assert (frame["speaking_seconds"] > 5).all()
    assert (frame["source"] == "built-in").all()
    assert frame.attrs["errors"] == []


def test_every_do_text_renders_without_none_and_passes_the_tone_check():
    library, _ = load_scripts()
    full = {name: f"<{name}>" for name in PLACEHOLDERS}
    for s in library.values():
        for channel in s.texts:
            blank = render_script(s, channel, {})
            assert "None" not in blank
            filled = render_script(s, channel, full)
            assert "[" not in filled, (s.id, channel, filled)
            number = 2 if "second_follow_up" in s.when.steps else 1
            assert fk.check_tone(blank, follow_up_number=number) == [], (s.id, channel)


# --------------------------------------------------------------------------- ready to send
# Realistic values for every placeholder a built-in script uses.
FULL = {
    "client_name": "Alex Rivera",
    "client_first_name": "Alex",
    "client_phone": "555 0100",
    "client_email": "alex@example.org",
    "interviewer": "Dana Lee",
    "interviewer_title": "Head of Data",
    "company": "Acme Ltd",
    "role": "Data Analyst",
    "round": "First interview",
    "interview_date": "Tuesday 4 March",
    "interview_day": "Tuesday",
    "decision_date": "Friday 14 March",
    "specific_point": "how the team plans its first year",
    "new_point": "I finished a course in forecasting",
    "recruiter": "Sam Ortiz",
    "hr_contact": "Kim Park",
    "other_company": "Globex",
    "offer_deadline": "Monday 17 March",
    "concern": "my lack of experience in retail",
    "example_1": "I moved from logistics to retail planning in six months",
    "example_2": "I rebuilt a reporting process for a new team in my first quarter",
}
CASES = [
    pytest.param(s, channel, id=f"{s.id}-{channel}")
    for s in sorted(load_scripts()[0].values(), key=lambda s: s.id)
    for channel in s.texts
]
RAW_MISSING = re.compile(r"\b(?:None|nan|NaN|NaT)\b|<NA>")
_LIST_ITEM = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s")


def breaks_inside_sentences(text: str) -> list[tuple[str, str]]:
    """Line breaks that are not between paragraphs or at a deliberate place.

    Allowed: after a "Subject:" line, after a short greeting or sign-off line ending in a
    comma (and every line after a sign-off: name, phone), and before a list item.
    """
    bad = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.split("\n")
        signing = False
        for a, b in itertools.pairwise(lines):
            if signing or a.startswith("Subject:") or _LIST_ITEM.match(b):
                continue
            if a.endswith(",") and len(a.split()) <= 6:
                signing = not a.lower().startswith(("dear", "hello", "hi "))
                continue
            bad.append((a, b))
    return bad


def test_every_placeholder_the_scripts_use_has_a_realistic_value():
    for s in load_scripts()[0].values():
        for name in s.hints():
            for body in s.texts.values():
                if re.search(r"\{\{\s*" + name + r"\b", body):
                    assert name in FULL, (s.id, name)


@pytest.mark.parametrize(("script", "channel"), CASES)
def test_every_script_and_channel_is_ready_to_send(script, channel):
    text = render_script(script, channel, FULL)
    assert breaks_inside_sentences(text) == [], text
    assert not RAW_MISSING.search(text), text
    assert "[" not in text and "{" not in text, text
    assert "  " not in text and "\n\n\n" not in text and text == text.strip()
    # The file's wrapping is gone: a prose paragraph is one line, however long.
    longest = max(len(p) for p in text.split("\n\n"))
    if longest > 100:
        assert any(len(line) > 100 for line in text.splitlines()), text


@pytest.mark.parametrize(("script", "channel"), CASES)
def test_every_script_and_channel_shows_visible_blanks_when_nothing_is_known(script, channel):
    missing = {name: value for name, value in zip(FULL, itertools.cycle(
        [None, float("nan"), pd.NaT, pd.NA, "  "]), strict=False)}  # fmt: skip
    for context in ({}, missing):
        text = render_script(script, channel, context)
        assert not RAW_MISSING.search(text), text
        assert breaks_inside_sentences(text) == [], text
        for name, hint in script.hints().items():
            if re.search(r"\{\{\s*" + name + r"\s*\}\}", script.text(channel)):
                assert f"[{hint}]" in text, (name, text)


def test_flow_paragraphs_keeps_deliberate_breaks_and_joins_the_rest():
    text = (
        "Subject: Thank you\n\nDear Dana,\n\nThank you for\n  talking with me,\nwhich"
        " helped.\nIt was fun.\n\nTwo things:\n- one that\n  wraps\n- two\n\n"
        "Best regards,\nAlex Rivera\n555 0100"
    )
    assert flow_paragraphs(text) == (
        "Subject: Thank you\n\nDear Dana,\n\nThank you for talking with me, which helped."
        " It was fun.\n\nTwo things:\n- one that wraps\n- two\n\n"
        "Best regards,\nAlex Rivera\n555 0100"
    )
    # A greeting on the paragraph's first line, the body right under it.
    assert flow_paragraphs("Hi Sam,\nthanks for\nthe call.") == "Hi Sam,\nthanks for the call."
    # A wrapped line that happens to end in a comma is still prose.
    assert flow_paragraphs("I wanted to let you know, as\nbest I can tell,\nthat all is well.") == (
        "I wanted to let you know, as best I can tell, that all is well."
    )
    assert flow_paragraphs("Kind regards,\r\nAlex\r\n\r\n\r\n") == "Kind regards,\nAlex"
    assert flow_paragraphs("") == ""


def test_the_call_directions_stand_on_their_own_lines():
    text = render_script("decision_check_call", "phone:no_decision", FULL)
    paragraphs = text.split("\n\n")
    assert any(p.startswith("(If they name a concern") and p.endswith(")") for p in paragraphs)


# --------------------------------------------------------------------------- guides
def test_the_military_guide_ships_and_opens_on_a_click():
    assert "military" in guides()
    g = guide("military")
    assert g.title.startswith("Coming from the military")
    assert "follow up" in str(g) and str(g) == g.text
    html = g._repr_html_()
    assert html.startswith("<details") and "<summary><b>Coming from the military" in html
    assert " open" not in html.split(">", 1)[0] and " open>" in g.html(open_=True)
    assert "<ul><li><b>Silence is not an answer.</b>" in html and "<ol><li>" in html
    assert "#" not in html and "**" not in html
    assert fk.guide is guide


def test_an_unknown_guide_names_the_ones_there_are():
    with pytest.raises(FollowupKitError, match="military"):
        guide("navy")


def test_the_library_functions_are_exported():
    assert callable(fk.scripts)
    assert suggest_for_steps is suggest_for_steps


# --------------------------------------------------------------------------- coach files
def test_coach_file_overrides_a_builtin_and_adds_a_scenario(tmp_path):
    folder = tmp_path / "scripts"
    write(folder, "mine.md", GOOD.format(id="thank_you_note", version="2.0-coach"))
    write(folder, "new.md", GOOD.format(id="coach_extra", version="1"))
    library, errors = load_scripts(folder)
    assert errors == []
    assert library["thank_you_note"].version == "2.0-coach"
    assert library["thank_you_note"].source == "coach"
    assert "coach_extra" in library and len(library) == len(IDS) + 1
    frame = fk.scripts(folder)
    assert frame.set_index("id").loc["thank_you_note", "source"] == "coach"
    assert get_script("thank_you_note").version == "1.0"  # built-ins untouched


def test_a_workbook_means_its_data_dir_scripts_folder(filled):
    write(filled.data_dir / "scripts", "x.md", GOOD.format(id="coach_extra", version="3"))
    assert get_script("coach_extra", filled).version == "3"


BROKEN = {
    "no_front.md": ("## email\nHello", "front matter"),
    "bad_toml.md": ('+++\nid = "x\n+++\n## email\nHi', "front matter"),
    "no_id.md": ('+++\ntitle = "T"\nversion = "1"\n+++\n## email\nHi', "id"),
    "bad_step.md": (
        GOOD.format(id="bad_step", version="1").replace('"status_check"', '"whenever"'),
        "when.steps",
    ),
    "one_dont.md": (
        GOOD.format(id="one_dont", version="1").replace(
            '[[dont]]\ntext = "Sorry to bother you."\nwhy = "It apologises for asking."\n', ""
        ),
        "dont",
    ),
    "odd_section.md": (GOOD.format(id="odd", version="1") + "## fax\nHi", "## fax"),
    "phone_gap.md": (
        GOOD.format(id="phone_gap", version="1") + "## phone\nHello\n## phone: no decision yet\nOk",
        "## phone: we chose someone else",
    ),
    "escape.md": (GOOD.format(id="esc", version="1") + "## text\n{{ ''.__class__ }}", "## text"),
    "typo_key.md": (GOOD.format(id="typo", version="1").replace("title", "titel"), "titel"),
}


def test_broken_coach_files_are_collected_and_the_rest_still_load(tmp_path):
    folder = tmp_path / "scripts"
    for name, (text, _field) in BROKEN.items():
        write(folder, name, text)
    write(folder, "fine.md", GOOD.format(id="coach_extra", version="1"))
    library, errors = load_scripts(folder)
    assert set(library) == IDS | {"coach_extra"}
    by_file = {e.path.name: e for e in errors}
    assert set(by_file) == set(BROKEN)
    for name, (_text, field) in BROKEN.items():
        err = by_file[name]
        assert isinstance(err, ScriptFileError) and isinstance(err, FollowupKitError)
        assert err.field == field, (name, err)
        assert name in str(err) and field in str(err)
    assert len(fk.scripts(folder).attrs["errors"]) == len(BROKEN)
    with pytest.raises(ScriptFileError):
        load_scripts(folder, errors="raise")


def test_duplicate_ids_in_the_coach_folder_are_reported(tmp_path):
    folder = tmp_path / "scripts"
    write(folder, "a.md", GOOD.format(id="coach_extra", version="1"))
    write(folder, "b.md", GOOD.format(id="coach_extra", version="2"))
    library, errors = load_scripts(folder)
    assert library["coach_extra"].version == "1"
    assert [(e.path.name, e.field) for e in errors] == [("b.md", "id")]


def test_parse_script_accepts_answer_labels_or_keys():
    text = (
        GOOD.format(id="call", version="1")
        + "## phone\nHi\n"
        + "".join(f"## phone: {label}\nline\n" for label in CALL_ANSWERS.values())
    )
    s = parse_script(text)
    assert set(s.branches()) == set(CALL_ANSWERS)


# --------------------------------------------------------------------------- suggesting
@pytest.mark.parametrize(
    ("situation", "best"),
    [
        ({"step": "thank_you"}, "thank_you_note"),
        ({"step": "thank_you", "round": "panel"}, "panel_thank_you"),
        ({"step": "thank_you", "panel": True}, "panel_thank_you"),
        ({"step": "status_check", "status": "open"}, "decision_check_call"),
        ({"step": "status_check", "decision_passed": True}, "decision_date_passed"),
        ({"step": "status_check", "contact_route": "hr"}, "hr_only_follow_up"),
        ({"step": "status_check", "agency": True}, "agency_follow_up"),
        ({"step": "status_check", "status": "next_round"}, "shortlisted_then_silence"),
        ({"step": "status_check", "other_offer": True}, "competing_offer"),
        ({"step": "second_follow_up", "status": "open"}, "second_follow_up"),
        ({"step": "feedback_request", "rejected": True}, "feedback_request"),
        ({"step": "feedback_request", "rejected": True, "reposted": True}, "role_reposted"),
        ({"rejected": True}, "different_direction"),
    ],
)
def test_suggest_scripts_ranks_the_fitting_scenario_first(situation, best):
    ranked = suggest_scripts(**situation)
    assert ranked["id"].iloc[0] == best
    fits = ranked[ranked["fits_step"]] if "step" in situation else ranked
    assert fits["score"].is_monotonic_decreasing
    assert ranked["reason"].str.len().min() > 20


def test_suggest_scripts_says_why_in_plain_words():
    ranked = suggest_scripts(step="status_check", decision_passed=True)
    assert "decision has passed" in ranked["reason"].iloc[0]


def test_suggest_scripts_refuses_unknown_values():
    with pytest.raises(ValueError, match="step"):
        suggest_scripts(step="thank-you-note")
    with pytest.raises(ValueError, match="round"):
        suggest_scripts(round="fifth")


def _steps_frame(rows):
    cols = ["step", "contact_route", "round", "status", "decision_passed"]
    return pd.DataFrame(rows, columns=cols)


def test_suggest_for_steps_picks_per_row_and_keeps_the_index():
    frame = _steps_frame(
        [
            ("thank_you", "direct", "panel", "open", False),
            ("status_check", "agency", "first", "open", True),
            ("status_check", "direct", "first", "open", True),
            ("second_follow_up", "direct", "second", "next_round", False),
            ("close_as_ghosted", "direct", "first", "open", False),
            ("feedback_request", "direct", "final", "rejected", False),
        ]
    )
    frame.index = [10, 11, 12, 13, 14, 15]
    got = suggest_for_steps(frame)
    assert got.name == "script_id" and list(got.index) == list(frame.index)
    assert got.tolist()[:4] == [
        "panel_thank_you",
        "agency_follow_up",
        "decision_date_passed",
        "shortlisted_then_silence",
    ]
    assert pd.isna(got.iloc[4])  # closing as ghosted sends nothing
    assert got.iloc[5] == "feedback_request"


def test_suggest_for_steps_matches_suggest_scripts_on_every_combination():
    combos = list(
        itertools.product(
            STEPS, ("direct", "hr", "agency"), ("first", "panel"),
            ("open", "next_round", "rejected", "offer"), (False, True),
        )
    )  # fmt: skip
    got = suggest_for_steps(_steps_frame(combos))
    for (step, route, round_, status, passed), best in zip(combos, got, strict=True):
        ranked = suggest_scripts(
            step=step, contact_route=route, round=round_, status=status, decision_passed=passed
        )
        fitting = ranked.loc[ranked["fits_step"], "id"]
        expected = fitting.iloc[0] if len(fitting) else None
        assert (None if pd.isna(best) else best) == expected, (step, route, round_, status)


def test_suggest_for_steps_accepts_categoricals_strings_and_missing_columns():
    plain = _steps_frame([("status_check", "hr", "first", "open", False)] * 3)
    cats = plain.astype({c: "category" for c in ("step", "contact_route", "round", "status")})
    assert suggest_for_steps(plain).tolist() == suggest_for_steps(cats).tolist()
    only_steps = pd.DataFrame({"step": ["thank_you", None, "status_check"]})
    got = suggest_for_steps(only_steps)
    assert got.iloc[0] == "thank_you_note" and pd.isna(got.iloc[1])
    assert got.iloc[2] == "decision_check_call"
    empty = suggest_for_steps(plain.iloc[:0])
    assert empty.empty and str(empty.dtype) == "string"


def test_suggest_for_steps_runs_once_per_combination(rng):
    # A smoke check on scale, not a benchmark (benchmarks/scripts_suggest.py times it).
    n = 50_000
    frame = pd.DataFrame(
        {
            "step": pd.Categorical(rng.choice(list(STEPS), n)),
            "contact_route": rng.choice(["direct", "hr", "agency"], n),
            "round": rng.choice(["first", "panel"], n),
            "status": rng.choice(["open", "next_round"], n),
            "decision_passed": rng.random(n) < 0.5,
        }
    )
    start = time.perf_counter()
    got = suggest_for_steps(frame)
    assert time.perf_counter() - start < 5
    # Every step an open interview's plan has comes with a script; closing sends nothing,
    # and the steps after a rejection or a ghosted close do not fit an open interview.
    after_the_end = ["close_as_ghosted", "gracious_reply", "reconnect"]
    assert got.notna().sum() == (~frame["step"].isin(after_the_end)).sum()
    assert np.all(got[frame["step"] == "thank_you"].isin(["thank_you_note", "panel_thank_you"]))


def test_speaking_time_is_about_150_words_a_minute():
    assert speaking_time("word " * 150) == 60
    assert speaking_time("Hello there, it's me.") == 2
    assert speaking_time("") == 0


def test_a_coach_file_that_fails_when_filled_in_is_listed_and_the_rest_load(tmp_path):
    folder = tmp_path / "scripts"
    write(folder, "ok.md", GOOD.format(id="coach_ok", version="1"))
    write(folder, "zero.md", GOOD.format(id="coach_zero", version="1") + "{{ 1 // 0 }}\n")
    huge = GOOD.format(id="coach_huge", version="1") + "{{ 'x' * 20001 }}\n"
    write(folder, "huge.md", huge)
    library, errors = load_scripts(folder)
    assert "coach_ok" in library and "coach_zero" not in library and "coach_huge" not in library
    by_file = {e.path.name: e for e in errors}
    assert set(by_file) == {"zero.md", "huge.md"}
    assert by_file["zero.md"].field == "## email"
    assert "could not be filled in" in by_file["zero.md"].reason
    assert "20,000 characters" in by_file["huge.md"].reason
    frame = fk.scripts(folder)
    assert "coach_ok" in set(frame["id"]) and len(frame.attrs["errors"]) == 2
    assert fk.suggest_scripts(step="status_check", extra_dir=folder)["id"].str.len().gt(0).all()
    with pytest.raises(ScriptFileError, match="could not be filled in"):
        load_scripts(folder, errors="raise")


def test_a_script_that_fails_only_with_blanks_is_refused_too(tmp_path):
    text = GOOD.format(id="coach_blank", version="1") + (
        "{% if not decision_date %}{{ 1 // 0 }}{% endif %}\n"
    )
    with pytest.raises(ScriptFileError, match="with blanks"):
        parse_script(text, tmp_path / "blank.md")


def test_script_file_errors_survive_copying_the_scripts_table(tmp_path):
    import copy
    import pickle

    err = ScriptFileError(tmp_path / "a.md", "id", "bad")
    for clone in (copy.deepcopy(err), pickle.loads(pickle.dumps(err))):
        assert (clone.path, clone.field, clone.reason, str(clone)) == (
            err.path, err.field, err.reason, str(err)
        )  # fmt: skip
