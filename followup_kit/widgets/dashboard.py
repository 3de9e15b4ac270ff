"""The coach's dashboard (notebook 05) and the anonymised workshop view (notebook 06).

Both are small classes holding ipywidgets; display them in a notebook. Every handler
calls plain functions (:mod:`followup_kit.dashboard_data`, :func:`~followup_kit.plots.chart_png`,
:mod:`followup_kit.actions`) that are tested on their own, and every piece of user text
shown as HTML is escaped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from .. import actions, schema
from .. import analytics as an
from .. import plots as pl
from ..analysis import analysis_frame
from ..dashboard_data import (
    agenda_html,
    client_choices,
    clients_html,
    coach_tables,
    dashboard_inputs,
    rates_html,
    rules_html,
    stale_interviews,
    summary_html,
    time_html,
    workshop_tables,
)
from ..formatting import escape_html
from ..schema import format_day
from ._kit import Shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CoachDashboard", "WorkshopView", "coach_dashboard", "workshop_view"]

_VIEWS = (
    ("thank_you", "Thank-you timing"),
    ("status_check", "Status checks"),
    ("channel", "Channel"),
    ("script", "Scripts"),
    ("time", "Time to reply"),
    ("funnel", "Funnel"),
    ("rules", "Rules"),
    ("clients", "By client"),
    ("timeline", "Timeline"),
)

#: The menu value meaning "all" (a Dropdown shows a blank for the value None).
ALL = "__all__"

# Tab titles whole (not cut to a fixed width), wrapping onto a second row on a phone.
_CSS = (
    "<style>"
    ".fk-tabs .lm-TabBar-content{flex-wrap:wrap}"
    ".fk-tabs .lm-TabBar-tab{flex:0 0 auto !important;max-width:none !important;"
    "min-width:0 !important}"
    ".fk-tabs .lm-TabBar{height:auto !important;min-height:var(--jp-widgets-horizontal-tab-height)}"
    # A wide table scrolls sideways inside its tab on a phone instead of being cut.
    ".fk-tabs .widget-vbox,.fk-tabs .widget-html{min-width:0;max-width:100%}"
    ".fk-tabs .widget-html-content{max-width:100%;overflow-x:auto}"
    "</style>"
)


def _chosen(menu: widgets.Dropdown) -> Any:
    """A menu's value, with "all" as None."""
    return None if menu.value == ALL else menu.value


class CoachDashboard(Shown):
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
        Headline numbers; the agenda from the timing rules (worked out on a second thread
        once the charts show: :meth:`wait_for_agenda`); messages about the filters.
    tables
        The tables behind the current view (from :func:`coach_tables`).
    """

    def __init__(self, wb, *, today: object = None, window_days: int = 30) -> None:
        self.wb = wb
        self.today = schema.as_date(today) or wb.today
        self.window_days = window_days
        self._agenda_lock = threading.RLock()
        self._load()
        first, last = self._date_range()
        self.start = widgets.DatePicker(description="From", value=first).add_class("fk-start")
        self.end = widgets.DatePicker(description="To", value=last).add_class("fk-end")
        self.client = widgets.Dropdown(
            description="Client",
            options=[("All clients", ALL), *client_choices(self.data["clients"])],
            value=ALL,
            layout=widgets.Layout(width="auto"),
        ).add_class("fk-client")
        self.round = widgets.Dropdown(
            description="Round",
            options=[
                ("All rounds", ALL),
                *((label, value) for value, label in schema.CHOICES["round"].items()),
            ],
            value=ALL,
        ).add_class("fk-round")
        self.reload_button = widgets.Button(
            description="Reload data", icon="refresh", tooltip="Read the workbook again"
        ).add_class("fk-reload")
        self.reload_button.on_click(lambda _b: self.reload())
        self.message = widgets.HTML()
        self.summary = widgets.HTML()
        self.agenda = widgets.HTML()
        # Most of an overdue list is interviews nobody answered: clear them in one go.
        self.close_stale = widgets.Button(
            icon="archive", layout=widgets.Layout(width="auto")
        ).add_class("fk-close-stale")
        self.close_stale_note = widgets.HTML()
        self.close_stale.on_click(lambda _b: self._close_stale_clicked())
        self.images = {key: widgets.Image(format="png") for key, _ in _VIEWS}
        self.notes = {key: widgets.HTML() for key, _ in _VIEWS}
        pages = [widgets.VBox([self.images[k], self.notes[k]]) for k, _ in _VIEWS]
        self.tabs = widgets.Tab(children=pages, titles=[title for _, title in _VIEWS])
        self.tabs.add_class("fk-tabs")
        self._stale: set[str] = set()
        self.tables: dict[str, pd.DataFrame] = {}
        self._quiet = False
        for w in (self.start, self.end, self.client, self.round):
            w.observe(lambda _change: None if self._quiet else self.refresh(), names="value")
        self.tabs.observe(lambda _change: self._draw_visible(), names="selected_index")
        self.box = widgets.VBox(
            [
                widgets.HTML(_CSS),
                widgets.HTML(
                    "<h2>Coach dashboard</h2><p>Which follow-up habits went with replies, "
                    f"as of {escape_html(format_day(self.today))}. Choose dates, a client or a "
                    "round to narrow it down.</p>"
                ),
                widgets.HTML("<h3>Agenda: what needs doing</h3>"),
                self.agenda,
                widgets.HBox([self.close_stale, self.close_stale_note]),
                widgets.HBox([self.start, self.end]),
                widgets.HBox(
                    [self.client, self.round, self.reload_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.message,
                self.summary,
                self.tabs,
            ]
        )
        self.refresh()
        self._plan_agenda()

    def _load(self) -> None:
        """Read the workbook once: tables, then the analysis frame from them. The agenda
        follows from the same tables (:meth:`_plan_agenda`)."""
        inputs = dashboard_inputs(self.wb, today=self.today, window_days=self.window_days)
        self.data, self.frame, self.rules = inputs.tables, inputs.frame, inputs.rules
        with self._agenda_lock:
            self._inputs = inputs
            self._agenda: pd.DataFrame | None = None
            self._agenda_error: Exception | None = None
            self._agenda_ready = threading.Event()

    def _plan_agenda(self) -> None:
        """Work out the agenda on a second thread and show it when ready.

        On a big store it takes longer than reading, the frame and every table together,
        so the charts are usable first. A reload meanwhile makes this result obsolete:
        only the agenda of the latest read is shown.
        """
        inputs, ready = self._inputs, self._agenda_ready

        def work() -> None:
            agenda, error = None, None
            try:
                agenda = inputs.agenda
            except Exception as exc:  # shown on the page (and by wait_for_agenda), not lost
                error = exc
            with self._agenda_lock:
                if inputs is self._inputs:
                    self._agenda, self._agenda_error = agenda, error
                    self._show_agenda()
            ready.set()

        threading.Thread(target=work, name="coach-agenda", daemon=True).start()

    def wait_for_agenda(self, timeout: float | None = None) -> pd.DataFrame:
        """The agenda shown, once worked out; raises what working it out raised."""
        while True:  # a reload while waiting: wait for the new read's agenda
            ready = self._agenda_ready
            if not ready.wait(timeout):
                raise TimeoutError(f"The agenda was not ready within {timeout} seconds.")
            with self._agenda_lock:
                if ready is self._agenda_ready:
                    if self._agenda is None:
                        raise self._agenda_error or RuntimeError("No agenda was worked out.")
                    return self._agenda

    def _show_agenda(self) -> None:
        """The agenda for the chosen client, and the button closing its stale interviews."""
        with self._agenda_lock:
            if self._agenda is None:
                self.agenda.value = (
                    "<p><i>The agenda could not be worked out: "
                    f"{escape_html(str(self._agenda_error))}</i></p>"
                    if self._agenda_error is not None
                    else "<p><i>Working out what needs doing...</i></p>"
                )
                self.close_stale.layout.display = "none"
                return
            self.agenda.value = agenda_html(self._agenda, client_id=_chosen(self.client))
            self._show_close_stale()

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
        options = [("All clients", ALL), *client_choices(self.data["clients"])]
        self._quiet = True
        try:
            chosen = self.client.value
            self.client.options = options
            self.client.value = chosen if chosen in dict(options).values() else ALL
            if self.end.value == old_last:
                self.end.value = last
        finally:
            self._quiet = False
        self.message.value = f"<p>Reloaded: {len(self.frame)} interviews.</p>"
        self.refresh(keep_message=True)
        self._plan_agenda()

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
                menu = name in ("client_id", "round")
                widgets_by_name[name].value = ALL if menu and value is None else value
        finally:
            self._quiet = False
        self.refresh()

    def _close_stale_clicked(self) -> None:
        """First click asks, second click closes the stale interviews as ghosted."""
        with self._agenda_lock:
            ids = stale_interviews(self._agenda, client_id=_chosen(self.client))
        if not self.close_stale.description.startswith("Yes"):
            self.close_stale.description = f"Yes, close {len(ids)}"
            self.close_stale.button_style = "warning"
            self.close_stale_note.value = (
                "<i>They got no reply in time; each can be reopened by changing its status "
                "in notebook 01.</i>"
            )
            return
        closed = actions.close_as_ghosted(self.wb, ids)
        self.reload()
        self.close_stale_note.value = f"Closed {closed} interview(s) as ghosted."

    def _show_close_stale(self) -> None:
        n = len(stale_interviews(self._agenda, client_id=_chosen(self.client)))
        self.close_stale.description = (
            f"Close {n} unanswered interview{'s' if n != 1 else ''} as ghosted"
        )
        self.close_stale.button_style = ""
        self.close_stale.layout.display = "" if n else "none"

    def refresh(self, *, keep_message: bool = False) -> None:
        """Recompute the tables for the filters; redraw the visible chart."""
        self.close_stale_note.value = ""
        self._show_agenda()
        start, end = self.start.value, self.end.value
        if start is not None and end is not None and start > end:
            self.message.value = (
                "<p style='color:#D55E00'>The 'From' date is after the 'To' date: no "
                "interviews in between.</p>"
            )
        elif not keep_message:
            self.message.value = ""
        self.tables = coach_tables(
            self.frame, start=start, end=end, client_id=_chosen(self.client),
            round=_chosen(self.round), rules=self.rules,
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
            "<p><small>'No status check' also holds interviews answered before a check was "
            "due; the 'Rules' tab compares fairly.</small></p>"
        )
        self.notes["channel"].value = rates_html(t["channel"], "Thank-you sent by")
        self.notes["script"].value = rates_html(t["script"], "Script") + rates_html(
            t["versions"], "Script and version"
        )
        self.notes["time"].value = time_html(t["time_to_response"])
        funnel = t["funnel"]
        self.notes["funnel"].value = (
            "<p>"
            + ", ".join(
                f"{escape_html(stage)}: {int(c)}"
                for stage, c in zip(funnel.index, funnel["count"], strict=True)
            )
            + "</p>"
        )
        self.notes["rules"].value = rules_html(t["rules"])
        self.notes["clients"].value = clients_html(t["clients"])
        if _chosen(self.client) is None:
            self.notes["timeline"].value = "<p>Choose a client above to see their timeline.</p>"
        else:
            timeline = self._timeline()
            self.notes["timeline"].value = (
                "<ul>"
                + "".join(
                    f"<li>{escape_html(format_day(r['date']))}: "
                    f"{escape_html(r['company'])}, {escape_html(r['what'])}</li>"
                    for _, r in timeline.iterrows()
                )
                + "</ul>"
            )

    def _timeline(self) -> pd.DataFrame:
        timeline = an.client_timeline(self.data, _chosen(self.client), today=self.today)
        start, end = self.start.value, self.end.value
        if start is not None:
            timeline = timeline[timeline["interview_date"] >= pd.Timestamp(start)]
        if end is not None:
            timeline = timeline[timeline["interview_date"] <= pd.Timestamp(end)]
        if _chosen(self.round) is not None:
            timeline = timeline[timeline["round"] == _chosen(self.round)]
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
            if _chosen(self.client) is None:
                return b""
            timeline = self._timeline()
            height = max(2.5, 0.45 * timeline["interview_id"].nunique() + 1.2)
            return pl.chart_png(
                lambda ax: pl.plot_client_timeline(timeline, ax=ax, today=self.today),
                size=(9, min(height, 14)),
            )
        if key not in draw:
            return b""
        size = (9.5, 4.5) if key == "rules" else (8, 4.2)
        return pl.chart_png(draw[key], size=size)


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


class WorkshopView(Shown):
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
        self.frame = analysis_frame(wb.tables(), today=self.today, window_days=window_days)
        try:
            self.rules = wb.rules
        except AttributeError:
            self.rules = None
        cohorts = sorted(str(c) for c in self.frame["cohort"].dropna().unique())
        self.cohort = widgets.Dropdown(
            description="Group",
            options=[("Everyone", ALL), *((c, c) for c in cohorts)],
            value=cohort if cohort in cohorts else ALL,
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
            self.frame, cohort=_chosen(self.cohort), k=self.k, rules=self.rules
        )
        name = _chosen(self.cohort) or "Everyone"
        self.heading.value = (
            f"<h1 style='font-size:2.4em;margin:0.2em 0'>What worked after interviews: "
            f"{escape_html(name)}</h1><p style='font-size:1.3em'>No names, no companies. Groups of "
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
        self.image.value = pl.chart_png(plots[key], size=size, font_size=16)
        if key in ("thank_you_timing", "status_check_timing", "thank_you_channel", "script_id"):
            label = dict((v, lab) for lab, v in _WORKSHOP_CHARTS)[key]
            self.table.value = rates_html(t[key], label, big=True)
        elif key == "rules":
            self.table.value = rules_html(t[key], big=True)
        elif key == "funnel":
            f = t[key]
            self.table.value = (
                ""
                if not f["shown"].all()
                else "<p style='font-size:1.4em'>"
                + ", ".join(
                    f"{escape_html(s)}: {int(c)}" for s, c in zip(f.index, f["count"], strict=True)
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
