"""The Workbook: adding, changing, deleting, reading; every refusal writes nothing."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import date, datetime

import pandas as pd
import pytest

import followup_kit as fk
from followup_kit.exceptions import ArgumentError, OutputFileError, ValidationError
from followup_kit.recordings import MAX_RECORDING_BYTES, audio_type
from followup_kit.schema import CHOICES, TABLES


def test_public_api_round_trip(wb):
    cid = wb.add_client("Alex Rivera", country="US")
    iid = wb.log_interview(
        client_id=cid,
        company="Acme",
        role="Analyst",
        interview_date=date(2025, 3, 4),
        round="first",
        interviewers=["Dana Lee"],
        decision_expected=None,
    )
    fid = wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 4))
    rid = wb.log_response(iid, received_on=date(2025, 3, 11), result="next_round")
    iv = wb.interviews()
    assert iv.loc[0, ["id", "client_id", "company", "role"]].tolist() == [
        iid,
        cid,
        "Acme",
        "Analyst",
    ]
    assert wb.interviewers()["name"].tolist() == ["Dana Lee"]
    assert wb.follow_ups().loc[0, "id"] == fid
    assert wb.responses().loc[0, "result"] == "next_round"
    assert wb.responses().loc[0, "id"] == rid


def test_frames_have_proper_dtypes(filled):
    iv = filled.interviews()
    assert str(iv["interview_date"].dtype) == "datetime64[us]"
    assert iv["interview_date"].iloc[0] == pd.Timestamp("2025-03-04")
    assert isinstance(iv["round"].dtype, pd.CategoricalDtype)
    assert list(iv["status"].cat.categories) == list(CHOICES["status"])
    assert str(iv["id"].dtype) == "Int64"
    assert str(filled.follow_ups()["interviewer_id"].dtype) == "Int64"
    assert filled.follow_ups()["interviewer_id"].isna().all()


def test_empty_frames_keep_their_columns_and_dtypes(wb):
    frame = wb.responses()
    assert frame.empty
    assert list(frame.columns) == TABLES["responses"].columns
    assert str(frame["received_on"].dtype) == "datetime64[us]"


def test_dates_accept_date_datetime_and_iso_strings(wb):
    cid = wb.add_client("Alex")
    for value in (date(2025, 3, 4), datetime(2025, 3, 4, 10, 0), "2025-03-04"):
        iid = wb.log_interview(cid, "Acme", "Analyst", value)
        assert wb.interviews().set_index("id").loc[iid, "interview_date"] == pd.Timestamp(
            "2025-03-04"
        )


def _counts(wb):
    return wb.counts().to_dict()


def test_refusal_names_every_field_and_writes_nothing(filled):
    before = _counts(filled)
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(
            filled.ids["client"],
            " ",
            "Analyst",
            "someday",
            round="lunch",
            interviewers=["Ok Person", ""],
        )
    fields = {p.field for p in err.value.problems}
    assert fields == {"company", "interview_date", "round", "interviewers[2].name"}
    assert "company: please fill in company." in str(err.value)
    assert _counts(filled) == before  # the valid interviewer was not written either


def test_response_before_interview_is_refused(filled):
    with pytest.raises(fk.ValidationError) as err:
        filled.log_response(filled.ids["interview"], received_on="2025-03-01", result="offer")
    assert err.value.by_field() == {"received_on": "a reply cannot come before the interview."}


def test_sent_in_the_future_is_refused(filled):
    with pytest.raises(fk.ValidationError) as err:
        filled.log_follow_up(
            filled.ids["interview"], kind="status_check", channel="email", sent_on="2025-03-21"
        )
    assert err.value.by_field() == {"sent_on": "cannot be in the future."}


def test_interview_may_be_in_the_future(filled):
    iid = filled.log_interview(filled.ids["client"], "Beta", "Lead", "2025-04-01")
    assert iid in filled.interviews()["id"].tolist()


def test_ids_must_exist(filled):
    with pytest.raises(fk.NotFoundError, match="That interview is not in the workbook") as err:
        filled.log_follow_up(999, kind="thank_you", channel="email", sent_on="2025-03-05")
    assert (err.value.table, err.value.id) == ("interviews", 999)
    assert "999" not in str(err.value)  # a client reads it: no ids
    with pytest.raises(fk.NotFoundError, match="That client is not") as err:
        filled.log_interview(42, "Acme", "Analyst", "2025-03-04")
    assert (err.value.table, err.value.id) == ("clients", 42)
    with pytest.raises(fk.ValidationError) as err:
        filled.log_follow_up("abc", kind="thank_you", channel="email", sent_on="2025-03-05")
    assert err.value.by_field() == {"interview_id": "not a valid id."}


def test_follow_up_to_an_interviewer_of_another_interview_is_refused(filled):
    other = filled.log_interview(
        filled.ids["client"], "Beta", "Lead", "2025-03-05", interviewers=["X"]
    )
    people = filled.interviewers()
    stranger = int(people.loc[people["interview_id"] == other, "id"].iloc[0])
    with pytest.raises(fk.ValidationError) as err:
        filled.log_follow_up(
            filled.ids["interview"],
            kind="thank_you",
            channel="email",
            sent_on="2025-03-05",
            interviewer_id=stranger,
        )
    assert err.value.by_field() == {"interviewer_id": "that interviewer was not at this interview."}


def test_errors_are_all_followup_kit_errors():
    for name in fk.exceptions.__all__:
        cls = getattr(fk.exceptions, name)
        if isinstance(cls, type) and issubclass(cls, Exception):
            assert issubclass(cls, fk.FollowupKitError)


# -- update -------------------------------------------------------------------------


def test_update_changes_only_what_is_given(filled):
    iid = filled.ids["interview"]
    filled.update_interview(iid, status="next_round", notes="Went well")
    row = filled.interviews().set_index("id").loc[iid]
    assert (row["status"], row["notes"], row["company"]) == ("next_round", "Went well", "Acme")


def test_update_is_validated_like_a_new_entry(filled):
    iid = filled.ids["interview"]
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(iid, company="", round="brunch")
    assert set(err.value.by_field()) == {"company", "round"}
    assert filled.interviews().loc[0, "company"] == "Acme"


def test_update_cannot_move_interview_after_its_follow_ups(filled):
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(filled.ids["interview"], interview_date="2025-03-12")
    assert err.value.by_field()["interview_date"] == (
        "1 follow-up and 1 reply would come before this new date; change their dates first."
    )
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(filled.ids["interview"], interview_date="2025-03-06")
    assert err.value.by_field()["interview_date"].startswith("1 follow-up and no replies")
    assert filled.interviews().loc[0, "interview_date"] == pd.Timestamp("2025-03-04")


def test_update_follow_up_and_response_keep_the_date_rules(filled):
    fid = int(filled.follow_ups().loc[0, "id"])
    rid = int(filled.responses().loc[0, "id"])
    filled.update_follow_up(fid, channel="linkedin")
    assert filled.follow_ups().loc[0, "channel"] == "linkedin"
    with pytest.raises(fk.ValidationError):
        filled.update_response(rid, received_on="2025-03-01")
    filled.update_response(rid, reflection="Sending the note the same day felt right.")
    assert filled.responses().loc[0, "reflection"].startswith("Sending")


def test_update_refuses_unknown_or_fixed_fields(filled):
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(filled.ids["interview"], salary=10, client_id=5)
    assert set(err.value.by_field()) == {"salary", "client_id"}


def test_update_of_missing_row(wb):
    with pytest.raises(fk.NotFoundError):
        wb.update_client(7, name="Nobody")


def test_update_client_and_interviewer(filled):
    filled.update_client(filled.ids["client"], cohort="Autumn", country="GB")
    assert filled.clients().loc[0, ["cohort", "country"]].tolist() == ["Autumn", "GB"]
    pid = int(filled.interviewers().loc[0, "id"])
    filled.update_interviewer(pid, email="dana@example.org")
    assert filled.interviewers().set_index("id").loc[pid, "email"] == "dana@example.org"


# -- delete -------------------------------------------------------------------------


def test_delete_interview_removes_dependants_and_says_so(filled):
    filled.skip_step(filled.ids["interview"], "status_check", reason="They said they'd call")
    removed = filled.delete_interview(filled.ids["interview"])
    assert removed == {
        "interviews": 1,
        "interviewers": 2,
        "follow_ups": 1,
        "responses": 1,
        "skipped_steps": 1,
    }
    assert _counts(filled) == {
        "clients": 1,
        "interviews": 0,
        "interviewers": 0,
        "follow_ups": 0,
        "responses": 0,
        "skipped_steps": 0,
        "recordings": 0,
    }


def test_delete_client_removes_everything_of_theirs_only(filled):
    other = filled.add_client("Bea Okafor")
    keep = filled.log_interview(other, "Beta", "Lead", "2025-03-05", interviewers=["Kim"])
    filled.add_recording(filled.ids["client"], "take1.webm", b"\x1a\x45\xdf\xa3", mime="audio/webm")
    removed = filled.delete_client(filled.ids["client"])
    assert removed["clients"] == 1 and removed["interviews"] == 1 and removed["recordings"] == 1
    assert filled.interviews()["id"].tolist() == [keep]
    assert filled.interviewers()["name"].tolist() == ["Kim"]


def test_delete_interviewer_keeps_follow_ups_without_the_link(filled):
    iid = filled.ids["interview"]
    pid = int(filled.interviewers().loc[0, "id"])
    fid = filled.log_follow_up(
        iid, kind="thank_you", channel="email", sent_on="2025-03-05", interviewer_id=pid
    )
    assert filled.delete_interviewer(pid) == {"interviewers": 1}
    row = filled.follow_ups().set_index("id").loc[fid]
    assert pd.isna(row["interviewer_id"])


def test_delete_single_rows_and_missing(filled):
    fid = int(filled.follow_ups().loc[0, "id"])
    rid = int(filled.responses().loc[0, "id"])
    assert filled.delete_follow_up(fid) == {"follow_ups": 1}
    assert filled.delete_response(rid) == {"responses": 1}
    with pytest.raises(fk.NotFoundError):
        filled.delete_response(rid)


def test_skip_and_undo(filled):
    sid = filled.skip_step(filled.ids["interview"], "status_check", reason="No contact address")
    assert filled.skipped_steps()["reason"].tolist() == ["No contact address"]
    with pytest.raises(fk.ValidationError):
        filled.skip_step(filled.ids["interview"], "dance", reason="")
    filled.delete_skipped_step(sid)
    assert filled.skipped_steps().empty


def test_recordings_are_stored_listed_and_deletable(filled):
    rid = filled.add_recording(filled.ids["client"], "take.ogg", b"OggS\x00", mime="audio/ogg")
    listing = filled.recordings(client_id=filled.ids["client"])
    assert listing["filename"].tolist() == ["take.ogg"] and "data" not in listing
    assert filled.recording_data(rid) == b"OggS\x00"
    filled.delete_recording(rid)
    assert filled.recordings().empty


# -- reading ------------------------------------------------------------------------


def test_client_scoped_frames_show_only_that_client(filled):
    other = filled.add_client("Bea")
    iid = filled.log_interview(other, "Beta", "Lead", "2025-03-05", interviewers=["Kim"])
    filled.log_follow_up(iid, kind="thank_you", channel="email", sent_on="2025-03-05")
    tables = filled.tables(client_id=other)
    assert tables["clients"]["name"].tolist() == ["Bea"]
    assert tables["interviews"]["id"].tolist() == [iid]
    assert tables["interviewers"]["name"].tolist() == ["Kim"]
    assert tables["follow_ups"]["interview_id"].tolist() == [iid]
    assert tables["responses"].empty


def test_client_for_user(wb):
    cid = wb.add_client("Alex", username="arivera")
    assert wb.client_for_user("arivera") == cid
    assert wb.client_for_user("nobody") is None


# -- opening ------------------------------------------------------------------------


def test_open_workbook_default_uses_env_url(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DB_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    with fk.open_workbook() as wb:
        wb.add_client("Env")
    assert (tmp_path / "env.sqlite").exists()


def test_open_workbook_default_path_is_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("FOLLOWUP_DB_URL")
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path / "coach"))
    with fk.open_workbook() as wb:
        assert wb.data_dir == (tmp_path / "coach").resolve()
    assert (tmp_path / "coach" / "workbook.sqlite").exists()


def test_today_is_fixed_by_argument_or_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_TODAY", "2024-01-02")
    assert fk.open_workbook(tmp_path / "a.sqlite").today == date(2024, 1, 2)
    assert fk.open_workbook(tmp_path / "b.sqlite", today="2025-05-06").today == date(2025, 5, 6)
    monkeypatch.delenv("FOLLOWUP_TODAY")
    assert fk.open_workbook(tmp_path / "c.sqlite").today == date.today()


def test_reopening_keeps_data(tmp_path):
    path = tmp_path / "w.sqlite"
    with fk.open_workbook(path) as wb:
        wb.add_client("Alex")
    with fk.open_workbook(path) as wb:
        assert wb.clients()["name"].tolist() == ["Alex"]


def test_memory_store(tmp_path):
    wb = fk.open_workbook(":memory:")
    wb.add_client("Alex")
    assert wb.counts()["clients"] == 1
    assert not any(p.name.endswith(".sqlite") for p in tmp_path.iterdir())
    assert os.environ["FOLLOWUP_DATA_DIR"] == str(wb.data_dir)


# -- interviews with their interviewers, replies with the status -------------------


def test_update_interview_and_its_interviewers_together(filled):
    iid = filled.ids["interview"]
    dana = int(filled.interviewers()["id"].iloc[0])
    filled.update_interview(
        iid,
        role="Senior Analyst",
        interviewers=[{"id": dana, "name": "Dana Lee", "title": "Manager"}, "Kim Park"],
    )
    people = filled.interviewers().set_index("name")
    assert sorted(people.index) == ["Dana Lee", "Kim Park"]
    assert people.loc["Dana Lee", "title"] == "Manager"
    assert people.loc["Dana Lee", "id"] == dana  # updated in place, not re-added
    assert filled.interviews().loc[0, "role"] == "Senior Analyst"


def test_update_interview_with_bad_interviewers_changes_nothing(filled):
    iid = filled.ids["interview"]
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(
            iid, company="", interviewers=[{"name": ""}, {"id": 999, "name": "Ghost"}]
        )
    assert set(err.value.by_field()) == {"company", "interviewers[1].name", "interviewers[2].id"}
    after = filled.tables()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


@pytest.mark.parametrize(
    ("result", "status"),
    [
        ("next_round", "next_round"),
        ("offer", "offer"),
        ("rejection", "rejected"),
        ("still_deciding", "open"),
    ],
)
def test_a_reply_sets_the_interview_status(wb, result, status):
    cid = wb.add_client("Alex")
    iid = wb.log_interview(cid, "Acme", "Analyst", "2025-03-04")
    wb.log_response(iid, received_on="2025-03-10", result=result)
    assert wb.interviews().loc[0, "status"] == status


def test_an_older_reply_or_a_withdrawal_keeps_the_status(wb):
    cid = wb.add_client("Alex")
    iid = wb.log_interview(cid, "Acme", "Analyst", "2025-03-04")
    wb.log_response(iid, received_on="2025-03-12", result="offer")
    wb.log_response(iid, received_on="2025-03-06", result="next_round")  # logged late
    assert wb.interviews().loc[0, "status"] == "offer"
    other = wb.log_interview(cid, "Beta", "Lead", "2025-03-04", status="withdrawn")
    wb.log_response(other, received_on="2025-03-12", result="rejection")
    assert wb.interviews().set_index("id").loc[other, "status"] == "withdrawn"


def test_close_as_ghosted_changes_only_waiting_interviews(filled):
    cid = filled.ids["client"]
    waiting = filled.log_interview(cid, "Beta", "Lead", "2025-03-05")
    offered = filled.log_interview(cid, "Gamma", "Lead", "2025-03-05", status="offer")
    assert filled.close_as_ghosted([waiting, offered, filled.ids["interview"]]) == 2
    status = filled.interviews().set_index("id")["status"]
    assert status[waiting] == "ghosted" and status[offered] == "offer"
    assert status[filled.ids["interview"]] == "ghosted"  # it was "next_round", never heard back
    assert filled.close_as_ghosted([]) == 0


def test_store_problems_carry_check_codes(filled):
    iid = filled.ids["interview"]
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(iid, client_id=2)
    assert [p.check for p in err.value.problems] == ["fixed_field"]
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(iid, interview_date=date(2025, 3, 12))
    assert [p.check for p in err.value.problems] == ["not_before"]
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(filled.ids["client"], "A", "B", date(2025, 3, 4), interviewers=[3])
    assert [p.check for p in err.value.problems] == ["not_a_person"]
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(filled.ids["client"], "", "B", date(2025, 3, 4))
    assert [(p.field, p.check) for p in err.value.problems] == [("company", "required")]


# -- bad input is refused, not changed (issue 12) ----------------------------------------


def _unchanged(wb, before):
    after = wb.tables()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


@pytest.mark.parametrize("company", [3, 2.5, True, b"Acme", ["Acme"]])
def test_a_value_that_is_not_text_is_refused_not_stored_as_its_repr(filled, company):
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(filled.ids["client"], company, "Analyst", "2025-03-05")
    assert [(p.field, p.check) for p in err.value.problems] == [("company", "not_text_value")]
    with pytest.raises(fk.ValidationError):
        filled.update_interview(filled.ids["interview"], notes=company)
    with pytest.raises(fk.ValidationError):
        filled.add_client(company)
    _unchanged(filled, before)


def test_a_date_with_an_impossible_time_is_refused(filled):
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(filled.ids["client"], "Acme", "Analyst", "2025-03-04T99:99:99")
    assert err.value.by_field() == {
        "interview_date": "not a date I can read; write it as YYYY-MM-DD, e.g. 2025-03-04."
    }
    iid = filled.log_interview(filled.ids["client"], "Acme", "Analyst", "2025-03-04T09:30:00")
    assert filled.interviews().set_index("id").loc[iid, "interview_date"] == pd.Timestamp(
        "2025-03-04"
    )


@pytest.mark.parametrize("kind", [None, ""])
def test_a_follow_up_without_a_kind_is_refused(filled, kind):
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.log_follow_up(
            filled.ids["interview"], kind=kind, channel="email", sent_on="2025-03-05"
        )
    assert err.value.by_field() == {"kind": "please choose what kind of follow-up this was."}
    with pytest.raises(fk.ValidationError, match="what kind of follow-up"):
        filled.log_follow_up(filled.ids["interview"], channel="email", sent_on="2025-03-05")
    _unchanged(filled, before)


def test_an_unknown_interviewer_key_is_refused_by_name(filled):
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(
            filled.ids["client"],
            "Acme",
            "Analyst",
            "2025-03-05",
            interviewers=[{"name": "Dana Lee", "phone": "555", "emial": "d@x.org"}],
        )
    assert sorted(err.value.by_field()) == ["interviewers[1].emial", "interviewers[1].phone"]
    assert "'emial'" in err.value.by_field()["interviewers[1].emial"]
    assert {p.check for p in err.value.problems} == {"unknown_key"}
    with pytest.raises(fk.ValidationError, match="phone"):
        filled.update_interview(filled.ids["interview"], interviewers=[{"name": "A", "phone": 1}])
    _unchanged(filled, before)


@pytest.mark.parametrize("given_id", [1, 2, 999])
def test_a_new_interviewer_with_an_id_is_refused_not_a_crash(filled, given_id):
    # 1 and 2 are Dana's and Sam's rows (IntegrityError with SQL text before); 999 would
    # have been taken as the new row's id.
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(
            filled.ids["client"],
            "Acme",
            "Analyst",
            "2025-03-05",
            interviewers=[{"name": "Kim Park", "id": given_id}],
        )
    assert [(p.field, p.check) for p in err.value.problems] == [
        ("interviewers[1].id", "unknown_key")
    ]
    assert "SQL" not in str(err.value) and "INSERT" not in str(err.value)
    _unchanged(filled, before)


@pytest.mark.parametrize("given_id", [True, "abc", 1.5])
def test_editing_interviewers_takes_only_a_real_id(filled, given_id):
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(
            filled.ids["interview"], interviewers=[{"id": given_id, "name": "Kim Park"}]
        )
    assert list(err.value.by_field()) == ["interviewers[1].id"]
    _unchanged(filled, before)


def test_editing_interviewers_may_not_name_one_row_twice(filled):
    dana = int(filled.interviewers()["id"].iloc[0])
    with pytest.raises(fk.ValidationError) as err:
        filled.update_interview(
            filled.ids["interview"],
            interviewers=[{"id": dana, "name": "Dana Lee"}, {"id": dana, "name": "Kim Park"}],
        )
    assert [(p.field, p.check) for p in err.value.problems] == [
        ("interviewers[2].id", "duplicate_id")
    ]


@pytest.mark.parametrize("twin", ["dana lee", "  Dana   Lee ", "DANA LEE"])
def test_the_same_interviewer_twice_in_one_interview_is_refused(filled, twin):
    before = filled.tables()
    with pytest.raises(fk.ValidationError) as err:
        filled.log_interview(
            filled.ids["client"], "Acme", "Analyst", "2025-03-05", interviewers=["Dana Lee", twin]
        )
    assert [(p.field, p.check) for p in err.value.problems] == [
        ("interviewers[2].name", "duplicate_name")
    ]
    iid = filled.ids["interview"]
    with pytest.raises(fk.ValidationError, match="list each person once"):
        filled.update_interview(iid, interviewers=["Dana Lee", twin])
    with pytest.raises(fk.ValidationError, match="already an interviewer here"):
        filled.add_interviewer(iid, twin)
    sam = int(filled.interviewers().set_index("name").loc["Sam Ortiz", "id"])
    with pytest.raises(fk.ValidationError, match="already an interviewer here"):
        filled.update_interviewer(sam, name=twin)
    _unchanged(filled, before)
    filled.update_interviewer(sam, name="Sam  Ortiz")  # renaming oneself is fine
    other = filled.log_interview(
        filled.ids["client"], "Beta", "Analyst", "2025-03-05", interviewers=[twin]
    )
    assert filled.interviewers(filled.ids["client"])["interview_id"].tolist().count(other) == 1


@pytest.mark.parametrize("today", ["garbage", "2025-13-01", 20250304, ["2025-03-04"]])
def test_a_today_that_is_not_a_date_is_a_plain_refusal(tmp_path, today, monkeypatch):
    with pytest.raises(fk.FollowupKitError, match="YYYY-MM-DD") as err:
        fk.open_workbook(tmp_path / "w.sqlite", today=today)
    assert isinstance(err.value, ArgumentError) and err.value.argument == "today"
    monkeypatch.setenv("FOLLOWUP_TODAY", "garbage")
    with pytest.raises(ArgumentError, match="FOLLOWUP_TODAY"):
        fk.open_workbook(tmp_path / "w.sqlite")


def test_plan_agenda_and_analysis_refuse_a_bad_today(filled):
    for call in (
        lambda: filled.plan(filled.ids["interview"], today="soon"),
        lambda: filled.agenda(today="soon"),
        lambda: filled.analysis_frame(today="soon"),
    ):
        with pytest.raises(fk.FollowupKitError, match="'soon' is not a date"):
            call()


@pytest.mark.parametrize("window", ["30", 0, -5, 2.5, True, None])
def test_analysis_frame_refuses_a_window_that_is_not_whole_days(filled, window):
    with pytest.raises(fk.AnalyticsError, match="window_days"):
        filled.analysis_frame(window_days=window)


def test_backup_refuses_a_folder_or_an_existing_file(filled, tmp_path):
    with pytest.raises(OutputFileError, match="that is a folder"):
        filled.backup(tmp_path)
    there = tmp_path / "old.sqlite"
    there.write_bytes(b"keep me")
    with pytest.raises(OutputFileError, match="never overwrites"):
        filled.backup(there)
    assert there.read_bytes() == b"keep me"
    assert fk.open_workbook(filled.backup(tmp_path / "new.sqlite")).counts()["interviews"] == 1


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"
AUDIO = {
    "wav": (WAV, "audio/wav"),
    "ogg": (b"OggS\x00\x02" + bytes(20), "audio/ogg"),
    "webm": (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "audio/webm"),
    "mp3 (ID3)": (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
    "mp3 (frame)": (b"\xff\xfb\x90\x64" + bytes(20), "audio/mpeg"),
    "m4a": (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
    "flac": (b"fLaC\x00\x00\x00\x22", "audio/flac"),
}


@pytest.mark.parametrize("name", list(AUDIO))
def test_audio_is_told_by_its_content(filled, name):
    data, mime = AUDIO[name]
    assert audio_type(data) == mime
    rid = filled.add_recording(filled.ids["client"], "take", data)  # no name, no type given
    assert filled.recording_data(rid) == data
    assert filled.recordings().set_index("id").loc[rid, "mime"] == mime


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",
        b"MZ\x90\x00",  # a Windows program
        b"<html><script>alert(1)</script>",
        b"RIFF\x24\x00\x00\x00AVI LIST",  # RIFF, but a video
        b"\xff\xe9\x00\x00",  # frame sync with a reserved MPEG version
        b"",
    ],
)
def test_a_recording_that_is_not_audio_is_refused_whatever_its_name(filled, data):
    with pytest.raises(fk.ValidationError) as err:
        filled.add_recording(filled.ids["client"], "take.mp3", data, mime="audio/mpeg")
    assert [(p.field, p.check) for p in err.value.problems] == [("data", "not_audio")]
    assert "take.mp3 is not an audio file" in str(err.value)
    assert filled.recordings().empty


def test_a_recording_over_25_mb_is_refused(filled):
    too_big = WAV + bytes(MAX_RECORDING_BYTES + 1 - len(WAV))
    with pytest.raises(fk.ValidationError) as err:
        filled.add_recording(filled.ids["client"], "long.wav", too_big, mime="audio/wav")
    assert [p.check for p in err.value.problems] == ["too_big"]
    assert "keep a recording under 25 MB" in str(err.value)
    just_fits = too_big[:-1]
    assert filled.add_recording(filled.ids["client"], "ok.wav", just_fits, mime="audio/wav")


# -- the data folder: coach files come only from there ----------------------------------

PLANTED_SCRIPT = """+++
id = "planted_script"
version = "1"
title = "Planted"

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
Hello {{ interviewer }}.
"""

PLANTED_PATTERN = """
[[pattern]]
id = "planted"
category = "pushy"
regex = "\\\\bhiya\\\\b"
why = "Planted."
suggestion = "Planted."
"""


def plant(folder) -> None:
    """Every coach file the workbook reads, each recognisable when loaded."""
    (folder / "scripts").mkdir(parents=True, exist_ok=True)
    (folder / "scripts" / "planted.md").write_text(PLANTED_SCRIPT, encoding="utf-8")
    (folder / "rules.toml").write_text("thank_you_due = 9\n", encoding="utf-8")
    (folder / "tone_patterns.toml").write_text(PLANTED_PATTERN, encoding="utf-8")
    (folder / "import_mappings.json").write_text(
        '{"0123456789abcdef": {"columns": ["a"], "mapping": {"a": "company"}}}',
        encoding="utf-8",
    )
    (folder / "tone_model.npz").write_bytes(b"not a model")


def coach_files_loaded(wb) -> dict[str, bool]:
    """Which of the planted files ``wb`` loads, by what loads them."""
    from followup_kit.exceptions import ToneModelError
    from followup_kit.layouts import load_remembered
    from followup_kit.library import load_scripts
    from followup_kit.tone import load_tone_patterns
    from followup_kit.tone_model import load_tone_model

    try:
        load_tone_model(wb)
        model = False
    except ToneModelError:
        model = True
    patterns = load_tone_patterns(wb)
    return {
        "rules": wb.rules["thank_you_due"] == 9,
        "rules in plans": fk.load_rules(wb.rules.data_dir)["thank_you_due"] == 9,
        "scripts": "planted_script" in load_scripts(wb)[0],
        "tone patterns": any(
            f.pattern == "planted" for f in fk.check_tone("hiya", patterns=patterns, model=False)
        ),
        "remembered layouts": bool(load_remembered(wb)),
        "tone model": model,
    }


def test_files_planted_beside_a_store_in_another_folder_are_not_loaded(tmp_path, monkeypatch):
    shared, coach = tmp_path / "shared", tmp_path / "coach"
    shared.mkdir()
    coach.mkdir()
    plant(shared)
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(coach))
    with fk.open_workbook(shared / "workbook.sqlite") as wb:
        assert wb.data_dir == coach.resolve()
        assert not any(coach_files_loaded(wb).values()), coach_files_loaded(wb)
        plant(coach)  # the same files in the data folder are the coach's: loaded
        assert all(coach_files_loaded(wb).values()), coach_files_loaded(wb)


def test_without_the_variable_the_data_folder_is_the_workbooks_not_the_stores(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("FOLLOWUP_DATA_DIR")
    plant(tmp_path)
    with fk.open_workbook(tmp_path / "workbook.sqlite") as wb:
        assert wb.data_dir == fk.store.default_data_dir().resolve() != tmp_path.resolve()
        assert not any(coach_files_loaded(wb).values()), coach_files_loaded(wb)


def test_a_data_folder_can_be_named_when_opening(tmp_path):
    plant(tmp_path / "mine")
    with fk.open_workbook(tmp_path / "w.sqlite", data_dir=tmp_path / "mine") as wb:
        assert wb.data_dir == (tmp_path / "mine").resolve()
        assert all(coach_files_loaded(wb).values()), coach_files_loaded(wb)


# -- stores made before the contacts --------------------------------------------------


def test_a_store_made_before_the_contacts_gains_them_when_opened(tmp_path):
    path = tmp_path / "before.sqlite"
    with fk.open_workbook(path, today="2025-03-20") as wb:
        cid = wb.add_client("Alex Rivera")
        wb.log_interview(cid, "Acme", "Analyst", "2025-03-04", interviewers=["Dana Lee"])
    added = {
        "clients": ["phone"],
        "interviews": ["hr_name", "hr_email", "hr_phone", "posting_link"],
    }
    with closing(sqlite3.connect(path)) as raw:  # as the store was before them
        for table, columns in added.items():
            for column in columns:
                raw.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        # greet_as has a check, so SQLite cannot drop it: the table as it was, rebuilt.
        raw.executescript(
            """
            CREATE TABLE old_interviewers (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                interview_id INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
                name VARCHAR(120) NOT NULL, title VARCHAR(120), email VARCHAR(200));
            INSERT INTO old_interviewers SELECT id, interview_id, name, title, email
                FROM interviewers;
            DROP TABLE interviewers;
            ALTER TABLE old_interviewers RENAME TO interviewers;
            """
        )
        raw.commit()
        assert "phone" not in {r[1] for r in raw.execute("PRAGMA table_info(clients)")}
    with fk.open_workbook(path, today="2025-03-20") as wb:
        assert wb.interviewers()["name"].tolist() == ["Dana Lee"]  # every row kept
        iid = int(wb.interviews()["id"].iloc[0])
        dana = int(wb.interviewers()["id"].iloc[0])
        wb.update_client(cid, phone="+1 555 010 0199")
        wb.update_interview(iid, hr_name="Priya Shah", posting_link="acme.example/jobs/1")
        wb.update_interviewer(dana, greet_as="title_surname", honorific="Dr")
        ctx = fk.context_for(wb, iid)
    assert (ctx["interviewer"], ctx["hr_contact"], ctx["client_phone"]) == (
        "Dr Lee",
        "Priya Shah",
        "+1 555 010 0199",
    )
    assert ctx["posting_link"] == "https://acme.example/jobs/1"
    with closing(sqlite3.connect(path)) as raw:
        # The added choice column keeps the check a new store has.
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE interviewers SET greet_as = 'nickname'")


def test_contacts_are_checked_like_every_field(wb):
    cid = wb.add_client("Alex Rivera")
    with pytest.raises(ValidationError) as err:
        wb.log_interview(
            cid,
            "Acme",
            "Analyst",
            "2025-03-04",
            hr_email="priya-at-acme",
            hr_phone="ask at reception",
            posting_link="javascript:alert(1)",
            interviewers=[{"name": "Dana Lee", "greet_as": "title_surname"}],
        )
    assert set(err.value.by_field()) == {
        "hr_email",
        "hr_phone",
        "posting_link",
        "interviewers[1].honorific",
    }
    assert wb.interviews().empty and wb.interviewers().empty  # nothing half-written
    with pytest.raises(ValidationError, match="phone number"):
        wb.add_client("Bea Okafor", phone="12")
    assert wb.add_client("Bea Okafor", country="United Kingdom") > 0
    assert wb.clients().set_index("name").loc["Bea Okafor", "country"] == "GB"
