"""Rehearsal: read a script aloud, record yourself (in the browser or a file), play it back.

Each take is stored through :func:`followup_kit.actions.add_recording`, with its length
when known (the browser times its own takes; an uploaded WAV file says it in its
header), shown beside the script's speaking time, and a note the client can edit.
"""

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
from ._kit import (
    RED,
    Shown,
    error_html,
    error_words,
    full_choice,
    heading,
    hidden,
    note_html,
    ok_html,
    pre,
    report_unexpected,
    seconds_words,
    upload_button,
    wide,
)
from .recorder import Recorder, Take, wav_seconds

__all__ = ["Rehearsal", "rehearsal"]


def _first_rehearsal(ids: list[str]) -> str:
    # The seed's own scenario (asking whether a decision has been made) is the one to
    # practise first; fall back to the first phone script.
    return "decision_check_call" if "decision_check_call" in ids else ids[0]


def length_words(seconds: float) -> str:
    """``48.2`` -> ``"48 s"``, ``65`` -> ``"1 min 05 s"``."""
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest:02d} s"


def take_length_html(take_seconds: float | None, script_seconds: int) -> str:
    """ "Your take: 48 s; the script takes about 40 s to say." (nothing if not known)."""
    if take_seconds is None or pd.isna(take_seconds):
        return ""
    return (
        f"<b>Your take: {length_words(take_seconds)}</b>; the script takes about "
        f"{length_words(script_seconds)} to say."
    )


_EXTENSIONS = {"audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a", "audio/wav": "wav"}


def _spoken_first(script: Script) -> list[str]:
    spoken = [c for c in ("phone", "voicemail") if c in script.texts]
    return spoken + [c for c in script.channels if c not in spoken]


class Rehearsal(Shown):
    """Read a script aloud, record yourself, upload it, play it back beside the script.

    Attributes for tests: ``script``, ``channel`` (Dropdowns), ``text`` (HTML),
    ``timing`` (HTML), ``recorder`` (Recorder), ``upload`` (FileUpload), ``recordings``
    (Select), ``audio`` (Audio), ``length_html`` (the take against the script),
    ``note`` (Textarea), ``save_note_button``, ``delete_button``, ``confirm_button``,
    ``keep_button``, ``status_html`` (a take saved or refused), ``note_status``.
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
            layout=wide(),
        )
        self.channel = widgets.Dropdown(description="Part", style=style, layout=wide())
        self.text = widgets.HTML().add_class("ct-rehearsal-text")
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.recorder = Recorder().add_class("ct-recorder")
        self.upload = upload_button(
            "Upload a recording", "audio/*", width="220px", max_width="100%"
        ).add_class("ct-upload")
        self.recordings = widgets.Select(
            description="Your takes",
            style=style,
            layout=wide(),
        ).add_class("ct-takes")
        self.audio = widgets.Audio(
            autoplay=False,
            loop=False,
            controls=True,
            layout=widgets.Layout(width="100%", max_width="30em"),
        ).add_class("ct-playback")
        self.length_html = widgets.HTML().add_class("ct-take-length")
        self.note = widgets.Textarea(
            placeholder="A note on this take: what to keep, what to change next time",
            layout=widgets.Layout(width="100%", max_width="40em", height="4em"),
        ).add_class("ct-take-note")
        self.save_note_button = widgets.Button(description="Save note").add_class("ct-save-note")
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
        self.note_status = widgets.HTML().add_class("ct-note-status")

        self.script.observe(self._script_changed, names="value")
        self.channel.observe(lambda _c: self._show_text(), names="value")
        self.recorder.on_take(self._recorded)
        self.upload.observe(self._uploaded, names="value")
        self.save_note_button.on_click(self._save_note)
        self.recordings.observe(self._picked, names="value")
        self.delete_button.on_click(lambda _b: self._ask_delete(True))
        self.keep_button.on_click(lambda _b: self._ask_delete(False))
        self.confirm_button.on_click(self._delete)

        # Takes, their player and their note show once there is a take to show.
        self.no_takes = widgets.HTML(
            note_html("No takes yet: each recording you make or upload is listed here.")
        ).add_class("ct-no-takes")
        self.takes_box = widgets.VBox(
            [
                self.recordings,
                self.audio,
                self.length_html,
                self.note,
                widgets.HBox(
                    [self.save_note_button, self.delete_button, self._confirm],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.note_status,
            ]
        ).add_class("ct-takes-box")
        self.box = widgets.VBox(
            [
                heading("Rehearse"),
                widgets.HTML(
                    note_html(
                        "Say the script aloud and record yourself: press Record here, or "
                        "record on your phone and upload the file. Play it back, and rework "
                        "any line that sounds stiff. Recordings stay with your data and are "
                        "never shared."
                    )
                ),
                full_choice(self.script),
                self.channel,
                self.timing,
                self.text,
                self.recorder,
                widgets.HTML(note_html("Or upload a recording you already made:")),
                self.upload,
                self.status_html,
                self.no_takes,
                self.takes_box,
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
        self._show_length()

    @property
    def script_seconds(self) -> int:
        """How long the script text shown takes to say."""
        if self.channel.value is None:
            return 0
        return speaking_time(render_script(self.current_script, self.channel.value, self._context))

    def _take_row(self, rid: int | None) -> dict[str, Any] | None:
        if rid is None:
            return None
        frame = self.wb.recordings(self.client_id)
        row = frame.loc[frame["id"] == rid]
        return None if row.empty else row.iloc[0].to_dict()

    def _show_length(self, row: Mapping[str, Any] | None = None) -> None:
        if row is None:
            row = self._take_row(self.recordings.value)
        if row is None:
            self.length_html.value = ""
            return
        line = take_length_html(row.get("seconds"), self.script_seconds)
        sid = row.get("script_id")
        if isinstance(sid, str) and sid in self.library and sid != self.script.value:
            # A take of another script: say which, and measure against that one.
            other = self.library[sid]
            text = render_script(other, _spoken_first(other)[0], self._context)
            line = take_length_html(row.get("seconds"), speaking_time(text))
            line = f"For “{escape_html(other.title)}”. {line}"
        self.length_html.value = line

    def refresh(self, select: int | None = None) -> None:
        """Reload the client's recordings list."""
        frame = self.wb.recordings(self.client_id)
        options = []
        for r in frame.itertuples():
            # Short enough for a phone: the take's script shows once it is picked.
            parts = [str(r.filename), format_day(r.created)]
            if not pd.isna(r.seconds):
                parts.append(length_words(float(r.seconds)))
            options.append((" · ".join(parts), int(r.id)))
        self.recordings.options = options
        hidden(self.takes_box, not options)
        hidden(self.no_takes, bool(options))
        if select is not None and any(v == select for _, v in options):
            self.recordings.value = select
        elif not options:
            self.audio.value = b""
        self._show_take(self.recordings.value)

    def _save_take(
        self, name: str, data: bytes, mime: str | None, seconds: float | None
    ) -> int | None:
        """Store one take; say what happened in plain words; return its id, or None."""
        try:
            rid = actions.add_recording(
                self.wb,
                self.client_id,
                name,
                data,
                mime=mime,
                script_id=self.script.value,
                seconds=seconds,
            )
        except FollowupKitError as err:
            self.status_html.value = error_html(f"Your take was not saved. {error_words(err)}")
            return None
        except Exception as err:  # noqa: BLE001 - the client reads words, the log the rest
            self.status_html.value = error_html(report_unexpected(err))
            return None
        length = take_length_html(seconds, self.script_seconds)
        self.status_html.value = ok_html(
            f"Saved {escape_html(name)}. Press play to listen. {length}".strip()
        )
        return rid

    def _recorded(self, take: Take) -> None:
        n = len(self.wb.recordings(self.client_id)) + 1
        name = f"Take {n}.{_EXTENSIONS.get(take.mime, take.mime.split('/')[-1] or 'webm')}"
        saved = self._save_take(name, take.data, take.mime, take.seconds)
        self.refresh(select=saved)

    def _uploaded(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        saved = None
        for f in files:
            name = str(f.get("name") or "recording")
            data = bytes(f["content"])
            # The type is a hint only: the content decides (see actions.add_recording).
            saved = self._save_take(name, data, f.get("type") or None, wav_seconds(data)) or saved
        self.upload.value = ()  # ready for the next take
        self.refresh(select=saved)

    def _picked(self, change: Mapping[str, Any]) -> None:
        self._show_take(change["new"])

    def _show_take(self, rid: int | None) -> None:
        """Play back, measure and note the chosen take (or clear them)."""
        row = self._take_row(rid)
        self.delete_button.disabled = self.save_note_button.disabled = row is None
        self.note.disabled = row is None
        self._confirm.layout.display = "none"
        self.note_status.value = ""
        self._show_length(row)
        if row is None:
            self.audio.value = b""
            self.note.value = ""
            return
        mime = str(row["mime"]) if not pd.isna(row["mime"]) else "audio/mpeg"
        self.audio.format = mime.split("/", 1)[-1] or "mpeg"
        self.audio.value = self.wb.recording_data(int(row["id"]))
        self.note.value = "" if pd.isna(row["note"]) else str(row["note"])

    def _save_note(self, _button: widgets.Button | None = None) -> None:
        rid = self.recordings.value
        if rid is None:
            return
        try:
            actions.change_recording_note(
                self.wb, rid, self.note.value.strip() or None, client_id=self.client_id
            )
        except FollowupKitError as err:
            self.note_status.value = error_html(f"The note was not saved. {error_words(err)}")
            return
        self.note_status.value = ok_html("Note saved.")

    def _ask_delete(self, ask: bool) -> None:
        self._confirm.layout.display = None if ask and self.recordings.value else "none"

    def _delete(self, _button: widgets.Button | None = None) -> None:
        rid = self.recordings.value
        if rid is None:
            return
        try:
            actions.delete_recording(self.wb, rid, client_id=self.client_id)
        except FollowupKitError as err:
            self.note_status.value = error_html(error_words(err))
            return
        self.note_status.value = ok_html("Recording deleted.")
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
