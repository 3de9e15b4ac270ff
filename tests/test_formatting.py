"""Values as people read them: days, escaped text, percentages."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

import followup_kit as fk
from followup_kit.formatting import escape_html, percent

XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 4), "Tue 4 Mar 2025"),
        (pd.Timestamp("2026-11-02"), "Mon 2 Nov 2026"),
        (datetime(2025, 12, 25, 9, 30), "Thu 25 Dec 2025"),
        ("2025-01-01", "Wed 1 Jan 2025"),
        (None, ""),
        (pd.NaT, ""),
    ],
)
def test_format_day_reads_like_people_write(value, expected):
    assert fk.format_day(value) == expected


def test_escape_html_turns_markup_into_text():
    assert escape_html(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html('"quoted" & more') == "&quot;quoted&quot; &amp; more"
    assert escape_html(None) == escape_html(pd.NA) == ""
    assert escape_html(3) == "3"


def test_percent_rounds_and_leaves_missing_blank():
    assert percent(0.256) == "26%" and percent(1) == "100%"
    assert percent(None) == percent(float("nan")) == percent(pd.NA) == ""
