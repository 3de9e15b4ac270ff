"""What the coach dashboard and the workshop view show, as tables and escaped HTML (no widgets).

The widgets in :mod:`followup_kit.widgets.dashboard` call these; so can a script, a
report or a benchmark, without loading the user interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from . import analytics as an
from . import schema, workshop
from .agenda import build_agenda
from .evidence import rule_evidence
from .exceptions import AnalyticsError
from .formatting import (
    escape_html,
    group_label,
    group_script,
    later_step,
    percent,
    script_title,
)
from .intervals import INTERVAL_WORDS
from .schema import format_day

__all__ = [
    "DashboardInputs",
    "PlainTable",
    "agenda_counts",
    "agenda_html",
    "client_choices",
    "plain_table",
    "coach_tables",
    "dashboard_inputs",
    "rates_html",
    "stale_interviews",
    "summary_html",
    "workshop_tables",
]

_AGENDA_SHOWN = ("overdue", "due today", "this week")
_AGENDA_ROWS = 25  # per group; the rest are counted, not listed


@dataclass
class DashboardInputs:
    """What the coach dashboard is drawn from, read from the store once."""

    #: The store's frames, with the columns the dashboard uses (``DASHBOARD_COLUMNS``).
    tables: dict[str, pd.DataFrame]
    #: :func:`~followup_kit.analysis.analysis_frame` of those tables.
    frame: pd.DataFrame
    #: The workbook's timing rules.
    rules: Any
    #: The day the frame and the agenda are seen from.
    today: date
    _agenda: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def agenda(self) -> pd.DataFrame:
        """:func:`~followup_kit.agenda.build_agenda` of the same tables, worked out when
        first asked for: on a big store it takes longer than everything else, so the
        dashboard shows its charts first and the agenda when it is ready. (Not a
        ``cached_property``: on Python 3.11 its lock is shared by every instance, so a
        reload's agenda would wait for the one before.)"""
        if self._agenda is None:
            self._agenda = build_agenda(self.tables, today=self.today, rules=self.rules)
        return self._agenda


def dashboard_inputs(wb: Any, *, today: object = None, window_days: int = 30) -> DashboardInputs:
    """Read the workbook once for the coach dashboard: tables and analysis frame, and
    the agenda from the same tables when it is first asked for.

    Only the columns the dashboard shows or counts are read (not notes, feedback or
    emails).
    """
    from .analysis import analysis_frame, as_day
    from .reading import DASHBOARD_COLUMNS

    day = as_day(today)
    tables = wb.tables(columns=DASHBOARD_COLUMNS)
    frame = analysis_frame(tables, today=day, window_days=window_days)
    return DashboardInputs(tables=tables, frame=frame, rules=wb.rules, today=day)


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


def _interval_note(table: pd.DataFrame) -> str:
    kind = table.attrs.get("interval", "wilson")
    return INTERVAL_WORDS.get(kind, INTERVAL_WORDS["wilson"])


_LATER_NOTE = (
    "* Sent only when an earlier message got no reply, so it starts with the harder cases "
    "and its rate starts lower: compare scripts used at the same step."
)


def _marked(by: object, group: object) -> tuple[str, bool]:
    """The group in plain words, and whether it is a later-step script (marked *)."""
    script = group_script(by, group)
    later = script is not None and later_step(script)
    return group_label(by, group) + (" *" if later else ""), later


def _count(value: object) -> str:
    return "" if pd.isna(value) else str(int(value))  # type: ignore[call-overload]


def rates_html(table: pd.DataFrame, label: str, *, big: bool = False) -> str:
    """A reply-rate table (from ``response_rates`` or ``workshop_table``) as escaped HTML.

    Groups are in plain words (script titles, channels as people say them); the table
    says which 95% interval it shows, and marks scripts sent only after no reply.
    """
    size = "1.4em" if big else "0.95em"
    by = table.attrs.get("by", "")
    heads = (label, "Interviews (n)", "Clients", "Got a reply", "Rate", "95% interval")
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{escape_html(h)}</th>"
        for h in (*heads, "Still waiting")
    )
    body = []
    any_later = False
    for group, r in table.iterrows():
        name, later = _marked(by, group)
        any_later |= later
        if "shown" in table and not bool(r["shown"]):
            cells = f"<td colspan='6'><i>{workshop.TOO_FEW}</i></td>"
        else:
            interval = (
                "" if pd.isna(r["ci_low"]) else f"{percent(r['ci_low'])} to {percent(r['ci_high'])}"
            )
            values = (
                _count(r["n"]),
                _count(r.get("clients")),
                _count(r["responded"]),
                percent(r["rate"]) or "no interviews",
                interval,
                _count(r["pending"]),
            )
            cells = "".join(
                f"<td style='padding:0.2em 0.8em'>{escape_html(v)}</td>" for v in values
            )
        body.append(f"<tr><td style='padding:0.2em 0.8em'>{escape_html(name)}</td>{cells}</tr>")
    style = f"font-size:{size};border-collapse:collapse"
    notes = [_interval_note(table) + "."]
    if any_later:
        notes.append(_LATER_NOTE)
    small = "".join(f"<br>{escape_html(n)}" for n in notes)[4:]
    return (
        f"<div style='overflow-x:auto'><table style='{style}'><tr>{head}</tr>"
        f"{''.join(body)}</table></div>"
        f"<p style='font-size:{size}'><small>{small}</small></p>"
    )


def _side(rate: object, n: object, clients: object) -> str:
    """'43% of 120 interviews from 30 clients', or 'no interviews'."""
    if pd.isna(n) or not int(n):  # type: ignore[call-overload]
        return "no interviews"
    count = int(n)  # type: ignore[call-overload]
    text = f"{percent(rate)} of {count} interview{'s' if count != 1 else ''}"
    if not pd.isna(clients):
        many = int(clients)  # type: ignore[call-overload]
        text += f" from {many} client{'s' if many != 1 else ''}"
    return text


def rules_html(table: pd.DataFrame, *, big: bool = False) -> str:
    """Each timing rule with its verdict and the reply rates behind it, escaped."""
    size = "1.3em" if big else "0.95em"
    parts = []
    for _, r in table.iterrows():
        if r["verdict"] == "not measured":
            detail = f"<i>{escape_html(r['reading'])}</i>"
        else:
            followed = _side(r["rate_followed"], r["n_followed"], r["clients_followed"])
            not_followed = _side(r["rate_not"], r["n_not"], r["clients_not"])
            detail = (
                f"<b>{escape_html(r['verdict'])}</b>: {escape_html(followed)} when followed, "
                f"{escape_html(not_followed)} when not.<br>"
                f"<small>{escape_html(r['reading'])}</small>"
            )
        parts.append(f"<li><b>{escape_html(r['title'])}</b><br>{detail}</li>")
    note = escape_html(_interval_note(table))
    return (
        f"<ul style='font-size:{size}'>{''.join(parts)}</ul>"
        f"<p style='font-size:{size}'><small>{note}.</small></p>"
    )


#: Clients listed in the "By client" tab; a longer table is scrolled, not read.
_CLIENT_ROWS = 100


def clients_html(table: pd.DataFrame) -> str:
    """The per-client table (interviews, reply rate, thank-yous sent...), escaped.

    The first :data:`_CLIENT_ROWS` clients in the order they joined, and how many more
    there are (a client chosen above shows on their own).
    """
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{h}</th>"
        for h in ("Client", "Group", "Interviews", "Window closed", "Reply rate",
                  "Thank-you sent", "Next round or offer", "Last interview")
    )  # fmt: skip
    shown = table.head(_CLIENT_ROWS)
    columns = zip(
        shown["client"], shown["cohort"], shown["interviews"], shown["n"], shown["rate"],
        shown["thank_you_sent"], shown["next_round_or_offer"], shown["last_interview"],
        strict=True,
    )  # fmt: skip
    body = [
        "<tr>"
        + "".join(
            f"<td style='padding:0.2em 0.8em'>{escape_html(v)}</td>"
            for v in (
                client,
                cohort,
                int(interviews),
                int(n),
                percent(rate) or "none settled",
                percent(sent),
                int(good),
                format_day(last),
            )  # fmt: skip
        )
        + "</tr>"
        for client, cohort, interviews, n, rate, sent, good, last in columns
    ]
    more = len(table) - len(shown)
    tail = (
        f"<p><small>The first {len(shown)} of {len(table):,} clients, in the order they "
        "joined. Choose a client above to see anyone else.</small></p>"
        if more > 0
        else ""
    )
    return (
        "<div style='overflow-x:auto'><table style='border-collapse:collapse'>"
        f"<tr>{head}</tr>{''.join(body)}</table></div>{tail}"
    )


def _days(value: object, missing: str) -> str:
    return missing if pd.isna(value) else f"{float(value):.0f} days"  # type: ignore[arg-type]


def time_html(table: pd.DataFrame) -> str:
    """Time to reply per thank-you timing: replies by the window and median waits."""
    rows = []
    for group, r in table.iterrows():
        median = _days(r["median_days"], "not reached")
        answered = _days(r["median_days_if_replied"], "no replies")
        rows.append(
            f"<tr><td>{escape_html(group_label('thank_you_timing', group))}</td>"
            f"<td>{int(r['n'])}</td><td>{int(r['replies'])}</td>"
            f"<td>{percent(r['replied_by_window'])}</td><td>{escape_html(median)}</td>"
            f"<td>{escape_html(answered)}</td></tr>"
        )
    head = (
        "<tr><th>Thank-you sent</th><th>Interviews</th><th>Replies</th><th>Replied by the "
        "window</th><th>Median wait (all)</th><th>Median wait (those answered)</th></tr>"
    )
    note = (
        "<p><small>'Not reached': fewer than half of these interviews ever got a reply, so "
        "there is no middle wait to show.</small></p>"
    )
    return f"<div style='overflow-x:auto'><table>{head}{''.join(rows)}</table></div>{note}"


def stale_interviews(agenda: pd.DataFrame | None, *, client_id: int | None = None) -> list[int]:
    """Interviews whose only overdue step is to close them as ghosted (no reply came)."""
    if agenda is None or agenda.empty:
        return []
    due = agenda[(agenda["step"] == "close_as_ghosted") & (agenda["group"] == "overdue")]
    if client_id is not None:
        due = due[due["client_id"] == client_id]
    return sorted(int(i) for i in due["interview_id"].unique())


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def agenda_html(agenda: pd.DataFrame | None, *, client_id: int | None = None) -> str:
    """The coach's agenda (``wb.agenda()``): overdue, due today and this week, escaped.

    Later steps are only counted. ``client_id`` keeps one client's steps. Steps and
    scripts are in plain words.
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
        # What needs writing first; interviews to close (the button below does them all
        # at once) after.
        closing_last = (rows["step"].astype(str) == "close_as_ghosted").to_numpy()
        rows = pd.concat([rows[~closing_last], rows[closing_last]])
        for _, r in rows.head(_AGENDA_ROWS).iterrows():
            step = schema.choice_label("step", r["step"])
            who = (
                f" to {escape_html(r['interviewer'])}" if not pd.isna(r.get("interviewer")) else ""
            )
            script = (
                f" (script: {escape_html(script_title(r['script_id']))})"
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
        closing = int((rows["step"].astype(str) == "close_as_ghosted").sum())
        why = (
            f" ({closing} of them: close as ghosted, no reply came)"
            if closing and group == "overdue"
            else ""
        )
        parts.append(
            f"<p><b>{group.capitalize()}</b>: {_steps(len(rows))}{why}</p>"
            f"<ul>{''.join(items)}{tail}</ul>"
        )
    later = int((agenda["group"].astype(str) == "later").sum())
    parts.append(f"<p>Later: {_steps(later)}.</p>")
    return "".join(parts)


def agenda_counts(agenda: pd.DataFrame) -> PlainTable:
    """How many open steps are overdue, due today, this week and later, in plain words."""
    groups = agenda["group"].astype(str)
    closing = agenda["step"].astype(str) == "close_as_ghosted"
    rows = [
        {
            "When": group.capitalize(),
            "Steps": str(int((groups == group).sum())),
            "Of them, interviews to close as ghosted (no reply came)": str(
                int(((groups == group) & closing).sum())
            ),
        }
        for group in (*_AGENDA_SHOWN, "later")
    ]
    return PlainTable(pd.DataFrame(rows), "Each open step of every client's follow-up plan.")


def client_choices(clients: pd.DataFrame) -> list[tuple[str, int]]:
    """(label, id) per client for a menu, by name; a name shared by two clients shows
    the workshop group too ("Alex Rivera (Spring cohort)"), and a number if still shared.
    """
    frame = clients.dropna(subset=["name"]).copy()
    frame["cohort"] = frame["cohort"] if "cohort" in frame else pd.NA
    frame = frame.sort_values(
        ["name", "id"], key=lambda col: col.str.lower() if col.name == "name" else col
    )
    names = frame["name"].astype(str)
    labels = names.where(
        ~names.str.casefold().duplicated(keep=False),
        names + " (" + frame["cohort"].astype(object).fillna("no group").astype(str) + ")",
    )
    repeat = labels.groupby(labels).cumcount()
    labels = labels.where(repeat == 0, labels + " " + (repeat + 1).astype(str))
    return [(str(lab), int(i)) for lab, i in zip(labels, frame["id"], strict=True)]


# -- tables in plain words, for the notebooks -------------------------------------------------


class PlainTable:
    """A table in plain words (``frame``: text only) with a note under it.

    Shown whole in a notebook (no cut sentences), as escaped HTML or as text.
    """

    def __init__(self, frame: pd.DataFrame, note: str = "") -> None:
        self.frame = frame
        self.note = note

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='text-align:left'>{escape_html(c)}</th>" for c in self.frame.columns
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{escape_html(v)}</td>" for v in row)
            + "</tr>"
            for row in self.frame.itertuples(index=False)
        )
        note = f"<p><small>{escape_html(self.note)}</small></p>" if self.note else ""
        return f"<table><tr>{head}</tr>{body}</table>{note}"

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False, max_colwidth=None)
        return text + (f"\n\n{self.note}" if self.note else "")


def plain_table(table: pd.DataFrame, label: str | None = None) -> PlainTable:
    """A coach's table in plain words: no ids, stored codes, NaN or cut sentences.

    Takes what :func:`~followup_kit.analytics.response_rates` (or ``by_script``,
    ``workshop_table``), :func:`~followup_kit.evidence.rule_evidence` or
    :func:`~followup_kit.analytics.time_to_response` return. ``label`` heads the first
    column (default: what the table is grouped by, in words).
    """
    if "verdict" in table:
        return _plain_rules(table)
    if "median_days" in table:
        return _plain_time(table, label or "Thank-you sent")
    if "ci_low" in table and "n" in table:
        return _plain_rates(table, label)
    raise AnalyticsError(
        "plain_table takes a table of reply rates, rule evidence or time to reply."
    )


_BY_WORDS = {
    "thank_you_timing": "Thank-you sent after",
    "status_check_timing": "First status check sent after",
    "thank_you_channel": "Thank-you sent by",
    "script_id": "Script",
    "script_version": "Script and version",
    "round": "Round",
}


def _plain_rates(table: pd.DataFrame, label: str | None) -> PlainTable:
    by = table.attrs.get("by", "")
    rows, any_later = [], False
    for group, r in table.iterrows():
        name, later = _marked(by, group)
        any_later |= later
        hidden = "shown" in table and not bool(r["shown"])
        interval = (
            "" if pd.isna(r["ci_low"]) else f"{percent(r['ci_low'])} to {percent(r['ci_high'])}"
        )
        rows.append(
            {
                label or _BY_WORDS.get(str(by), str(by).replace("_", " ").capitalize()): name,
                "Interviews": workshop.TOO_FEW if hidden else _count(r["n"]),
                "Clients": "" if hidden else _count(r.get("clients")),
                "Got a reply": "" if hidden else _count(r["responded"]),
                "Rate": "" if hidden else (percent(r["rate"]) or "no interviews"),
                "95% interval": "" if hidden else interval,
                "Still waiting": "" if hidden else _count(r["pending"]),
            }
        )
    note = _interval_note(table) + "."
    if any_later:
        note += " " + _LATER_NOTE
    return PlainTable(pd.DataFrame(rows), note)


def _plain_rules(table: pd.DataFrame) -> PlainTable:
    rows = []
    for _, r in table.iterrows():
        measured = r["verdict"] != "not measured"
        rows.append(
            {
                "Rule": r["title"],
                "When followed": _side(r["rate_followed"], r["n_followed"], r["clients_followed"])
                if measured
                else "",
                "When not": _side(r["rate_not"], r["n_not"], r["clients_not"]) if measured else "",
                "What the data says": r["verdict"] if measured else f"not measured: {r['reading']}",
            }
        )
    return PlainTable(pd.DataFrame(rows), _interval_note(table) + ".")


def _plain_time(table: pd.DataFrame, label: str) -> PlainTable:
    rows = [
        {
            label: group_label("thank_you_timing", group),
            "Interviews": str(int(r["n"])),
            "Replies": str(int(r["replies"])),
            "Replied by the window": percent(r["replied_by_window"]),
            "Median wait (all)": _days(r["median_days"], "not reached"),
            "Median wait (those answered)": _days(r["median_days_if_replied"], "no replies"),
        }
        for group, r in table.iterrows()
    ]
    return PlainTable(
        pd.DataFrame(rows),
        "Kaplan-Meier: interviews still waiting count for as long as they have waited. "
        "'Not reached': fewer than half ever got a reply.",
    )
