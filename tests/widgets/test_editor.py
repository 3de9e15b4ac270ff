"""The script editor: situation, suggestions, live tone check, logging what was sent."""

from __future__ import annotations

import threading
from datetime import date

from practice_helpers import FakeTimer, rows

import followup_kit as fk
from followup_kit.widgets._kit import Debouncer
from followup_kit.widgets.editor import ScriptEditor, tone_panel_html


def test_tone_panel_escapes_and_explains():
    text = "<b>Your loss</b>"
    out = tone_panel_html(text, fk.check_tone(text))
    assert "<b>Your loss" not in out and "&lt;b&gt;" in out
    assert "Sounds hostile or bitter" in out and "Try instead" in out
    assert "No wording flagged" in tone_panel_html("Thank you.", [])


def test_debouncer_runs_once_with_the_last_arguments():
    FakeTimer.made.clear()
    calls = []
    d = Debouncer(0.4, lambda *a: calls.append(a), timer=FakeTimer)
    for word in ("a", "ab", "abc"):
        d.trigger(word)
    assert calls == [] and d.pending
    assert [t.delay for t in FakeTimer.made] == [0.4] * 3
    assert [t.cancelled for t in FakeTimer.made] == [True, True, False]
    FakeTimer.made[-1].fn()  # the timer fires
    assert calls == [("abc",)] and not d.pending
    FakeTimer.made[-1].fn()  # a late duplicate fire does nothing
    assert calls == [("abc",)] and d.calls == 1


def test_debouncer_flush_and_cancel():
    calls = []
    d = Debouncer(10, lambda: calls.append(1), timer=FakeTimer)
    d.trigger()
    d.cancel()
    d.flush()
    assert calls == []
    d.trigger()
    d.flush()
    assert calls == [1]


def test_debouncer_with_a_real_timer_fires_after_the_pause():
    done = threading.Event()
    d = Debouncer(0.01, done.set)
    d.trigger()
    d.trigger()
    assert done.wait(5)
    assert d.calls == 1


def editor(wb, **kwargs):
    return ScriptEditor(wb, timer=FakeTimer, **kwargs)


def test_editor_fills_in_the_situation_and_the_best_script(filled, iid):
    ed = editor(filled, interview_id=iid, step="thank_you")
    assert (ed.route.value, ed.round.value, ed.status.value) == ("direct", "first", "open")
    assert ed.script.value == "thank_you_note" and ed.channel.value == "email"
    assert "Dear Dana Lee" in ed.text.value and "[one thing you discussed]" in ed.text.value
    assert "No wording flagged" in ed.tone.value
    assert "seconds to say" in ed.timing.value
    ed.specific_point.value = "the churn model"
    assert "the churn model" in ed.text.value
    ed.round.value = "panel"
    assert ed.script.value in ("thank_you_note", "panel_thank_you")
    assert "Panel" in ed.suggestions.value or "panel" in ed.suggestions.value


def test_editor_suggestions_follow_the_situation(filled, iid):
    ed = editor(filled, interview_id=iid, step="status_check")
    ed.decision_passed.value = True
    assert ed.ranked()["id"].iloc[0] == "decision_date_passed"
    ed.script.value = "decision_date_passed"
    assert "update on timing" in ed.text.value
    ed.other_offer.value = True
    assert ed.ranked()["id"].iloc[0] == "competing_offer"


def test_editor_checks_tone_when_typing_pauses(filled, iid):
    ed = editor(filled, interview_id=iid, step="status_check")
    ed.text.value = "Hi <Dana>, I need an answer by Friday. Your loss."
    assert ed.debouncer.pending and "<mark" not in ed.tone.value  # not yet: still typing
    ed.debouncer.flush()
    assert ed.tone.value.count("<mark") >= 3  # in the text and in the list of findings
    assert "&lt;Dana&gt;" in ed.tone.value and "<Dana>" not in ed.tone.value
    assert "Sounds pushy" in ed.tone.value and "Sounds hostile" in ed.tone.value


def test_editor_marks_the_words_a_model_finding_weighed_most(filled, iid):
    text = "Thanks for Tuesday. My whole life is resting on this one job."
    (finding,) = fk.check_tone(text)
    assert finding.pattern == "model"  # no pattern explains it: the learned model does
    ed = editor(filled, interview_id=iid, step="status_check")
    ed.text.value = text
    ed.debouncer.flush()
    assert f">{finding.words}</mark>" in ed.tone.value
    assert finding.label in ed.tone.value


def test_editor_follow_up_number_changes_the_verdict(filled, iid):
    ed = editor(filled, interview_id=iid)
    ed.text.value = "Just checking in on the role."
    ed.debouncer.flush()
    assert "No wording flagged" in ed.tone.value
    ed.follow_up_number.value = 2
    assert "Sounds pushy" in ed.tone.value


def test_editor_logs_what_was_sent_with_script_id_and_version(filled, iid):
    ed = editor(filled, interview_id=iid, step="status_check")
    ed.script.value = "decision_check_call"
    ed.channel.value = "email"
    ed.sent_on.value = date(2025, 3, 14)
    ed.log_button.click()
    assert "Logged" in ed.status_html.value and "Fri 14 Mar 2025" in ed.status_html.value
    last = rows(filled, "follow_ups")[-1]
    assert (last["script_id"], last["script_version"], last["kind"]) == (
        "decision_check_call",
        "1.0",
        "status_check",
    )
    ed.sent_on.value = date(2025, 3, 1)  # before the interview: refused, shown
    ed.log_button.click()
    assert "ct-error" in ed.status_html.value and len(rows(filled, "follow_ups")) == 2
    assert "cannot be sent before the interview" in ed.status_html.value


def test_editor_without_an_interview_still_works_but_cannot_log():
    ed = editor(None, step="thank_you")
    assert ed.log_button.disabled and "[interviewer's name]" in ed.text.value
    ed._log()
    assert "Open this with an interview" in ed.status_html.value


def test_editor_shows_broken_coach_files(filled, iid):
    folder = filled.data_dir / "scripts"
    folder.mkdir()
    (folder / "broken.md").write_text("no front matter", encoding="utf-8")
    ed = editor(filled, interview_id=iid)
    assert ed.errors and any("broken.md" in str(e) for e in ed.errors)
    assert any("broken.md" in getattr(w, "value", "") for w in ed.box.children)
