"""Calendar export: open steps as all-day .ics events, stable UIDs."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from builders import TODAY

import followup_kit as fk
from followup_kit.agenda import build_agenda
from followup_kit.calendar_export import write_ics
from followup_kit.exceptions import OutputFileError
from followup_kit.plans import plan_for_interview

D = date


def _events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_ics_has_one_all_day_event_per_open_step(book, tmp_path):
    agenda = build_agenda(book.tables(), today=TODAY)
    path = write_ics(agenda, tmp_path / "plan.ics")
    events = _events(path)
    assert len(events) == len(agenda)
    by_uid = {str(e["uid"]): e for e in events}
    assert len(by_uid) == len(events)
    first = agenda.iloc[0]
    event = next(e for e in events if first["company"] in str(e["summary"]))
    start = event.decoded("dtstart")
    assert type(start) is date and start == first["start"].date()
    assert event.decoded("dtend") == start + timedelta(days=1)
    description = str(event["description"])
    assert f"Due by {fk.format_day(first['due'])}" in description
    script = agenda.loc[agenda["script_id"].notna()].iloc[0]
    assert any(f"Suggested script: {script['script_id']}" in str(e["description"]) for e in events)


def test_ics_uids_are_stable_across_exports(book, tmp_path):
    first = _events(write_ics(build_agenda(book.tables(), today=TODAY), tmp_path / "a.ics"))
    book.log_follow_up(book.ids["initech"], kind="status_check", channel="phone", sent_on=TODAY)
    second = _events(write_ics(build_agenda(book.tables(), today=TODAY), tmp_path / "b.ics"))
    uid_a = {str(e["uid"]): e for e in first}
    uid_b = {str(e["uid"]): e for e in second}
    assert set(uid_b) - set(uid_a) == set()  # nothing duplicated under a new id
    gone = set(uid_a) - set(uid_b)
    assert len(gone) == 1 and "First status check" in str(uid_a[gone.pop()]["summary"])
    # The later steps moved with the real date but kept their calendar entries.
    moved = [u for u in uid_b if uid_b[u].decoded("dtstart") != uid_a[u].decoded("dtstart")]
    assert sorted(str(uid_b[u]["summary"]) for u in moved) == [
        "Alex Rivera: Close as ghosted and move on (Initech)",
        "Alex Rivera: Second follow-up (Initech)",
    ]


def test_ics_from_a_plan_leaves_out_done_steps(book, tmp_path):
    plan = plan_for_interview(book.tables(), book.ids["acme"], today=TODAY)
    events = _events(write_ics(plan, tmp_path / "acme.ics"))
    assert len(events) == int(plan["state"].isin(["open", "overdue"]).sum()) == 3
    assert any("ghosted" in str(e["description"]) for e in events)  # the why travels along


def test_ics_needs_the_identifying_columns(tmp_path):
    with pytest.raises(ValueError, match="interview_id"):
        write_ics(fk.plan_follow_ups(D(2025, 3, 4)), tmp_path / "x.ics")


def test_ics_into_a_missing_folder_or_onto_a_folder_is_a_plain_refusal(book, tmp_path):
    with pytest.raises(OutputFileError, match="there is no folder"):
        book.export_ics(tmp_path / "nowhere" / "plan.ics")
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(OutputFileError, match="that is a folder"):
        book.export_ics(tmp_path)
    with pytest.raises(OutputFileError, match="file name"):
        book.export_ics(None)
    assert len(_events(book.export_ics(tmp_path / "plan.ics"))) > 0


def test_one_interviewer_listed_twice_cannot_make_two_events_with_one_uid(book):
    with pytest.raises(fk.ValidationError, match="list each person once"):
        book.log_interview(
            book.ids["us"], "Twice", "Analyst", TODAY, interviewers=["Dana Lee", "dana lee"]
        )
    agenda = build_agenda(book.tables(), today=TODAY)
    assert "Twice" not in set(agenda["company"])
