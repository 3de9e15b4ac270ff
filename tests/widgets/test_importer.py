"""The guided import, driven as ipywidgets' own tests do: set ``.value``, ``.click()``."""

from __future__ import annotations

from datetime import datetime

import trackers  # tests/, on the path through the root conftest.py

import followup_kit as fk
from followup_kit.widgets.importer import IGNORE, NOTES, GuidedImport

XSS = "<img src=x onerror=alert(1)>"


def _upload(widget: GuidedImport, name: str, data: bytes) -> None:
    widget.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 20),
        },
    )


def test_upload_suggest_preview_and_import(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    widget = fk.guided_import(wb)
    assert widget.button.disabled and widget.steps.layout.display == "none"
    _upload(widget, "coach tracker.csv", path.read_bytes())
    assert widget.steps.layout.display is None
    assert widget.choices["Contact"].value == "interviewers"
    assert widget.choices["Salary Range"].value == NOTES
    assert "Sam Ortiz; Kim Ng" in widget.columns.children[8].children[2].value
    assert widget.client_step.layout.display == "none"  # the file has a Client column
    assert widget.dates_step.layout.display == "none"  # ISO dates only
    # The preview: plain words, readable dates, no NaN or ids.
    preview = widget.preview.value
    assert widget.summary.value == (
        "4 interview(s) to import. 1 row without an interview date was left out (row 4)."
    )
    assert ">Tue 4 Mar 2025</td>" in preview and "Waiting to hear" in preview
    assert "Liked the team · Date Applied: 2025-02-01 · Salary Range: $…" in preview
    for junk in ("NaN", "&lt;NA&gt;", "None", "NaT"):
        assert junk not in preview
    assert not widget.button.disabled
    # The coach leaves the salary out.
    widget.choices["Salary Range"].value = IGNORE
    assert "Salary Range" not in widget.preview.value
    widget.button.click()
    assert "Imported <b>coach tracker.csv</b>: 2 clients, 4 interviews" in widget.status.value
    assert "1 row without an interview date was left out (row 4)" in widget.status.value
    assert widget.button.disabled
    assert len(wb.interviews()) == 4
    assert not wb.interviews()["notes"].str.contains("Salary", na=False).any()
    # Next time, the same header brings back the confirmed choices.
    again = fk.guided_import(wb)
    again.open(path)
    assert "confirmed last time" in again.file_status.value
    assert again.choices["Salary Range"].value == IGNORE


def test_unknown_words_client_and_dates_must_be_chosen(wb, tmp_path):
    path, _ = trackers.seeker_tracker(tmp_path)
    widget = fk.guided_import(wb)
    widget.path_text.value = str(path)
    widget.open_button.click()
    assert widget.client_step.layout.display is None
    assert widget.dates_step.layout.display is None
    assert widget.dayfirst.value is False  # 3/13/2025 settles it; the coach may change it
    assert "Thu 3 Apr 2025 (day first)" in str(widget.dayfirst.options)
    assert widget.button.disabled and "whose sheet this is" in widget.hint.value
    widget.client.value = "Alex Rivera"
    assert not widget.button.disabled
    # A word nobody knows must be chosen before Import works.
    widget.choices["Last Action"].value = "status"
    assert "Sent thank-you" in widget.words["Last Action"]
    assert widget.button.disabled and "Sent thank-you" in widget.hint.value
    widget.choices["Last Action"].value = NOTES
    assert "Last Action" not in widget.words and not widget.button.disabled
    status_words = widget.words["Status"]
    assert status_words["Interviewing"].value == "open"
    status_words["Interviewing"].value = "next_round"
    assert "Invited to the next round" in widget.preview.value
    widget.button.click()
    assert "Imported" in widget.status.value, widget.status.value
    iv = wb.interviews().set_index("company")
    assert iv.loc["Northwind", "status"] == "next_round"
    assert set(wb.clients()["name"]) == {"Alex Rivera"}


def test_bad_rows_are_named_and_nothing_is_written(wb, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Client,Employer,Position,Interview Date,Outcome\n"
        "Alex,Acme,Analyst,2025-03-04,Offer\n"
        f"{XSS},,Planner,31/02/2025,Offer\n"
    )
    widget = fk.guided_import(wb)
    widget.open(path)
    assert "Fix these first" in widget.preview.value
    assert "<td>3</td><td>Employer</td><td>Please fill in company.</td>" in widget.preview.value
    widget.button.click()
    assert wb.counts().sum() == 0
    assert "Nothing was imported from <b>bad.csv</b>: 2 problem(s) in row(s) 3." in (
        widget.status.value
    )
    assert "<td>3</td><td>Interview Date</td><td>Not a date I can read" in widget.problems.value
    assert "<img" not in widget.preview.value + widget.status.value + widget.problems.value


def test_two_columns_into_one_field_stop_the_import(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    widget = fk.guided_import(wb)
    widget.open(path)
    widget.choices["Notes"].value = "company"
    assert "Company comes from Company and Notes; choose one." in widget.preview.value
    assert widget.button.disabled


def test_excel_sheets_and_unreadable_files(wb, tmp_path):
    path, _ = trackers.excel_tracker(tmp_path)
    widget = fk.guided_import(wb)
    widget.load_bytes("log.xlsx", path.read_bytes())
    assert widget.sheet.value == "2025" and widget.sheet.layout.display is None
    widget.sheet.value = "Read me"
    assert "no data rows" in widget.file_status.value and widget.button.disabled
    widget.load_bytes("notes.pdf", b"%PDF")
    assert "is not a spreadsheet I can read" in widget.file_status.value
    widget.path_text.value = str(tmp_path / "missing.csv")
    widget.open_button.click()
    assert "there is no such file" in widget.file_status.value


def test_start_here_shows_the_guided_import(wb):
    page = fk.start_here(wb)
    assert isinstance(page.upload, GuidedImport)
    assert "ct-guided-import" in page.box.children[-1]._dom_classes
