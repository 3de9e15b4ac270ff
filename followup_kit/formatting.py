"""Values as people read them on a page: escaped text and percentages (no widgets)."""

from __future__ import annotations

import functools
import html

import pandas as pd

__all__ = ["escape_html", "group_label", "percent", "script_title"]


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


# -- groups in plain words -----------------------------------------------------------------

#: How a missing value reads, by what the table is grouped by.
_NONE_WORDS = {
    "thank_you_timing": "not sent",
    "status_check_timing": "no status check",
    "thank_you_channel": "No thank-you",
    "status_check_channel": "No status check",
    "script_id": "No script recorded",
    "script_version": "No script recorded",
}
#: Columns whose values are the schema's choices (the schema field they use).
_CHOICE_OF = {
    "thank_you_channel": "channel",
    "status_check_channel": "channel",
    "channel": "channel",
    "round": "round",
    "format": "format",
    "contact_route": "contact_route",
    "status": "status",
    "first_result": "result",
}
#: Plan steps that come only after an earlier message got no reply (or after a reply).
LATER_STEPS = frozenset({"second_follow_up", "gracious_reply", "feedback_request", "reconnect"})


@functools.cache
def _library() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Built-in scripts: id -> (title, steps). Read once."""
    from .library import load_scripts

    scripts, _problems = load_scripts()
    return {s.id: (s.title, tuple(s.when.steps)) for s in scripts.values()}


def script_title(script_id: object) -> str:
    """A script's title as the library gives it ("Thank-you note after an interview").

    Scripts the built-in library does not know (a coach's own) read as their id with
    spaces ("my_intro" -> "My intro").

    Examples
    --------
    >>> script_title("second_follow_up")
    'A second follow-up, with something new'
    """
    text = str(script_id)
    known = _library().get(text)
    if known is not None:
        return known[0]
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def later_step(script_id: object) -> bool:
    """Whether a script is only sent after an earlier message got no reply (or a reply).

    Such scripts start from the harder cases, so their reply rates start lower.
    """
    steps = _library().get(str(script_id), ("", ()))[1]
    return bool(steps) and set(steps) <= LATER_STEPS


def _version_split(label: str) -> tuple[str, str]:
    """'thank_you_note v1' -> ('thank_you_note', 'v1'); '(no version)' kept as words."""
    if label.endswith(" (no version)"):
        return label[: -len(" (no version)")], "no version"
    head, _, tail = label.rpartition(" ")
    return (head, tail) if head else (label, "")


def group_label(by: object, value: object) -> str:
    """A table's group as a coach reads it: plain words, never an id or a stored code.

    Examples
    --------
    >>> group_label("thank_you_channel", "linkedin"), group_label("script_id", "none")
    ('LinkedIn message', 'No script recorded')
    >>> group_label("script_version", "thank_you_note v1")
    'Thank-you note after an interview (v1)'
    """
    from .schema import choice_label

    by = str(by)
    if is_blank(value) or str(value) == "none":
        return _NONE_WORDS.get(by, "not recorded")
    if by == "script_id":
        return script_title(value)
    if by == "script_version":
        script, version = _version_split(str(value))
        return f"{script_title(script)} ({version})" if version else script_title(script)
    if by in _CHOICE_OF:
        return choice_label(_CHOICE_OF[by], value)
    return str(value)


def group_script(by: object, value: object) -> str | None:
    """The script id behind a group of a by-script table (None for other tables)."""
    if str(by) == "script_id":
        return str(value)
    if str(by) == "script_version":
        return _version_split(str(value))[0]
    return None
