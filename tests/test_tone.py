"""The tone check: findings, context, negation, coach patterns, and the measured accuracy."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

import followup_kit as fk
from followup_kit.exceptions import TonePatternError
from followup_kit.tone import (
    TONE_CATEGORIES,
    check_tone,
    highlight_findings,
    load_tone_patterns,
    tone_scores,
)

HERE = Path(__file__).parent


def phrases(name: str) -> pd.DataFrame:
    with open(HERE / name, "rb") as fh:
        return pd.DataFrame(tomllib.load(fh)["phrase"])


def categories(text: str, n: int = 1) -> set[str]:
    return {f.category for f in check_tone(text, follow_up_number=n)}


# --------------------------------------------------------------------------- measured
def test_the_labelled_set_is_big_enough_and_balanced():
    frame = phrases("tone_phrases.toml")
    counts = frame["label"].value_counts()
    assert len(frame) >= 80
    assert set(counts.index) == {*TONE_CATEGORIES, "fine"}
    assert counts["fine"] >= len(frame) / 3
    assert not frame["text"].duplicated().any()


def test_tone_check_meets_the_goal_on_the_labelled_set():
    scores = tone_scores(phrases("tone_phrases.toml"))
    print("\n" + scores.round(3).to_string())  # shown with pytest -s
    assert scores.loc["all harmful", "recall"] >= 0.9
    assert scores.loc["fine", "false_alarm_rate"] <= 0.05
    for category in TONE_CATEGORIES:
        assert scores.loc[category, "recall"] >= 0.9, category
        assert scores.loc[category, "precision"] >= 0.9, category


def test_held_out_set_is_scored_and_reported():
    # Written after the patterns were frozen and never used to tune them. The goal is not
    # met here (recall was 0.375 when written); this guards against regressions and keeps
    # the false-alarm side honest.
    frame = phrases("tone_heldout.toml")
    assert not set(frame["text"]) & set(phrases("tone_phrases.toml")["text"])
    scores = tone_scores(frame)
    print("\n" + scores.round(3).to_string())
    assert scores.loc["fine", "false_alarm_rate"] <= 0.05
    assert scores.loc["all harmful", "recall"] >= 0.35
    assert scores.loc["all harmful", "precision"] >= 0.9


# --------------------------------------------------------------------------- behaviour
def test_a_finding_names_words_position_category_reason_and_suggestion():
    text = "Thanks again. Your loss, honestly."
    (finding,) = check_tone(text)
    assert finding.category == "hostile" and finding.label == "Sounds hostile or bitter"
    assert text[finding.start : finding.end] == finding.words == "Your loss"
    assert finding.why and finding.suggestion and finding.pattern == "your_loss"


def test_just_checking_in_is_fine_first_and_flagged_after():
    text = "Hi Dana, just checking in on the analyst role."
    assert check_tone(text, follow_up_number=1) == []
    assert categories(text, 2) == {"pushy"}
    assert categories("Circling back on this.", 3) == {"pushy"}


@pytest.mark.parametrize(
    "text",
    [
        "I know hiring takes time.",
        "I know hiring can take a while, so thank you for the update.",
        "I know you're busy, so I'll keep this short.",
        "I know you are very busy this month.",
        "I understand these decisions take time.",
        "There's no rush at all.",
        "I'm sorry to hear that, and thank you for telling me.",
    ],
)
def test_phrases_advisers_recommend_are_never_flagged(text):
    for n in (1, 2, 3):
        assert check_tone(text, follow_up_number=n) == []


def test_negation_matters_where_it_changes_the_meaning():
    assert categories("I need an answer soon.") == {"pushy"}
    assert categories("I don't need an answer right away.") == set()
    assert categories("Please hurry.") == {"pushy"}
    assert categories("I'm not in a hurry.") == set()
    assert categories("You made a mistake.") == {"hostile"}


def test_curly_apostrophes_and_missing_ones_match_too():
    assert categories("I can\u2019t wait forever.") == {"pushy"}
    assert categories("Dont come crying to me.") == {"hostile"}


def test_the_same_words_can_point_two_ways():
    assert categories("Sorry for wasting your time.") == {"self_deprecating"}
    assert categories("That was a waste of my time.") == {"hostile"}
    assert categories("I feel so stupid about that answer.") == {"self_deprecating"}


def test_findings_are_sorted_and_not_nested_within_a_category():
    found = check_tone("Please, please, I'm begging you. I really need this job.")
    assert [f.start for f in found] == sorted(f.start for f in found)
    for a in found:
        for b in found:
            if a is not b and a.category == b.category:
                assert not (a.start <= b.start and b.end <= a.end)


def test_empty_text_has_no_findings():
    assert check_tone("") == []
    assert check_tone("   \n") == []


# --------------------------------------------------------------------------- highlighting
def test_highlight_escapes_everything_and_marks_the_findings():
    text = "<script>alert(1)</script> Your loss & good luck finding someone."
    out = highlight_findings(text, check_tone(text))
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert out.count("<mark") == 2
    assert '<mark class="tone-hostile" title="Sounds hostile or bitter">Your loss</mark>' in out


def test_overlapping_findings_share_one_mark():
    text = "I really need an answer."
    found = check_tone(text)
    assert len(found) >= 1
    out = highlight_findings(text, found * 2)  # duplicates overlap completely
    assert out.count("<mark") == len({(f.start, f.end) for f in found})


# --------------------------------------------------------------------------- coach patterns
EXTRA = """
[fragments]
greeting = "(?:hiya|yo)"

[[pattern]]
id = "too_casual"
category = "pushy"
regex = "\\\\b{greeting}\\\\b"
why = "Too casual for a first note to a hiring manager."
suggestion = "Open with Hello or Dear and their name."

[[pattern]]
id = "your_loss"
category = "hostile"
regex = "\\\\bnever mind\\\\b"
why = "Replaced."
suggestion = "Replaced."

[[allow]]
id = "friendly"
regex = "\\\\byo-yo\\\\b"
"""


def test_a_coach_file_adds_patterns_and_replaces_by_id(tmp_path):
    path = tmp_path / "tone_patterns.toml"
    path.write_text(EXTRA, encoding="utf-8")
    rules = load_tone_patterns(path)
    assert len(rules) == len(load_tone_patterns()) + 1
    assert [f.pattern for f in check_tone("Yo, any news?", patterns=rules)] == ["too_casual"]
    assert check_tone("Your loss.", patterns=rules) == []  # the built-in was replaced
    assert {f.category for f in check_tone("Never mind.", patterns=rules)} == {"hostile"}
    assert check_tone("My yo-yo career.", patterns=rules) == []  # allowed phrase wins


def test_a_workbook_means_its_data_dir_file(wb):
    assert len(load_tone_patterns(wb)) == len(load_tone_patterns())  # no file: built-ins
    (wb.data_dir / "tone_patterns.toml").write_text(EXTRA, encoding="utf-8")
    assert check_tone("hiya", patterns=load_tone_patterns(wb))[0].pattern == "too_casual"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[[pattern]]\nid = "x"\ncategory = "rude"\nregex = "a"\nwhy = "w"\nsuggestion = "s"',
         "category"),
        ('[[pattern]]\nid = "x"\ncategory = "pushy"\nregex = "(a"\nwhy = "w"\nsuggestion = "s"',
         "regex"),
        ('[[pattern]]\nid = "x"\ncategory = "pushy"\nregex = "{nope}"\nwhy = "w"\n'
         'suggestion = "s"', "regex"),
        ('[[pattern]]\nid = "x"\ncategory = "pushy"\nregex = "a"\nsuggestion = "s"', "why"),
        ('[[pattern]]\nid = "x"\ncategory = "pushy"\nregex = "a"\nwhy = "w"\nsuggestion = "s"\n'
         "min_follow_up = 0", "min_follow_up"),
        ("this is = not toml [", "file"),
    ],
)  # fmt: skip
def test_a_malformed_coach_file_names_the_file_and_field(tmp_path, text, field):
    path = tmp_path / "coach.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TonePatternError) as info:
        load_tone_patterns(path)
    assert info.value.field.endswith(field) and "coach.toml" in str(info.value)
    assert isinstance(info.value, fk.FollowupKitError)


def test_every_builtin_pattern_has_advice():
    rules = load_tone_patterns()
    assert len(rules) > 30
    assert {p.category for p in rules.patterns} == set(TONE_CATEGORIES)
    assert all(p.why and p.suggestion for p in rules.patterns)


def test_tone_scores_counts_hits_and_false_alarms():
    frame = pd.DataFrame(
        {
            "text": ["Your loss.", "Thanks for your time.", "Sorry to bother you.", "Hi."],
            "label": ["hostile", "fine", "pushy", "desperate"],
        }
    )
    scores = tone_scores(frame)
    assert scores.loc["hostile", ["n", "flagged", "hits"]].tolist() == [1, 1, 1]
    assert scores.loc["pushy", "recall"] == 0  # flagged, but as self-deprecating
    assert scores.loc["desperate", "recall"] == 0
    assert scores.loc["fine", "false_alarm_rate"] == 0
    assert scores.loc["all harmful", "recall"] == pytest.approx(1 / 3)
