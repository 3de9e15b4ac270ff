"""The coach's start page: the store summary, the demo button, spreadsheet import."""

from __future__ import annotations

import followup_kit as fk
from followup_kit.widgets.start import StartHere


def test_store_summary_says_where_and_how_many(filled):
    html = fk.store_summary(filled).value
    assert "a SQLite file" in html and "wb.sqlite" in html
    assert "<td>Interviewers</td><td style='text-align:right'>2</td>" in html
    assert str(filled.data_dir) in html


def test_the_demo_button_fills_an_empty_store_only(wb):
    loader = fk.demo_loader(wb)
    assert not loader.button.disabled
    loader.button.click()
    assert wb.counts()["clients"] == 40
    assert "Loaded the demo cohort: 40 clients" in loader.status.value
    assert loader.button.disabled
    again = fk.demo_loader(wb)
    assert again.button.disabled and "already holds 40 client(s)" in again.status.value


def test_start_here_refreshes_the_summary_after_loading_the_demo(wb):
    page = fk.start_here(wb)
    assert isinstance(page, StartHere) and "ct-start-here" in page.box._dom_classes
    assert page._repr_mimebundle_()["text/plain"] == "<StartHere>"
    summary = page.summary
    assert summary in page.box.children and page.demo.box in page.box.children
    assert "<td>Clients</td><td style='text-align:right'>0</td>" in summary.children[0].value
    page.demo.button.click()
    assert "<td>Clients</td><td style='text-align:right'>40</td>" in summary.children[0].value
    assert page.demo.button.disabled
