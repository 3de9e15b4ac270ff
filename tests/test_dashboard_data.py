"""What the dashboard and the workshop view show, computed without widgets."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DEMO_TODAY, EVIL, demo_with_evil

import followup_kit as fk
from followup_kit import analytics as an
from followup_kit import dashboard_data as db
from followup_kit import demo
from followup_kit.analysis import analysis_frame
from followup_kit.workshop import workshop_table

TODAY = DEMO_TODAY


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    workbook = demo_with_evil(tmp_path_factory.mktemp("d") / "wb.sqlite")
    yield workbook
    workbook.close()


@pytest.fixture(scope="module")
def frame(wb):
    return analysis_frame(wb.tables(), today=TODAY)


def test_coach_tables_plain_function(frame):
    t = db.coach_tables(frame, round="first")
    rows = an.filter_frame(frame, round="first")
    assert len(t["frame"]) == len(rows)
    assert set(t) >= {"thank_you_timing", "curves", "versions", "rules", "clients"}
    assert t["rules"].loc["thank_you_due", "n_followed"] + t["rules"].loc[
        "thank_you_due", "n_not"
    ] == int(rows["settled"].sum())


def test_agenda_html_groups_counts_and_escapes():
    agenda = pd.DataFrame(
        {
            "group": ["overdue"] * 27 + ["this week", "later"],
            "client_id": [1] * 27 + [2, 2],
            "client": ["Ann"] * 27 + [f"Bo {EVIL}", "Bo"],
            "company": ["Acme"] * 29,
            "interviewer": [None] * 29,
            "step": ["thank_you"] * 27 + ["status_check", "close_as_ghosted"],
            "due": pd.to_datetime(["2026-10-01"] * 27 + ["2026-11-04", "2026-12-01"]),
            "script_id": ["thank_you_note"] * 29,
        }
    )
    html = db.agenda_html(agenda)
    assert "<b>Overdue</b>: 27 steps</p>" in html and "... and 2 more" in html
    assert "thank_you_note" not in html and "script: Thank-you note after an interview" in html
    assert "<b>Due today</b>: nothing." in html
    assert "Bo &lt;img" in html and EVIL not in html
    assert "First status check" in html and "due Wed 4 Nov 2026" in html
    assert "Later: 1 step." in html
    # What needs writing comes before interviews to close (the button closes those).
    closing_first = agenda.assign(
        group="overdue", step=["close_as_ghosted"] * 28 + ["status_check"]
    )
    listed = db.agenda_html(closing_first)
    assert "(28 of them: close as ghosted" in listed
    assert listed.index("First status check") < listed.index("Close as ghosted")
    only_bo = db.agenda_html(agenda, client_id=2)
    assert "Ann" not in only_bo
    assert "not available" in db.agenda_html(None)
    assert "Nothing is waiting" in db.agenda_html(agenda.iloc[0:0])


def test_workshop_tables_suppress_by_distinct_clients(frame):
    t = db.workshop_tables(frame, k=5)
    table = t["thank_you_timing"]
    clients = frame.groupby("thank_you_timing", observed=False)["client_id"].nunique()
    for group, shown in table["shown"].items():
        if 0 < clients[group] < 5:
            assert not shown
    assert (t["rules"][["clients_followed", "clients_not"]].min(axis=1) >= 5).all()
    with pytest.raises(fk.AnalyticsError):
        workshop_table(frame, "client")


def test_the_client_table_lists_the_first_hundred_and_says_how_many_more():
    frame = analysis_frame(demo.generate(n_clients=130, seed=2), today="2026-11-02")
    table = an.by_client(frame)
    html = db.clients_html(table)
    assert html.count("<tr>") == 1 + 100  # the header and a hundred clients
    assert "The first 100 of 130 clients" in html
    for name in table["client"].head(100):
        assert db.escape_html(name) in html
    few = db.clients_html(table.head(7))
    assert few.count("<tr>") == 8 and "The first" not in few
