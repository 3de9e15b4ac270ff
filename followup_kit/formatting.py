"""Values as people read them on a page: escaped text and percentages (no widgets)."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["escape_html", "percent"]


def is_blank(value: object) -> bool:
    """Whether ``value`` is missing: None, NA/NaN/NaT, or text of only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def escape_html(value: object) -> str:
    """Text safe to put inside HTML: ``<``, ``>``, ``&`` and quotes escaped; blank for NA.

    Examples
    --------
    >>> escape_html("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if is_blank(value):
        return ""
    return html.escape(str(value), quote=True)


def percent(x: object) -> str:
    """A share as a whole percentage, blank when missing.

    Examples
    --------
    >>> percent(0.256), percent(None), percent(float("nan"))
    ('26%', '', '')
    """
    if x is None or pd.isna(x):  # type: ignore[arg-type]
        return ""
    return f"{100 * float(x):.0f}%"  # type: ignore[arg-type]
