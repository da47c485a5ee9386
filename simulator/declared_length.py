"""How long a recording's own header says its audio is, to tell a cut-off file from a complete one.

Only headers that state the length exactly are read: a RIFF WAV's data-chunk size (PCM, mu-law, A-law,
ADPCM: the byte rate of its format chunk turns it into seconds) and an MP3's frame count in a Xing, Info
or VBRI header (what LAME, ffmpeg and most encoders write into the first frame).  An MP3 without one
has only a length estimated from its bitrate, which a variable-rate file can miss by a factor of two, so
it says nothing here.  Standard library only: read before any decoder runs.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 1 << 16  # the headers sit in the first few hundred bytes (after an ID3 tag, which may be large)
# MPEG audio: samples per layer-III frame (MPEG-1; MPEG-2 and 2.5 have half) and sample rates by version
MPEG1_SAMPLES_PER_FRAME = 1152
MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def declared_s(path: Path) -> float | None:
    """The length the file's header states, in seconds, or None when it states none exactly."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            if head[:3] == b"ID3" and len(head) >= 10:  # a tag before the first frame: skip past it
                handle.seek(_id3_size(head))
                return mp3_declared_s(handle.read(HEAD_BYTES))
    except OSError:
        return None
    return riff_declared_s(head) if head[:4] == b"RIFF" else mp3_declared_s(head)


def riff_declared_s(head: bytes) -> float | None:
    """A WAV's data-chunk size over its byte rate; None for a streaming recorder's placeholder size (0 or
    0xFFFFFFFF: not known when the header was written)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    position, bytes_per_second = 12, 0
    while position + 8 <= len(head):
        name, size = head[position: position + 4], int.from_bytes(head[position + 4: position + 8], "little")
        if name == b"fmt " and position + 16 <= len(head):
            bytes_per_second = int.from_bytes(head[position + 16: position + 20], "little")
        elif name == b"data":
            if size in (0, 0xFFFFFFFF) or bytes_per_second <= 0:
                return None
            return size / bytes_per_second
        position += 8 + size + (size & 1)  # chunks are padded to an even length
    return None


def mp3_declared_s(head: bytes) -> float | None:
    """Frames x samples per frame / rate, from the first frame's Xing/Info or VBRI header, if it has one."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None  # not at a frame sync (a WAV, an OGG, junk before the first frame...)
    version, layer, rate_index = (head[1] >> 3) & 3, (head[1] >> 1) & 3, (head[2] >> 2) & 3
    if version == 1 or layer != 1 or rate_index == 3:  # reserved version, not layer III, reserved rate
        return None
    rate = MPEG_RATES[version][rate_index]
    samples = MPEG1_SAMPLES_PER_FRAME if version == 3 else MPEG1_SAMPLES_PER_FRAME // 2
    mono = (head[3] >> 6) == 3
    side_info = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    xing = 4 + side_info
    frames = None
    if head[xing: xing + 4] in (b"Xing", b"Info") and len(head) >= xing + 12:
        if int.from_bytes(head[xing + 4: xing + 8], "big") & 1:  # the frame count is present
            frames = int.from_bytes(head[xing + 8: xing + 12], "big")
    elif head[36:40] == b"VBRI" and len(head) >= 54:
        frames = int.from_bytes(head[50:54], "big")
    return frames * samples / rate if frames else None


def _id3_size(head: bytes) -> int:
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]  # "syncsafe": 7 bits a byte
    return 10 + size + (10 if head[5] & 0x10 else 0)  # the header, the tag, and a footer if flagged


def cut_off_note(declared: float, held_s: float) -> str:
    return (f"the file is cut off: its header says {_clock(declared)} of audio but it holds {_clock(held_s)} "
            "(a copy or download left incomplete, or a recorder stopped while writing); what it holds was read, "
            "and the call's end (its close, its outcome) may be missing")


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"
