"""The script editor: situation, suggestions, live tone check, logging what was sent."""

from __future__ import annotations

import html
import threading
from datetime import date

from practice_helpers import FakeTimer, rows

import followup_kit as fk
from followup_kit.messages import linkedin_length
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


def _sam(wb, iid):
    people = wb.interviewers()
    return int(
        people.loc[(people["interview_id"] == iid) & (people["name"] == "Sam Ortiz"), "id"].iloc[0]
    )


def test_editor_fills_in_the_situation_and_the_best_script(filled, iid):
    ed = editor(filled, interview_id=iid, step="thank_you")
    assert (ed.route.value, ed.round.value, ed.status.value) == ("direct", "first", "open")
    assert ed.script.value == "thank_you_note" and ed.channel.value == "email"
    assert ed.script.label == "Thank-you note after an interview (suggested)"
    assert all("_" not in label for label, _ in ed.script.options)  # titles, never ids
    assert "Dear Dana," in ed.text.value and "[one thing you discussed]" in ed.text.value
    assert "Why this script" in ed.why.value
    assert "No wording flagged" in ed.tone.value
    assert "seconds to say" in ed.timing.value
    ed.specific_point.value = "the churn model"
    assert "the churn model" in ed.text.value
    assert ed.situation.get_title(0) == "Change the situation"
    assert ed.situation.selected_index is None  # tucked away
    ed.round.value = "panel"
    assert ed.script.value in ("thank_you_note", "panel_thank_you")
    assert "anel" in ed.suggestions.value


def test_editor_asks_only_for_what_the_interview_does_not_know(filled, iid):
    ed = editor(filled, interview_id=iid, step="thank_you")
    shown = [row.children[1] for row in ed.fields_box.children]
    assert shown == [ed.specific_point]  # names, company, role, date come from the log
    assert "One thing you discussed" in ed.fields_box.children[0].children[0].value
    alone = editor(None, step="thank_you")
    assert "[interviewer's name]" in alone.text.value
    assert "interviewer" in alone.fields and "company" in alone.fields
    alone.fields["company"].value = "Initech"
    assert "Initech" in alone.text.value


def test_editor_situate_picks_the_person_and_the_plans_script(filled, iid):
    sam = _sam(filled, iid)
    ed = editor(filled, interview_id=iid, step="status_check")
    ed.situate("thank_you", interviewer_id=sam, script_id="panel_thank_you")
    assert (ed.step.value, ed.interviewer.value, ed.script.value) == (
        "thank_you",
        sam,
        "panel_thank_you",
    )
    assert "Dear Sam Ortiz" in ed.text.value or "Sam" in ed.text.value.split("\n")[2]
    assert ed.recipient_name() == "Sam Ortiz"
    ed.situate("second_follow_up")
    assert ed.script.value == "second_follow_up" and ed.follow_up_number.value == 2


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


def test_edits_are_kept_per_script_channel_and_person(filled, iid):
    sam = _sam(filled, iid)
    ed = editor(filled, interview_id=iid, step="thank_you")
    dana = ed.interviewer.value
    ed.text.value = ed.text.value + "\nP.S. Mine for Dana."
    assert "own version" in ed.own_version.value and not ed.restart.disabled
    ed.channel.value = "linkedin"
    assert "Mine for Dana" not in ed.text.value  # another channel: the script's text
    ed.channel.value = "email"
    assert ed.text.value.endswith("P.S. Mine for Dana.")  # came back
    ed.interviewer.value = sam
    assert "Mine for Dana" not in ed.text.value and ed.restart.disabled
    ed.interviewer.value = dana
    assert ed.text.value.endswith("P.S. Mine for Dana.")
    ed.script.value = "panel_thank_you"
    ed.script.value = "thank_you_note"
    assert ed.text.value.endswith("P.S. Mine for Dana.")


def test_replacing_edits_asks_first_and_no_keeps_them(filled, iid):
    ed = editor(filled, interview_id=iid, step="thank_you")
    ed.text.value = "My own words."
    ed.restart.click()
    assert ed.confirm_box.layout.display is None  # the Yes / No row shows
    assert "will be lost" in ed.confirm_question.value
    ed.confirm_no.click()
    assert ed.text.value == "My own words." and ed.confirm_box.layout.display == "none"
    ed.specific_point.value = "the churn model"  # would fill the script in again: asks
    assert ed.text.value == "My own words." and ed.confirm_box.layout.display is None
    ed.confirm_yes.click()
    assert "the churn model" in ed.text.value and "My own words" not in ed.text.value
    assert ed.restart.disabled and ed.confirm_box.layout.display == "none"


def test_ready_to_send_copy_mail_link_and_linkedin_length(filled, iid):
    sam = _sam(filled, iid)
    filled.update_interviewer(sam, email="sam@acme.example")
    ed = editor(filled, interview_id=iid, step="thank_you", interviewer_id=sam)
    assert ed.copy.text == ed.text.value and ed.copy.label.startswith("Copy")
    link = html.unescape(ed.mail_link.value.split("href='")[1].split("'")[0])
    assert link == fk.mailto(ed.text.value, to="sam@acme.example")
    assert "Open in my mail app" in ed.mail_link.value and ed.length.value == ""
    ed.text.value = "Subject: Thanks\n\nHello Sam & team, ça va?"
    assert ed.copy.text == ed.text.value  # at once, not after the tone check's pause
    assert "Hello%20Sam%20%26%20team%2C%20%C3%A7a%20va%3F" in ed.mail_link.value
    ed.channel.value = "linkedin"
    assert ed.mail_link.value == "" and "characters" in ed.length.value
    assert linkedin_length(ed.text.value) in html.unescape(ed.length.value)


def test_editor_logs_the_step_the_person_and_the_script(filled, iid):
    sam = _sam(filled, iid)
    ed = editor(filled, interview_id=iid, step="thank_you", interviewer_id=sam)
    logged = []
    ed.on_logged(logged.append)
    ed.channel.value = "linkedin"
    assert ed.sent_on.value == filled.today  # default today
    ed.log_button.click()
    assert "Thank-you note to Sam Ortiz" in ed.status_html.value
    assert "on LinkedIn on Thu 20 Mar 2025" in ed.status_html.value
    last = rows(filled, "follow_ups")[-1]
    assert (last["kind"], last["interviewer_id"], last["channel"]) == ("thank_you", sam, "linkedin")
    assert (last["script_id"], last["script_version"]) == ("thank_you_note", "1.0")
    assert logged == [last["id"]]


def test_editor_logs_a_status_check_with_its_date(filled, iid):
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
    assert any("broken.md" in getattr(w, "value", "") for w in ed.script_part.children)


def test_hiding_the_yes_no_row_or_the_person_hides_nothing_else(wb, cid):
    iid = wb.log_interview(cid, "Globex", "Engineer", date(2025, 3, 19))  # nobody named
    ed = editor(wb, interview_id=iid, step="thank_you")
    assert ed.confirm_box.layout.display == "none" and ed.interviewer.layout.display == "none"
    shown = [ed.channel, ed.script, ed.step, *ed.send_part.children, *ed.fill_part.children[3:5]]
    assert all(w.layout.display != "none" for w in shown)
    assert "[interviewer's name]" in ed.text.value and "interviewer" in ed.fields
