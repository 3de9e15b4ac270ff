"""The learned tone model: exact numpy scoring, the shipped file, coach retraining, findings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import followup_kit as fk
from followup_kit.exceptions import ToneModelError
from followup_kit.tone import TONE_CATEGORIES, highlight_findings
from followup_kit.tone_model import (
    _BUILTIN_CORPUS,
    _BUILTIN_MODEL,
    SETTINGS,
    ToneModel,
    corpus_sha256,
    export_pipeline,
    fit_pipeline,
    load_tone_model,
    read_tone_sentences,
)
from followup_kit.tone_model import main as tone_model_cli

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def corpus():
    return read_tone_sentences(_BUILTIN_CORPUS)


@pytest.fixture(scope="module")
def fitted(corpus):
    return fit_pipeline(corpus)


def test_the_corpus_is_big_varied_and_labelled(corpus):
    counts = corpus["label"].value_counts()
    assert len(corpus) >= 1500
    assert set(counts.index) == {*TONE_CATEGORIES, "fine"}
    assert counts.min() >= 150
    assert corpus["family"].nunique() >= 250
    assert not corpus["sentence"].str.lower().duplicated().any()
    # every family holds one label, so grouped folds keep an idea on one side
    assert (corpus.groupby("family")["label"].nunique() == 1).all()


def test_numpy_scorer_reproduces_the_sklearn_pipeline(corpus, fitted):
    texts = corpus["sentence"].tolist() + ["", "   ", "Ünïcode — ok?", "a b c"]
    model = export_pipeline(fitted)
    assert list(model.classes) == list(fitted.classes_)
    np.testing.assert_allclose(model.predict_proba(texts), fitted.predict_proba(texts), atol=1e-12)
    np.testing.assert_allclose(
        model.decision_function(texts), fitted.decision_function(texts), atol=1e-10
    )


def test_a_saved_model_loads_back_identical(tmp_path, fitted, corpus):
    model = export_pipeline(fitted, threshold=0.7, corpus_hash="abc")
    again = ToneModel.load(model.save(tmp_path / "m.npz"))
    texts = corpus["sentence"].head(50).tolist()
    assert np.array_equal(model.predict_proba(texts), again.predict_proba(texts))
    assert (again.threshold, again.corpus_sha256) == (0.7, "abc")


def test_the_shipped_model_was_trained_on_the_shipped_corpus(fitted, corpus):
    shipped = load_tone_model(_BUILTIN_MODEL)
    # Fails when tone_corpus.tsv changes without `make tone-model`.
    assert shipped.corpus_sha256 == corpus_sha256([_BUILTIN_CORPUS])
    assert shipped.settings == SETTINGS
    texts = corpus["sentence"].tolist()
    np.testing.assert_allclose(shipped.predict_proba(texts), fitted.predict_proba(texts), atol=1e-4)
    assert _BUILTIN_MODEL.stat().st_size < 1_000_000


def test_checking_tone_never_imports_scikit_learn():
    code = (
        "import sys, followup_kit as fk; fk.check_tone('My whole life is resting on this job.');"
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_model_finding_names_category_words_reason_and_advice():
    text = "Thanks for Tuesday. My whole life is resting on this one job."
    assert fk.check_tone(text, model=False) == []  # no pattern explains it
    (finding,) = fk.check_tone(text)
    assert finding.pattern == "model" and finding.category in TONE_CATEGORIES
    assert text[finding.start : finding.end] == finding.words
    assert finding.start >= text.index("My")  # in the flagged sentence, not the greeting
    assert "weighed most" in finding.why and "\u201c" in finding.why and finding.suggestion
    marked = highlight_findings(text, [finding])
    assert f">{finding.words}</mark>" in marked


def test_a_pattern_finding_leaves_its_sentence_to_the_pattern():
    found = fk.check_tone("Your loss, and I'll be telling everyone how I was treated.")
    assert found and all(f.pattern != "model" for f in found)


def test_wording_a_rule_cleared_is_not_overruled_by_the_model():
    assert fk.check_tone("I don't need an answer right away.") == []


def test_a_sentence_wrapped_over_two_lines_is_read_whole():
    text = "Thanks for Tuesday. My whole life is resting\non this one job.\n\nBest,\nAlex"
    (finding,) = fk.check_tone(text)
    assert finding.pattern == "model" and finding.category == "desperate"


def test_placeholders_and_short_lines_are_left_alone():
    assert fk.check_tone("Dear [interviewer's name],\n\nKind regards,\n[your name]") == []


def test_the_model_stays_quiet_on_the_held_out_fine_sentences():
    held = read_tone_sentences(HERE / "tone_heldout_model.tsv")
    fine = held.loc[held["label"] == "fine", "sentence"]
    flagged = [t for t in fine if fk.check_tone(t)]
    assert len(flagged) <= 0.10 * len(fine), flagged
    harmful = held.loc[held["label"] != "fine", "sentence"]
    caught = np.mean([bool(fk.check_tone(t)) for t in harmful])
    patterns_only = np.mean([bool(fk.check_tone(t, model=False)) for t in harmful])
    # Corpus round 2 was written after this set's misses were read, so it no longer measures
    # cleanly (see the second set below); this guards the gain the model brings.
    assert caught > patterns_only


def test_the_second_held_out_set_meets_the_issue_goals():
    # Written after the model was frozen (tests/tone_heldout_v2.tsv says when) and never used
    # to tune it. This guards the issue's goals; if a change fails it, fix the corpus or the
    # model and write a new held-out set, never edit this one to pass.
    held = read_tone_sentences(HERE / "tone_heldout_v2.tsv")
    corpus = read_tone_sentences(_BUILTIN_CORPUS)
    assert not set(held["sentence"].str.lower()) & set(corpus["sentence"].str.lower())
    assert len(held) >= 120 and held["label"].nunique() == 5
    found = [{f.category for f in fk.check_tone(t)} for t in held["sentence"]]
    harmful = [(lab, got) for lab, got in zip(held["label"], found, strict=True) if lab != "fine"]
    fine = [got for lab, got in zip(held["label"], found, strict=True) if lab == "fine"]
    assert np.mean([bool(got) for _, got in harmful]) >= 0.85
    assert np.mean([lab in got for lab, got in harmful]) >= 0.7
    assert np.mean([bool(got) for got in fine]) <= 0.10


@pytest.mark.slow  # trains a model
def test_coach_sentences_train_a_model_in_their_folder(tmp_path, wb, capsys):
    before = _BUILTIN_MODEL.stat().st_mtime_ns
    wb.data_dir.mkdir(parents=True, exist_ok=True)
    (wb.data_dir / "tone_sentences.tsv").write_text(
        "# my clients' own wording\nfamily\tlabel\tsentence\n"
        "coach.a\tdesperate\tThe job centre says I must take anything going.\n"
        "coach.b\tfine\tThank you for the tour of the bakery.\n",
        encoding="utf-8",
    )
    # The one command the notebook gives coaches.
    assert tone_model_cli(["train", "--data-dir", str(wb.data_dir), "--folds", "2"]) == 0
    path = wb.data_dir / "tone_model.npz"
    assert f"Wrote {path}" in capsys.readouterr().out
    assert _BUILTIN_MODEL.stat().st_mtime_ns == before  # the package is left alone
    coach = load_tone_model(wb)
    assert coach.source == str(path)
    assert coach.corpus_sha256 != load_tone_model(_BUILTIN_MODEL).corpus_sha256
    assert fk.check_tone("Thank you for the tour of the bakery.", model=coach) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("family\tlabel\tsentence\nx\trude\tHi.\n", "label 'rude'"),
        ("family\tlabel\tsentence\nx\tfine\n", "2 columns"),
        ("fam\tlab\tsent\n", "header"),
        ("", "empty"),
    ],
)
def test_a_malformed_sentence_file_names_the_file_and_line(tmp_path, text, words):
    path = tmp_path / "tone_sentences.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ToneModelError) as info:
        read_tone_sentences(path)
    assert words in str(info.value) and "tone_sentences.tsv" in str(info.value)
    assert isinstance(info.value, fk.FollowupKitError)
