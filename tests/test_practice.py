"""Practice widgets driven from pytest: script editor, call coach, rehearsal, and their logic."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import followup_kit as fk
from followup_kit.exceptions import FollowupKitError, ValidationError
from followup_kit.library import CALL_ANSWERS, get_script
from followup_kit.practice import (
    CallCoach,
    Debouncer,
    Rehearsal,
    ScriptEditor,
    call_outcome,
    kind_for_step,
    log_call,
    log_from_script,
    next_follow_up_number,
    tone_panel_html,
)


class FakeTimer:
    """Stands in for threading.Timer: records what was started; nothing runs on its own."""

    made: list[FakeTimer] = []

    def __init__(self, delay, fn):
        self.delay, self.fn = delay, fn
        self.started = self.cancelled = False
        FakeTimer.made.append(self)

    def start(self):
        self.started = True

    def cancel(self):
        self.cancelled = True


@pytest.fixture
def iid(filled):
    # An interview still waiting to hear (the fixture's reply moved it to next round).
    filled.update_interview(filled.ids["interview"], status="open")
    return filled.ids["interview"]


def rows(wb, table):
    return getattr(wb, table)().to_dict("records")


# --------------------------------------------------------------------------- plain logic
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("no_decision", ("phone", "still_deciding")),
        ("someone_else", ("phone", "rejection")),
        ("you_got_it", ("phone", "offer")),
        ("voicemail", ("voicemail", None)),
        ("call_back_later", ("phone", None)),
    ],
)
def test_call_outcome_maps_each_answer(answer, expected):
    assert call_outcome(answer) == expected


def test_call_outcome_you_got_it_can_be_the_next_round_and_refuses_nonsense():
    assert call_outcome("you_got_it", got_it_result="next_round") == ("phone", "next_round")
    with pytest.raises(ValueError, match="answer"):
        call_outcome("maybe")
    with pytest.raises(ValueError, match="got_it_result"):
        call_outcome("you_got_it", got_it_result="rejection")


def test_kind_for_step():
    assert kind_for_step(None) == "status_check"
    assert kind_for_step("second_follow_up") == "status_check"
    assert kind_for_step("feedback_request") == "feedback_request"
    assert kind_for_step("thank_you") == "thank_you"
    with pytest.raises(ValueError):
        kind_for_step("lunch")


@pytest.mark.parametrize("answer", list(CALL_ANSWERS))
def test_log_call_writes_the_follow_up_and_the_answer_together(filled, iid, answer):
    before_f, before_r = len(filled.follow_ups()), len(filled.responses())
    got = log_call(filled, iid, "decision_check_call", answer, sent_on=date(2025, 3, 12))
    channel, result = call_outcome(answer)
    fu = filled.follow_ups().set_index("id").loc[got["follow_up_id"]]
    assert (fu["channel"], fu["kind"]) == (channel, "status_check")
    assert (fu["script_id"], fu["script_version"]) == ("decision_check_call", "1.0")
    assert fu["sent_on"].date() == date(2025, 3, 12)
    assert len(filled.follow_ups()) == before_f + 1
    if result is None:
        assert got["response_id"] is None and len(filled.responses()) == before_r
    else:
        rs = filled.responses().set_index("id").loc[got["response_id"]]
        assert (rs["result"], rs["channel"]) == (result, "phone")
        assert rs["received_on"].date() == date(2025, 3, 12)


def test_log_call_removes_the_follow_up_if_the_answer_cannot_be_saved(filled, iid, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError([fk.Problem("result", "refused for the test")])

    monkeypatch.setattr(filled, "log_response", refuse)
    before = len(filled.follow_ups())
    with pytest.raises(ValidationError):
        log_call(filled, iid, "decision_check_call", "no_decision")
    assert len(filled.follow_ups()) == before


def test_log_from_script_records_id_version_and_kind(filled, iid):
    fid = log_from_script(filled, iid, "second_follow_up", "email", step="second_follow_up")
    fu = filled.follow_ups().set_index("id").loc[fid]
    assert (fu["kind"], fu["channel"]) == ("status_check", "email")
    assert (fu["script_id"], fu["script_version"]) == ("second_follow_up", "1.0")
    assert fu["sent_on"].date() == filled.today


def test_log_from_script_uses_a_coach_override_version(filled, iid):
    folder = filled.data_dir / "scripts"
    folder.mkdir()
    builtin = Path(get_script("thank_you_note").path).read_text(encoding="utf-8")
    source = builtin.replace('version = "1.0"', 'version = "1.1-ours"')
    (folder / "thank_you_note.md").write_text(source, encoding="utf-8")
    fid = log_from_script(filled, iid, "thank_you_note", "email", step="thank_you")
    assert filled.follow_ups().set_index("id").loc[fid, "script_version"] == "1.1-ours"


def test_next_follow_up_number_counts_messages_after_the_thank_you(filled, iid):
    assert next_follow_up_number(filled, iid) == 1
    log_from_script(filled, iid, "decision_check_call", "email")
    assert next_follow_up_number(filled, iid) == 2


def test_tone_panel_escapes_and_explains():
    text = "<b>Your loss</b>"
    out = tone_panel_html(text, fk.check_tone(text))
    assert "<b>Your loss" not in out and "&lt;b&gt;" in out
    assert "Sounds hostile or bitter" in out and "Try instead" in out
    assert "No wording flagged" in tone_panel_html("Thank you.", [])


# --------------------------------------------------------------------------- debouncer
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


# --------------------------------------------------------------------------- script editor
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


# --------------------------------------------------------------------------- call coach
@pytest.mark.parametrize("answer", list(CALL_ANSWERS))
def test_call_coach_walks_each_branch_and_logs_in_one_click(filled, iid, answer):
    coach = CallCoach(filled, iid, script_id="decision_check_call")
    coach.your_phone.value = "555 0100"
    assert "Dana Lee" in coach.opener.value and coach.log_button.disabled
    coach.answer_buttons[answer].click()
    assert coach.answer == answer and not coach.log_button.disabled
    assert CALL_ANSWERS[answer] in coach.branch.value
    if answer == "voicemail":
        assert coach.branch.value.count("555 0100") == 2  # name and number, twice
    before_f, before_r = len(filled.follow_ups()), len(filled.responses())
    coach.log_button.click()
    coach.log_button.click()  # a second click logs nothing more
    channel, result = call_outcome(answer)
    assert len(filled.follow_ups()) == before_f + 1
    assert len(filled.responses()) == before_r + (result is not None)
    last = rows(filled, "follow_ups")[-1]
    assert (last["channel"], last["script_id"], last["script_version"]) == (
        channel,
        "decision_check_call",
        "1.0",
    )
    if result is not None:
        assert rows(filled, "responses")[-1]["result"] == result
    assert "Logged" in coach.status_html.value
    assert all(b.disabled for b in coach.answer_buttons.values())


def test_call_coach_you_got_it_can_log_the_next_round(filled, iid):
    coach = CallCoach(filled, iid, script_id="decision_check_call")
    coach.answer_buttons["you_got_it"].click()
    assert coach.got_it_result.layout.display is None
    coach.got_it_result.value = "next_round"
    coach.log_button.click()
    assert rows(filled, "responses")[-1]["result"] == "next_round"


def test_call_coach_start_over_and_defaults(filled, iid):
    coach = CallCoach(filled, iid)
    assert coach.current_script.is_phone
    coach.answer_buttons["someone_else"].click()
    assert "keep me in mind" in coach.branch.value or "considered" in coach.branch.value
    coach.restart_button.click()
    assert coach.answer is None and coach.branch.value == "" and coach.log_button.disabled
    assert len(filled.follow_ups()) == 1  # only the thank-you from the fixture


def test_call_coach_refuses_a_script_without_a_call(filled, iid):
    with pytest.raises(FollowupKitError, match="not a phone script"):
        CallCoach(filled, iid, script_id="thank_you_note")


def test_call_coach_reports_a_refused_date(filled, iid):
    coach = CallCoach(filled, iid, script_id="agency_follow_up")
    coach.answer_buttons["no_decision"].click()
    coach.called_on.value = date(2025, 3, 1)  # before the interview
    coach.log_button.click()
    assert "ct-error" in coach.status_html.value and coach.logged is None
    assert len(filled.follow_ups()) == 1 and len(filled.responses()) == 1


# --------------------------------------------------------------------------- rehearsal
def upload_value(name, data, mime):
    return (
        {
            "name": name,
            "type": mime,
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 20, tzinfo=UTC),
        },
    )


def test_rehearsal_shows_the_script_and_its_speaking_time(filled, iid):
    r = Rehearsal(filled, filled.ids["client"], interview_id=iid)
    assert r.script.value == "decision_check_call" and r.channel.value == "phone"
    assert "Dana Lee" in r.text.value and "Speaking time: about" in r.timing.value
    assert all("seconds" in label or "min" in label for label, _ in r.script.options)
    r.channel.value = "voicemail"
    assert "Voicemail" not in r.text.value and "[your phone number]" in r.text.value


def test_rehearsal_upload_play_and_delete(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    data = b"RIFF\x00\x00fake-wave"
    r.upload.value = upload_value("take <1>.wav", data, "audio/wav")
    assert r.upload.value == ()  # cleared for the next take
    stored = filled.recordings(cid)
    assert stored["filename"].tolist() == ["take <1>.wav"]
    assert stored["script_id"].tolist() == ["decision_check_call"]
    assert filled.recording_data(int(stored["id"].iloc[0])) == data
    assert r.recordings.value == int(stored["id"].iloc[0])
    assert bytes(r.audio.value) == data and r.audio.format == "wav"
    assert "take &lt;1&gt;.wav" in r.status_html.value
    r.delete_button.click()
    assert r._confirm.layout.display is None
    r.keep_button.click()
    assert len(filled.recordings(cid)) == 1
    r.delete_button.click()
    r.confirm_button.click()
    assert filled.recordings(cid).empty and r.recordings.options == ()
    assert r.delete_button.disabled


def test_rehearsal_refuses_a_file_that_is_not_audio(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    r.upload.value = upload_value("notes.pdf", b"%PDF", "application/pdf")
    assert filled.recordings(cid).empty and "not an audio file" in r.status_html.value


def test_widgets_display_as_boxes(filled, iid):
    for thing in (
        fk.script_editor(filled, interview_id=iid),
        fk.call_coach(filled, iid),
        fk.rehearsal(filled, filled.ids["client"]),
    ):
        bundle = thing._repr_mimebundle_()
        assert bundle["text/plain"].startswith("<") and thing.box.children
