"""The call coach: each answer's branch, and the call logged in one click."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from practice_helpers import rows

from followup_kit.actions import (
    call_outcome,
)
from followup_kit.exceptions import FollowupKitError
from followup_kit.library import CALL_ANSWERS
from followup_kit.widgets.call import CallCoach


@pytest.mark.parametrize("answer", list(CALL_ANSWERS))
def test_call_coach_walks_each_branch_and_logs_in_one_click(filled, iid, answer):
    coach = CallCoach(filled, iid, script_id="decision_check_call")
    coach.your_phone.value = "555 0100"
    assert "Hello Dana, this is" in coach.opener.value and coach.log_button.disabled
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


def test_call_coach_keeps_prepared_concerns_with_the_interview(filled, iid):
    cid = filled.ids["client"]
    coach = CallCoach(filled, iid, script_id="decision_check_call", client_id=cid)
    assert coach.concerns.value == "" and coach.concerns_status.value == ""
    answers = "No retail experience.\nMy answer: I ran the shop floor's stock system for 2 years."
    coach.concerns.value = answers
    coach.save_concerns_button.click()
    assert "Saved" in coach.concerns_status.value
    assert rows(filled, "interviews")[0]["concerns"] == answers
    # During the call they show with the second question, line breaks and all.
    coach.answer_buttons["no_decision"].click()
    assert "unsure of" in coach.branch.value and "Your prepared answers" in coach.branch.value
    assert "No retail experience." in coach.branch.value and "2 years" in coach.branch.value
    coach.restart_button.click()
    coach.answer_buttons["someone_else"].click()
    assert "Your prepared answers" not in coach.branch.value
    # The next call on this interview opens with them.
    again = CallCoach(filled, iid, script_id="decision_check_call", client_id=cid)
    assert again.concerns.value == answers
    # Editing clears the "saved" line until the next save; an empty box clears them.
    again.concerns.value = "  "
    assert again.concerns_status.value == ""
    again.save_concerns_button.click()
    assert pd.isna(rows(filled, "interviews")[0]["concerns"])


def test_call_coach_saves_concerns_only_onto_the_clients_own_interview(filled, iid):
    other = filled.add_client("Bea Okafor")
    coach = CallCoach(filled, iid, script_id="decision_check_call", client_id=other)
    coach.concerns.value = "Not mine"
    coach.save_concerns_button.click()
    assert "ct-error" in coach.concerns_status.value
    assert pd.isna(rows(filled, "interviews")[0]["concerns"])


def test_call_coach_escapes_the_prepared_concerns(filled, iid):
    coach = CallCoach(filled, iid, script_id="decision_check_call")
    coach.concerns.value = "<img src=x onerror=alert(1)>"
    coach.answer_buttons["no_decision"].click()
    assert "<img" not in coach.branch.value and "&lt;img" in coach.branch.value


def test_the_feedback_call_walks_every_answer(filled, iid):
    filled.update_interview(iid, status="rejected")
    coach = CallCoach(filled, iid, step="feedback_request")
    assert coach.script.value == "feedback_request_call"
    assert "one thing I could do better" in coach.opener.value
    coach.answer_buttons["someone_else"].click()
    assert "kept in mind" in coach.branch.value
    coach.log_button.click()
    assert rows(filled, "follow_ups")[-1]["kind"] == "feedback_request"
