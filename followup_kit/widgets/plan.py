"""The plan view for notebook 02: pick an interview, see its dated plan, log or skip steps."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from .. import actions, schema
from ..agenda import build_agenda
from ..calendar_export import calendar_bytes
from ..exceptions import FollowupKitError, ValidationError
from ..plans import plan_for_interview, plan_in_words, step_words
from ..rules import Rules, load_rules
from ..schema import CHOICES, format_day
from ..timeline import plan_timeline_html
from ._kit import GREEN, RED, Shown, full_choice, hidden, page, set_options, style_html
from .clients import ClientPicker

if TYPE_CHECKING:
    from ..store import Workbook

__all__ = [
    "SKIP_REASONS",
    "PlanForm",
    "PlanTable",
    "ics_link",
    "interview_choices",
    "next_steps_html",
    "plan_table",
    "plan_table_html",
    "plan_view",
]

#: Reasons offered when a step is skipped (free text can be added to any of them).
SKIP_REASONS: tuple[str, ...] = (
    "No contact address",
    "The client chose not to",
    "Already covered in another conversation",
    "They asked not to be contacted",
    "Other",
)


# --------------------------------------------------------------------------- plain HTML
def interview_choices(
    interviews: pd.DataFrame, clients: pd.DataFrame | None = None
) -> list[tuple[str, int]]:
    """Dropdown options for interviews, newest first: ``("Acme, Analyst, Tue 4 Mar 2025", id)``.

    With ``clients`` given (a coach looking at several clients), each label starts with
    the client's name.
    """
    if interviews.empty:
        return []
    names: Mapping[Any, Any] = {}
    if clients is not None and len(clients):
        names = dict(zip(clients["id"], clients["name"], strict=True))
    rows = interviews.sort_values(["interview_date", "id"], ascending=False)
    out = []
    for row in rows.itertuples(index=False):
        label = f"{row.company}, {row.role}, {format_day(row.interview_date)}"
        if names:
            label = f"{names.get(row.client_id, '?')}: {label}"
        out.append((label, int(row.id)))
    return out


def plan_table_html(plan: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """The plan as an HTML table in plain words (:func:`plan_in_words`); every value escaped.

    Each cell carries its column's name (``data-label``), so on a phone the page's
    stylesheet shows every step as a card: the step, then "Due by: ...", "Why: ...".
    ``columns`` picks the columns (default: every column with something in it).
    """
    if plan.empty:
        return "<p>Nothing to plan: this interview is settled.</p>"
    words = plan_in_words(plan)
    if columns is None:
        columns = [c for c in words.columns if (words[c] != "").any()]
    words = words[list(columns)]
    head = ("Step", *words.columns)
    rows = []
    for state, (step, row) in zip(plan["state"].astype(str), words.iterrows(), strict=True):
        tds = "".join(
            f'<td data-label="{html.escape(h)}">{html.escape(str(c))}</td>'
            for h, c in zip(head, (step, *row), strict=True)
        )
        rows.append(f'<tr class="fk-state-{html.escape(state)}">{tds}</tr>')
    ths = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return (
        '<table class="fk-plan fk-cards"><thead><tr>'
        + ths
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


class PlanTable:
    """A plan shown as :func:`plan_table_html` (cards on a phone); plain lines as text."""

    def __init__(self, plan: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
        self.plan = plan
        self.columns = columns

    def _repr_html_(self) -> str:
        return style_html() + plan_table_html(self.plan, self.columns)

    def __repr__(self) -> str:
        if self.plan.empty:
            return "Nothing to plan: this interview is settled."
        words = plan_in_words(self.plan)
        return "\n".join(
            f"{step}: from {row['From']}, due by {row['Due by']}" for step, row in words.iterrows()
        )


def plan_table(plan: pd.DataFrame, columns: Sequence[str] | None = ("From", "Due by", "Why")):
    """Show a plan (from :func:`~followup_kit.plan_follow_ups`) as a client reads it.

    Parameters
    ----------
    plan
        The plan.
    columns
        Which of :func:`~followup_kit.plan_in_words`'s columns to show besides the step
        (``None``: every column with something in it).

    Returns
    -------
    PlanTable
        Displays as a table on a laptop and as cards on a phone.

    Examples
    --------
    >>> import followup_kit as fk
    >>> print(repr(fk.plan_table(fk.plan_follow_ups("2025-03-07", interviewers=["Dana Lee"])))
    ...       .splitlines()[0])
    Thank-you note to Dana Lee: from Fri 7 Mar 2025, due by Mon 10 Mar 2025
    """
    return PlanTable(plan, None if columns is None else tuple(columns))


def next_steps_html(agenda: pd.DataFrame, *, limit: int = 12) -> str:
    """A client's open steps in plain words, grouped overdue / due today / this week / later."""
    if agenda.empty:
        return "<p><b>Your next steps:</b> nothing open. Well done.</p>"
    parts = ["<p><b>Your next steps</b></p><ul class='fk-next-steps'>"]
    for row in agenda.head(limit).to_dict("records"):
        what = step_words(str(row["step"]), row["interviewer"])
        parts.append(
            f"<li><b>{html.escape(str(row['group']).capitalize())}</b>: "
            f"{html.escape(what)} ({html.escape(str(row['company']))}), due "
            f"{format_day(row['due'])}</li>"
        )
    parts.append("</ul>")
    if len(agenda) > limit:
        parts.append(f"<p>... and {len(agenda) - limit} more.</p>")
    return "".join(parts)


def ics_link(steps: pd.DataFrame, filename: str = "follow-up-plan.ics") -> str:
    """An HTML link that downloads the open steps as an .ics calendar file."""
    open_steps = steps[steps["state"].isin(["open", "overdue"])] if "state" in steps else steps
    if open_steps.empty:
        return "<p>No open steps to put in a calendar.</p>"
    data = base64.b64encode(calendar_bytes(open_steps)).decode("ascii")
    safe = html.escape(re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "plan.ics")
    return (
        f'<a download="{safe}" href="data:text/calendar;charset=utf-8;base64,{data}" '
        f'target="_blank">Download the open steps for your calendar (an .ics file)</a>'
    )


# --------------------------------------------------------------------------- the form
class PlanForm(Shown):
    """The widgets of :func:`plan_view`; ``box`` is what the notebook shows.

    Attributes
    ----------
    picker
        Who is looking (a :class:`~followup_kit.widgets.ClientPicker`; fixed to the
        JupyterHub user's own record when there is one).
    interview, step, channel, sent_on, reason, note, skipped
        The inputs; ``step`` values are ``(step, interviewer_id, interviewer)``.
    sent_button, skip_button, undo_button
        "I sent it" (reads "Close as ghosted" for that step), "Skip", "Put it back"
        (shown with ``skipped_row`` only when a step of this interview was skipped).
    next_steps, table, chart, download, message
        What is shown: the client's open steps, the plan, its timeline, the .ics link
        and the result of the last action.
    """

    def __init__(
        self,
        wb: Workbook,
        *,
        client_id: int | None = None,
        today: Any = None,
        username: str | None = None,
    ) -> None:

        self.wb = wb
        self.today: date = schema.as_date(today) or wb.today
        self.plan = pd.DataFrame()
        self._loading = False
        layout = widgets.Layout(width="auto")
        self.picker = ClientPicker(wb, client_id=client_id, username=username)
        self.next_steps = widgets.HTML()
        self.interview = widgets.Dropdown(description="Interview", layout=layout)
        self.table = widgets.HTML()
        self.chart = widgets.HTML().add_class("fk-timeline")
        self.step = widgets.Dropdown(description="Step", layout=layout)
        self.channel = widgets.Dropdown(
            description="How",
            options=[(label, value) for value, label in CHOICES["channel"].items()],
            value="email",
        )
        self.sent_on = widgets.DatePicker(description="On", value=self.today)
        self.sent_button = widgets.Button(description="I sent it", button_style="success")
        self.reason = widgets.Dropdown(description="Reason", options=list(SKIP_REASONS))
        self.note = widgets.Text(description="Note", placeholder="Add a few words (optional)")
        self.skip_button = widgets.Button(description="Skip", button_style="warning")
        self.skipped = widgets.Dropdown(
            description="Skipped", layout=widgets.Layout(width="30em", max_width="100%")
        )
        self.undo_button = widgets.Button(description="Put it back")
        self.skipped_row = hidden(
            widgets.VBox(
                [
                    widgets.HTML(
                        "<b>Skipped by mistake?</b> Choose the step and put it back on your plan."
                    ),
                    widgets.HBox([self.skipped, self.undo_button]),
                ]
            )
        )
        self.message = widgets.HTML()
        self.download = widgets.HTML()
        for w, name in (
            (self.next_steps, "fk-next-steps"),
            (self.interview, "fk-interview"),
            (self.step, "fk-step"),
            (self.sent_button, "fk-sent"),
            (self.skip_button, "fk-skip"),
            (self.undo_button, "fk-undo"),
            (self.skipped, "fk-skipped"),
            (self.skipped_row, "fk-skipped-row"),
            (self.message, "fk-message"),
        ):
            w.add_class(name)

        self.picker.observe(lambda _cid: self.load_interviews())
        self.interview.observe(self._picked, names="value")
        self.step.observe(lambda _change: self._label_send_button(), names="value")
        self.sent_button.on_click(lambda _b: self.on_sent())
        self.skip_button.on_click(lambda _b: self.on_skip())
        self.undo_button.on_click(lambda _b: self.on_undo())

        self.box = page(
            widgets.VBox(
                [
                    self.picker.box,
                    self.next_steps,
                    widgets.HTML("<b>Pick an interview to see its follow-up plan.</b>"),
                    full_choice(self.interview),
                    self.table,
                    self.chart,
                    widgets.HTML("<b>Done something on the plan?</b>"),
                    full_choice(self.step),
                    widgets.HBox([self.channel, self.sent_on, self.sent_button]),
                    widgets.HTML("<b>Not doing a step?</b> Skipping takes it off your list."),
                    widgets.HBox([self.reason, self.note, self.skip_button]),
                    self.skipped_row,
                    self.message,
                    self.download,
                ]
            ).add_class("fk-plan-form")
        )
        self.load_interviews()

    @property
    def client_id(self) -> int | None:
        """The client whose plans are shown (``None`` until someone is chosen)."""
        return self.picker.value

    # -- data ---------------------------------------------------------------------------
    def _rules(self) -> Rules:
        rules = getattr(self.wb, "rules", None)
        return rules if isinstance(rules, Rules) else load_rules(self.wb.data_dir)

    def load_interviews(self, select: int | None = None) -> None:
        """(Re)read the interviews into the dropdown and show the chosen one's plan."""
        cid = self.client_id
        options = [] if cid is None else interview_choices(self.wb.interviews(cid))
        current = select if select is not None else self.interview.value
        ids = [v for _, v in options]
        self._loading = True  # one refresh at the end, not one per widget change
        try:
            self.interview.options = options
            if ids:
                self.interview.value = current if current in ids else ids[0]
        finally:
            self._loading = False
        self.refresh()

    def _picked(self, _change: object) -> None:
        if not self._loading:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the plan of the chosen interview and redraw everything."""
        iid = self.interview.value
        has = iid is not None
        for button in (self.sent_button, self.skip_button, self.undo_button):
            button.disabled = not has
        cid = self.client_id
        tables = self.wb.tables(cid) if cid is not None else None
        self.next_steps.value = "" if tables is None else self._next_steps_html(tables)
        if not has:
            self.plan = pd.DataFrame()
            self.table.value = (
                "<p>Choose your name above to see your plans.</p>"
                if cid is None
                else "<p>No interviews logged yet: log one in notebook 01 first.</p>"
            )
            self.chart.value = self.download.value = ""
            set_options(self.step, [])
            set_options(self.skipped, [])
            hidden(self.skipped_row)
            self._label_send_button()
            return
        row = tables["interviews"].set_index("id").loc[iid]
        self.plan = plan_for_interview(tables, iid, today=self.today, rules=self._rules())
        self.table.value = plan_table_html(self.plan)
        self.chart.value = plan_timeline_html(self.plan, today=self.today)
        actionable = self.plan[self.plan["state"].isin(["open", "overdue", "missed"])]
        set_options(
            self.step,
            [
                (
                    f"{step_words(str(r['step']), r['interviewer'])} (due {format_day(r['due'])})",
                    (str(r["step"]), r["interviewer_id"], r["interviewer"]),
                )
                for r in actionable.to_dict("records")
            ],
        )
        self._label_send_button()
        skipped = tables["skipped_steps"]
        skipped = skipped[skipped["interview_id"] == iid]
        set_options(
            self.skipped,
            [
                (
                    f"{step_words(str(r['step']), r['interviewer'])}: {r['reason']}",
                    int(r["id"]),
                )
                for r in skipped.to_dict("records")
            ],
        )
        self.undo_button.disabled = not len(self.skipped.options)
        hidden(self.skipped_row, not len(self.skipped.options))
        slug = f"follow-up-{row['company']}-{pd.Timestamp(row['interview_date']):%Y-%m-%d}.ics"
        self.download.value = ics_link(self.plan, slug)

    def _next_steps_html(self, tables: Mapping[str, pd.DataFrame]) -> str:
        agenda = build_agenda(
            tables, today=self.today, client_id=self.client_id, rules=self._rules()
        )
        return next_steps_html(agenda)

    def _label_send_button(self) -> None:
        choice = self.step.value
        closing = choice is not None and choice[0] == "close_as_ghosted"
        self.sent_button.description = "Close as ghosted" if closing else "I sent it"
        self.sent_button.disabled = choice is None
        self.skip_button.disabled = choice is None

    def _say(self, text: str, ok: bool = True) -> None:
        colour = GREEN if ok else RED
        self.message.value = f'<p style="color:{colour}">{html.escape(text)}</p>'

    def _fail(self, err: Exception) -> None:
        if isinstance(err, ValidationError):
            words = "; ".join(f"{field}: {msg}" for field, msg in err.by_field().items())
            self._say(f"Not saved. {words}", ok=False)
        else:
            self._say(f"Not saved. {err}", ok=False)

    # -- handlers -------------------------------------------------------------------------
    def on_sent(self) -> None:
        """ "I sent it": log the follow-up (or close the interview) and re-plan."""
        if self.step.value is None or self.interview.value is None:
            return
        step, who_id, who = self.step.value
        iid = self.interview.value
        try:
            if step == "close_as_ghosted":
                actions.close_as_ghosted(self.wb, iid, client_id=self.client_id)
                said = "Closed as ghosted. Well done for moving on."
            else:
                script = self.plan.loc[self.plan["step"] == step, "script_id"]
                script_id = (
                    script.iloc[0] if len(script) and isinstance(script.iloc[0], str) else None
                )
                actions.log_step_sent(
                    self.wb,
                    iid,
                    step,
                    client_id=self.client_id,
                    channel=self.channel.value,
                    sent_on=self.sent_on.value,
                    interviewer_id=who_id,
                    script_id=script_id,
                )
                said = f"Logged: {step_words(step, who)} on {format_day(self.sent_on.value)}."
        except (FollowupKitError, ValueError) as err:
            self._fail(err)
            return
        self.load_interviews(select=iid)
        self._say(said)

    def on_skip(self) -> None:
        """ "Skip": store the step as skipped with the reason and re-plan."""
        if self.step.value is None or self.interview.value is None:
            return
        step, _who_id, who = self.step.value
        iid = self.interview.value
        try:
            actions.skip_plan_step(
                self.wb,
                iid,
                step,
                reason=self.reason.value,
                note=self.note.value,
                interviewer=who,
                client_id=self.client_id,
            )
        except (FollowupKitError, ValueError) as err:
            self._fail(err)
            return
        self.note.value = ""
        self.refresh()
        self._say(f"Skipped: {step_words(step, who)}. You can undo it below.")

    def on_undo(self) -> None:
        """ "Put it back": put the chosen skipped step back on the plan."""
        if self.skipped.value is None:
            return
        label = self.skipped.label
        try:
            actions.undo_skip(self.wb, self.skipped.value, client_id=self.client_id)
        except FollowupKitError as err:
            self._fail(err)
            return
        self.refresh()
        self._say(f"Back on the plan: {label.split(':')[0]}.")


def plan_view(
    wb: Workbook,
    *,
    client_id: int | None = None,
    today: Any = None,
    username: str | None = None,
) -> PlanForm:
    """The plan form: pick an interview, see its plan, log or skip steps, get an .ics.

    Parameters
    ----------
    wb
        The workbook.
    client_id
        The client to preselect. ``None``: the JupyterHub user's own record, or the
        client chooses their name from the list. Nothing is shown until a client is
        chosen, so nobody sees another client's interviews.
    today
        The day the plan is judged on (default ``wb.today``).
    username
        A JupyterHub user name (default ``$JUPYTERHUB_USER``).

    Returns
    -------
    PlanForm
        The form (display it); ``.box`` is the VBox shown.
    """
    return PlanForm(wb, client_id=client_id, today=today, username=username)
