"""The in-browser recorder's Python side, driven as the browser drives it.

The browser sends a finished take as one state update (bytes, type, length), exactly
what ``Widget.set_state`` receives from the front end; a refusal arrives as a code.
"""

from __future__ import annotations

import re
import struct

import pandas as pd
import pytest

from followup_kit.exceptions import Problem, ValidationError
from followup_kit.widgets.recorder import PROBLEMS, Recorder, wav_seconds
from followup_kit.widgets.rehearsal import Rehearsal, length_words

WEBM = b"\x1a\x45\xdf\xa3" + bytes(200)  # the EBML magic a browser's webm take starts with


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A silent 8-bit mono WAV file ``seconds`` long."""
    samples = int(seconds * rate)
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
    body = b"WAVEfmt " + fmt + b"data" + struct.pack("<I", samples) + bytes(samples)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def browser_sends(recorder: Recorder, data: bytes, mime: str, seconds: float) -> None:
    """What the front end's ``save_changes()`` makes the kernel do."""
    recorder.set_state({"mime": mime, "seconds": seconds, "take": memoryview(data)})


def test_a_take_from_the_browser_is_saved_with_its_length_and_played_back(filled, iid):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid, interview_id=iid)
    browser_sends(r.recorder, WEBM, "audio/webm;codecs=opus", 2.04)
    stored = filled.recordings(cid)
    assert stored["filename"].tolist() == ["Take 1.webm"]
    assert stored["mime"].tolist() == ["audio/webm"]
    assert stored["seconds"].tolist() == [2.0]
    assert stored["script_id"].tolist() == [r.script.value]
    rid = int(stored["id"].iloc[0])
    assert filled.recording_data(rid) == WEBM
    assert r.recorder.take == b""  # handled, and the browser is told so
    assert r.recordings.value == rid and bytes(r.audio.value) == WEBM
    assert r.audio.format == "webm"
    script = length_words(r.script_seconds)
    expected = f"<b>Your take: 2 s</b>; the script takes about {script} to say."
    assert r.length_html.value == expected
    assert "Saved Take 1.webm" in r.status_html.value and expected in r.status_html.value
    assert r.recordings.options[0][0] == "Take 1.webm · Thu 20 Mar 2025 · 2 s"
    browser_sends(r.recorder, WEBM + b"2", "audio/webm", 65)
    assert filled.recordings(cid)["filename"].tolist() == ["Take 1.webm", "Take 2.webm"]
    assert "Your take: 1 min 05 s" in r.length_html.value
    # Picked while another script is shown: the take names its script, measured by it.
    first = r.recordings.options[0][1]
    r.script.value = next(v for _, v in r.script.options if v != r.script.value)
    r.recordings.value = first
    assert r.length_html.value.startswith("For \u201c")
    assert r.length_html.value.endswith(expected)


def test_the_browser_refusing_the_microphone_is_said_in_plain_words(filled):
    r = Rehearsal(filled, filled.ids["client"])
    r.recorder.set_state({"problem": "denied"})
    assert r.recorder.message == (
        "Your browser did not allow the microphone; you can upload a recording instead."
    )
    r.recorder.set_state({"problem": ""})  # the next try starts clean
    assert r.recorder.message == ""
    r.recorder.set_state({"problem": "something new"})
    assert r.recorder.message == PROBLEMS["failed"]
    for code, words in PROBLEMS.items():
        r.recorder.set_state({"problem": code})
        assert r.recorder.message == words and not re.search(r"[_{}<>]|Error", words)
    assert filled.recordings(filled.ids["client"]).empty


def test_a_take_the_store_refuses_is_explained_and_not_kept(filled, monkeypatch):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)

    def too_big(*_args, **_kwargs):
        problem = Problem("data", "the recording is larger than 25 MB.", check="too_large")
        raise ValidationError([problem], what="recording")

    monkeypatch.setattr(filled, "add_recording", too_big)
    browser_sends(r.recorder, WEBM, "audio/webm", 3)
    assert r.status_html.value == (
        '<div class="ct-error" style="color:#b3261e">Your take was not saved. '
        "The recording is larger than 25 MB.</div>"
    )
    assert r.recorder.take == b"" and r.recordings.options == ()


def test_a_note_per_take_is_saved_and_shown_again(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    assert r.note.disabled and r.save_note_button.disabled  # no take yet
    browser_sends(r.recorder, WEBM, "audio/webm", 30)
    r.note.value = "Too fast at the start; breathe before the question."
    r.save_note_button.click()
    assert filled.recordings(cid)["note"].tolist() == [r.note.value]
    assert "Note saved" in r.note_status.value
    r.note.value = "x" * 501
    r.save_note_button.click()
    assert "The note was not saved. Too long" in r.note_status.value
    again = Rehearsal(filled, cid)
    again.refresh(select=int(filled.recordings(cid)["id"].iloc[0]))
    assert again.note.value == "Too fast at the start; breathe before the question."


def test_an_uploaded_wav_shows_its_length_and_other_files_say_nothing(filled):
    from test_rehearsal import upload_value

    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    r.upload.value = upload_value("phone take.wav", wav(2.5), "audio/wav")
    assert filled.recordings(cid)["seconds"].tolist() == [2.5]
    assert "Your take: 2 s" in r.length_html.value  # 2.5 rounds to even
    r.upload.value = upload_value("phone take.ogg", b"OggS" + bytes(100), "audio/ogg")
    assert pd.isna(filled.recordings(cid)["seconds"].iloc[-1])
    assert r.length_html.value == ""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (wav(2.0), 2.0),
        (wav(2.0)[:-8000], 1.0),  # cut short: the bytes that are there count
        (b"RIFF\x00\x00\x00\x00WAVEdata\x10\x00\x00\x00" + bytes(16), None),  # no format
        (b"OggS" + bytes(40), None),
        (b"", None),
    ],
)
def test_wav_length_is_read_from_the_header(data, expected):
    assert wav_seconds(data) == expected


def test_the_recorder_needs_no_network_and_says_plain_words():
    esm = Recorder._esm
    assert "import " not in esm and "http" not in esm  # inline: nothing from a CDN
    assert "getUserMedia({ audio: true })" in esm and "MediaRecorder" in esm
    for words in ('"Record"', '"Stop"'):
        assert words in esm
