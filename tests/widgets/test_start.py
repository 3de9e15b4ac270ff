"""The coach's start page: the store summary, the demo button, spreadsheet import."""

from __future__ import annotations

from datetime import date

import pandas as pd
from builders import TODAY

import followup_kit as fk
from followup_kit import actions, demo
from followup_kit.exceptions import StoreError
from followup_kit.paths import demo_store
from followup_kit.widgets.start import StartHere


def test_store_summary_says_where_and_how_many(filled):
    html = fk.store_summary(filled).value
    assert "a SQLite file" in html and "wb.sqlite" in html
    assert "<td>Interviewers</td><td style='text-align:right'>2</td>" in html
    assert str(filled.data_dir) in html


def test_the_demo_button_fills_an_empty_store_dated_for_today(wb):
    loader = fk.demo_loader(wb)
    assert not loader.button.disabled and loader.remove_button.disabled
    loader.button.click()
    assert wb.counts()["clients"] == 40
    assert "Loaded the demo cohort, dated for today: 40 clients" in loader.status.value
    assert wb.interviews()["interview_date"].max() == pd.Timestamp(demo.end_for(wb.today))
    assert loader.button.disabled and not loader.remove_button.disabled
    assert "40 invented clients, dated for today (Thu 20 Mar 2025)" in loader.state.value
    again = fk.demo_loader(wb)
    assert again.button.disabled and not again.remove_button.disabled


def test_a_workbook_of_real_clients_is_not_offered_the_demo(filled):
    loader = fk.demo_loader(filled)
    assert loader.button.disabled and loader.remove_button.disabled
    assert "holds your own 1 client(s), so the demo is not loaded here" in loader.state.value
    assert filled.counts()["clients"] == 1


def test_the_demo_store_offers_the_demo_beside_real_clients(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path))
    with fk.open_workbook(demo_store(), today=TODAY) as wb:
        wb.add_client("Robin Real")
        assert "This is the demo store" in fk.store_summary(wb).value
        loader = fk.demo_loader(wb)
        assert not loader.button.disabled
        loader.button.click()
        assert wb.counts()["clients"] == 41


def test_a_demo_dated_for_another_day_can_be_loaded_again_for_today(tmp_path):
    store = tmp_path / "d.sqlite"
    with fk.open_workbook(store, today=TODAY) as wb:
        actions.load_demo(wb)
    with fk.open_workbook(store, today=date(2025, 4, 21)) as wb:
        loader = fk.demo_loader(wb)
        assert "ends on Wed 19 Mar 2025, so its follow-ups are overdue" in loader.state.value
        assert loader.button.description == "Load it again for today"
        loader.button.click()
        assert wb.counts()["clients"] == 40 and loader.button.disabled
        assert demo.dated_to(wb) == date(2025, 4, 18)


def test_removing_the_demo_asks_first_and_keeps_real_clients(wb):
    actions.load_demo(wb)
    real = wb.add_client("Robin Real")
    loader = fk.demo_loader(wb)
    assert loader.confirm.layout.display == "none"
    loader.remove_button.click()
    assert loader.confirm.layout.display is None
    assert "Remove the 40 demo clients and everything logged" in loader.question.value
    loader.cancel.click()
    assert loader.confirm.layout.display == "none" and wb.counts()["clients"] == 41
    loader.remove_button.click()
    loader.yes.click()
    assert list(wb.clients()["id"]) == [real]
    assert "Removed the demo cohort: 40 clients, " in loader.status.value
    assert loader.remove_button.disabled and loader.confirm.layout.display == "none"


def test_a_failed_removal_says_nothing_was_removed(wb, monkeypatch):
    actions.load_demo(wb)
    loader = fk.demo_loader(wb)

    def full(_wb):
        raise StoreError("The disk is full.")

    monkeypatch.setattr(actions, "remove_demo", full)
    loader.remove_button.click()
    loader.yes.click()
    assert "Nothing was removed: The disk is full." in loader.status.value
    assert wb.counts()["clients"] == 40


def test_start_here_refreshes_the_summary_after_loading_the_demo(wb):
    page = fk.start_here(wb)
    assert isinstance(page, StartHere) and "ct-start-here" in page.box._dom_classes
    assert page._repr_mimebundle_()["text/plain"] == "<StartHere>"
    summary = page.summary
    assert summary in page.box.children and page.demo.box in page.box.children
    assert "<td>Clients</td><td style='text-align:right'>0</td>" in summary.children[0].value
    page.demo.button.click()
    assert "<td>Clients</td><td style='text-align:right'>40</td>" in page.summary.children[0].value
    assert page.demo.button.disabled
    page.demo.remove_button.click()
    page.demo.yes.click()
    assert "<td>Clients</td><td style='text-align:right'>0</td>" in page.summary.children[0].value
    assert not page.demo.button.disabled


def test_a_demo_beside_real_clients_outside_the_demo_store_is_offered_for_removal(filled):
    """As an older `make lab` left it in the live store: remove it, never load it again."""
    actions.load_demo(filled)
    loader = fk.demo_loader(filled)
    assert loader.button.disabled and not loader.remove_button.disabled
    assert "The demo cohort is here: 40 invented clients" in loader.state.value
    with fk.open_workbook(filled.db.file, today=date(2025, 5, 5)) as later:
        stale = fk.demo_loader(later)
        assert stale.button.disabled and not stale.remove_button.disabled
        assert "here beside your own 1 client(s): remove it." in stale.state.value
