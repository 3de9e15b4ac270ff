"""The actions layer: every write a form makes, called directly on a workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from builders import TODAY

import followup_kit as fk
from followup_kit import actions
from followup_kit.actions import (
    call_outcome,
    kind_for_step,
    log_call,
    log_from_script,
    next_follow_up_number,
)
from followup_kit.exceptions import BadFileError, NotYoursError, ValidationError
from followup_kit.library import CALL_ANSWERS, get_script
from followup_kit.plans import plan_for_interview


@pytest.fixture
def iid(filled):
    """The filled workbook's interview, still waiting to hear (its reply said next round)."""
    filled.update_interview(filled.ids["interview"], status="open")
    return filled.ids["interview"]


# --------------------------------------------------------------------------- scripts and calls
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


def _people(wb, iid):
    people = wb.interviewers()
    mine = people[people["interview_id"] == iid]
    return {str(name): int(pid) for name, pid in zip(mine["name"], mine["id"], strict=True)}


def test_log_from_script_credits_the_thank_you_to_the_interviewer_it_went_to(wb):
    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(
        cid, "Acme", "Analyst", date(2025, 3, 18), round="panel",
        interviewers=["Dana Lee", "Sam Ortiz"],
    )  # fmt: skip
    sam = _people(wb, iid)["Sam Ortiz"]
    fid = log_from_script(
        wb, iid, "panel_thank_you", "linkedin", step="thank_you", interviewer_id=sam,
        sent_on=date(2025, 3, 19), client_id=cid,
    )  # fmt: skip
    fu = wb.follow_ups().set_index("id").loc[fid]
    assert (fu["kind"], fu["interviewer_id"], fu["channel"]) == ("thank_you", sam, "linkedin")
    assert (fu["script_id"], fu["script_version"]) == ("panel_thank_you", "1.0")
    assert fu["sent_on"].date() == date(2025, 3, 19)
    plan = plan_for_interview(wb.tables(), iid, today=wb.today)
    thanks = plan[plan["step"] == "thank_you"].set_index("interviewer")["state"]
    assert thanks["Sam Ortiz"] == "done" and thanks["Dana Lee"] != "done"
    status = plan.loc[plan["step"] == "status_check", "state"].iloc[0]
    assert status != "done"  # the thank-you was not taken for a status check


def test_log_from_script_takes_the_step_from_a_one_step_script(filled, iid):
    fid = log_from_script(filled, iid, "thank_you_note", "email", interviewer_id=pd.NA)
    fu = filled.follow_ups().set_index("id").loc[fid]
    assert fu["kind"] == "thank_you" and pd.isna(fu["interviewer_id"])


def test_log_from_script_refuses_someone_from_another_interview(filled, iid):
    other = filled.log_interview(
        filled.ids["client"], "Globex", "Planner", date(2025, 3, 10), interviewers=["Kim"]
    )
    kim = _people(filled, other)["Kim"]
    with pytest.raises(ValidationError, match="interview"):
        log_from_script(filled, iid, "thank_you_note", "email", interviewer_id=kim)


def test_next_follow_up_number_counts_messages_after_the_thank_you(filled, iid):
    assert next_follow_up_number(filled, iid) == 1
    log_from_script(filled, iid, "decision_check_call", "email")
    assert next_follow_up_number(filled, iid) == 2


# --------------------------------------------------------------------------- the plan
def test_plan_steps_are_logged_skipped_and_put_back(filled, iid):
    with pytest.raises(ValueError, match="close_as_ghosted"):
        actions.log_step_sent(filled, iid, "close_as_ghosted")
    fid = actions.log_step_sent(filled, iid, "second_follow_up", channel="phone")
    fu = filled.follow_ups().set_index("id").loc[fid]
    assert (fu["kind"], fu["channel"], fu["sent_on"]) == (
        "status_check",
        "phone",
        pd.Timestamp(TODAY),
    )
    sid = actions.skip_plan_step(filled, iid, "status_check", reason="Other", note="  moved on  ")
    assert filled.skipped_steps()["reason"].tolist() == ["Other: moved on"]
    actions.undo_skip(filled, sid)
    assert filled.skipped_steps().empty


def test_close_as_ghosted_takes_one_interview_or_several(filled, iid):
    other = filled.log_interview(filled.ids["client"], "Globex", "Clerk", date(2025, 3, 10))
    assert actions.close_as_ghosted(filled, iid) == 1
    assert actions.close_as_ghosted(filled, [other]) == 1
    assert set(filled.interviews()["status"]) == {"ghosted"}


# --------------------------------------------------------------------------- entries
def test_a_client_adds_themselves(wb):
    cid = actions.add_client(wb, "Bea Okafor", cohort="", country="GB", username="bea")
    row = wb.clients().set_index("id").loc[cid]
    assert (row["name"], row["country"]) == ("Bea Okafor", "GB") and pd.isna(row["cohort"])
    assert wb.client_for_user("bea") == cid


def test_an_interview_is_logged_changed_and_deleted_with_its_people(wb):
    cid = wb.add_client("Alex Rivera")
    iid = actions.log_interview(
        wb,
        client_id=cid,
        company="Acme",
        role="Analyst",
        interview_date=date(2025, 3, 4),
        round="panel",
        interviewers=[{"name": "Dana Lee", "title": None, "email": None}, "Sam Ortiz"],
    )
    assert wb.interviewers()["name"].tolist() == ["Dana Lee", "Sam Ortiz"]
    dana = int(wb.interviewers()["id"].iloc[0])
    actions.change_interview(
        wb, iid, client_id=cid, role="Lead analyst", interviewers=[{"id": dana, "name": "Dana Lee"}]
    )
    assert wb.interviews()["role"].tolist() == ["Lead analyst"]
    assert wb.interviewers()["name"].tolist() == ["Dana Lee"]
    actions.change_interview(wb, iid, client_id=cid, notes="kept its people")
    assert len(wb.interviewers()) == 1
    removed = actions.delete_interview(wb, iid, client_id=cid)
    assert removed["interviews"] == 1 and removed["interviewers"] == 1
    assert wb.interviews().empty


def test_follow_ups_and_replies_are_logged_changed_and_deleted(filled, iid):
    fid = actions.log_follow_up(
        filled, iid, kind="status_check", channel="email", sent_on=date(2025, 3, 12)
    )
    actions.change_follow_up(filled, fid, channel="linkedin")
    assert filled.follow_ups().set_index("id").loc[fid, "channel"] == "linkedin"
    rid = actions.log_response(filled, iid, received_on=date(2025, 3, 14), result="offer")
    actions.change_response(filled, rid, feedback="Strong case study")
    assert filled.responses().set_index("id").loc[rid, "feedback"] == "Strong case study"
    assert actions.delete_follow_up(filled, fid)["follow_ups"] == 1
    assert actions.delete_response(filled, rid)["responses"] == 1
    assert fid not in set(filled.follow_ups()["id"]) and rid not in set(filled.responses()["id"])


def test_a_refused_entry_raises_and_saves_nothing(filled, iid):
    with pytest.raises(ValidationError):
        actions.log_follow_up(
            filled, iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 1)
        )
    assert len(filled.follow_ups()) == 1


def test_recordings_are_added_and_deleted(filled):
    cid = filled.ids["client"]
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    rid = actions.add_recording(filled, cid, "take.wav", wav, mime="audio/wav")
    assert filled.recording_data(rid) == wav
    actions.delete_recording(filled, rid, client_id=cid)
    assert filled.recordings(cid).empty


def test_a_takes_length_and_note_are_kept_and_only_its_owner_changes_the_note(filled):
    cid = filled.ids["client"]
    other = filled.add_client("Bea Okafor")
    rid = actions.add_recording(
        filled, cid, "Take 1.webm", b"\x1a\x45\xdf\xa3take", mime="audio/webm", seconds=48.24
    )
    row = filled.recordings(cid).iloc[0]
    assert row["seconds"] == 48.2 and pd.isna(row["note"])
    actions.change_recording_note(filled, rid, "Slow down the opener", client_id=cid)
    assert filled.recordings(cid)["note"].tolist() == ["Slow down the opener"]
    with pytest.raises(NotYoursError):
        actions.change_recording_note(filled, rid, "mine now", client_id=other)
    with pytest.raises(ValidationError) as refused:
        actions.change_recording_note(filled, rid, "x" * 501, client_id=cid)
    assert refused.value.problems[0].check == "too_long"
    actions.change_recording_note(filled, rid, None, client_id=cid)
    assert pd.isna(filled.recordings(cid)["note"].iloc[0])
    with pytest.raises(ValidationError) as refused:
        actions.add_recording(
            filled, cid, "t.webm", b"\x1a\x45\xdf\xa3take", mime="audio/webm", seconds=-1
        )
    assert [p.check for p in refused.value.problems] == ["not_a_length"]


# --------------------------------------------------------------------------- whole tables
def test_a_file_is_imported_from_its_bytes(wb):
    data = (
        b"client,company,role,interview_date\n"
        b"Alex Rivera,Acme,Analyst,2025-03-04\n"
        b"Bea Okafor,Globex,Engineer,2025-03-05\n"
    )
    added = actions.import_file(wb, "cohort.csv", data)
    assert added["clients"] == 2 and added["interviews"] == 2
    with pytest.raises(BadFileError):
        actions.import_file(wb, "broken.xlsx", b"not a workbook")


def test_the_demo_loads_up_to_today(wb):
    added = actions.load_demo(wb)
    assert added["clients"] == 40
    assert wb.interviews()["interview_date"].max() <= pd.Timestamp(TODAY)


def test_a_recording_is_told_by_its_content_not_its_name_or_type(filled):
    cid = filled.ids["client"]
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"
    # A browser recorder may call its WebM take video/webm: the content says audio.
    rid = actions.add_recording(filled, cid, "take", webm, mime="video/webm")
    assert filled.recordings().set_index("id").loc[rid, "mime"] == "audio/webm"
    with pytest.raises(ValidationError, match="song.mp3 is not an audio file") as err:
        actions.add_recording(filled, cid, "song.mp3", b"%PDF-1.7", mime="audio/mpeg")
    assert [p.check for p in err.value.problems] == ["not_audio"]
    assert len(filled.recordings(cid)) == 1


def test_concerns_are_saved_trimmed_cleared_and_only_by_their_owner(filled):
    cid, iid = filled.ids["client"], filled.ids["interview"]
    other = filled.add_client("Bea Okafor")
    gap = "Gap in my CV: I cared for a parent, 2023."
    actions.save_concerns(filled, iid, f"  {gap}\n", client_id=cid)
    assert filled.interviews()["concerns"].tolist() == [gap]
    with pytest.raises(NotYoursError):
        actions.save_concerns(filled, iid, "mine now", client_id=other)
    with pytest.raises(ValidationError) as refused:
        actions.save_concerns(filled, iid, "x" * 5001, client_id=cid)
    assert refused.value.problems[0].check == "too_long"
    actions.save_concerns(filled, iid, "", client_id=cid)
    assert filled.interviews()["concerns"].isna().all()
