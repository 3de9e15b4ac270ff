"""What a rehearsal recording must be: audio, told by its content, of a sensible size."""

from __future__ import annotations

__all__ = ["MAX_RECORDING_BYTES", "audio_type"]


#: The largest recording :meth:`Workbook.add_recording` keeps (a few minutes of audio).
MAX_RECORDING_BYTES = 25 * 2**20

#: The first bytes of each kind of audio file, and its type: (offset, bytes, mime).
_AUDIO_MAGIC = (
    (0, b"OggS", "audio/ogg"),
    (0, b"\x1a\x45\xdf\xa3", "audio/webm"),  # EBML: WebM or Matroska
    (0, b"ID3", "audio/mpeg"),  # MP3 with an ID3 tag
    (0, b"fLaC", "audio/flac"),
    (4, b"ftyp", "audio/mp4"),  # MP4 / M4A
)


def audio_type(data: bytes | bytearray | memoryview) -> str | None:
    """The audio type the content shows (``"audio/wav"``...), or None when it is not audio.

    The name and the type a browser reports are not trusted: a file is audio when it
    starts as WAV (RIFF...WAVE), OGG, WebM/Matroska, MP3 (ID3 or a frame header),
    MP4/M4A (``ftyp``) or FLAC does.

    Examples
    --------
    >>> audio_type(b"OggS and the rest"), audio_type(b"%PDF-1.7")
    ('audio/ogg', None)
    """
    head = bytes(data[:12])
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    for offset, magic, mime in _AUDIO_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return mime
    # An MPEG audio frame: 11 sync bits, then a version and a layer that exist.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
        if version != 0b01 and layer != 0b00:
            return "audio/mpeg"
    return None
