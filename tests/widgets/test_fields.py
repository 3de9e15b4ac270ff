"""One labelled field, the asking Delete button and the reflection's two parts."""

from __future__ import annotations

import ipywidgets as widgets
from form_helpers import XSS

from followup_kit.schema import TABLES
from followup_kit.widgets import fields
from followup_kit.widgets.fields import LabelledField, confirm_delete


def test_labelled_field_marks_required_fields_with_schema_labels():
    spec = TABLES["interviews"]
    company = LabelledField(spec["company"])
    notes = LabelledField(spec["notes"])
    assert "Company" in company.label.value and "ct-required" in company.label.value
    assert "Notes" in notes.label.value and "ct-required" not in notes.label.value
    assert isinstance(notes.widget, widgets.Textarea)
    assert "ct-company" in company.widget._dom_classes
    rounds = LabelledField(spec["round"]).widget
    assert ("Panel interview", "panel") in rounds.options and rounds.value == "first"


def test_confirm_delete_asks_says_what_goes_and_can_be_cancelled():
    calls = []
    row = confirm_delete(
        f"the interview at {XSS}", "Its 2 interviewers go too.", lambda: calls.append(1)
    )
    row.children[0].click()
    question, yes, keep = row.children
    assert "Its 2 interviewers go too." in question.value
    assert "&lt;img" in question.value and "<img" not in question.value
    keep.click()
    assert len(row.children) == 1 and calls == []
    row.children[0].click()
    row.children[1].click()
    assert calls == [1]


def test_reflection_text_round_trips():
    joined = fields.join_reflection(" it was quick ", "")
    assert joined == "What worked: it was quick\nWhat I'd change next time: "
    assert fields.split_reflection(joined) == ("it was quick", "")
    assert fields.split_reflection("free text from a spreadsheet") == (
        "free text from a spreadsheet",
        "",
    )
    assert fields.join_reflection(" ", "") is None
