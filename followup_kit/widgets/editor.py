"""The script editor: pick a script for your situation, fill it in, check its tone, log it."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import actions
from ..exceptions import FollowupKitError
from ..formatting import escape_html
from ..library import (
    Script,
    load_scripts,
    render_script,
    speaking_time,
    suggest_scripts,
)
from ..schema import CHOICES, format_day
from ..templates import context_for
from ..tone import Finding, check_tone, highlight_findings
from ._kit import (
    GREEN,
    RED,
    Debouncer,
    Shown,
    decision_passed,
    error_html,
    error_words,
    heading,
    interview_row,
    ok_html,
    seconds_words,
)

__all__ = ["ScriptEditor", "script_editor", "tone_panel_html"]

_MARK_CSS = (
    "<style>.fk-tone mark{background:#ffe08a;padding:0 2px;border-radius:2px}"
    ".fk-tone mark.tone-hostile{background:#ffc4bd}.fk-tone mark.tone-pushy{background:#ffd8a8}"
    ".fk-tone mark.tone-self_deprecating{background:#d9e7ff}</style>"
)


def tone_panel_html(text: str, findings: list[Finding]) -> str:
    """The text with flagged words marked, and each finding's reason and suggestion.

    Everything the client typed is escaped; only the ``<mark>`` tags are added.
    """
    if not text.strip():
        return (
            "<div class='fk-tone' style='color:#555'>Type or pick a script to check its tone.</div>"
        )
    body = highlight_findings(text, findings)
    if not findings:
        verdict = (
            f"<div style='color:{GREEN}'>&#10003; No wording flagged. Read it aloud once "
            "more: does it sound like you?</div>"
        )
    else:
        items = "".join(
            f"<li><mark class='tone-{html.escape(f.category)}'>{html.escape(f.words)}</mark> "
            f"<b>{html.escape(f.label)}.</b> {html.escape(f.why)}<br>"
            f"<i>Try instead:</i> {html.escape(f.suggestion)}</li>"
            for f in findings
        )
        n = len(findings)
        verdict = (
            f"<div style='color:{RED}'>{n} thing{'s' if n != 1 else ''} to look at:</div>"
            f"<ul style='margin-top:0.2em'>{items}</ul>"
        )
    return (
        f"{_MARK_CSS}<div class='fk-tone'><div style='white-space:pre-wrap;border:1px solid #ddd;"
        f"padding:0.5em;border-radius:4px'>{body}</div>{verdict}</div>"
    )


def _donts_html(script: Script) -> str:
    items = "".join(
        f"<li><s>{escape_html(d.text)}</s><br>"
        f"<span style='color:#555'>{escape_html(d.why)}</span></li>"
        for d in script.donts
    )
    n = len(script.donts)
    return f"<details><summary>What not to say ({n})</summary><ul>{items}</ul></details>"


def _choice_options(field: str, *, any_label: str | None = None) -> list[tuple[str, Any]]:
    options = [(label, value) for value, label in CHOICES[field].items()]
    return ([(any_label, None)] if any_label else []) + options


class ScriptEditor(Shown):
    """Pick a situation, see ranked scripts, fill one in, edit it with a live tone check.

    Attributes of interest to tests: ``step``, ``route``, ``round``, ``status``,
    ``decision_passed``, ``reposted``, ``other_offer`` (situation), ``suggestions``
    (HTML), ``script`` and ``channel`` (Dropdowns), ``interviewer`` and
    ``specific_point`` (Text), ``follow_up_number`` (IntText), ``text`` (Textarea),
    ``tone`` (HTML), ``timing`` (HTML), ``sent_on`` (DatePicker), ``log_button``,
    ``status_html``, ``debouncer``.
    """

    def __init__(
        self,
        wb: Any = None,
        *,
        interview_id: int | None = None,
        step: str | None = None,
        extra_dir: Any = None,
        client_id: int | None = None,
        delay: float = 0.4,
        timer: Callable[[float, Callable[[], None]], Any] = threading.Timer,
    ) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.client_id = client_id
        self.extra_dir = extra_dir if extra_dir is not None else wb
        self.library, self.errors = load_scripts(self.extra_dir)
        row = interview_row(wb, interview_id)
        self._context: dict[str, Any] = context_for(wb, interview_id) if row is not None else {}
        today = wb.today if wb is not None else date.today()

        style = {"description_width": "9em"}
        self.step = widgets.Dropdown(
            options=_choice_options("step", any_label="Any step"),
            value=step,
            description="Plan step",
            style=style,
        )
        self.route = widgets.Dropdown(
            options=_choice_options("contact_route"),
            value=None if row is None else str(row["contact_route"]),
            description="Dealt with",
            style=style,
        )
        self.round = widgets.Dropdown(
            options=_choice_options("round"),
            value=None if row is None else str(row["round"]),
            description="Round",
            style=style,
        )
        self.status = widgets.Dropdown(
            options=_choice_options("status"),
            value="open" if row is None else str(row["status"]),
            description="Status",
            style=style,
        )
        if row is None:
            self.route.value, self.round.value = "direct", "first"
        self.decision_passed = widgets.Checkbox(
            value=decision_passed(row, today),
            description="Their decision date has passed",
            indent=False,
        )
        self.reposted = widgets.Checkbox(
            value=False, description="The role was posted again", indent=False
        )
        self.other_offer = widgets.Checkbox(
            value=False, description="I have another offer", indent=False
        )
        self.suggestions = widgets.HTML().add_class("ct-suggestions")
        self.script = widgets.Dropdown(
            description="Script", style=style, layout=widgets.Layout(width="36em")
        )
        self.channel = widgets.Dropdown(description="Channel", style=style)
        self.interviewer = widgets.Text(
            value=self._context.get("interviewer") or "",
            description="Interviewer",
            placeholder="their name",
            style=style,
        )
        self.specific_point = widgets.Text(
            description="Point to mention",
            placeholder="one thing you discussed",
            style=style,
            layout=widgets.Layout(width="36em"),
        )
        self.follow_up_number = widgets.BoundedIntText(
            value=actions.next_follow_up_number(wb, interview_id) if row is not None else 1,
            min=1,
            max=20,
            description="Follow-up no.",
            style=style,
        )
        self.text = widgets.Textarea(
            continuous_update=True, layout=widgets.Layout(width="100%", height="16em")
        ).add_class("ct-script-text")
        self.tone = widgets.HTML().add_class("ct-tone")
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.donts = widgets.HTML()
        self.sent_on = widgets.DatePicker(value=today, description="Sent on", style=style)
        self.log_button = widgets.Button(
            description="Log as sent",
            icon="check",
            button_style="primary",
            disabled=row is None,
            tooltip="Record that you sent this, with the script's id and version",
        )
        self.status_html = widgets.HTML().add_class("ct-status")
        self.debouncer = Debouncer(delay, self.check_now, timer=timer)
        self._rendering = False

        for w in (
            self.step,
            self.route,
            self.round,
            self.status,
            self.decision_passed,
            self.reposted,
            self.other_offer,
        ):
            w.observe(self._situation_changed, names="value")
        self.script.observe(self._script_changed, names="value")
        for w in (self.channel, self.interviewer, self.specific_point):
            w.observe(lambda _c: self.render(), names="value")
        self.follow_up_number.observe(lambda _c: self.check_now(), names="value")
        self.text.observe(self._typed, names="value")
        self.log_button.on_click(self._log)

        hint = widgets.HTML(
            "<div style='color:#555'>Edit the text freely: the tone check runs when you "
            "pause typing. Changing the script, channel or names fills it in again.</div>"
        )
        if row is None:
            hint.value += (
                "<div style='color:#555'>Open this with an interview to log what you send.</div>"
            )
        errors = (
            error_html(
                "Some coach script files could not be read: "
                + "; ".join(escape_html(str(e)) for e in self.errors)
            )
            if self.errors
            else ""
        )
        self.box = widgets.VBox(
            [
                heading("1. Your situation"),
                widgets.HBox(
                    [widgets.VBox([self.step, self.status]), widgets.VBox([self.route, self.round])]
                ),
                widgets.HBox([self.decision_passed, self.reposted, self.other_offer]),
                heading("2. Suggested scripts"),
                self.suggestions,
                widgets.HTML(errors),
                heading("3. Fill it in"),
                self.script,
                widgets.HBox([self.channel, self.follow_up_number]),
                self.interviewer,
                self.specific_point,
                hint,
                self.text,
                self.timing,
                self.donts,
                heading("4. Tone check"),
                self.tone,
                heading("5. Log what you sent"),
                widgets.HBox([self.sent_on, self.log_button]),
                self.status_html,
            ]
        ).add_class("ct-script-editor")
        self._situation_changed()

    # -- behaviour ------------------------------------------------------------------
    def ranked(self) -> pd.DataFrame:
        """The scripts suggested for the situation currently chosen."""
        return suggest_scripts(
            step=self.step.value,
            status=self.status.value,
            contact_route=self.route.value,
            round=self.round.value,
            decision_passed=self.decision_passed.value,
            reposted=self.reposted.value,
            other_offer=self.other_offer.value,
            extra_dir=self.extra_dir,
        )

    def _situation_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        ranked = self.ranked()
        rows = "".join(
            f"<tr><td><b>{escape_html(r.title)}</b></td><td>{escape_html(r.reason)}</td></tr>"
            for r in ranked.head(5).itertuples()
        )
        self.suggestions.value = (
            f"<table class='ct-suggestion-table'>{rows}</table>"
            if rows
            else "<i>No script fits this exactly; pick any from the list below.</i>"
        )
        ids = list(ranked["id"]) + sorted(set(self.library) - set(ranked["id"]))
        options = [(f"{self.library[i].title} ({i})", i) for i in ids]
        keep = self.script.value if self.script.value in ids and ids else None
        self.script.options = options
        self.script.value = keep if keep is not None else (ids[0] if ids else None)

    def _script_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        s = self.current_script
        if s is None:
            return
        old = self.channel.value
        self._rendering = True  # one render after both options and value are set
        try:
            self.channel.options = [(CHOICES["channel"][c], c) for c in s.channels]
            self.channel.value = old if old in s.channels else s.channels[0]
        finally:
            self._rendering = False
        self.donts.value = _donts_html(s)
        self.render()

    @property
    def current_script(self) -> Script | None:
        return self.library.get(self.script.value) if self.script.value else None

    def context(self) -> dict[str, Any]:
        """Placeholder values: the interview's, plus what the client typed here."""
        ctx = dict(self._context)
        ctx["interviewer"] = self.interviewer.value.strip() or None
        ctx["specific_point"] = self.specific_point.value.strip() or None
        return ctx

    def render(self) -> None:
        """Fill the chosen script into the text box (replacing any edits) and check it."""
        s = self.current_script
        if self._rendering or s is None or self.channel.value is None:
            return
        try:
            self.text.value = render_script(s, self.channel.value, self.context())
        except FollowupKitError as err:
            self.text.value = ""
            self.status_html.value = error_html(error_words(err))
        self.debouncer.cancel()
        self.check_now()

    def _typed(self, _change: Mapping[str, Any]) -> None:
        self.debouncer.trigger()

    def check_now(self) -> list[Finding]:
        """Run the tone check on the text as it is now and show the findings."""
        text = self.text.value
        findings = check_tone(text, follow_up_number=int(self.follow_up_number.value))
        self.tone.value = tone_panel_html(text, findings)
        self.timing.value = (
            f"<span style='color:#555'>Takes {seconds_words(speaking_time(text))} to say "
            "aloud.</span>"
        )
        return findings

    def _log(self, _button: widgets.Button | None = None) -> None:
        s = self.current_script
        if self.wb is None or self.interview_id is None or s is None:
            self.status_html.value = error_html("Open this with an interview to log what you sent.")
            return
        try:
            actions.log_from_script(
                self.wb,
                self.interview_id,
                s,
                self.channel.value,
                sent_on=self.sent_on.value,
                step=self.step.value,
                extra_dir=self.extra_dir,
                client_id=self.client_id,
            )
        except FollowupKitError as err:
            self.status_html.value = error_html(error_words(err))
            return
        self.status_html.value = ok_html(
            f"Logged: {escape_html(CHOICES['channel'][self.channel.value].lower())} sent on "
            f"{escape_html(format_day(self.sent_on.value or self.wb.today))}, from the script "
            f"&ldquo;{escape_html(s.title)}&rdquo; (version {escape_html(s.version)})."
        )


def script_editor(
    wb: Any = None,
    *,
    interview_id: int | None = None,
    step: str | None = None,
    extra_dir: Any = None,
    client_id: int | None = None,
) -> ScriptEditor:
    """The script picker and editor with a live tone check; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook (needed to fill in names and to log what was sent).
    interview_id
        The interview the message is about: fills in the situation and placeholders.
    step
        The plan step, e.g. ``"status_check"``.
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    client_id
        The signed-in client, who may log only onto their own interviews (``None``:
        the coach).
    """
    return ScriptEditor(
        wb, interview_id=interview_id, step=step, extra_dir=extra_dir, client_id=client_id
    )
