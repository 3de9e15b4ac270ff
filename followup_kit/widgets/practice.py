"""Notebook 03, a guided page: who you are, which interview, what you are sending; then the
script for it, filled in, tone-checked, ready to send and logged, the call and the rehearsal.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..dates import format_day
from ..exceptions import FollowupKitError
from ..formatting import escape_html, is_blank, script_title
from ..plans import plan_for_interview, step_words
from ._kit import Shown, error_html, error_words, full_choice, label_html, note_html, page
from .call import CallCoach
from .clients import ClientPicker
from .editor import BY_CHANNEL, ScriptEditor
from .plan import interview_choices
from .rehearsal import Rehearsal

__all__ = ["PracticePage", "practice_page", "sending_choices"]

_NO_CLIENT = "Choose your name above (or add yourself) to start."
_NO_INTERVIEW = "Log an interview first (notebook 01), then come back."
#: The "What are you sending?" choice that opens the situation for the client to set.
SOMETHING_ELSE = ("other", None, None)
_SENDABLE = ("open", "overdue")
#: A logged follow-up's kind, in words.
_KIND_WORDS = {
    "thank_you": "Thank-you note",
    "status_check": "Status check",
    "feedback_request": "Feedback request",
    "reconnect": "Reconnect message",
    "other": "Message",
}

#: In app mode the notebook's "Run all" line (class ``fk-lab-only``) is hidden.
_APP_CSS = "<style>.fk-lab-only { display: none !important; }</style>"


def in_app_mode() -> bool:
    """Whether this kernel runs a page for Voila (app mode), not for JupyterLab."""
    return any(os.environ.get(v) for v in ("VOILA_KERNEL_ID", "VOILA_REQUEST_URL"))


def sending_choices(plan: pd.DataFrame) -> list[tuple[str, tuple[str, int | None, str | None]]]:
    """The plan's open steps as "What are you sending?" options, in words.

    Each value is ``(step, interviewer_id, script_id)``; one thank-you per interviewer
    ("Thank-you note to Sam Ortiz, due Fri 21 Mar 2025"). The last option,
    :data:`SOMETHING_ELSE`, lets the client set the situation themselves.
    """
    options = []
    for row in plan.to_dict("records"):
        step = str(row["step"])
        if row["state"] not in _SENDABLE or step == "close_as_ghosted":
            continue
        who = row.get("interviewer")
        words = step_words(step, None if is_blank(who) else str(who))
        due = format_day(row["due"])
        late = row["state"] == "overdue"
        words += f" \u2014 overdue, was due {due}" if late else f" \u2014 due {due}"
        who_id = row.get("interviewer_id")
        script = row.get("script_id")
        options.append(
            (
                words,
                (
                    step,
                    None if is_blank(who_id) else int(who_id),
                    None if is_blank(script) else str(script),
                ),
            )
        )
    options.append(("Something else: choose the situation yourself", SOMETHING_ELSE))
    return options


class PracticePage(Shown):
    """The signed-in client, one of their interviews, what they are sending, and the tools.

    The script editor, the call coach and the rehearsal are rebuilt for the chosen
    client and interview, so every cell of the page shows the same person's data: a hub
    user only ever sees their own (see :class:`~followup_kit.widgets.clients.ClientPicker`).

    Attributes
    ----------
    picker, interview, sending
        Who is practising, the interview (a Dropdown of theirs, newest first), and what
        they are sending (the plan's open steps in words, see :func:`sending_choices`).
    script_box, fill_box, tone_box, send_box, call_box, rehearsal_box, sent_box
        Boxes the notebook shows in its own cells; their content follows the choices.
        ``editor_box`` holds the whole editor at once.
    editor, call, rehearsal
        The current tools (None while there is no client or interview).
    plan
        The chosen interview's plan (empty without one).
    """

    def __init__(
        self,
        wb,
        *,
        client_id: int | None = None,
        username: str | None = None,
        step: str | None = None,
    ) -> None:
        self.wb = wb
        self.step = step
        self.plan = pd.DataFrame()
        self.picker = ClientPicker(wb, client_id=client_id, username=username)
        self.interview = widgets.Dropdown(
            options=[], layout=widgets.Layout(width="32em", max_width="100%")
        ).add_class("ct-interview")
        self.sending = widgets.Dropdown(
            options=[], layout=widgets.Layout(width="32em", max_width="100%")
        ).add_class("ct-sending")
        self.sending_note = widgets.HTML().add_class("ct-sending-note")
        self.editor: ScriptEditor | None = None
        self.call: CallCoach | None = None
        self.rehearsal: Rehearsal | None = None
        self.parts = {
            name: widgets.VBox([])
            .add_class(f"ct-{name}-box")
            .add_class("ct-practice-part")
            # each part shows in its own cell: the page's stylesheet reaches it by class
            .add_class("fk-page")
            for name in ("script", "fill", "tone", "send", "editor", "call", "rehearsal", "sent")
        }
        self.script_box, self.fill_box = self.parts["script"], self.parts["fill"]
        self.tone_box, self.send_box = self.parts["tone"], self.parts["send"]
        self.editor_box, self.call_box = self.parts["editor"], self.parts["call"]
        self.rehearsal_box, self.sent_box = self.parts["rehearsal"], self.parts["sent"]
        self.sent_list = widgets.HTML().add_class("ct-sent-list")
        self.sent_box.children = [self.sent_list]

        def row(words: str, widget: widgets.Widget) -> widgets.Box:
            return widgets.VBox([widgets.HTML(label_html(words, False)), widget])

        self.box = widgets.VBox(
            [
                self.picker.box,
                row("Your interview", full_choice(self.interview)),
                row("What are you sending?", full_choice(self.sending)),
                self.sending_note,
            ],
            layout=widgets.Layout(max_width="100%"),
        ).add_class("ct-practice")
        page(self.box)  # the client pages' one stylesheet
        self._updating = False
        self.picker.observe(lambda _: self._client_changed())
        self.interview.observe(lambda _: None if self._updating else self._build(), "value")
        self.sending.observe(lambda _: None if self._updating else self._situate(), "value")
        self._client_changed()

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        if in_app_mode():
            display(HTML(_APP_CSS))
        display(self.box)

    @property
    def client_id(self) -> int | None:
        return self.picker.value

    # -- choices ----------------------------------------------------------------------
    def _client_changed(self) -> None:
        cid = self.client_id
        options = interview_choices(self.wb.interviews(cid)) if cid is not None else []
        self._updating = True  # one rebuild below, not one per trait change
        try:
            self.interview.options = options
            self.interview.value = options[0][1] if options else None
        finally:
            self._updating = False
        self.interview.disabled = not options
        self._build()

    def _load_plan(self, prefer: tuple[Any, ...] | None = None) -> None:
        """Read the chosen interview's plan into the "What are you sending?" choice."""
        cid, iid = self.client_id, self.interview.value
        if cid is None or iid is None:
            self.plan = pd.DataFrame()
            options: list[tuple[str, Any]] = []
        else:
            rules = getattr(self.wb, "rules", None)
            self.plan = plan_for_interview(
                self.wb.tables(cid), iid, today=self.wb.today, rules=rules
            )
            options = sending_choices(self.plan)
        values = [v for _, v in options]
        pick = prefer if prefer in values else None
        if pick is None and self.step is not None:
            pick = next((v for v in values if v[0] == self.step), None)
        if pick is None and values:
            pick = values[0]
        self._updating = True
        try:
            self.sending.options = options
            self.sending.value = pick
        finally:
            self._updating = False
        self.sending.disabled = not options
        open_steps = len(values) - 1 if values else 0
        self.sending_note.value = (
            note_html(
                "Nothing is due on your plan for this interview: choose "
                "&ldquo;Something else&rdquo; to write a message anyway."
            )
            if values and not open_steps
            else ""
        )

    def _situate(self) -> None:
        """Point the editor at the chosen step, person and suggested script."""
        if self.editor is None or self.sending.value is None:
            return
        step, who, script = self.sending.value
        if self.sending.value == SOMETHING_ELSE:
            self.editor.situation.selected_index = 0  # open "Change the situation"
            self.editor.situate(None)
            return
        self.editor.situate(step, interviewer_id=who, script_id=script)

    # -- the tools --------------------------------------------------------------------
    def _build(self) -> None:
        """Make the tools for the chosen client and interview (or say what is missing)."""
        cid, iid = self.client_id, self.interview.value
        self.editor = self.call = self.rehearsal = None
        parts = [b for name, b in self.parts.items() if name != "sent"]
        if cid is None or iid is None:
            self._load_plan()
            words = _NO_CLIENT if cid is None else _NO_INTERVIEW
            for box in parts:
                box.children = [widgets.HTML(note_html(words))]
            self.sent_list.value = ""
            return
        try:
            self._load_plan()
            first = self.sending.value or SOMETHING_ELSE
            step, who, script = first
            self.editor = ScriptEditor(
                self.wb,
                interview_id=iid,
                step=None if first == SOMETHING_ELSE else step,
                interviewer_id=who,
                script_id=script,
                client_id=cid,
            )
            call_step = next(
                (v[0] for v in (o[1] for o in self.sending.options) if v[0] != "thank_you"),
                "status_check",
            )
            self.call = CallCoach(
                self.wb, iid, step=None if call_step == "other" else call_step, client_id=cid
            )
            self.rehearsal = Rehearsal(self.wb, cid, interview_id=iid)
        except FollowupKitError as err:  # e.g. the interview was deleted on another page
            message = widgets.HTML(error_html(error_words(err)))
            for box in parts:
                box.children = [message]
            return
        self.editor.on_logged(lambda _fid: self._logged())
        self.script_box.children = [self.editor.script_part]
        self.fill_box.children = [self.editor.fill_part]
        self.tone_box.children = [self.editor.tone_part]
        self.send_box.children = [self.editor.send_part]
        self.editor_box.children = [self.editor.box]
        self.call_box.children = [self.call.box]
        self.rehearsal_box.children = [self.rehearsal.box]
        self._show_sent()

    def _logged(self) -> None:
        """After "Log as sent": the plan moves on to the next open step, and says so."""
        self._load_plan()
        self._situate()
        self._show_sent()
        if self.editor is not None and self.sending.value not in (None, SOMETHING_ELSE):
            words, _, due = self.sending.label.partition(" \u2014 ")
            nxt = escape_html(f"{words}, {due}" if due else words)
            self.editor.status_html.value += note_html(f"Next on your plan: {nxt}.")

    def _show_sent(self) -> None:
        cid, iid = self.client_id, self.interview.value
        if cid is None or iid is None:
            self.sent_list.value = ""
            return
        self.sent_list.value = sent_html(self.wb, cid, iid)


def sent_html(wb, client_id: int, interview_id: int) -> str:
    """What the client logged as sent for one interview, newest first, in words."""
    sent = wb.follow_ups(client_id)
    sent = sent[sent["interview_id"] == interview_id]
    if sent.empty:
        return note_html("Nothing logged as sent for this interview yet.")
    people = wb.interviewers(client_id)
    names = dict(zip(people["id"], people["name"], strict=True))
    items = []
    for r in sent.sort_values(["sent_on", "id"], ascending=False).to_dict("records"):
        who = names.get(r["interviewer_id"]) if not is_blank(r["interviewer_id"]) else None
        what = _KIND_WORDS.get(str(r["kind"]), "Message") + (f" to {who}" if who else "")
        line = (
            f"{escape_html(format_day(r['sent_on']))}: {escape_html(what)}, sent "
            f"{escape_html(BY_CHANNEL.get(str(r['channel']), str(r['channel'])))}"
        )
        if not is_blank(r.get("script_id")):
            v = r.get("script_version")
            version = "" if is_blank(v) else f" (version {v})"
            line += (
                f", from the script &ldquo;{escape_html(script_title(r['script_id']))}&rdquo;"
                f"{escape_html(version)}"
            )
        items.append(f"<li>{line}.</li>")
    return f"<ul class='ct-sent-items' style='padding-left:1.2em'>{''.join(items)}</ul>"


def practice_page(
    wb, *, client_id: int | None = None, username: str | None = None, step: Any = None
) -> PracticePage:
    """Notebook 03's guided page for ``wb``: display it, then its parts, one per cell.

    Parameters
    ----------
    wb
        The open workbook.
    client_id
        The client to open on (laptop); on a JupyterHub the signed-in user decides.
    username
        A hub user name; default ``JUPYTERHUB_USER``.
    step
        A plan step to start on when it is open (default: the plan's next open step).
    """
    return PracticePage(wb, client_id=client_id, username=username, step=step)
