"""Notebook 03's frame: who you are and which interview; the practice tools follow it."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..exceptions import FollowupKitError
from ._kit import Shown, error_html, error_words, label, note_html
from .call import CallCoach
from .clients import ClientPicker
from .editor import ScriptEditor
from .plan import interview_choices
from .rehearsal import Rehearsal

__all__ = ["PracticePage", "practice_page"]

_NO_CLIENT = "Choose your name above (or add yourself) to start."
_NO_INTERVIEW = "Log an interview first (notebook 01), then come back."


class PracticePage(Shown):
    """The signed-in client, one of their interviews, and the tools for it.

    The script editor, the call coach and the rehearsal are rebuilt for the chosen
    client and interview, so every page cell shows the same person's data: a hub user
    only ever sees their own (see :class:`~followup_kit.widgets.clients.ClientPicker`).

    Attributes
    ----------
    picker, interview
        Who is practising, and the interview (a Dropdown of theirs, newest first).
    editor_box, call_box, rehearsal_box
        Boxes the notebook shows in its own cells; their content follows the choice.
    editor, call, rehearsal
        The current tools (None while there is no client or interview).
    """

    def __init__(
        self,
        wb,
        *,
        client_id: int | None = None,
        username: str | None = None,
        step: str | None = "status_check",
    ) -> None:
        self.wb = wb
        self.step = step
        self.picker = ClientPicker(wb, client_id=client_id, username=username)
        self.interview = widgets.Dropdown(
            options=[], layout=widgets.Layout(width="32em", max_width="100%")
        ).add_class("ct-interview")
        self.editor: ScriptEditor | None = None
        self.call: CallCoach | None = None
        self.rehearsal: Rehearsal | None = None
        self.editor_box = widgets.VBox([]).add_class("ct-editor-box")
        self.call_box = widgets.VBox([]).add_class("ct-call-box")
        self.rehearsal_box = widgets.VBox([]).add_class("ct-rehearsal-box")
        self.box = widgets.VBox(
            [self.picker.box, widgets.HBox([label("The interview"), self.interview])]
        ).add_class("ct-practice")
        self.picker.observe(lambda _: self._client_changed())
        self._updating = False
        self.interview.observe(lambda _: None if self._updating else self._build(), "value")
        self._client_changed()

    @property
    def client_id(self) -> int | None:
        return self.picker.value

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

    def _build(self) -> None:
        """Make the tools for the chosen client and interview (or say what is missing)."""
        cid, iid = self.client_id, self.interview.value
        self.editor = self.call = self.rehearsal = None
        if cid is None or iid is None:
            words = _NO_CLIENT if cid is None else _NO_INTERVIEW
            for box in (self.editor_box, self.call_box, self.rehearsal_box):
                box.children = [widgets.HTML(note_html(words))]
            return
        try:
            self.editor = ScriptEditor(self.wb, interview_id=iid, step=self.step, client_id=cid)
            self.call = CallCoach(self.wb, iid, step=self.step, client_id=cid)
            self.rehearsal = Rehearsal(self.wb, cid, interview_id=iid)
        except FollowupKitError as err:  # e.g. the interview was deleted on another page
            message = widgets.HTML(error_html(error_words(err)))
            for box in (self.editor_box, self.call_box, self.rehearsal_box):
                box.children = [message]
            return
        self.editor_box.children = [self.editor.box]
        self.call_box.children = [self.call.box]
        self.rehearsal_box.children = [self.rehearsal.box]


def practice_page(
    wb, *, client_id: int | None = None, username: str | None = None, step: Any = "status_check"
) -> PracticePage:
    """Notebook 03's frame for ``wb``: display it, then its ``editor_box``, ``call_box``
    and ``rehearsal_box`` in the cells that teach each tool.

    Parameters
    ----------
    wb
        The open workbook.
    client_id
        The client to open on (laptop); on a JupyterHub the signed-in user decides.
    username
        A hub user name; default ``JUPYTERHUB_USER``.
    step
        The plan step the editor starts on.
    """
    return PracticePage(wb, client_id=client_id, username=username, step=step)
