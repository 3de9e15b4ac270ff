"""The script editor: the script for your step, filled in, tone-checked, ready to send, logged.

Its parts (``script_part``, ``fill_part``, ``tone_part``, ``send_part``) can be shown
one per notebook cell, as notebook 03 does, or together in ``box``. A client's own edits
to a message are kept per script, channel and recipient; anything that would replace
them asks first.
"""

from __future__ import annotations

import html
import inspect
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd
from jinja2 import meta

from .. import actions
from ..dates import format_day
from ..exceptions import FollowupKitError
from ..formatting import escape_html, is_blank
from ..library import (
    Script,
    load_scripts,
    render_script,
    speaking_time,
    suggest_scripts,
)
from ..messages import linkedin_length, mailto
from ..plans import step_words
from ..schema import CHOICES
from ..templates import check_template, context_for
from ..tone import Finding, check_tone, highlight_findings
from ._kit import (
    GREEN,
    GREY,
    RED,
    Debouncer,
    Shown,
    decision_passed,
    error_html,
    error_words,
    full_choice,
    heading,
    hidden,
    interview_row,
    note_html,
    ok_html,
    seconds_words,
    wide,
)
from .copy_button import CopyButton

__all__ = ["ScriptEditor", "script_editor", "tone_panel_html"]

_MARK_CSS = (
    "<style>.fk-tone mark{background:#ffe08a;padding:0 2px;border-radius:2px}"
    ".fk-tone mark.tone-hostile{background:#ffc4bd}.fk-tone mark.tone-pushy{background:#ffd8a8}"
    ".fk-tone mark.tone-self_deprecating{background:#d9e7ff}</style>"
)


def _wrap() -> widgets.Layout:
    """A row that wraps on a narrow screen."""
    return widgets.Layout(flex_flow="row wrap", align_items="center", max_width="100%")


#: How many follow-ups (after the thank-you) a step's message is, for the tone check.
_FOLLOW_UP_NUMBER = {"status_check": 1, "second_follow_up": 2}
#: How a message went, in a sentence ("sent by email", "sent on LinkedIn").
BY_CHANNEL = {
    "email": "by email",
    "phone": "by phone",
    "voicemail": "as a voicemail",
    "linkedin": "on LinkedIn",
    "handwritten": "as a handwritten note",
    "text": "by text message",
}
#: Placeholders a client never types here: the page knows them, or picks them elsewhere.
_NOT_TYPED = frozenset({"interviewer"})


def tone_panel_html(text: str, findings: list[Finding]) -> str:
    """The text with flagged words marked, and each finding's reason and suggestion.

    Everything the client typed is escaped; only the ``<mark>`` tags are added.
    """
    if not text.strip():
        return (
            "<div class='fk-tone' style='color:#555'>Type or pick a script to check its tone.</div>"
        )
    if not findings:  # nothing to mark: the text is right above, no need to repeat it
        return (
            f"<div class='fk-tone' style='color:{GREEN}'>&#10003; No wording flagged. Read "
            "it aloud once more: does it sound like you?</div>"
        )
    body = highlight_findings(text, findings)
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
        f"padding:0.5em;border-radius:4px;overflow-wrap:anywhere'>{body}</div>{verdict}</div>"
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


def _placeholders_in(script: Script, channel: str) -> list[str]:
    """The placeholder names one channel of a script uses, in the order they appear."""
    text = script.text(channel)
    try:
        names = meta.find_undeclared_variables(check_template(text))
    except FollowupKitError:
        return []
    return sorted(names, key=lambda n: (text.find(n), n))


def _accepts(func: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _words(hint: str) -> str:
    return hint[:1].upper() + hint[1:]


class ScriptEditor(Shown):
    """The script for a step of your plan, filled in, tone-checked, ready to send and logged.

    Attributes of interest to tests: ``step``, ``route``, ``round``, ``status``,
    ``decision_passed``, ``reposted``, ``other_offer``, ``follow_up_number`` (the
    situation, tucked away in ``situation``), ``script`` and ``channel`` (Dropdowns),
    ``why`` and ``suggestions`` (HTML), ``interviewer`` (Dropdown of the interview's
    people: whom it is to), ``fields`` (a Text per placeholder the client fills;
    ``specific_point`` is one), ``text`` (Textarea), ``restart`` (Button),
    ``confirm_box``, ``confirm_yes``, ``confirm_no``, ``tone``, ``timing``, ``copy``
    (:class:`CopyButton`), ``mail_link``, ``length``, ``sent_on``, ``log_button``,
    ``status_html``, ``debouncer``.
    """

    def __init__(
        self,
        wb: Any = None,
        *,
        interview_id: int | None = None,
        step: str | None = None,
        interviewer_id: int | None = None,
        script_id: str | None = None,
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
        self._row = row
        self._people = self._interviewers()
        self._contexts: dict[Any, dict[str, Any]] = {}
        self._edits: dict[tuple[Any, ...], str] = {}
        self._fresh = ""
        self._hold = 0
        self._setting_text = False
        self._pending: Callable[[], None] | None = None
        self._logged: list[Callable[[int], Any]] = []
        today = wb.today if wb is not None else date.today()
        self._build_situation(row, step, today)
        self._build_fill()
        self._build_send(today, row is not None)
        self.debouncer = Debouncer(delay, self.check_now, timer=timer)
        self._build_parts(row is not None)
        self._wire()
        with self._held():
            self._situation_changed()
            if interviewer_id is not None or step is not None:
                self.situate(step, interviewer_id=interviewer_id, script_id=script_id)
        self.render()

    # -- building -------------------------------------------------------------------
    def _build_situation(self, row: pd.Series | None, step: str | None, today: date) -> None:
        style = {"description_width": "9em"}
        self.step = widgets.Dropdown(
            options=_choice_options("step", any_label="Any step"),
            value=step,
            description="Plan step",
            style=style,
            layout=wide(),
        )
        self.route = widgets.Dropdown(
            options=_choice_options("contact_route"),
            value="direct" if row is None else str(row["contact_route"]),
            description="Dealt with",
            style=style,
            layout=wide(),
        )
        self.round = widgets.Dropdown(
            options=_choice_options("round"),
            value="first" if row is None else str(row["round"]),
            description="Round",
            style=style,
            layout=wide(),
        )
        self.status = widgets.Dropdown(
            options=_choice_options("status"),
            value="open" if row is None else str(row["status"]),
            description="Status",
            style=style,
            layout=wide(),
        )
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
        self.follow_up_number = widgets.BoundedIntText(
            value=(
                actions.next_follow_up_number(self.wb, self.interview_id) if row is not None else 1
            ),
            min=1,
            max=20,
            description="Follow-up no.",
            style=style,
        )
        self.suggestions = widgets.HTML().add_class("ct-suggestions")
        self.script = widgets.Dropdown(layout=wide()).add_class("ct-script")
        self.why = widgets.HTML().add_class("ct-why")

    def _build_fill(self) -> None:
        self.channel = widgets.Dropdown(
            description="Sent by", style={"description_width": "5em"}, layout=wide()
        ).add_class("ct-channel")
        people = [(self._person_words(p), int(p["id"])) for p in self._people]
        self.interviewer = widgets.Dropdown(
            options=people or [("Nobody named yet", None)],
            value=people[0][1] if people else None,
            description="To",
            style={"description_width": "5em"},
            layout=wide(),
        ).add_class("ct-recipient")
        hidden(self.interviewer, not people)
        self.fields: dict[str, widgets.Text] = {}
        self.fields_box = widgets.VBox([]).add_class("ct-fields")
        self.specific_point = self._field("specific_point")
        self.text = widgets.Textarea(
            continuous_update=True,
            layout=widgets.Layout(width="100%", max_width="48em", height="16em"),
        ).add_class("ct-script-text")
        self.own_version = widgets.HTML().add_class("ct-own-version")
        self.restart = widgets.Button(
            description="Start again from the script",
            icon="undo",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        ).add_class("ct-restart")
        self.confirm_question = widgets.HTML().add_class("ct-confirm-question")
        self.confirm_yes = widgets.Button(
            description="Yes, replace", button_style="warning", layout=widgets.Layout(width="auto")
        ).add_class("ct-confirm-yes")
        self.confirm_no = widgets.Button(
            description="No, keep my text", layout=widgets.Layout(width="auto")
        ).add_class("ct-confirm-no")
        self.confirm_box = hidden(
            widgets.HBox(
                [self.confirm_question, self.confirm_yes, self.confirm_no], layout=_wrap()
            ).add_class("ct-confirm")
        )
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.donts = widgets.HTML()
        self.tone = widgets.HTML().add_class("ct-tone")

    def _build_send(self, today: date, can_log: bool) -> None:
        self.copy = CopyButton().add_class("ct-copy")
        self.mail_link = widgets.HTML().add_class("ct-mailto")
        self.length = widgets.HTML().add_class("ct-length")
        self.sent_on = widgets.DatePicker(
            value=today, description="Sent on", style={"description_width": "5em"}
        ).add_class("ct-sent-on")
        self.log_button = widgets.Button(
            description="Log as sent",
            icon="check",
            button_style="primary",
            disabled=not can_log,
            tooltip="Record that you sent this: the step, to whom, how, when and the script",
            layout=widgets.Layout(width="auto"),
        ).add_class("ct-log-sent")
        self.status_html = widgets.HTML().add_class("ct-status")

    def _build_parts(self, has_interview: bool) -> None:
        errors = (
            error_html(
                "Some coach script files could not be read: "
                + "; ".join(escape_html(str(e)) for e in self.errors)
            )
            if self.errors
            else ""
        )
        self.situation = widgets.Accordion(
            children=[
                widgets.VBox(
                    [
                        widgets.HTML(
                            note_html(
                                "The page fills these in from your interview and its plan. "
                                "Change them if something has happened since, and the "
                                "suggested scripts follow."
                            )
                        ),
                        self.step,
                        self.status,
                        self.route,
                        self.round,
                        self.decision_passed,
                        self.reposted,
                        self.other_offer,
                        self.follow_up_number,
                        self.suggestions,
                    ]
                )
            ],
            selected_index=None,
            layout=widgets.Layout(max_width="36em"),
        ).add_class("ct-situation")
        self.situation.set_title(0, "Change the situation")
        self.script_part = widgets.VBox(
            [full_choice(self.script), self.why, widgets.HTML(errors), self.situation]
        ).add_class("ct-script-part")
        hint = (
            "Edit the text freely: your own version is kept when you switch script, channel "
            "or person and come back."
        )
        if not has_interview:
            hint += " Open this with an interview to fill in names and to log what you send."
        self.hint = widgets.HTML(note_html(hint)).add_class("ct-hint")
        self.fill_part = widgets.VBox(
            [
                self.channel,
                self.interviewer,
                self.fields_box,
                self.text,
                widgets.HBox([self.restart, self.own_version], layout=_wrap()),
                self.confirm_box,
                self.timing,
                self.donts,
            ]
        ).add_class("ct-fill-part")
        self.tone_part = widgets.VBox([self.tone]).add_class("ct-tone-part")
        self.send_part = widgets.VBox(
            [
                widgets.HBox([self.copy, self.mail_link], layout=_wrap()),
                self.length,
                widgets.HBox([self.sent_on, self.log_button], layout=_wrap()),
                self.status_html,
            ]
        ).add_class("ct-send-part")
        self.box = widgets.VBox(
            [
                heading("The script"),
                self.script_part,
                heading("Fill it in"),
                self.hint,
                self.fill_part,
                heading("Tone check"),
                self.tone_part,
                heading("Send it, then log it"),
                self.send_part,
            ],
            layout=widgets.Layout(max_width="100%"),
        ).add_class("ct-script-editor")

    def _wire(self) -> None:
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
        self.channel.observe(lambda _c: self.render(), names="value")
        self.interviewer.observe(lambda _c: self.render(), names="value")
        self.follow_up_number.observe(lambda _c: self.check_now(), names="value")
        self.text.observe(self._typed, names="value")
        self.restart.on_click(lambda _b: self.start_again())
        self.confirm_yes.on_click(lambda _b: self._answer(True))
        self.confirm_no.on_click(lambda _b: self._answer(False))
        self.log_button.on_click(self._log)

    def _field(self, name: str) -> widgets.Text:
        """The Text for one placeholder (made once, so what was typed stays)."""
        if name not in self.fields:
            field = widgets.Text(
                placeholder="type it here: it goes into the message",
                layout=widgets.Layout(width="100%", max_width="36em"),
            ).add_class(f"ct-field-{name}")
            field.observe(lambda _c: self._field_changed(), names="value")
            self.fields[name] = field
        return self.fields[name]

    # -- the people -----------------------------------------------------------------
    def _interviewers(self) -> list[dict[str, Any]]:
        if self._row is None:
            return []
        people = self.wb.interviewers(int(self._row["client_id"]))
        people = people.loc[people["interview_id"] == self.interview_id].sort_values("id")
        return people.to_dict("records")

    @staticmethod
    def _person_words(person: Mapping[str, Any]) -> str:
        title = person.get("title")
        return str(person["name"]) + ("" if is_blank(title) else f", {title}")

    def _person(self, interviewer_id: Any) -> dict[str, Any] | None:
        for p in self._people:
            if int(p["id"]) == interviewer_id:
                return p
        return None

    def recipient_name(self) -> str | None:
        """The name of the person the message is to (None: nobody named)."""
        p = self._person(self.interviewer.value)
        return None if p is None else str(p["name"])

    def recipient_email(self) -> str | None:
        """Their email address, when the interview's record holds one."""
        ctx = self._base_context()
        email = ctx.get("interviewer_email")
        if is_blank(email):
            p = self._person(self.interviewer.value)
            email = None if p is None else p.get("email")
        return None if is_blank(email) else str(email)

    # -- the situation ----------------------------------------------------------------
    def situate(
        self,
        step: str | None,
        *,
        interviewer_id: int | None = None,
        script_id: str | None = None,
    ) -> None:
        """Set the step the message is for, whom it is to and (optionally) the script.

        The suggested script for the step is chosen unless ``script_id`` names one; the
        text is filled in again, or the client's own version for that script, channel
        and person comes back.
        """
        with self._held():
            self.step.value = step
            if step in _FOLLOW_UP_NUMBER:
                self.follow_up_number.value = _FOLLOW_UP_NUMBER[step]
            if interviewer_id is not None and self._person(interviewer_id) is not None:
                self.interviewer.value = interviewer_id
            ranked = list(self.ranked()["id"])
            best = script_id if script_id in self.library else (ranked[0] if ranked else None)
            if best is not None:
                self.script.value = best
        self.render()

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
        self._reasons = dict(zip(ranked["id"], ranked["reason"], strict=True))
        items = "".join(
            f"<li><b>{escape_html(r.title)}</b>: {escape_html(r.reason)}</li>"
            for r in ranked.head(5).itertuples()
        )
        self.suggestions.value = (
            f"<div><b>Scripts that fit, best first</b><ul>{items}</ul></div>"
            if items
            else "<i>No script fits this exactly; pick any from the list of scripts.</i>"
        )
        ids = list(ranked["id"]) + sorted(
            set(self.library) - set(ranked["id"]), key=lambda i: self.library[i].title
        )
        options = []
        for n, i in enumerate(ids):
            words = self.library[i].title
            options.append((f"{words} (suggested)" if n == 0 and len(ranked) else words, i))
        keep = self.script.value if self.script.value in ids else None
        with self._held():
            self.script.options = options
            self.script.value = keep if keep is not None else (ids[0] if ids else None)
            self._script_changed()
        self.render()

    def _script_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        s = self.current_script
        if s is None:
            return
        reason = self._reasons.get(s.id) if hasattr(self, "_reasons") else None
        self.why.value = note_html(
            f"Why this script: {escape_html(reason)}"
            if reason
            else "This script was not made for this situation: the one marked "
            "&ldquo;suggested&rdquo; fits it best."
        )
        old = self.channel.value
        with self._held():
            self.channel.options = [(CHOICES["channel"][c], c) for c in s.channels]
            self.channel.value = old if old in s.channels else s.channels[0]
        self.donts.value = _donts_html(s)
        self.render()

    @property
    def current_script(self) -> Script | None:
        return self.library.get(self.script.value) if self.script.value else None

    # -- filling in -------------------------------------------------------------------
    def _base_context(self) -> dict[str, Any]:
        """The interview's placeholder values for the chosen person (read once each)."""
        if self._row is None:
            return {}
        who = self.interviewer.value
        if who not in self._contexts:
            person = self._person(who)
            kwargs: dict[str, Any] = {}
            if person is not None:
                if _accepts(context_for, "interviewer_id"):
                    kwargs["interviewer_id"] = int(person["id"])
                else:
                    kwargs["interviewer"] = str(person["name"])
            ctx = dict(context_for(self.wb, self.interview_id, **kwargs))
            if person is not None:
                for key, column in (("interviewer_title", "title"), ("interviewer_email", "email")):
                    if is_blank(ctx.get(key)) and not is_blank(person.get(column)):
                        ctx[key] = str(person[column])
            self._contexts[who] = ctx
        return self._contexts[who]

    def context(self) -> dict[str, Any]:
        """Placeholder values: the interview's, plus what the client typed here."""
        ctx = dict(self._base_context())
        for name, field in self.fields.items():
            typed = field.value.strip()
            if typed:
                ctx[name] = typed
            elif name not in ctx:
                ctx[name] = None
        return ctx

    def _show_fields(self) -> None:
        """A box for each placeholder this text needs and the interview does not know."""
        s, channel = self.current_script, self.channel.value
        if s is None or channel is None:
            self.fields_box.children = []
            return
        base = self._base_context()
        hints = s.hints()
        rows = []
        for name in _placeholders_in(s, channel):
            if name in _NOT_TYPED and not self.interviewer.layout.display:
                continue  # chosen with "To"
            field = self._field(name) if name in hints or name in self.fields else None
            if field is None or (not is_blank(base.get(name)) and not field.value.strip()):
                continue
            rows.append(
                widgets.VBox(
                    [widgets.HTML(f"<b>{escape_html(_words(hints.get(name, name)))}</b>"), field]
                )
            )
        self.fields_box.children = rows

    @property
    def key(self) -> tuple[Any, ...]:
        """What a client's own version of the text is kept under."""
        return (self.script.value, self.channel.value, self.interviewer.value)

    def render(self, *, replace: bool = False) -> None:
        """Fill in the chosen script (or bring back the client's own version) and check it.

        ``replace=True`` drops the client's own version for this script, channel and
        person first.
        """
        s = self.current_script
        if self._hold or s is None or self.channel.value is None:
            return
        try:
            fresh = render_script(s, self.channel.value, self.context())
        except FollowupKitError as err:
            fresh = ""
            self.status_html.value = error_html(error_words(err))
        self._fresh = fresh
        if replace:
            self._edits.pop(self.key, None)
        self._set_text(self._edits.get(self.key, fresh))
        self._show_fields()
        self._show_own_version()
        self.debouncer.cancel()
        self.check_now()

    def _set_text(self, text: str) -> None:
        self._setting_text = True
        try:
            self.text.value = text
        finally:
            self._setting_text = False
        self._refresh_send()

    def _typed(self, _change: Mapping[str, Any]) -> None:
        if self._setting_text:
            return
        if self.text.value != self._fresh:
            self._edits[self.key] = self.text.value
        else:
            self._edits.pop(self.key, None)
        self._show_own_version()
        self._refresh_send()
        self.debouncer.trigger()

    def _show_own_version(self) -> None:
        mine = self.key in self._edits
        self.restart.disabled = not mine
        self.own_version.value = (
            note_html("This is your own version of the script: it is kept.") if mine else ""
        )

    def _field_changed(self) -> None:
        if self._hold:
            return
        if self.key in self._edits:
            self.ask(
                "Fill in the script again with what you typed? That replaces your own "
                "changes to the message.",
                lambda: self.render(replace=True),
            )
            return
        self.render()

    def start_again(self) -> None:
        """ "Start again from the script": asks first when it would replace edits."""
        if self.key not in self._edits:
            self.render(replace=True)
            return
        self.ask(
            "Start again from the script? Your own changes to this message will be lost.",
            lambda: self.render(replace=True),
        )

    def ask(self, question: str, on_yes: Callable[[], None]) -> None:
        """Show a Yes / No row under the text; ``on_yes`` runs only on Yes."""
        self._pending = on_yes
        self.confirm_question.value = f"<b>{escape_html(question)}</b>"
        hidden(self.confirm_box, False)

    def _answer(self, yes: bool) -> None:
        action, self._pending = self._pending, None
        hidden(self.confirm_box)
        self.confirm_question.value = ""
        if yes and action is not None:
            action()

    # -- checking and sending ---------------------------------------------------------
    def check_now(self) -> list[Finding]:
        """Run the tone check on the text as it is now and show the findings."""
        text = self.text.value
        findings = check_tone(text, follow_up_number=int(self.follow_up_number.value))
        self.tone.value = tone_panel_html(text, findings)
        self.timing.value = (
            f"<span style='color:{GREY}'>Takes {seconds_words(speaking_time(text))} to say "
            "aloud.</span>"
        )
        return findings

    def _refresh_send(self) -> None:
        """The copy button's text, the mail link, and LinkedIn's limits, for the text now."""
        text = self.text.value
        channel = self.channel.value
        self.copy.text = text
        self.copy.label = "Copy the message"
        if channel == "email" and text.strip():
            to = self.recipient_email()
            link = html.escape(mailto(text, to=to), quote=True)
            who = (
                f"to {escape_html(to)}"
                if to
                else "no address on record for them: add it in your mail app"
            )
            self.mail_link.value = (
                f"<a class='fk-mailto' href='{link}' target='_blank' rel='noopener' "
                "style='font-weight:bold;color:#0b57d0;text-decoration:underline'>"
                "Open in my mail app</a> "
                f"<span style='color:{GREY}'>({who})</span>"
            )
        else:
            self.mail_link.value = ""
        self.length.value = (
            note_html(escape_html(linkedin_length(text))) if channel == "linkedin" else ""
        )

    def on_logged(self, callback: Callable[[int], Any]) -> None:
        """Call ``callback(follow_up_id)`` after each message is logged as sent."""
        self._logged.append(callback)

    def _log(self, _button: widgets.Button | None = None) -> None:
        s = self.current_script
        if self.wb is None or self.interview_id is None or s is None:
            self.status_html.value = error_html("Open this with an interview to log what you sent.")
            return
        step = self.step.value
        sent_on = self.sent_on.value or self.wb.today
        try:
            fid = actions.log_from_script(
                self.wb,
                self.interview_id,
                s,
                self.channel.value,
                sent_on=sent_on,
                step=step,
                interviewer_id=self.interviewer.value,
                extra_dir=self.extra_dir,
                client_id=self.client_id,
            )
        except FollowupKitError as err:
            self.status_html.value = error_html(error_words(err))
            return
        what = step_words(step, self.recipient_name()) if step else "A message"
        if step and step != "thank_you" and self.recipient_name():
            what += f" to {self.recipient_name()}"
        self.status_html.value = ok_html(
            f"Logged: {escape_html(what)}, sent "
            f"{escape_html(BY_CHANNEL.get(self.channel.value, self.channel.value))} on "
            f"{escape_html(format_day(sent_on))}, from the script "
            f"&ldquo;{escape_html(s.title)}&rdquo; (version {escape_html(s.version)})."
        )
        for callback in self._logged:
            callback(fid)

    # -- helpers ----------------------------------------------------------------------
    def _held(self) -> _Hold:
        return _Hold(self)


class _Hold:
    """While held, the editor does not re-render on each widget change."""

    def __init__(self, editor: ScriptEditor) -> None:
        self.editor = editor

    def __enter__(self) -> None:
        self.editor._hold += 1

    def __exit__(self, *_exc: object) -> None:
        self.editor._hold -= 1


def script_editor(
    wb: Any = None,
    *,
    interview_id: int | None = None,
    step: str | None = None,
    interviewer_id: int | None = None,
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
    interviewer_id
        Whom it is to (one of the interview's interviewers); default the first.
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    client_id
        The signed-in client, who may log only onto their own interviews (``None``:
        the coach).
    """
    return ScriptEditor(
        wb,
        interview_id=interview_id,
        step=step,
        interviewer_id=interviewer_id,
        extra_dir=extra_dir,
        client_id=client_id,
    )
