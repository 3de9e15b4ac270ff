"""A follow-up plan as an HTML timeline: one row per step, a bar from its first day to its due day.

Plain HTML and CSS (no chart library), so a client's plan page stays light and reflows on
a phone: below :data:`NARROW` each step's words sit above its bar. Every row says its
state in words as well as in colour, with the dates in the client's format.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from .dates import as_date, format_day, is_blank
from .formatting import escape_html
from .plans import STATE_WORDS, step_words

__all__ = ["STATE_COLOURS", "TIMELINE_CSS", "plan_timeline_html"]

#: A plan step's colour by state (shared with :func:`followup_kit.plots.plot_plan`).
STATE_COLOURS: dict[str, str] = {
    "overdue": "#d95f02",
    "open": "#377eb8",
    "done": "#1b9e77",
    "skipped": "#999999",
    "missed": "#cccccc",
}

#: Below this width the timeline puts each step's words above its bar.
NARROW = "640px"

#: The timeline's stylesheet; :func:`plan_timeline_html` carries it, so it works anywhere.
TIMELINE_CSS = f"""
.fk-tl {{ margin: 0.6em 0; max-width: 60em; line-height: 1.35; }}
.fk-tl-title {{ font-weight: 600; margin-bottom: 0.3em; }}
.fk-tl-row {{
  display: grid; grid-template-columns: minmax(9em, 38%) minmax(0, 1fr);
  column-gap: 0.75em; align-items: center; padding: 3px 0; border-bottom: 1px solid #eee;
}}
.fk-tl-words {{ min-width: 0; overflow-wrap: anywhere; }}
.fk-tl-step {{ font-weight: 600; }}
.fk-tl-when {{ font-size: 0.9em; color: #444; }}
.fk-tl-state {{ white-space: nowrap; }}
.fk-tl-swatch {{
  display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
  margin-right: 0.3em; vertical-align: -0.05em; box-shadow: inset 0 0 0 1px rgba(0,0,0,.3);
}}
.fk-tl-track {{ position: relative; height: 1.5em; background: #f4f4f4; border-radius: 3px; }}
.fk-tl-bar {{
  position: absolute; top: 0.3em; bottom: 0.3em; min-width: 4px; border-radius: 3px;
  box-shadow: inset 0 0 0 1px rgba(0,0,0,.3);
}}
.fk-tl-sent {{
  position: absolute; top: 50%; width: 0.6em; height: 0.6em; margin: -0.3em 0 0 -0.3em;
  border-radius: 50%; background: #000; border: 1px solid #fff;
}}
.fk-tl-today {{ position: absolute; top: 0; bottom: 0; border-left: 2px dashed #000; }}
.fk-tl-axis {{ display: grid; grid-template-columns: minmax(9em, 38%) minmax(0, 1fr);
  column-gap: 0.75em; font-size: 0.85em; color: #444; }}
.fk-tl-scale {{ position: relative; height: 1.3em; }}
.fk-tl-scale span {{ position: absolute; white-space: nowrap; }}
.fk-tl-key {{ font-size: 0.85em; color: #444; margin-top: 0.3em; }}
@media (max-width: {NARROW}) {{
  .fk-tl-row, .fk-tl-axis {{ grid-template-columns: minmax(0, 1fr); row-gap: 2px; }}
  .fk-tl-axis > div:first-child {{ display: none; }}
  .fk-tl-row {{ padding: 5px 0; }}
}}
"""


def _day(value: Any) -> date | None:
    return None if is_blank(value) else as_date(value)


def _pct(day: date, first: date, days: int) -> str:
    return f"{100 * (day - first).days / days:.2f}%"


def _at(day: date, first: date, days: int) -> str:
    """The middle of ``day`` on the scale, in percent."""
    return f"{100 * ((day - first).days + 0.5) / days:.2f}%"


def _label(text: str, where: float) -> str:
    """A scale label at ``where`` (0-1), kept inside the scale at both ends."""
    if where < 0.2:
        style = f"left:{100 * where:.2f}%"
    elif where > 0.8:
        style = f"right:{100 * (1 - where):.2f}%"
    else:
        style = f"left:{100 * where:.2f}%;transform:translateX(-50%)"
    return f'<span style="{style}">{text}</span>'


def _when(state: str, start: date | None, due: date | None, sent: date | None) -> str:
    if state == "done" and sent is not None:
        return f"sent {format_day(sent)}"
    if start is not None and due is not None and start != due:
        return f"{format_day(start)} to {format_day(due)}"
    return f"by {format_day(due)}" if due is not None else ""


def plan_timeline_html(
    plan: pd.DataFrame, *, today: date | str, title: str = "Your follow-up plan"
) -> str:
    """A plan as an HTML timeline that reflows on a phone, with its own stylesheet.

    Parameters
    ----------
    plan
        From :func:`~followup_kit.plans.plan_for_interview` (or ``wb.plan``): ``step``,
        ``interviewer``, ``start``, ``due``, ``state`` and ``done_on``.
    today
        The day marked with a dashed line.
    title
        The heading over the rows.

    Returns
    -------
    str
        One row per step: the step and person in words, its state in words beside a
        swatch of its colour and its dates, then a bar from its first day to the end of
        its due day, placed in percent of the days the plan spans (today included). A dot
        marks the day a done step was sent. Blank for an empty plan.

    Examples
    --------
    >>> from followup_kit.plans import plan_follow_ups
    >>> html = plan_timeline_html(plan_follow_ups("2025-03-07", interviewers=["Sam Ortiz"]),
    ...                           today="2025-03-10")
    >>> "Thank-you note to Sam Ortiz" in html and "To do" in html
    True
    """
    if plan.empty:
        return ""
    now = as_date(today)
    rows = plan.to_dict("records")
    days_in = [now]
    for row in rows:
        days_in += [d for d in (_day(row.get(k)) for k in ("start", "due", "done_on")) if d]
    first, last = min(days_in), max(days_in) + timedelta(days=1)
    days = (last - first).days
    today_at = _at(now, first, days)
    today_line = f'<div class="fk-tl-today" style="left:{today_at}"></div>'

    out = [
        f'<div class="fk-tl"><style>{TIMELINE_CSS}</style>',
        f'<div class="fk-tl-title">{escape_html(title)}</div>',
        '<div class="fk-tl-axis" aria-hidden="true"><div></div><div class="fk-tl-scale">'
        + _label(f"Today, {format_day(now)}", ((now - first).days + 0.5) / days)
        + "</div></div>",
        '<ol class="fk-tl-rows" style="list-style:none;margin:0;padding:0">',
    ]
    for row in rows:
        state = str(row.get("state", "open"))
        colour = STATE_COLOURS.get(state, STATE_COLOURS["open"])
        start, due, sent = _day(row.get("start")), _day(row.get("due")), _day(row.get("done_on"))
        what = step_words(str(row["step"]), row.get("interviewer"))
        words = STATE_WORDS.get(state, state)
        when = _when(state, start, due, sent)
        bar = ""
        if start is not None and due is not None:
            end = max(due, start) + timedelta(days=1)  # on time through the whole due day
            bar = (
                f'<div class="fk-tl-bar" style="left:{_pct(start, first, days)};'
                f'width:{100 * (end - start).days / days:.2f}%;background:{colour}"></div>'
            )
        dot = ""
        if sent is not None:
            dot = f'<div class="fk-tl-sent" style="left:{_at(sent, first, days)}"></div>'
        out.append(
            f'<li class="fk-tl-row fk-tl-{escape_html(state)}">'
            f'<div class="fk-tl-words"><span class="fk-tl-step">{escape_html(what)}</span><br>'
            f'<span class="fk-tl-state"><span class="fk-tl-swatch" style="background:{colour}">'
            f"</span>{escape_html(words)}</span>"
            + (f' <span class="fk-tl-when">{escape_html(when)}</span>' if when else "")
            + f'</div><div class="fk-tl-track" aria-hidden="true">{bar}{today_line}{dot}</div>'
            "</li>"
        )
    out.append("</ol>")
    out.append(
        '<div class="fk-tl-axis" aria-hidden="true"><div></div><div class="fk-tl-scale">'
        + _label(format_day(first), 0.0)
        + _label(format_day(last - timedelta(days=1)), 1.0)
        + "</div></div>"
    )
    key = "The dashed line is today"
    if any(_day(r.get("done_on")) for r in rows):
        key += "; a dot marks the day a step was sent"
    out.append(f'<div class="fk-tl-key">{key}.</div></div>')
    return "".join(out)
