"""The coach's start page: the store summary, the demo button, spreadsheet import."""

from __future__ import annotations

from datetime import datetime

import pytest
from form_helpers import XSS

import followup_kit as fk
from followup_kit.widgets.start import SpreadsheetImport, StartHere


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


def _upload(widget: SpreadsheetImport, name: str, data: bytes) -> None:
    widget.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 20),
        },
    )


GOOD_CSV = (
    b"client,company,role,interview_date,interviewers,thank_you_date\n"
    b"Alex Rivera,Acme,Analyst,2025-03-04,Dana Lee; Sam Ortiz,2025-03-04\n"
    b"Bea Okafor,Bluepeak,Planner,2025-03-10,,\n"
)


def test_a_good_spreadsheet_is_imported_and_counted(wb):
    widget = fk.spreadsheet_import(wb)
    assert widget.button.disabled
    _upload(widget, "my sheet.csv", GOOD_CSV)
    assert not widget.button.disabled and "my sheet.csv" in widget.status.value
    widget.button.click()
    assert len(wb.interviews()) == 2 and len(wb.interviewers()) == 2
    assert "Imported <b>my sheet.csv</b>: 2 clients, 2 interviews, 2 interviewers" in (
        widget.status.value
    )
    assert widget.upload.value == () and widget.button.disabled


def test_every_bad_row_is_shown_and_nothing_is_imported(wb):
    bad = (
        "client,company,role,interview_date\n"
        "Alex Rivera,Acme,Analyst,2025-03-04\n"
        f"{XSS},Bluepeak,Planner,04/03/2025\n"
        "Bea Okafor,,Planner,2025-03-10\n"
    ).encode()
    widget = fk.spreadsheet_import(wb)
    _upload(widget, "sheet.csv", bad)
    widget.button.click()
    assert wb.interviews().empty
    assert "Nothing was imported" in widget.status.value
    assert "2 problem(s) in 2 row(s) (rows 3, 4)" in widget.status.value
    table = widget.problems.value
    assert "<td>3</td><td>interview_date (Interview date)</td><td>Not a date I can read" in table
    assert "<td>4</td><td>company (Company)</td><td>Please fill in company." in table
    assert "<img" not in widget.status.value + table


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF", "is not a spreadsheet I can read"),
        ("empty.csv", b"", "the file is empty"),
        ("extra.csv", b"client,company,role,interview_date,colour\n", "unknown column"),
    ],
)
def test_unreadable_files_are_explained(wb, name, data, message):
    widget = fk.spreadsheet_import(wb)
    assert widget.import_bytes(name, data) == {}
    assert message in widget.status.value and wb.interviews().empty


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
