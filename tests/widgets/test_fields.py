"""One labelled field, the asking Delete button and the reflection's two parts."""

from __future__ import annotations

import ipywidgets as widgets
from form_helpers import XSS

from followup_kit.schema import TABLES
from followup_kit.widgets import fields
from followup_kit.widgets._kit import full_choice, text_em
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


def test_full_choice_writes_out_a_long_choice_and_follows_the_dropdown():
    long = f"Told you were through to another round, then silence {XSS}"
    dropdown = widgets.Dropdown(options=[("Email", "email"), (long, "long")], value="email")
    box = full_choice(dropdown)
    dropdown_shown, line = box.children
    assert dropdown_shown is dropdown and "fk-full-choice" in line._dom_classes
    assert line.value == ""  # short enough not to be cut: nothing repeated
    dropdown.value = "long"
    assert "another round, then silence" in line.value and "<img" not in line.value
    dropdown.options = [("Phone", "phone")]
    assert line.value == ""


def test_labelled_dropdowns_carry_the_full_choice_line():
    spec = TABLES["follow_ups"]
    script = LabelledField(spec["script_id"], widget=widgets.Dropdown(options=[("x" * 60, "s")]))
    shown = script.box.children[1]
    assert script.widget in shown.children
    assert shown.children[1].value == "x" * 60
    notes = LabelledField(spec["notes"])
    assert notes.box.children[1] is notes.widget


def test_only_choices_wide_enough_to_be_cut_on_a_phone_are_written_out():
    # Seen in chromium at 390 px: the first fits its dropdown whole, the second is cut.
    fits = "Thank-you note to Dana Lee (due Tue 3 Nov 2026)"
    cut = "Calling to ask whether a decision has been made (about 20 seconds)"
    dropdown = widgets.Dropdown(options=[fits, cut])
    line = full_choice(dropdown).children[1]
    assert line.value == ""
    dropdown.value = cut
    assert line.value == cut
    assert text_em("www") > text_em("AAA") > text_em("aaa") > text_em("iii")
