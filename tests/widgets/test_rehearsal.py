"""Rehearsal: the script read aloud, recordings uploaded, played and deleted."""

from __future__ import annotations

from datetime import UTC, datetime

import followup_kit as fk
from followup_kit import library
from followup_kit.widgets.call import call_coach
from followup_kit.widgets.editor import script_editor
from followup_kit.widgets.rehearsal import Rehearsal, rehearsal


def upload_value(name, data, mime):
    return (
        {
            "name": name,
            "type": mime,
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2025, 3, 20, tzinfo=UTC),
        },
    )


def test_rehearsal_shows_the_script_and_its_speaking_time(filled, iid):
    r = Rehearsal(filled, filled.ids["client"], interview_id=iid)
    assert r.script.value == "decision_check_call" and r.channel.value == "phone"
    assert "Hello Dana, this is" in r.text.value and "Speaking time: about" in r.timing.value
    assert all("seconds" in label or "min" in label for label, _ in r.script.options)
    r.channel.value = "voicemail"
    assert "Voicemail" not in r.text.value and "[your phone number]" in r.text.value


def test_rehearsal_upload_play_and_delete(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    # No takes yet: a line says so, and no empty list, player or note is shown.
    assert r.takes_box.layout.display == "none" and r.no_takes.layout.display is None
    # The button says its words from its title (the page's stylesheet), not "... (0)".
    assert r.upload.tooltip == "Upload a recording" and "fk-upload" in r.upload._dom_classes
    data = b"RIFF\x00\x00\x00\x00WAVEfake-wave"
    r.upload.value = upload_value("take <1>.wav", data, "audio/wav")
    assert r.takes_box.layout.display is None and r.no_takes.layout.display == "none"
    assert r.upload.value == ()  # cleared for the next take
    stored = filled.recordings(cid)
    assert stored["filename"].tolist() == ["take <1>.wav"]
    assert stored["script_id"].tolist() == ["decision_check_call"]
    assert filled.recording_data(int(stored["id"].iloc[0])) == data
    assert r.recordings.value == int(stored["id"].iloc[0])
    assert bytes(r.audio.value) == data and r.audio.format == "wav"
    assert "take &lt;1&gt;.wav" in r.status_html.value
    r.delete_button.click()
    assert r._confirm.layout.display is None
    r.keep_button.click()
    assert len(filled.recordings(cid)) == 1
    r.delete_button.click()
    r.confirm_button.click()
    assert filled.recordings(cid).empty and r.recordings.options == ()
    assert r.delete_button.disabled
    assert r.takes_box.layout.display == "none" and r.no_takes.layout.display is None


def test_rehearsal_refuses_a_file_that_is_not_audio(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    r.upload.value = upload_value("notes.pdf", b"%PDF", "application/pdf")
    assert filled.recordings(cid).empty and "not an audio file" in r.status_html.value


def test_widgets_display_as_boxes(filled, iid):
    for thing in (
        script_editor(filled, interview_id=iid),
        call_coach(filled, iid),
        rehearsal(filled, filled.ids["client"]),
        fk.practice_page(filled, client_id=filled.ids["client"]),
    ):
        bundle = thing._repr_mimebundle_()
        assert bundle["text/plain"].startswith("<") and thing.box.children


def test_rehearsal_takes_audio_by_its_content_whatever_the_browser_calls_it(filled):
    cid = filled.ids["client"]
    r = Rehearsal(filled, cid)
    r.upload.value = upload_value("take.webm", b"\x1a\x45\xdf\xa3take", "video/webm")
    assert filled.recordings(cid)["mime"].tolist() == ["audio/webm"]
    r.upload.value = upload_value("fake.wav", b"MZ\x90\x00program", "audio/wav")
    assert "fake.wav is not an audio file" in r.status_html.value
    assert len(filled.recordings(cid)) == 1


def test_a_coach_script_that_fails_when_filled_in_does_not_break_the_rehearsal(filled, tmp_path):
    broken = (library._BUILTIN_DIR / "decision_check_call.md").read_text(encoding="utf-8")
    broken = broken.replace('id = "decision_check_call"', 'id = "coach_call"').replace(
        "## phone\n", "## phone\n{{ 1 // 0 }}\n", 1
    )
    assert "{{ 1 // 0 }}" in broken
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "coach_call.md").write_text(broken, encoding="utf-8")
    r = Rehearsal(filled, filled.ids["client"], extra_dir=folder, script_id="coach_call")
    assert "coach_call" not in [v for _, v in r.script.options]
    assert r.script.value in r.library and r.text.value
    assert [e.path.name for e in fk.scripts(folder).attrs["errors"]] == ["coach_call.md"]
