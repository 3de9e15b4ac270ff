"""The coach's agenda: every open step across clients, grouped by urgency."""

from __future__ import annotations

from datetime import date

import pandas as pd
from builders import TODAY

from followup_kit.agenda import AGENDA_GROUPS, build_agenda
from followup_kit.plans import plan_for_interview

D = date


AGENDA_COLUMNS = [
    "group",
    "client_id",
    "client",
    "interview_id",
    "company",
    "role",
    "interviewer",
    "interviewer_id",
    "step",
    "start",
    "due",
    "state",
    "script_id",
]


def test_agenda_groups_and_order(book):
    agenda = build_agenda(book.tables(), today=TODAY)
    assert list(agenda.columns) == AGENDA_COLUMNS
    assert agenda["group"].cat.ordered
    assert list(agenda["group"].cat.categories) == list(AGENDA_GROUPS)
    rows = {
        (r.company, r.step, r.interviewer if isinstance(r.interviewer, str) else None): r.group
        for r in agenda.itertuples()
    }
    assert rows[("Initech", "status_check", None)] == "overdue"
    assert rows[("Globex", "thank_you", None)] == "due today"
    # 3-5 business days after the next-round reply of Tue 11 Mar: due Tue 18.
    assert rows[("Acme", "status_check", None)] == "overdue"
    assert rows[("Acme", "second_follow_up", None)] == "this week"  # due 25 Mar
    assert rows[("Globex", "status_check", None)] == "this week"  # due 26 Mar
    assert rows[("Globex", "second_follow_up", None)] == "later"  # due 2 Apr
    assert rows[("Acme", "close_as_ghosted", None)] == "later"
    # Done, skipped, missed and closed steps are not on the agenda.
    assert ("Acme", "thank_you", "Dana Lee") not in rows
    assert ("Acme", "thank_you", "Sam Ortiz") not in rows
    assert ("Hooli", "thank_you", "Kim") not in rows
    assert "Umbrella" not in set(agenda["company"])
    assert agenda["group"].is_monotonic_increasing
    assert set(agenda["state"].astype(str)) <= {"open", "overdue"}
    assert (agenda.loc[agenda["group"] == "overdue", "state"] == "overdue").all()
    assert agenda.loc[agenda["company"] == "Hooli", "client"].iloc[0] == "Bea Okafor"


def test_agenda_suggests_scripts(book):
    agenda = build_agenda(book.tables(), today=TODAY)
    script = {(r.company, r.step): r.script_id for r in agenda.itertuples()}
    assert script[("Globex", "thank_you")] == "thank_you_note"
    assert script[("Initech", "status_check")] == "decision_date_passed"
    assert pd.isna(script[("Acme", "close_as_ghosted")])  # closing sends nothing


def test_agenda_for_one_client(book):
    agenda = build_agenda(book.tables(), today=TODAY, client_id=book.ids["gb"])
    assert set(agenda["client_id"]) == {book.ids["gb"]}
    assert set(agenda["company"]) == {"Hooli"}
    assert "thank_you" not in set(agenda["step"].astype(str))  # skipped


def test_skipping_clears_the_agenda_and_undo_brings_it_back(book):
    before = build_agenda(book.tables(), today=TODAY)
    assert ((before["company"] == "Initech") & (before["step"] == "status_check")).any()
    sid = book.skip_step(book.ids["initech"], "status_check", reason="The client chose not to")
    after = build_agenda(book.tables(), today=TODAY)
    assert not ((after["company"] == "Initech") & (after["step"] == "status_check")).any()
    second = after[(after["company"] == "Initech") & (after["step"] == "second_follow_up")]
    assert (second["start"].dt.date.iloc[0], second["due"].dt.date.iloc[0]) == (
        D(2025, 3, 24),
        D(2025, 3, 26),
    )
    book.delete_skipped_step(sid)
    again = build_agenda(book.tables(), today=TODAY)
    pd.testing.assert_frame_equal(again, before)


def test_empty_workbook_gives_an_empty_agenda(wb):
    agenda = build_agenda(wb.tables(), today=TODAY)
    assert agenda.empty and list(agenda.columns) == AGENDA_COLUMNS


def test_agenda_matches_each_interviews_plan_on_demo_data():
    from followup_kit.demo import generate

    tables = generate(n_clients=3, seed=3)
    today = D(2026, 11, 2)
    agenda = build_agenda(tables, today=today)
    assert len(agenda) > 0
    # Every interview with open steps, plus a few without.
    ids = set(agenda["interview_id"]) | set(tables["interviews"]["id"].iloc[::10])
    for iid in sorted(ids):
        plan = plan_for_interview(tables, int(iid), today=today)
        open_plan = plan[plan["state"].isin(["open", "overdue"])]
        mine = agenda[agenda["interview_id"] == iid]
        key = ["step", "interviewer", "start", "due", "script_id"]
        left = open_plan[key].sort_values(key[:3]).reset_index(drop=True)
        right = mine[key].sort_values(key[:3]).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_categorical=False)


def test_agenda_on_hand_made_frames_with_plain_dtypes():
    tables = {
        "clients": pd.DataFrame({"id": [1], "name": ["Alex"], "country": ["US"]}),
        "interviews": pd.DataFrame(
            {
                "id": [10],
                "client_id": [1],
                "company": ["Acme"],
                "role": ["Analyst"],
                "interview_date": ["2025-03-04"],
                "decision_expected": [None],
                "status": ["open"],
            }
        ),
    }
    agenda = build_agenda(tables, today=TODAY)
    # The thank-you (due 5 Mar) is more than 10 business days late: missed, not listed.
    assert list(agenda["step"].astype(str)) == [
        "status_check",
        "second_follow_up",
        "close_as_ghosted",
    ]
    # Status check due Tue 11 Mar, second follow-up due Tue 18: both overdue on the 20th.
    assert list(agenda["group"].astype(str)) == ["overdue", "overdue", "later"]
    assert list(agenda["client"]) == ["Alex"] * 3
