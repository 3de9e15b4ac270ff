"""What the coach dashboard and the workshop view show, as tables and escaped HTML (no widgets).

The widgets in :mod:`followup_kit.widgets.dashboard` call these; so can a script, a
report or a benchmark, without loading the user interface.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import analytics as an
from . import schema, workshop
from .evidence import rule_evidence
from .formatting import escape_html, percent
from .schema import format_day

__all__ = [
    "agenda_html",
    "coach_tables",
    "rates_html",
    "stale_interviews",
    "summary_html",
    "workshop_tables",
]

_AGENDA_SHOWN = ("overdue", "due today", "this week")
_AGENDA_ROWS = 25  # per group; the rest are counted, not listed


def coach_tables(
    frame: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    client_id: int | None = None,
    round: str | None = None,  # noqa: A002 - the schema's field name
    rules: object = None,
    interval: str = "auto",
) -> dict[str, pd.DataFrame]:
    """Every table the coach dashboard shows, for the chosen filters.

    Returns :func:`followup_kit.analytics.dashboard_tables` of the filtered frame plus
    ``frame`` (the filtered rows), ``versions`` (by script version) and ``rules``
    (:func:`~followup_kit.evidence.rule_evidence`). Rates carry the cluster interval
    whenever a client has several interviews in a group (``interval="auto"``); each
    table's ``attrs["interval"]`` says which it holds.
    """
    rows = an.filter_frame(frame, start=start, end=end, client_id=client_id, round=round)
    out = an.dashboard_tables(rows, interval=interval)
    out["frame"] = rows
    out["versions"] = an.by_script(rows, interval=interval)
    out["rules"] = rule_evidence(rows, rules, interval=interval)
    return out


def workshop_tables(
    frame: pd.DataFrame, *, cohort: str | None = None, k: int = 5, rules: object = None
) -> dict[str, Any]:
    """The anonymised tables for one workshop group (or everyone when ``cohort`` is None).

    Groups with fewer than ``k`` distinct clients are hidden (see
    :func:`~followup_kit.workshop.workshop_table`); ``enough`` is False when the whole
    group has fewer than ``k`` clients, and then nothing else should be shown.
    """
    rows = an.filter_frame(frame, cohort=cohort)
    clients = int(rows["client_id"].nunique())
    out: dict[str, Any] = {"frame": rows, "clients": clients, "enough": clients >= k, "k": k}
    for by in ("thank_you_timing", "status_check_timing", "thank_you_channel", "script_id"):
        out[by] = workshop.workshop_table(rows, by, k=k)
    out["curves"] = workshop.workshop_curves(rows, "thank_you_timing", k=k)
    out["funnel"] = workshop.workshop_funnel(rows, k=k)
    evidence = rule_evidence(rows, rules, interval="auto")
    fewest = evidence[["clients_followed", "clients_not"]].min(axis=1).fillna(k)
    out["rules"] = evidence[(fewest >= k).to_numpy() & (evidence["verdict"] != "not measured")]
    return out


def summary_html(frame: pd.DataFrame, *, big: bool = False) -> str:
    """A line of headline numbers: clients, interviews, window closed, waiting, reply rate."""
    window = frame.attrs.get("window_days", 30)
    settled = frame[frame["settled"]]
    rate = percent(settled["responded"].mean()) if len(settled) else "-"
    items = [
        (frame["client_id"].nunique(), "clients"),
        (len(frame), "interviews"),
        (len(settled), "reply window closed"),
        (int(frame["pending"].sum()), "still waiting"),
        (rate, f"got a reply within {window} days"),
    ]
    size = "2.4em" if big else "1.5em"
    cells = "".join(
        f'<div style="padding:0.4em 1em;background:#f2f6fa;border-radius:6px">'
        f'<div style="font-size:{size};font-weight:bold">{escape_html(v)}</div>'
        f"{escape_html(label)}</div>"
        for v, label in items
    )
    return f'<div style="display:flex;flex-wrap:wrap;gap:0.8em">{cells}</div>'


def rates_html(table: pd.DataFrame, label: str, *, big: bool = False) -> str:
    """A reply-rate table (from ``response_rates`` or ``workshop_table``) as escaped HTML."""
    size = "1.4em" if big else "0.95em"
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{escape_html(h)}</th>"
        for h in (label, "Interviews (n)", "Got a reply", "Rate", "95% interval", "Still waiting")
    )
    body = []
    for group, r in table.iterrows():
        if "shown" in table and not bool(r["shown"]):
            cells = f"<td colspan='5'><i>{workshop.TOO_FEW}</i></td>"
        else:
            interval = (
                "" if pd.isna(r["ci_low"]) else f"{percent(r['ci_low'])} to {percent(r['ci_high'])}"
            )
            values = (
                int(r["n"]),
                int(r["responded"]),
                percent(r["rate"]),
                interval,
                int(r["pending"]),
            )
            cells = "".join(
                f"<td style='padding:0.2em 0.8em'>{escape_html(v)}</td>" for v in values
            )
        body.append(f"<tr><td style='padding:0.2em 0.8em'>{escape_html(group)}</td>{cells}</tr>")
    style = f"font-size:{size};border-collapse:collapse"
    return f"<table style='{style}'><tr>{head}</tr>{''.join(body)}</table>"


def rules_html(table: pd.DataFrame, *, big: bool = False) -> str:
    """Each timing rule with its verdict and the reply rates behind it, escaped."""
    size = "1.3em" if big else "0.95em"
    parts = []
    for _, r in table.iterrows():
        if r["verdict"] == "not measured":
            detail = f"<i>{escape_html(r['reading'])}</i>"
        else:
            detail = (
                f"<b>{escape_html(r['verdict'])}</b>: {percent(r['rate_followed'])} of "
                f"{escape_html(r['n_followed'])} when followed, {percent(r['rate_not'])} of "
                f"{escape_html(r['n_not'])} when not.<br><small>{escape_html(r['reading'])}</small>"
            )
        parts.append(f"<li><b>{escape_html(r['title'])}</b><br>{detail}</li>")
    return f"<ul style='font-size:{size}'>{''.join(parts)}</ul>"


def clients_html(table: pd.DataFrame) -> str:
    """The per-client table (interviews, reply rate, thank-yous sent...), escaped."""
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{h}</th>"
        for h in ("Client", "Interviews", "Window closed", "Reply rate", "Thank-you sent",
                  "Next round or offer", "Last interview")
    )  # fmt: skip
    body = []
    for _, r in table.iterrows():
        values = (
            r["client"], int(r["interviews"]), int(r["n"]), percent(r["rate"]),
            percent(r["thank_you_sent"]), int(r["next_round_or_offer"]),
            format_day(r["last_interview"]),
        )  # fmt: skip
        body.append(
            "<tr>"
            + "".join(f"<td style='padding:0.2em 0.8em'>{escape_html(v)}</td>" for v in values)
            + "</tr>"
        )
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(body)}</table>"


def time_html(table: pd.DataFrame) -> str:
    """Time to reply per thank-you timing: replies by the window and median waits."""
    rows = []
    for group, r in table.iterrows():
        median = "not reached" if pd.isna(r["median_days"]) else f"{r['median_days']:.0f} days"
        answered = r["median_days_if_replied"]
        answered = "" if pd.isna(answered) else f"{answered:.0f} days"
        rows.append(
            f"<tr><td>{escape_html(group)}</td><td>{int(r['n'])}</td><td>{int(r['replies'])}</td>"
            f"<td>{percent(r['replied_by_window'])}</td><td>{escape_html(median)}</td>"
            f"<td>{escape_html(answered)}</td></tr>"
        )
    head = (
        "<tr><th>Thank-you sent</th><th>Interviews</th><th>Replies</th><th>Replied by the "
        "window</th><th>Median wait (all)</th><th>Median wait (those answered)</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def stale_interviews(agenda: pd.DataFrame | None, *, client_id: int | None = None) -> list[int]:
    """Interviews whose only overdue step is to close them as ghosted (no reply came)."""
    if agenda is None or agenda.empty:
        return []
    due = agenda[(agenda["step"] == "close_as_ghosted") & (agenda["group"] == "overdue")]
    if client_id is not None:
        due = due[due["client_id"] == client_id]
    return sorted(int(i) for i in due["interview_id"].unique())


def agenda_html(agenda: pd.DataFrame | None, *, client_id: int | None = None) -> str:
    """The coach's agenda (``wb.agenda()``): overdue, due today and this week, escaped.

    Later steps are only counted. ``client_id`` keeps one client's steps.
    """
    if agenda is None:
        return "<p><i>The agenda is not available in this workbook.</i></p>"
    if client_id is not None and "client_id" in agenda:
        agenda = agenda[agenda["client_id"] == client_id]
    if agenda.empty:
        return "<p>Nothing is waiting: no open follow-up steps.</p>"
    parts = []
    for group in _AGENDA_SHOWN:
        rows = agenda[agenda["group"].astype(str) == group]
        if rows.empty:
            parts.append(f"<p><b>{group.capitalize()}</b>: nothing.</p>")
            continue
        items = []
        for _, r in rows.head(_AGENDA_ROWS).iterrows():
            step = schema.choice_label("step", r["step"])
            who = (
                f" to {escape_html(r['interviewer'])}" if not pd.isna(r.get("interviewer")) else ""
            )
            script = (
                f" (script: {escape_html(r['script_id'])})"
                if not pd.isna(r.get("script_id"))
                else ""
            )
            items.append(
                f"<li>{escape_html(r['client'])}, {escape_html(r['company'])}: "
                f"{escape_html(step)}{who}, due "
                f"{escape_html(format_day(r['due']))}{script}</li>"
            )
        more = len(rows) - _AGENDA_ROWS
        tail = f"<li><i>... and {more} more</i></li>" if more > 0 else ""
        parts.append(
            f"<p><b>{group.capitalize()}</b> ({len(rows)})</p><ul>{''.join(items)}{tail}</ul>"
        )
    later = int((agenda["group"].astype(str) == "later").sum())
    parts.append(f"<p>Later: {later} step{'s' if later != 1 else ''}.</p>")
    return "".join(parts)
