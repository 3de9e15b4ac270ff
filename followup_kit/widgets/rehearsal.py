"""Rehearsal: read a script aloud, record yourself, upload it, play it back beside the script."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import actions
from ..exceptions import FollowupKitError
from ..formatting import escape_html
from ..library import CALL_ANSWERS, Script, load_scripts, render_script, speaking_time
from ..schema import CHOICES, format_day
from ..templates import context_for
from ._kit import RED, Shown, error_html, error_words, heading, ok_html, pre, seconds_words

__all__ = ["Rehearsal", "rehearsal"]


def _first_rehearsal(ids: list[str]) -> str:
    # The seed's own scenario (asking whether a decision has been made) is the one to
    # practise first; fall back to the first phone script.
    return "decision_check_call" if "decision_check_call" in ids else ids[0]


def _spoken_first(script: Script) -> list[str]:
    spoken = [c for c in ("phone", "voicemail") if c in script.texts]
    return spoken + [c for c in script.channels if c not in spoken]


class Rehearsal(Shown):
    """Read a script aloud, record yourself, upload it, play it back beside the script.

    Attributes for tests: ``script``, ``channel`` (Dropdowns), ``text`` (HTML),
    ``timing`` (HTML), ``upload`` (FileUpload), ``recordings`` (Select), ``audio``
    (Audio), ``delete_button``, ``confirm_button``, ``keep_button``, ``status_html``.
    """

    def __init__(
        self,
        wb: Any,
        client_id: int,
        *,
        interview_id: int | None = None,
        script_id: str | None = None,
        extra_dir: Any = None,
    ) -> None:
        self.wb = wb
        self.client_id = client_id
        self.extra_dir = extra_dir if extra_dir is not None else wb
        self.library, _ = load_scripts(self.extra_dir)
        self._context = context_for(wb, interview_id) if interview_id is not None else {}
        style = {"description_width": "7em"}
        ids = sorted(self.library, key=lambda i: (not self.library[i].is_phone, i))
        self.script = widgets.Dropdown(
            options=[(self._label(i), i) for i in ids],
            value=script_id if script_id in self.library else _first_rehearsal(ids),
            description="Script",
            style=style,
            layout=widgets.Layout(width="40em"),
        )
        self.channel = widgets.Dropdown(description="Part", style=style)
        self.text = widgets.HTML().add_class("ct-rehearsal-text")
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.upload = widgets.FileUpload(
            accept="audio/*", multiple=False, description="Upload a recording"
        )
        self.recordings = widgets.Select(
            description="Recordings", style=style, layout=widgets.Layout(width="40em")
        )
        self.audio = widgets.Audio(autoplay=False, loop=False, controls=True)
        self.delete_button = widgets.Button(description="Delete", icon="trash", disabled=True)
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.keep_button = widgets.Button(description="Keep it")
        self._confirm = widgets.HBox(
            [
                widgets.HTML(f"<span style='color:{RED}'>Delete this recording?</span>"),
                self.confirm_button,
                self.keep_button,
            ]
        )
        self._confirm.layout.display = "none"
        self.status_html = widgets.HTML().add_class("ct-status")

        self.script.observe(self._script_changed, names="value")
        self.channel.observe(lambda _c: self._show_text(), names="value")
        self.upload.observe(self._uploaded, names="value")
        self.recordings.observe(self._picked, names="value")
        self.delete_button.on_click(lambda _b: self._ask_delete(True))
        self.keep_button.on_click(lambda _b: self._ask_delete(False))
        self.confirm_button.on_click(self._delete)

        self.box = widgets.VBox(
            [
                heading("Rehearse"),
                widgets.HTML(
                    "<div style='color:#555'>Say the script aloud and record it on your "
                    "phone or computer. Upload the recording, play it back, and rework any "
                    "line that sounds stiff. Recordings stay with your data and are never "
                    "shared.</div>"
                ),
                self.script,
                self.channel,
                self.timing,
                self.text,
                self.upload,
                self.recordings,
                self.audio,
                widgets.HBox([self.delete_button, self._confirm]),
                self.status_html,
            ]
        ).add_class("ct-rehearsal")
        self._script_changed()
        self.refresh()

    def _label(self, script_id: str) -> str:
        s = self.library[script_id]
        channel = _spoken_first(s)[0]
        seconds = speaking_time(render_script(s, channel, {}))
        return f"{s.title} ({seconds_words(seconds)})"

    @property
    def current_script(self) -> Script:
        return self.library[self.script.value]

    def _script_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        s = self.current_script
        parts = _spoken_first(s)
        options = [(CHOICES["channel"][c], c) for c in parts]
        if s.is_phone:
            options += [
                (f"Phone: if they say \u201c{label}\u201d", f"phone:{key}")
                for key, label in CALL_ANSWERS.items()
                if key in s.branches() and f"phone:{key}" in s.texts
            ]
        self.channel.options = options
        self.channel.value = parts[0]
        self._show_text()

    def _show_text(self) -> None:
        if self.channel.value is None:
            return
        text = render_script(self.current_script, self.channel.value, self._context)
        self.text.value = pre(text)
        self.timing.value = f"<b>Speaking time: {seconds_words(speaking_time(text))}</b>"

    def refresh(self, select: int | None = None) -> None:
        """Reload the client's recordings list."""
        frame = self.wb.recordings(self.client_id)
        options = []
        for r in frame.itertuples():
            script = "" if pd.isna(r.script_id) else f" · {r.script_id}"
            options.append((f"{format_day(r.created)} · {r.filename}{script}", int(r.id)))
        self.recordings.options = options
        if select is not None and any(v == select for _, v in options):
            self.recordings.value = select
        elif not options:
            self.audio.value = b""
        self.delete_button.disabled = self.recordings.value is None
        self._confirm.layout.display = "none"

    def _uploaded(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        saved = None
        for f in files:
            name = str(f.get("name") or "recording")
            mime = f.get("type") or None  # a hint only: the content decides (actions)
            try:
                saved = actions.add_recording(
                    self.wb,
                    self.client_id,
                    name,
                    bytes(f["content"]),
                    mime=mime,
                    script_id=self.script.value,
                )
            except FollowupKitError as err:
                self.status_html.value = error_html(error_words(err))
                continue
            self.status_html.value = ok_html(f"Saved {escape_html(name)}. Press play to listen.")
        self.upload.value = ()  # ready for the next take
        self.refresh(select=saved)

    def _picked(self, change: Mapping[str, Any]) -> None:
        rid = change["new"]
        self.delete_button.disabled = rid is None
        self._confirm.layout.display = "none"
        if rid is None:
            self.audio.value = b""
            return
        frame = self.wb.recordings(self.client_id)
        row = frame.loc[frame["id"] == rid]
        mime = "audio/mpeg" if row.empty else str(row.iloc[0]["mime"])
        self.audio.format = mime.split("/", 1)[-1] or "mpeg"
        self.audio.value = self.wb.recording_data(rid)

    def _ask_delete(self, ask: bool) -> None:
        self._confirm.layout.display = None if ask and self.recordings.value else "none"

    def _delete(self, _button: widgets.Button | None = None) -> None:
        rid = self.recordings.value
        if rid is None:
            return
        actions.delete_recording(self.wb, rid, client_id=self.client_id)
        self.status_html.value = ok_html("Recording deleted.")
        self.refresh()


def rehearsal(
    wb: Any,
    client_id: int,
    *,
    interview_id: int | None = None,
    script_id: str | None = None,
    extra_dir: Any = None,
) -> Rehearsal:
    """The rehearsal panel for one client; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook (recordings are stored in it, with the client's data).
    client_id
        Whose recordings to list and store.
    interview_id
        Fill the scripts in with this interview's names and dates.
    script_id
        The script to open first.
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    """
    return Rehearsal(
        wb, client_id, interview_id=interview_id, script_id=script_id, extra_dir=extra_dir
    )
