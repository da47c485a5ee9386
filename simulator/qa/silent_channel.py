"""A stereo file with one channel silent: both voices are on the other one, so it is a mono call.

Phone systems and converters write such files (a mono call stored as stereo, the second channel empty or
holding only line noise and a faint bleed of the first).  Read as stereo it would give the agent every
word and the customer none.  Whether a channel is silent is measured on the whole file, in two ways:

- its level: RMS over the whole file at least ``SILENT_LEVEL_DB`` below the other channel's (a bleed or
  hiss, however long, is far quieter than a voice on its own line);
- its speech: the VAD's speech on it is under ``SILENT_SPEECH_SHARE`` of the other channel's (a channel
  at a normal level that holds only noise, clicks or music).

Two real sides of a call are never that lopsided: the quieter party of a real call still speaks a good
share of the time on a line of similar level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from simulator.wavfile import StoredSamples

SILENT_LEVEL_DB = -30.0  # whole-file RMS this far below the other channel: bleed or hiss, not a voice
SILENT_SPEECH_SHARE = 0.05  # speech under this share of the other channel's: no second side
_FLOOR = 1e-9  # digital silence has no level in dB


class HasDuration(Protocol):
    @property
    def duration_s(self) -> float: ...


@dataclass(frozen=True, slots=True)
class SilentChannel:
    """The silent channel of a stereo file, with what was measured on it."""

    channel: int  # the file's channel index (0 = left)
    level_db: float  # its whole-file RMS relative to the other channel's
    speech_s: float  # speech the VAD found on it
    other_speech_s: float  # speech on the channel that holds the call

    @property
    def note(self) -> str:
        side = {0: "left", 1: "right"}.get(self.channel, f"channel {self.channel}")
        kept = 1 - self.channel if self.channel in (0, 1) else 0
        return (f"channel {self.channel} ({side}) of this stereo file is silent ({self.level_db:.0f} dB below the "
                f"other, {self.speech_s:.1f} s of speech against {self.other_speech_s:.1f} s): both voices are on "
                f"channel {kept}, so it was scored as a mono recording of both voices")


_RMS_BLOCK = 1 << 20  # about a minute at 16 kHz: a 90-minute channel squared whole in float64 took 0.7 GB


def _rms(samples: StoredSamples) -> float:
    if samples.size == 0:
        return 0.0
    energy = 0.0
    for start in range(0, samples.size, _RMS_BLOCK):
        block = np.asarray(samples[start: start + _RMS_BLOCK], dtype=np.float64)
        energy += float(np.dot(block, block))
    return math.sqrt(energy / samples.size)


def _speech_s(spans: Sequence[HasDuration]) -> float:
    return sum(span.duration_s for span in spans)


def silent_channel(channels: Sequence[StoredSamples], spans: Sequence[Sequence[HasDuration]]) -> SilentChannel | None:
    """Which of two channels is silent, if one is (``None`` when both hold a side of the call, or neither does)."""
    measured = quieter_side(channels, spans)
    if measured is None:
        return None
    quiet, level_db = measured
    speech = [_speech_s(found) for found in spans]
    loud = 1 - quiet
    if level_db > SILENT_LEVEL_DB and speech[quiet] >= SILENT_SPEECH_SHARE * speech[loud]:
        return None
    return SilentChannel(quiet, round(level_db, 1), round(speech[quiet], 2), round(speech[loud], 2))


def quieter_side(channels: Sequence[StoredSamples], spans: Sequence[Sequence[HasDuration]]) -> tuple[int, float] | None:
    """The channel that does not hold the call's main side (less speech; at equal speech, the lower level) and
    its whole-file level against the other's in dB; ``None`` unless two channels with some speech."""
    if len(channels) != 2 or len(spans) != 2:
        return None
    levels = [max(_rms(samples), _FLOOR) for samples in channels]
    speech = [_speech_s(found) for found in spans]
    loud = int(levels[1] > levels[0]) if speech[0] == speech[1] else int(speech[1] > speech[0])
    if speech[loud] <= 0.0:
        return None  # no speech anywhere: nothing tells which side holds the call
    quiet = 1 - loud
    return quiet, 20 * math.log10(levels[quiet] / levels[loud])
