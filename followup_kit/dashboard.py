"""The coach's dashboard (notebook 05) and the anonymised workshop view (notebook 06).

Both are small classes holding ipywidgets; display them in a notebook. Every handler
calls plain functions (:func:`coach_tables`, :func:`workshop_tables`,
:func:`chart_png`, the ``*_html`` helpers) that are tested on their own, and every
piece of user text shown as HTML is escaped.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from . import analytics as an
from . import plots as pl
from . import schema
from .schema import format_day

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CoachDashboard",
    "WorkshopView",
    "coach_dashboard",
    "workshop_view",
    "coach_tables",
    "workshop_tables",
    "chart_png",
    "rates_html",
    "agenda_html",
    "stale_interviews",
    "summary_html",
]

_AGENDA_SHOWN = ("overdue", "due today", "this week")
_AGENDA_ROWS = 25  # per group; the rest are counted, not listed


# -- plain functions (tested without widgets) ----------------------------------------------


def _esc(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _pct(x: object) -> str:
    return "" if x is None or pd.isna(x) else f"{100 * float(x):.0f}%"  # type: ignore[arg-type]


def chart_png(
    draw: Callable[[Axes], Any], *, size: tuple[float, float] = (8, 4.2), font_size: float = 10
) -> bytes:
    """Draw with ``draw(ax)`` on a fresh off-screen figure and return PNG bytes.

    A bare ``Figure`` is used (not pyplot), so nothing pops up in the notebook and the
    notebook's own backend is left alone.
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.size": font_size}):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def coach_tables(
    frame: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    client_id: int | None = None,
    round: str | None = None,  # noqa: A002 - the schema's field name
    rules: object = None,
) -> dict[str, pd.DataFrame]:
    """Every table the coach dashboard shows, for the chosen filters.

    Returns :func:`followup_kit.analytics.dashboard_tables` of the filtered frame plus
    ``frame`` (the filtered rows), ``versions`` (by script version) and ``rules``
    (:func:`~followup_kit.analytics.rule_evidence`).
    """
    rows = an.filter_frame(frame, start=start, end=end, client_id=client_id, round=round)
    out = an.dashboard_tables(rows)
    out["frame"] = rows
    out["versions"] = an.by_script(rows)
    out["rules"] = an.rule_evidence(rows, rules)
    return out


def workshop_tables(
    frame: pd.DataFrame, *, cohort: str | None = None, k: int = 5, rules: object = None
) -> dict[str, Any]:
    """The anonymised tables for one workshop group (or everyone when ``cohort`` is None).

    Groups with fewer than ``k`` distinct clients are hidden (see
    :func:`~followup_kit.analytics.workshop_table`); ``enough`` is False when the whole
    group has fewer than ``k`` clients, and then nothing else should be shown.
    """
    rows = an.filter_frame(frame, cohort=cohort)
    clients = int(rows["client_id"].nunique())
    out: dict[str, Any] = {"frame": rows, "clients": clients, "enough": clients >= k, "k": k}
    for by in ("thank_you_timing", "status_check_timing", "thank_you_channel", "script_id"):
        out[by] = an.workshop_table(rows, by, k=k)
    out["curves"] = an.workshop_curves(rows, "thank_you_timing", k=k)
    out["funnel"] = an.workshop_funnel(rows, k=k)
    evidence = an.rule_evidence(rows, rules)
    fewest = evidence[["clients_followed", "clients_not"]].min(axis=1).fillna(k)
    out["rules"] = evidence[(fewest >= k).to_numpy() & (evidence["verdict"] != "not measured")]
    return out


def summary_html(frame: pd.DataFrame, *, big: bool = False) -> str:
    """A line of headline numbers: clients, interviews, window closed, waiting, reply rate."""
    window = frame.attrs.get("window_days", 30)
    settled = frame[frame["settled"]]
    rate = _pct(settled["responded"].mean()) if len(settled) else "-"
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
        f'<div style="font-size:{size};font-weight:bold">{_esc(v)}</div>{_esc(label)}</div>'
        for v, label in items
    )
    return f'<div style="display:flex;flex-wrap:wrap;gap:0.8em">{cells}</div>'


def rates_html(table: pd.DataFrame, label: str, *, big: bool = False) -> str:
    """A reply-rate table (from ``response_rates`` or ``workshop_table``) as escaped HTML."""
    size = "1.4em" if big else "0.95em"
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{_esc(h)}</th>"
        for h in (label, "Interviews (n)", "Got a reply", "Rate", "95% interval", "Still waiting")
    )
    body = []
    for group, r in table.iterrows():
        if "shown" in table and not bool(r["shown"]):
            cells = f"<td colspan='5'><i>{an.TOO_FEW}</i></td>"
        else:
            interval = (
                "" if pd.isna(r["ci_low"]) else f"{_pct(r['ci_low'])} to {_pct(r['ci_high'])}"
            )
            values = (
                int(r["n"]),
                int(r["responded"]),
                _pct(r["rate"]),
                interval,
                int(r["pending"]),
            )
            cells = "".join(f"<td style='padding:0.2em 0.8em'>{_esc(v)}</td>" for v in values)
        body.append(f"<tr><td style='padding:0.2em 0.8em'>{_esc(group)}</td>{cells}</tr>")
    style = f"font-size:{size};border-collapse:collapse"
    return f"<table style='{style}'><tr>{head}</tr>{''.join(body)}</table>"


def _rules_html(table: pd.DataFrame, *, big: bool = False) -> str:
    size = "1.3em" if big else "0.95em"
    parts = []
    for _, r in table.iterrows():
        if r["verdict"] == "not measured":
            detail = f"<i>{_esc(r['reading'])}</i>"
        else:
            detail = (
                f"<b>{_esc(r['verdict'])}</b>: {_pct(r['rate_followed'])} of "
                f"{_esc(r['n_followed'])} when followed, {_pct(r['rate_not'])} of "
                f"{_esc(r['n_not'])} when not.<br><small>{_esc(r['reading'])}</small>"
            )
        parts.append(f"<li><b>{_esc(r['title'])}</b><br>{detail}</li>")
    return f"<ul style='font-size:{size}'>{''.join(parts)}</ul>"


def _clients_html(table: pd.DataFrame) -> str:
    head = "".join(
        f"<th style='text-align:left;padding:0.2em 0.8em'>{h}</th>"
        for h in ("Client", "Interviews", "Window closed", "Reply rate", "Thank-you sent",
                  "Next round or offer", "Last interview")
    )  # fmt: skip
    body = []
    for _, r in table.iterrows():
        values = (
            r["client"], int(r["interviews"]), int(r["n"]), _pct(r["rate"]),
            _pct(r["thank_you_sent"]), int(r["next_round_or_offer"]),
            format_day(r["last_interview"]),
        )  # fmt: skip
        body.append(
            "<tr>"
            + "".join(f"<td style='padding:0.2em 0.8em'>{_esc(v)}</td>" for v in values)
            + "</tr>"
        )
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(body)}</table>"


def _time_html(table: pd.DataFrame) -> str:
    rows = []
    for group, r in table.iterrows():
        median = "not reached" if pd.isna(r["median_days"]) else f"{r['median_days']:.0f} days"
        answered = r["median_days_if_replied"]
        answered = "" if pd.isna(answered) else f"{answered:.0f} days"
        rows.append(
            f"<tr><td>{_esc(group)}</td><td>{int(r['n'])}</td><td>{int(r['replies'])}</td>"
            f"<td>{_pct(r['replied_by_window'])}</td><td>{_esc(median)}</td>"
            f"<td>{_esc(answered)}</td></tr>"
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
            who = f" to {_esc(r['interviewer'])}" if not pd.isna(r.get("interviewer")) else ""
            script = f" (script: {_esc(r['script_id'])})" if not pd.isna(r.get("script_id")) else ""
            items.append(
                f"<li>{_esc(r['client'])}, {_esc(r['company'])}: {_esc(step)}{who}, due "
                f"{_esc(format_day(r['due']))}{script}</li>"
            )
        more = len(rows) - _AGENDA_ROWS
        tail = f"<li><i>... and {more} more</i></li>" if more > 0 else ""
        parts.append(
            f"<p><b>{group.capitalize()}</b> ({len(rows)})</p><ul>{''.join(items)}{tail}</ul>"
        )
    later = int((agenda["group"].astype(str) == "later").sum())
    parts.append(f"<p>Later: {later} step{'s' if later != 1 else ''}.</p>")
    return "".join(parts)


# -- the coach dashboard (notebook 05) -------------------------------------------------------


class _Shown:
    """Displays ``self.box`` in a notebook, with a short stable text for plain outputs."""

    box: widgets.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = f"<{type(self).__name__}>"
        return bundle


_VIEWS = (
    ("thank_you", "Thank-you timing"),
    ("status_check", "Status checks"),
    ("channel", "Channel"),
    ("script", "Scripts"),
    ("time", "Time to reply"),
    ("funnel", "Funnel"),
    ("rules", "Rules and evidence"),
    ("clients", "By client"),
    ("timeline", "Client timeline"),
)


class CoachDashboard(_Shown):
    """Filters (dates, client, round) that redraw the coach's charts and tables.

    Attributes
    ----------
    start, end
        DatePickers: interviews between these days (inclusive).
    client
        Dropdown of clients (value: client id, ``None`` = all).
    round
        Dropdown of interview rounds (``None`` = all).
    tabs
        One tab per view; only the visible tab's chart is drawn, the others when opened.
    images, notes
        Per view: the chart (``widgets.Image``, PNG) and the table or text (``widgets.HTML``).
    summary, agenda, message
        Headline numbers; the agenda from the timing rules; messages about the filters.
    tables
        The tables behind the current view (from :func:`coach_tables`).
    """

    def __init__(self, wb, *, today: object = None, window_days: int = 30) -> None:
        self.wb = wb
        self.today = schema.as_date(today) or wb.today
        self.window_days = window_days
        self._load()
        first, last = self._date_range()
        self.start = widgets.DatePicker(description="From", value=first).add_class("fk-start")
        self.end = widgets.DatePicker(description="To", value=last).add_class("fk-end")
        names = self.data["clients"][["id", "name"]].dropna()
        self.client = widgets.Dropdown(
            description="Client", options=[("All clients", None), *self._client_options(names)]
        ).add_class("fk-client")
        self.round = widgets.Dropdown(
            description="Round",
            options=[
                ("All rounds", None),
                *((label, value) for value, label in schema.CHOICES["round"].items()),
            ],
        ).add_class("fk-round")
        self.reload_button = widgets.Button(
            description="Reload data", icon="refresh", tooltip="Read the workbook again"
        ).add_class("fk-reload")
        self.reload_button.on_click(lambda _b: self.reload())
        self.message = widgets.HTML()
        self.summary = widgets.HTML()
        self.agenda = widgets.HTML()
        # Most of an overdue list is interviews nobody answered: clear them in one go.
        self.close_stale = widgets.Button(icon="archive").add_class("fk-close-stale")
        self.close_stale_note = widgets.HTML()
        self.close_stale.on_click(lambda _b: self._close_stale_clicked())
        self.images = {key: widgets.Image(format="png") for key, _ in _VIEWS}
        self.notes = {key: widgets.HTML() for key, _ in _VIEWS}
        pages = [widgets.VBox([self.images[k], self.notes[k]]) for k, _ in _VIEWS]
        self.tabs = widgets.Tab(children=pages, titles=[title for _, title in _VIEWS])
        self._stale: set[str] = set()
        self.tables: dict[str, pd.DataFrame] = {}
        self._quiet = False
        for w in (self.start, self.end, self.client, self.round):
            w.observe(lambda _change: None if self._quiet else self.refresh(), names="value")
        self.tabs.observe(lambda _change: self._draw_visible(), names="selected_index")
        self.box = widgets.VBox(
            [
                widgets.HTML(
                    "<h2>Coach dashboard</h2><p>Which follow-up habits went with replies, "
                    f"as of {_esc(format_day(self.today))}. Choose dates, a client or a round to "
                    "narrow it down.</p>"
                ),
                widgets.HTML("<h3>Agenda: what needs doing</h3>"),
                self.agenda,
                widgets.HBox([self.close_stale, self.close_stale_note]),
                widgets.HBox([self.start, self.end]),
                widgets.HBox([self.client, self.round, self.reload_button]),
                self.message,
                self.summary,
                self.tabs,
            ]
        )
        self.refresh()

    def _load(self) -> None:
        """Read the workbook: tables, analysis frame, rules and agenda."""
        self.data = self.wb.tables()
        self.frame = an.analysis_frame(self.data, today=self.today, window_days=self.window_days)
        self.rules = self.wb.rules
        self._agenda: pd.DataFrame | None = self.wb.agenda(today=self.today)

    def _date_range(self) -> tuple[date, date]:
        dates = self.frame["interview_date"].dropna()
        first = dates.min().date() if len(dates) else self.today
        last = dates.max().date() if len(dates) else self.today
        return first, last

    def reload(self) -> None:
        """Read the workbook again (after clients log something) and redraw.

        A 'To' date that was at the last interview moves on to the new last one.
        """
        _, old_last = self._date_range()
        self._load()
        _, last = self._date_range()
        names = self.data["clients"][["id", "name"]].dropna()
        options = [("All clients", None), *self._client_options(names)]
        self._quiet = True
        try:
            chosen = self.client.value
            self.client.options = options
            self.client.value = chosen if chosen in dict(options).values() else None
            if self.end.value == old_last:
                self.end.value = last
        finally:
            self._quiet = False
        self.message.value = f"<p>Reloaded: {len(self.frame)} interviews.</p>"
        self.refresh(keep_message=True)

    @staticmethod
    def _client_options(names: pd.DataFrame) -> list[tuple[str, int]]:
        names = names.sort_values("name", key=lambda col: col.str.lower())
        return [(str(n), int(i)) for i, n in zip(names["id"], names["name"], strict=True)]

    @property
    def view(self) -> str:
        """The key of the visible tab (``"thank_you"``, ``"funnel"``, ...)."""
        return _VIEWS[self.tabs.selected_index or 0][0]

    def set_filters(self, **filters: Any) -> None:
        """Set several filters at once (``start``, ``end``, ``client_id``, ``round``) and
        redraw once. Filters not given keep their value; ``None`` means "all"."""
        widgets_by_name = {
            "start": self.start, "end": self.end, "client_id": self.client, "round": self.round
        }  # fmt: skip
        unknown = set(filters) - set(widgets_by_name)
        if unknown:
            raise TypeError(f"Unknown filter(s): {', '.join(sorted(unknown))}.")
        self._quiet = True
        try:
            for name, value in filters.items():
                widgets_by_name[name].value = value
        finally:
            self._quiet = False
        self.refresh()

    def _close_stale_clicked(self) -> None:
        """First click asks, second click closes the stale interviews as ghosted."""
        ids = stale_interviews(self._agenda, client_id=self.client.value)
        if not self.close_stale.description.startswith("Yes"):
            self.close_stale.description = f"Yes, close {len(ids)}"
            self.close_stale.button_style = "warning"
            self.close_stale_note.value = (
                "<i>They got no reply in time; each can be reopened by changing its status "
                "in notebook 01.</i>"
            )
            return
        closed = self.wb.close_as_ghosted(ids)
        self.reload()
        self.close_stale_note.value = f"Closed {closed} interview(s) as ghosted."

    def _show_close_stale(self) -> None:
        n = len(stale_interviews(self._agenda, client_id=self.client.value))
        self.close_stale.description = f"Close {n} unanswered interview(s) as ghosted"
        self.close_stale.button_style = ""
        self.close_stale.layout.display = "" if n else "none"
        self.close_stale_note.value = ""

    def refresh(self, *, keep_message: bool = False) -> None:
        """Recompute the tables for the filters; redraw the visible chart."""
        self.agenda.value = agenda_html(self._agenda, client_id=self.client.value)
        self._show_close_stale()
        start, end = self.start.value, self.end.value
        if start is not None and end is not None and start > end:
            self.message.value = (
                "<p style='color:#D55E00'>The 'From' date is after the 'To' date: no "
                "interviews in between.</p>"
            )
        elif not keep_message:
            self.message.value = ""
        self.tables = coach_tables(
            self.frame, start=start, end=end, client_id=self.client.value,
            round=self.round.value, rules=self.rules,
        )  # fmt: skip
        self.summary.value = summary_html(self.tables["frame"])
        self._stale = {key for key, _ in _VIEWS}
        self._fill_notes()
        self._draw_visible()

    def _fill_notes(self) -> None:
        t = self.tables
        self.notes["thank_you"].value = rates_html(t["thank_you_timing"], "Thank-you sent after")
        self.notes["status_check"].value = rates_html(
            t["status_check_timing"], "Status check sent after"
        ) + (
            "<p><small>'none' also holds interviews answered before a check was due; the "
            "'Rules and evidence' tab compares fairly.</small></p>"
        )
        self.notes["channel"].value = rates_html(t["channel"], "Thank-you sent by")
        self.notes["script"].value = rates_html(t["script"], "Script") + rates_html(
            t["versions"], "Script and version"
        )
        self.notes["time"].value = _time_html(t["time_to_response"])
        funnel = t["funnel"]
        self.notes["funnel"].value = (
            "<p>"
            + ", ".join(
                f"{_esc(stage)}: {int(c)}"
                for stage, c in zip(funnel.index, funnel["count"], strict=True)
            )
            + "</p>"
        )
        self.notes["rules"].value = _rules_html(t["rules"])
        self.notes["clients"].value = _clients_html(t["clients"])
        if self.client.value is None:
            self.notes["timeline"].value = "<p>Choose a client above to see their timeline.</p>"
        else:
            timeline = self._timeline()
            self.notes["timeline"].value = (
                "<ul>"
                + "".join(
                    f"<li>{_esc(format_day(r['date']))}: "
                    f"{_esc(r['company'])}, {_esc(r['what'])}</li>"
                    for _, r in timeline.iterrows()
                )
                + "</ul>"
            )

    def _timeline(self) -> pd.DataFrame:
        timeline = an.client_timeline(self.data, self.client.value, today=self.today)
        start, end = self.start.value, self.end.value
        if start is not None:
            timeline = timeline[timeline["interview_date"] >= pd.Timestamp(start)]
        if end is not None:
            timeline = timeline[timeline["interview_date"] <= pd.Timestamp(end)]
        if self.round.value is not None:
            timeline = timeline[timeline["round"] == self.round.value]
        return timeline

    def _draw_visible(self) -> None:
        key = self.view
        if key not in self._stale:
            return
        self._stale.discard(key)
        self.images[key].value = self._chart(key)
        self.images[key].layout.display = None if self.images[key].value else "none"

    def _chart(self, key: str) -> bytes:
        t = self.tables
        draw: dict[str, Callable[[Axes], Any]] = {
            "thank_you": lambda ax: pl.plot_thank_you_timing(t["thank_you_timing"], ax=ax),
            "status_check": lambda ax: pl.plot_status_check_timing(t["status_check_timing"], ax=ax),
            "channel": lambda ax: pl.plot_by_channel(t["channel"], ax=ax),
            "script": lambda ax: pl.plot_by_script(t["script"], ax=ax),
            "time": lambda ax: pl.plot_time_to_response(t["curves"], ax=ax),
            "funnel": lambda ax: pl.plot_funnel(t["funnel"], ax=ax),
            "rules": lambda ax: pl.plot_rule_evidence(t["rules"], ax=ax),
        }
        if key == "timeline":
            if self.client.value is None:
                return b""
            timeline = self._timeline()
            height = max(2.5, 0.45 * timeline["interview_id"].nunique() + 1.2)
            return chart_png(
                lambda ax: pl.plot_client_timeline(timeline, ax=ax, today=self.today),
                size=(9, min(height, 14)),
            )
        if key not in draw:
            return b""
        size = (9.5, 4.5) if key == "rules" else (8, 4.2)
        return chart_png(draw[key], size=size)


def coach_dashboard(wb, *, today: object = None, window_days: int = 30) -> CoachDashboard:
    """The coach's dashboard for ``wb`` (display it in a notebook).

    Examples
    --------
    >>> dash = coach_dashboard(wb)            # doctest: +SKIP
    >>> dash.round.value = "final"  # the charts redraw  # doctest: +SKIP
    """
    return CoachDashboard(wb, today=today, window_days=window_days)


# -- the workshop view (notebook 06) ----------------------------------------------------------

_WORKSHOP_CHARTS = (
    ("Thank-you timing", "thank_you_timing"),
    ("Status checks", "status_check_timing"),
    ("Channel", "thank_you_channel"),
    ("Scripts", "script_id"),
    ("Time to reply", "curves"),
    ("Funnel", "funnel"),
    ("Rules", "rules"),
)


class WorkshopView(_Shown):
    """Large, plain, anonymised charts for a workshop group, one at a time on a projector.

    No names or companies appear; groups of fewer than ``k`` clients show as "too few to
    show", and a workshop group of fewer than ``k`` clients shows nothing but that.

    Attributes
    ----------
    cohort
        Dropdown of workshop groups (``None`` = every client).
    chart
        ToggleButtons choosing the chart.
    image, table, headline, heading
        The chart (PNG), its table, the headline numbers and the title, as widgets.
    tables
        The current anonymised tables (from :func:`workshop_tables`).
    """

    def __init__(
        self,
        wb,
        *,
        today: object = None,
        cohort: str | None = None,
        k: int = 5,
        window_days: int = 30,
    ) -> None:
        self.today = schema.as_date(today) or wb.today
        self.k = k
        self.frame = an.analysis_frame(wb.tables(), today=self.today, window_days=window_days)
        try:
            self.rules = wb.rules
        except AttributeError:
            self.rules = None
        cohorts = sorted(str(c) for c in self.frame["cohort"].dropna().unique())
        self.cohort = widgets.Dropdown(
            description="Group",
            options=[("Everyone", None), *((c, c) for c in cohorts)],
            value=cohort if cohort in cohorts else None,
            layout=widgets.Layout(width="28em"),
            style={"description_width": "initial"},
        ).add_class("fk-cohort")
        self.chart = widgets.ToggleButtons(
            options=list(_WORKSHOP_CHARTS), style={"button_width": "auto"}
        ).add_class("fk-chart")
        self.heading = widgets.HTML()
        self.headline = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%"))
        self.table = widgets.HTML()
        self.tables: dict[str, Any] = {}
        self.cohort.observe(lambda _c: self.refresh(), names="value")
        self.chart.observe(lambda _c: self._draw(), names="value")
        self.box = widgets.VBox(
            [self.cohort, self.heading, self.headline, self.chart, self.image, self.table]
        )
        self.refresh()

    def refresh(self) -> None:
        """Recompute the anonymised tables for the chosen group and redraw."""
        self.tables = workshop_tables(
            self.frame, cohort=self.cohort.value, k=self.k, rules=self.rules
        )
        name = self.cohort.value or "Everyone"
        self.heading.value = (
            f"<h1 style='font-size:2.4em;margin:0.2em 0'>What worked after interviews: "
            f"{_esc(name)}</h1><p style='font-size:1.3em'>No names, no companies. Groups of "
            f"fewer than {self.k} people are hidden.</p>"
        )
        if not self.tables["enough"]:
            self.headline.value = (
                f"<p style='font-size:1.8em'>This group has fewer than {self.k} people, so "
                "nothing is shown: with so few, a chart could point at one person.</p>"
            )
        else:
            self.headline.value = summary_html(self.tables["frame"], big=True)
        self._draw()

    def _draw(self) -> None:
        key = self.chart.value
        t = self.tables
        if not t["enough"]:
            self.image.value = b""
            self.image.layout.display = "none"
            self.table.value = ""
            return
        self.image.layout.display = None
        plots: dict[str, Callable[[Axes], Any]] = {
            "thank_you_timing": lambda ax: pl.plot_thank_you_timing(t[key], ax=ax),
            "status_check_timing": lambda ax: pl.plot_status_check_timing(t[key], ax=ax),
            "thank_you_channel": lambda ax: pl.plot_by_channel(t[key], ax=ax),
            "script_id": lambda ax: pl.plot_by_script(t[key], ax=ax),
            "curves": lambda ax: pl.plot_time_to_response(t[key], ax=ax),
            "funnel": lambda ax: pl.plot_funnel(t[key], ax=ax),
            "rules": lambda ax: pl.plot_rule_evidence(t[key], ax=ax),
        }
        size = (13, 6.5) if key == "rules" else (12, 6)
        self.image.value = chart_png(plots[key], size=size, font_size=16)
        if key in ("thank_you_timing", "status_check_timing", "thank_you_channel", "script_id"):
            label = dict((v, lab) for lab, v in _WORKSHOP_CHARTS)[key]
            self.table.value = rates_html(t[key], label, big=True)
        elif key == "rules":
            self.table.value = _rules_html(t[key], big=True)
        elif key == "funnel":
            f = t[key]
            self.table.value = (
                ""
                if not f["shown"].all()
                else "<p style='font-size:1.4em'>"
                + ", ".join(
                    f"{_esc(s)}: {int(c)}" for s, c in zip(f.index, f["count"], strict=True)
                )
                + "</p>"
            )
        else:
            self.table.value = (
                "<p style='font-size:1.4em'>Each line: share of interviews with a reply by "
                "each day after the interview. Interviews still waiting count fairly.</p>"
            )


def workshop_view(
    wb, *, today: object = None, cohort: str | None = None, k: int = 5
) -> WorkshopView:
    """The anonymised workshop view for ``wb`` (display it; choose the group and chart)."""
    return WorkshopView(wb, today=today, cohort=cohort, k=k)
