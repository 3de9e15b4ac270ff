"""Dashboard (05) and workshop view (06): set widget values, check what they show."""

from __future__ import annotations

import itertools
import re
import threading
from datetime import date
from html import unescape

import ipywidgets as widgets
import pandas as pd
import pytest
from builders import DEMO_TODAY, EVIL, PNG, demo_with_evil
from matplotlib.figure import Figure

import followup_kit as fk
from followup_kit import agenda as agenda_module
from followup_kit import analytics as an
from followup_kit import dashboard_data, demo
from followup_kit import plots as pl
from followup_kit.agenda import build_agenda
from followup_kit.analysis import analysis_frame
from followup_kit.dashboard_data import client_choices, stale_interviews
from followup_kit.exceptions import AnalyticsError
from followup_kit.formatting import escape_html
from followup_kit.widgets import dashboard as db

TODAY = DEMO_TODAY


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    workbook = demo_with_evil(tmp_path_factory.mktemp("d") / "wb.sqlite")
    yield workbook
    workbook.close()


@pytest.fixture(scope="module")
def frame(wb):
    return analysis_frame(wb.tables(), today=TODAY)


def test_dashboard_starts_with_everything_and_draws_only_the_visible_chart(wb, frame):
    dash = db.coach_dashboard(wb, today=TODAY)
    assert isinstance(dash.box, widgets.VBox)
    assert dash.view == "thank_you"
    assert bytes(dash.images["thank_you"].value).startswith(PNG)
    assert bytes(dash.images["funnel"].value) == b""  # not drawn until its tab is opened
    assert f">{len(frame)}</div>interviews" in dash.summary.value
    assert f">{frame['client_id'].nunique()}</div>clients" in dash.summary.value
    assert dash.tables["thank_you_timing"]["n"].sum() == frame["settled"].sum()
    dash.tabs.selected_index = 5
    assert dash.view == "funnel" and bytes(dash.images["funnel"].value).startswith(PNG)
    assert "text/plain" in dash._repr_mimebundle_()


def test_client_filter_narrows_tables_agenda_and_shows_the_timeline(wb, frame):
    dash = db.coach_dashboard(wb, today=TODAY)
    cid = int(frame["client_id"].iloc[0])
    dash.client.value = cid
    mine = frame[frame["client_id"] == cid]
    assert len(dash.tables["frame"]) == len(mine)
    assert f">{len(mine)}</div>interviews" in dash.summary.value
    name = frame.loc[frame["client_id"] == cid, "client"].iloc[0]
    others = set(frame["client"]) - {name}
    dash.wait_for_agenda()
    assert name in dash.agenda.value
    assert not any(other in dash.agenda.value for other in others)
    dash.tabs.selected_index = 8
    assert bytes(dash.images["timeline"].value).startswith(PNG)
    first_company = mine.sort_values("interview_date")["company"].iloc[0]
    assert first_company.replace("&", "&amp;") in dash.notes["timeline"].value
    dash.set_filters(client_id=None)
    assert dash.client.label == "All clients"
    assert "Choose a client" in dash.notes["timeline"].value
    assert bytes(dash.images["timeline"].value) == b""


def test_round_and_date_filters_match_filter_frame(wb, frame):
    dash = db.coach_dashboard(wb, today=TODAY)
    dash.set_filters(round="final", start=date(2026, 6, 1), end=date(2026, 8, 31))
    assert dash.round.value == "final" and dash.end.value == date(2026, 8, 31)
    want = an.filter_frame(frame, start="2026-06-01", end="2026-08-31", round="final")
    assert len(dash.tables["frame"]) == len(want) > 0
    assert dash.tables["funnel"].loc["Interviews", "count"] == want["settled"].sum()
    assert dash.message.value == ""
    dash.start.value = date(2026, 9, 1)  # a single change redraws too
    assert "after the 'To' date" in dash.message.value
    with pytest.raises(TypeError, match="shoe"):
        dash.set_filters(shoe=1)
    assert len(dash.tables["frame"]) == 0
    assert ">0</div>interviews" in dash.summary.value


def test_user_text_is_escaped_everywhere(wb):
    dash = db.coach_dashboard(wb, today=TODAY)
    dash.client.value = wb.evil
    dash.tabs.selected_index = 8
    dash.wait_for_agenda()
    html = dash.agenda.value + dash.notes["timeline"].value + dash.notes["clients"].value
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert dict(dash.client.options)[f"Eve {EVIL}"] == wb.evil  # plain text in a dropdown


def test_workshop_view_is_anonymous_and_switches_charts(wb, frame):
    view = db.workshop_view(wb, today=TODAY, k=3)
    assert view.cohort.label == "Everyone" and view.tables["enough"]
    names = set(frame["client"]) | set(frame["company"])
    seen = []
    for _label, key in view.chart.options:
        view.chart.value = key
        assert bytes(view.image.value).startswith(PNG), key
        seen.append(view.table.value + view.headline.value + view.heading.value)
    text = "".join(seen)
    for word in names:
        assert word not in text and escape_html(word) not in text
    assert "too few to show" in text or view.tables["thank_you_timing"]["shown"].all()


def test_workshop_view_hides_a_small_group(wb):
    view = db.workshop_view(wb, today=TODAY, cohort="Spring cohort", k=5)
    assert view.cohort.value == "Spring cohort"
    assert not view.tables["enough"]  # 3 demo clients + Eve = 4 < 5
    assert "fewer than 5 people" in view.headline.value
    assert bytes(view.image.value) == b"" and view.table.value == ""
    view.cohort.value = db.ALL
    assert view.cohort.label == "Everyone" and view.tables["enough"]
    assert bytes(view.image.value).startswith(PNG)


def test_reload_picks_up_new_entries(tmp_path):
    wb = fk.open_workbook(tmp_path / "wb.sqlite", today=TODAY)
    a = wb.add_client("Ana")
    wb.log_interview(a, "Acme", "Analyst", date(2026, 9, 1))
    dash = db.coach_dashboard(wb)
    assert dash.end.value == date(2026, 9, 1) and len(dash.tables["frame"]) == 1
    b = wb.add_client("Ben")
    wb.log_interview(b, "Beta", "Nurse", date(2026, 10, 5))
    dash.reload_button.click()
    assert len(dash.tables["frame"]) == 2
    assert dash.end.value == date(2026, 10, 5)  # it was at the last interview: it moves on
    assert dict(dash.client.options)["Ben"] == b
    assert "Reloaded: 2 interviews" in dash.message.value
    wb.close()


def test_an_empty_workbook_shows_every_tab_without_errors(tmp_path):
    wb = fk.open_workbook(tmp_path / "empty.sqlite", today=TODAY)
    dash = db.coach_dashboard(wb)
    for i in range(len(dash.tabs.children)):
        dash.tabs.selected_index = i
    assert ">0</div>interviews" in dash.summary.value
    assert bytes(dash.images["thank_you"].value).startswith(PNG)
    assert dash.wait_for_agenda().empty
    assert "Nothing is waiting" in dash.agenda.value
    assert "fewer than 5 people" in db.workshop_view(wb).headline.value
    wb.close()


def test_stale_interviews_are_closed_in_two_clicks(tmp_path):
    workbook = fk.open_workbook(tmp_path / "stale.sqlite", today=TODAY)
    workbook.load_tables(demo.generate(n_clients=4, seed=3), progress=False)
    dash = db.coach_dashboard(workbook, today=TODAY)
    stale = stale_interviews(dash.wait_for_agenda())
    agenda = workbook.agenda(today=TODAY)
    expected = agenda.query("step == 'close_as_ghosted' and group == 'overdue'")
    assert stale == sorted(expected["interview_id"].astype(int).unique()) and stale
    assert dash.close_stale.description == f"Close {len(stale)} unanswered interviews as ghosted"
    assert dash.close_stale.layout.width == "auto"  # the whole text shows
    dash.close_stale.click()  # asks first: nothing changed yet
    assert dash.close_stale.description == f"Yes, close {len(stale)}"
    assert (workbook.interviews().set_index("id").loc[stale, "status"] != "ghosted").all()
    dash.close_stale.click()
    assert (workbook.interviews().set_index("id").loc[stale, "status"] == "ghosted").all()
    assert f"Closed {len(stale)} interview(s)" in dash.close_stale_note.value
    assert stale_interviews(workbook.agenda(today=TODAY)) == []
    assert dash.wait_for_agenda() is not None and stale_interviews(dash._agenda) == []
    assert dash.close_stale.layout.display == "none"
    workbook.close()


def test_dollar_signs_in_user_text_draw_in_every_dashboard_chart(tmp_path):
    book = fk.open_workbook(tmp_path / "wb.sqlite", today=TODAY)
    book.load_tables(demo.generate(n_clients=8, seed=7), progress=False)
    cid = book.add_client("Alex $\\foo$", cohort="Cohort $#1$")
    for day in range(1, 7):
        iid = book.log_interview(
            cid, "R&D $#1$", "Price $5 and $6", date(2026, 9, day), interviewers=["Dana $\\foo$"]
        )
        book.log_follow_up(
            iid, kind="thank_you", channel="email", sent_on=date(2026, 9, day), script_id="$x$"
        )
    dash = db.coach_dashboard(book, today=TODAY)
    dash.client.value = cid
    for index in range(len(dash.tabs.children)):
        dash.tabs.selected_index = index
        if dash.view != "clients":  # the one tab that is a table, not a chart
            assert bytes(dash.images[dash.view].value).startswith(PNG), dash.view
    assert "$x$" in set(dash.tables["script"].index)
    view = db.workshop_view(book, today=TODAY, k=3)
    for _label, key in view.chart.options:
        view.chart.value = key
        assert bytes(view.image.value).startswith(PNG), key
    book.close()


# -- what a coach reads: plain words, never ids, stored codes, NaN or cut text ---------------

RAW = re.compile(
    r"\b[a-z]+_[a-z_]+\b"  # ids and stored codes: thank_you_note, close_as_ghosted
    r"|\b(linkedin|handwritten|voicemail|onsite)\b"  # channels and formats as stored
    r"|<NA>|\bNaN\b|\bnan\b|\bNaT\b|\bNone\b"
    r"|\w\.\.\."  # a sentence cut short
)


def _readable(html: str) -> str:
    return unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S))


def _raw_forms(html: str) -> list[str]:
    return [m.group(0) for m in RAW.finditer(_readable(html))]


def _chart_words(draw) -> str:
    fig = Figure(figsize=(9, 5))
    ax = fig.add_subplot()
    draw(ax)
    parts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    parts += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts)]
    legend = ax.get_legend()
    if legend is not None:
        parts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(parts)


def test_the_dashboard_shows_no_raw_forms_on_any_tab(wb, frame):
    dash = db.coach_dashboard(wb, today=TODAY)
    dash.wait_for_agenda()
    pages = [dash.agenda.value, dash.summary.value, dash.close_stale.description]
    for cid in (None, int(frame["client_id"].iloc[0])):
        dash.set_filters(client_id=cid)
        for i in range(len(dash.tabs.children)):
            dash.tabs.selected_index = i
            pages += [note.value for note in dash.notes.values()]
    text = " ".join(pages)
    assert _raw_forms(text) == []
    assert "Thank-you note after an interview" in text  # scripts by title
    assert "allowing for clients with several interviews" in text  # which interval
    assert "Sent only when an earlier message got no reply" in text  # second follow-ups
    assert "not reached" in dash.notes["time"].value or "NaN" not in dash.notes["time"].value
    assert all(t in dash.tabs.titles for t in ("Thank-you timing", "Rules", "Timeline"))
    charts = [
        lambda ax: pl.plot_by_script(dash.tables["script"], ax=ax),
        lambda ax: pl.plot_by_channel(dash.tables["channel"], ax=ax),
        lambda ax: pl.plot_rule_evidence(dash.tables["rules"], ax=ax),
        lambda ax: pl.plot_thank_you_timing(dash.tables["thank_you_timing"], ax=ax),
    ]
    for draw in charts:
        assert _raw_forms(_chart_words(draw)) == []


def test_the_workshop_view_shows_no_raw_forms(wb):
    view = db.workshop_view(wb, today=TODAY, k=3)
    assert view.cohort.label == "Everyone" and view.cohort.description == "Group"
    seen = []
    for _label, key in view.chart.options:
        view.chart.value = key
        seen.append(view.table.value + view.headline.value + view.heading.value)
    assert _raw_forms(" ".join(seen)) == []
    for by in ("script_id", "thank_you_channel"):
        words = _chart_words(lambda ax, by=by: pl.plot_by_script(view.tables[by], ax=ax))
        assert _raw_forms(words) == [], by


def test_plain_tables_for_the_notebooks(wb, frame):
    evidence = fk.rule_evidence(frame, interval="auto")
    tables = [
        fk.plain_table(fk.by_script(frame, interval="auto")),
        fk.plain_table(evidence),
        fk.plain_table(fk.time_to_response(frame, "thank_you_timing")),
        fk.plain_table(fk.response_rates(frame, "thank_you_channel", interval="auto")),
        fk.agenda_counts(build_agenda(wb.tables(), today=TODAY, rules=wb.rules)),
    ]
    for table in tables:
        assert _raw_forms(table._repr_html_()) == [], table.frame
        assert _raw_forms(repr(table)) == [], repr(table)
    full = max(evidence["title"], key=len)
    assert full in repr(tables[1]) and full in tables[1]._repr_html_()  # never cut
    assert "not reached" in repr(tables[2]) or tables[2].frame.notna().all().all()


def test_clients_with_the_same_name_show_their_group():
    clients = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "name": ["Alex Rivera", "alex rivera", "Bea Park", "Alex Rivera"],
            "cohort": ["Spring cohort", "Summer cohort", None, "Spring cohort"],
        }
    )
    labels = [label for label, _ in client_choices(clients)]
    assert labels == [
        "Alex Rivera (Spring cohort)",
        "alex rivera (Summer cohort)",
        "Alex Rivera (Spring cohort) 2",
        "Bea Park",
    ]


def _held_agenda(monkeypatch, result=None, *, calls=None):
    """Make the dashboard's agenda wait for the returned event (then return ``result`` or
    the real one); with ``calls``, only its first that many are held."""
    release = threading.Event()
    real = agenda_module.build_agenda
    held_calls = itertools.count()

    def held(*args, **kwargs):
        ours = threading.current_thread().name == "coach-agenda"
        if ours and (calls is None or next(held_calls) < calls):
            release.wait(30)
        if isinstance(result, Exception):
            raise result
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard_data, "build_agenda", held)
    return release


def test_the_charts_show_before_the_agenda_is_worked_out(wb, frame, monkeypatch):
    release = _held_agenda(monkeypatch)
    dash = db.coach_dashboard(wb, today=TODAY)
    assert bytes(dash.images["thank_you"].value).startswith(PNG)
    assert f">{len(frame)}</div>interviews" in dash.summary.value
    assert "Working out what needs doing" in dash.agenda.value
    assert dash.close_stale.layout.display == "none"
    dash.client.value = int(frame["client_id"].iloc[0])  # filters work meanwhile
    assert "Working out what needs doing" in dash.agenda.value
    with pytest.raises(TimeoutError, match="not ready"):
        dash.wait_for_agenda(timeout=0.05)
    release.set()
    agenda = dash.wait_for_agenda(timeout=30)
    pd.testing.assert_frame_equal(agenda, build_agenda(wb.tables(), today=TODAY, rules=wb.rules))
    assert "Working out" not in dash.agenda.value
    assert dash.agenda.value == db.agenda_html(agenda, client_id=dash.client.value)


def test_an_agenda_that_fails_says_why_and_the_rest_still_works(wb, monkeypatch):
    release = _held_agenda(monkeypatch, AnalyticsError("the rules file says 'soon' for a day"))
    dash = db.coach_dashboard(wb, today=TODAY)
    release.set()
    with pytest.raises(AnalyticsError, match="soon"):
        dash.wait_for_agenda(timeout=30)
    assert "could not be worked out: the rules file says &#x27;soon&#x27;" in dash.agenda.value
    assert dash.close_stale.layout.display == "none"
    dash.tabs.selected_index = 5
    assert bytes(dash.images["funnel"].value).startswith(PNG)


def test_a_reload_while_the_agenda_is_worked_out_shows_only_the_new_one(tmp_path, monkeypatch):
    book = fk.open_workbook(tmp_path / "reload.sqlite", today=TODAY)
    book.load_tables(demo.generate(n_clients=4, seed=3), progress=False)
    stale = stale_interviews(book.agenda(today=TODAY))
    assert stale
    release = _held_agenda(monkeypatch, calls=1)  # the first read's agenda comes last
    dash = db.coach_dashboard(book, today=TODAY)
    first_ready = dash._agenda_ready
    fk.actions.close_as_ghosted(book, stale)  # a client's change, then a reload
    dash.reload()
    agenda = dash.wait_for_agenda(timeout=30)
    assert stale_interviews(agenda) == []
    release.set()
    assert first_ready.wait(30)  # the old read's agenda is done, and left unshown
    assert dash.wait_for_agenda() is agenda
    assert dash.agenda.value == db.agenda_html(agenda)
    book.close()
