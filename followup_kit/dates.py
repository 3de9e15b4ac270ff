"""Dates in and out: reading a date from what people and files give, writing it for people."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

__all__ = ["as_date", "format_day", "is_blank", "parse_date"]


def is_blank(v: object) -> bool:
    """Whether a cell or input counts as not filled in: None, NaN, NaT, NA or blank text."""
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, str):
        return not v.strip()
    return False


def parse_date(v: object) -> date | None:
    """A date from a date, datetime, Timestamp or ISO string; None when unreadable."""
    if isinstance(v, datetime):  # includes pd.Timestamp
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        text = v.strip()
        # ISO only: 03/04/2025 means March in one country and April in another.
        if _ISO_DATE.fullmatch(text):
            try:
                day = date.fromisoformat(text[:10])
                # A time part may be dropped, but only a real one: "T99:99:99" is a typo.
                return datetime.fromisoformat(text).date() if len(text) > 10 else day
            except ValueError:
                return None
    return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.,+Z-]+)?")


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(value: object) -> str:
    """A date as people write it, e.g. ``"Tue 4 Mar 2025"``; blank for a missing date.

    Examples
    --------
    >>> format_day("2025-03-04"), format_day(None)
    ('Tue 4 Mar 2025', '')
    """
    day = as_date(value)
    if day is None:
        return ""
    # Spelled out rather than strftime("%a"), which would follow the machine's locale.
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def as_date(value: object) -> date | None:
    """One date from a date, datetime, Timestamp or ISO string; blank gives None.

    Raises ``ValueError`` for anything else, so a typo never becomes a silent None.
    """
    if is_blank(value):
        return None
    d = parse_date(value)
    if d is None:
        raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD.")
    return d
