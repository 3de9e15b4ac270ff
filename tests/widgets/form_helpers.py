"""Helpers for driving the interview and record forms: fill, read the entry list, delete."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from followup_kit.widgets.interview_form import InterviewForm

XSS = "<img src=x onerror=alert(1)>"


def fill_interview(form: InterviewForm, **over) -> None:
    values = {
        "company": "Acme",
        "role": "Analyst",
        "interview_date": date(2025, 3, 4),
        "round": "panel",
        **over,
    }
    for name, value in values.items():
        form.fields[name].value = value
    form.interviewers[0].name.value = "Dana Lee"


def texts(box: widgets.Box) -> list[str]:
    """The HTML of every entry row's summary in a list box."""
    out = []
    for row in box.children:
        first = row.children[0] if isinstance(row, widgets.Box) else row
        out.append(first.value)
    return out


def find_row(box: widgets.Box, text: str) -> widgets.HBox:
    for row in box.children:
        if isinstance(row, widgets.Box) and text in row.children[0].value:
            return row
    raise AssertionError(f"no row with {text!r} in {texts(box)}")


def click_delete(row: widgets.HBox) -> widgets.HBox:
    """Press Delete in an entry row; return the confirm row (question, yes, keep)."""
    confirm = row.children[-1]
    confirm.children[0].click()
    return confirm


def shown_in(widget: widgets.Widget, box: widgets.Box) -> bool:
    """Whether ``widget`` is somewhere inside ``box`` (at any depth)."""
    return any(
        child is widget or (isinstance(child, widgets.Box) and shown_in(widget, child))
        for child in box.children
    )
