"""Record a take in the browser: a small anywidget around the MediaRecorder API.

The browser asks for the microphone, records, and sends the finished take to Python
in one update: its bytes (``take``), its type as the browser made it (``mime``, e.g.
``audio/webm``) and its length as the browser timed it (``seconds``). Python hands the
take to the callbacks given to :meth:`Recorder.on_take` and empties ``take`` again. When
the browser cannot record, it sets ``problem`` to a short code and Python shows
:data:`PROBLEMS`' words for it. The JavaScript is inline: nothing is fetched from the
network.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

__all__ = ["PROBLEMS", "Recorder", "Take", "wav_seconds"]

_UPLOAD = "you can upload a recording instead."

#: What the client reads for each ``problem`` code the browser sends.
PROBLEMS = {
    "denied": f"Your browser did not allow the microphone; {_UPLOAD}",
    "no_microphone": f"No microphone was found on this device; {_UPLOAD}",
    "insecure": (
        "This page is not on a secure (https) address, so the browser will not open the "
        f"microphone; {_UPLOAD}"
    ),
    "unsupported": f"This browser cannot record here; {_UPLOAD}",
    "failed": f"The recording did not work; please try again, or {_UPLOAD}",
    "empty": "Nothing was recorded; please check your microphone and try again.",
}

_ESM = r"""
const PROBLEM = (err) =>
  err && err.name === "NotFoundError" ? "no_microphone"
  : err && (err.name === "NotAllowedError" || err.name === "SecurityError") ? "denied"
  : "failed";

function clock(seconds) {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function button(text, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.className = `jupyter-button widget-button fk-recorder-${cls}`;
  return b;
}

function render({ model, el }) {
  el.classList.add("fk-recorder");
  const record = button("Record", "record");
  const stop = button("Stop", "stop");
  const timer = document.createElement("span");
  timer.className = "fk-recorder-timer";
  timer.setAttribute("role", "timer");
  const said = document.createElement("div");
  said.className = "fk-recorder-message";
  said.setAttribute("aria-live", "polite");
  const row = document.createElement("div");
  row.className = "fk-recorder-row";
  row.append(record, stop, timer);
  el.append(row, said);
  stop.disabled = true;

  let recorder = null;
  let started = 0;
  let ticker = null;
  const tell = (text) => { said.textContent = text; };
  tell(model.get("message"));
  model.on("change:message", () => tell(model.get("message")));
  // Python empties the take once it has been handled: the "Saving" line can go.
  model.on("change:take", () => {
    if (!model.get("take") || model.get("take").byteLength === 0) {
      tell(model.get("message"));
    }
  });

  function problem(code) {
    model.set("problem", code);
    model.save_changes();
  }

  async function start() {
    problem("");  // a new try: the same refusal twice must show twice
    if (!window.isSecureContext) return problem("insecure");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia
        || typeof MediaRecorder === "undefined") return problem("unsupported");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      return problem(PROBLEM(err));
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
    recorder.onstop = async () => {
      const seconds = (performance.now() - started) / 1000;
      stream.getTracks().forEach((t) => t.stop());
      clearInterval(ticker);
      record.disabled = false;
      stop.disabled = true;
      const type = (recorder.mimeType || (chunks[0] && chunks[0].type) || "audio/webm");
      const blob = new Blob(chunks, { type });
      if (blob.size === 0) return problem("empty");
      tell("Saving your take\u2026");
      const bytes = await blob.arrayBuffer();
      model.set("mime", type);
      model.set("seconds", Math.round(seconds * 10) / 10);
      model.set("take", new DataView(bytes));
      model.save_changes();
    };
    recorder.onerror = () => problem("failed");
    recorder.start(1000);
    started = performance.now();
    record.disabled = true;
    stop.disabled = false;
    tell("Recording\u2026 press Stop when you have finished.");
    timer.textContent = clock(0);
    const most = model.get("max_seconds");
    ticker = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      timer.textContent = clock(seconds);
      if (seconds >= most && recorder.state === "recording") recorder.stop();
    }, 250);
  }

  record.addEventListener("click", start);
  stop.addEventListener("click", () => {
    if (recorder && recorder.state === "recording") recorder.stop();
  });
  return () => {
    clearInterval(ticker);
    if (recorder && recorder.state === "recording") recorder.stop();
  };
}

export default { render };
"""

_CSS = """
.fk-recorder-row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6em; }
.fk-recorder button.fk-recorder-record, .fk-recorder button.fk-recorder-stop {
  font-size: 1.1em; width: auto; min-width: 6em; height: 2.4em; padding: 0 1.2em;
}
.fk-recorder button.fk-recorder-record:not(:disabled) { background: #b3261e; color: white; }
.fk-recorder-timer { font-size: 1.3em; font-variant-numeric: tabular-nums; min-width: 3em; }
.fk-recorder-message { margin-top: 0.3em; color: #555; }
"""


@dataclass(frozen=True)
class Take:
    """One finished take from the browser: its bytes, type and length in seconds."""

    data: bytes
    mime: str
    seconds: float | None


class Recorder(anywidget.AnyWidget):
    """Record / Stop buttons with a running timer; each finished take comes to Python.

    Attributes for tests (set them as the browser would): ``take`` (bytes), ``mime``,
    ``seconds``, ``problem`` (a code in :data:`PROBLEMS`, or ""); ``message`` is what the
    widget shows under its buttons.
    """

    _esm = _ESM
    _css = _CSS

    take = traitlets.Bytes(b"").tag(sync=True, echo_update=False, **bytes_serialization)
    mime = traitlets.Unicode("").tag(sync=True)
    seconds = traitlets.Float(0.0).tag(sync=True)
    problem = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    #: The browser stops a take by itself after this long (a rehearsal is short).
    max_seconds = traitlets.Int(600).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._callbacks: list[Callable[[Take], None]] = []
        self.observe(self._took, names="take")
        self.observe(self._refused, names="problem")

    def on_take(self, callback: Callable[[Take], None]) -> None:
        """Call ``callback(take)`` for each finished take."""
        self._callbacks.append(callback)

    def _took(self, change: dict[str, Any]) -> None:
        data = bytes(change["new"] or b"")
        if not data:
            return
        take = Take(data, _plain_mime(self.mime), self.seconds if self.seconds > 0 else None)
        self.message = ""
        try:
            for callback in self._callbacks:
                callback(take)
        finally:
            self.take = b""  # handled: free the bytes, and tell the browser

    def _refused(self, change: dict[str, Any]) -> None:
        code = change["new"]
        self.message = PROBLEMS.get(code, PROBLEMS["failed"]) if code else ""


def _plain_mime(mime: str) -> str:
    """``audio/webm;codecs=opus`` -> ``audio/webm``; an empty type is taken as webm."""
    plain = (mime or "").split(";", 1)[0].strip().lower()
    return plain or "audio/webm"


def wav_seconds(data: bytes) -> float | None:
    """The length of a WAV file from its header, in seconds; None if it is not one.

    Examples
    --------
    >>> header = b"RIFF\\0\\0\\0\\0WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    >>> wav_seconds(header + b"data" + struct.pack("<I", 32000) + bytes(32000))
    2.0
    >>> wav_seconds(b"ID3 not a wave") is None
    True
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk == b"fmt " and size >= 16 and pos + 16 <= len(data):
            byte_rate = struct.unpack("<I", data[pos + 16 : pos + 20])[0]
        elif chunk == b"data":
            # A recorder still writing may leave the size at 0 or too large: trust the file.
            size = min(size, len(data) - pos - 8) if size else len(data) - pos - 8
            return round(size / byte_rate, 1) if byte_rate else None
        pos += 8 + size + (size % 2)
    return None
