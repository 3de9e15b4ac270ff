"""The call coach: walk a phone script one answer at a time, then log the call in one click."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from .. import actions
from ..exceptions import FollowupKitError, NotFoundError
from ..formatting import escape_html, is_blank
from ..library import (
    CALL_ANSWERS,
    Script,
    load_scripts,
    render_script,
    suggest_scripts,
)
from ..schema import CHOICES, format_day
from ..templates import context_for
from ._kit import (
    Shown,
    decision_passed,
    error_html,
    error_words,
    full_choice,
    heading,
    interview_row,
    ok_html,
    pre,
    wide,
)

__all__ = ["CallCoach", "call_coach"]


class CallCoach(Shown):
    """Walk through a phone script one answer at a time, then log the call in one click.

    Attributes for tests: ``script`` (Dropdown), ``your_phone`` (Text), ``opener``
    (HTML), ``concerns`` (Textarea: the concerns the client expects, with their answers),
    ``save_concerns_button``, ``concerns_status`` (HTML), ``answer_buttons`` (dict
    answer -> Button), ``branch`` (HTML),
    ``got_it_result`` (ToggleButtons), ``called_on`` (DatePicker), ``log_button``,
    ``restart_button``, ``status_html``, ``answer`` (the chosen answer key) and
    ``logged`` (what the last click saved).
    """

    def __init__(
        self,
        wb: Any,
        interview_id: int,
        *,
        script_id: str | None = None,
        step: str | None = "status_check",
        extra_dir: Any = None,
        context: Mapping[str, Any] | None = None,
        client_id: int | None = None,
    ) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.client_id = client_id
        self.step = step
        self.extra_dir = extra_dir if extra_dir is not None else wb
        library, _ = load_scripts(self.extra_dir)
        self.library = {k: s for k, s in library.items() if s.is_phone}
        row = interview_row(wb, interview_id)
        if row is None:
            raise NotFoundError("interviews", interview_id)
        self._context = {**context_for(wb, interview_id), **(context or {})}
        if script_id is None:
            ranked = suggest_scripts(
                step=step,
                status=str(row["status"]),
                contact_route=str(row["contact_route"]),
                round=str(row["round"]),
                decision_passed=decision_passed(row, wb.today),
                extra_dir=self.extra_dir,
            )
            phone = [i for i in ranked["id"] if i in self.library]
            script_id = phone[0] if phone else min(self.library)
        if script_id not in self.library:
            raise FollowupKitError(
                f"{script_id!r} is not a phone script; choose one of {sorted(self.library)}."
            )
        style = {"description_width": "9em"}
        self.script = widgets.Dropdown(
            options=sorted(((s.title, k) for k, s in self.library.items()), key=lambda o: o[0]),
            value=script_id,
            description="Script",
            style=style,
            layout=wide(),
        )
        self.your_phone = widgets.Text(
            description="Your number", placeholder="for voicemail", style=style
        )
        self.opener = widgets.HTML().add_class("ct-opener")
        stored = row.get("concerns")
        self.concerns = widgets.Textarea(
            value="" if is_blank(stored) else str(stored),
            placeholder=(
                "For example: No experience in their industry. My answer: I moved from "
                "logistics to retail in 2022 and was running my own store within a year."
            ),
            layout=widgets.Layout(width="100%", max_width="40em", height="8em"),
        ).add_class("ct-concerns")
        self.save_concerns_button = widgets.Button(
            description="Save my answers", icon="save"
        ).add_class("ct-save-concerns")
        self.concerns_status = widgets.HTML().add_class("ct-concerns-status")
        self.answer_buttons = {
            key: widgets.Button(description=label, tooltip=f"They said: {label}")
            for key, label in CALL_ANSWERS.items()
        }
        for key, button in self.answer_buttons.items():
            button.add_class(f"ct-answer-{key}")
            button.on_click(lambda _b, key=key: self.choose(key))
        self.branch = widgets.HTML().add_class("ct-branch")
        self.got_it_result = widgets.ToggleButtons(
            options=[("An offer", "offer"), ("The next round", "next_round")],
            value="offer",
            description="They offered",
        )
        self.called_on = widgets.DatePicker(value=wb.today, description="Called on", style=style)
        self.log_button = widgets.Button(
            description="Log this call", icon="check", button_style="primary", disabled=True
        )
        self.restart_button = widgets.Button(description="Start over", icon="undo")
        self.status_html = widgets.HTML().add_class("ct-status")
        self.answer: str | None = None
        self.logged: dict[str, Any] | None = None
        self._finish = widgets.VBox([self.got_it_result, self.called_on, self.log_button])

        self.script.observe(lambda _c: self.restart(), names="value")
        self.your_phone.observe(lambda _c: self._show(), names="value")
        self.log_button.on_click(self._log)
        self.save_concerns_button.on_click(self._save_concerns)
        self.concerns.observe(lambda _c: self._concerns_edited(), names="value")
        self.restart_button.on_click(lambda _b: self.restart())

        self.box = widgets.VBox(
            [
                heading("Call coach"),
                widgets.HTML(
                    "<div style='color:#555'>Read the opener, then click what they said. "
                    "The next lines appear; when the call is over, log it.</div>"
                ),
                full_choice(self.script),
                self.your_phone,
                heading("Open with"),
                self.opener,
                heading("Concerns you expect, and your answers"),
                widgets.HTML(
                    "<div style='color:#555'>If they have no decision yet, you will ask "
                    "whether anything about your background makes them unsure. Write "
                    "down the doubts they may have and one concrete example that answers "
                    "each; they stay with this interview and show here during the call.</div>"
                ),
                self.concerns,
                widgets.HBox([self.save_concerns_button, self.concerns_status]),
                heading("What did they say?"),
                widgets.HBox(list(self.answer_buttons.values())),
                self.branch,
                self._finish,
                self.restart_button,
                self.status_html,
            ]
        ).add_class("ct-call-coach")
        self.restart()

    @property
    def current_script(self) -> Script:
        return self.library[self.script.value]

    def context(self) -> dict[str, Any]:
        return {**self._context, "client_phone": self.your_phone.value.strip() or None}

    def restart(self) -> None:
        """Back to the opener; nothing is logged."""
        self.answer = None
        self.logged = None
        for b in self.answer_buttons.values():
            b.disabled = False
            b.button_style = ""
        self.log_button.disabled = True
        self._finish.layout.display = "none"
        self.status_html.value = ""
        self._show()

    def _show(self) -> None:
        s = self.current_script
        ctx = self.context()
        self.opener.value = pre(render_script(s, "phone", ctx))
        if self.answer is None:
            self.branch.value = ""
            return
        label = CALL_ANSWERS[self.answer]
        lines = render_script(s, f"phone:{self.answer}", ctx)
        self.branch.value = f"<b>They said: {escape_html(label)}.</b> Then say:" + pre(lines)
        prepared = self.concerns.value.strip()
        if self.answer == "no_decision" and prepared:
            self.branch.value += "<b>Your prepared answers:</b>" + pre(prepared)

    def _concerns_edited(self) -> None:
        self.concerns_status.value = ""
        if self.answer == "no_decision":
            self._show()

    def _save_concerns(self, _button: widgets.Button | None = None) -> None:
        """Keep the concerns and answers with the interview, for this call and the next."""
        try:
            actions.save_concerns(
                self.wb, self.interview_id, self.concerns.value, client_id=self.client_id
            )
        except (FollowupKitError, ValueError) as err:
            self.concerns_status.value = error_html(error_words(err))
            return
        self.concerns_status.value = ok_html("Saved with this interview.")

    def choose(self, answer: str) -> None:
        """Show the follow-up lines for ``answer`` and get ready to log the call."""
        if answer not in CALL_ANSWERS:
            raise ValueError(f"answer should be one of {list(CALL_ANSWERS)}, got {answer!r}")
        if self.logged is not None:
            return  # already logged: start over for a new call
        self.answer = answer
        for key, b in self.answer_buttons.items():
            b.button_style = "info" if key == answer else ""
        self._show()
        self.got_it_result.layout.display = None if answer == "you_got_it" else "none"
        self._finish.layout.display = None
        self.log_button.disabled = False
        channel, result = actions.call_outcome(answer, got_it_result=self.got_it_result.value)
        what = "a voicemail" if channel == "voicemail" else "a phone call"
        after = (
            "and no answer yet"
            if result is None
            else "and their answer: " + CHOICES["result"][result].lower()
        )
        self.status_html.value = (
            f"<span style='color:#555'>Logging will save {what} {escape_html(after)}.</span>"
        )

    def _log(self, _button: widgets.Button | None = None) -> None:
        if self.answer is None or self.logged is not None:
            return
        s = self.current_script
        try:
            self.logged = actions.log_call(
                self.wb,
                self.interview_id,
                s,
                self.answer,
                sent_on=self.called_on.value,
                step=self.step,
                got_it_result=self.got_it_result.value,
                extra_dir=self.extra_dir,
                client_id=self.client_id,
            )
        except (FollowupKitError, ValueError) as err:
            self.status_html.value = error_html(error_words(err))
            return
        self.log_button.disabled = True
        for b in self.answer_buttons.values():
            b.disabled = True
        result = self.logged["result"]
        answer = (
            "no answer from them yet"
            if result is None
            else f"their answer ({escape_html(CHOICES['result'][result].lower())})"
        )
        self.status_html.value = ok_html(
            f"Logged the {escape_html(CHOICES['channel'][self.logged['channel']].lower())} on "
            f"{escape_html(format_day(self.called_on.value or self.wb.today))} with script "
            f"{escape_html(s.id)} v{escape_html(s.version)}, and {answer}."
        )


def call_coach(
    wb: Any,
    interview_id: int,
    *,
    script_id: str | None = None,
    step: str | None = "status_check",
    extra_dir: Any = None,
    client_id: int | None = None,
) -> CallCoach:
    """The call coach for one interview; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook.
    interview_id
        The interview the call is about.
    script_id
        A phone script; default: the best phone script for the interview's situation.
    step
        The plan step the call belongs to (sets the logged kind; default status check).
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    client_id
        The signed-in client, who may log only onto their own interviews (``None``:
        the coach).
    """
    return CallCoach(
        wb, interview_id, script_id=script_id, step=step, extra_dir=extra_dir, client_id=client_id
    )
