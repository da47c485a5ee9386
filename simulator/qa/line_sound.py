"""Where a recording's channel makes a sound, read off its own level.

Dead air is a silence on the line.  The VAD that cuts a channel into turns misses short sounds (an
"okay", an "mm"), and which ones depends on the context Silero carries through the whole channel: on
a real bank call the agent's 0.4 s word at -11.5 dB against a -62 dB line was found when the VAD ran
on a 14 s window and not when it ran on the whole channel (docs/qa.md, "Dead air from the line's
sound").  So the silences between turns are checked against the channel's level: a channel makes a
sound where its 20 ms frames stay above a level for at least a short syllable's length, the level
being set by the channel itself (under its own speech, over its own noise), so a quiet line and a
hissing one are read alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.qa.timing import HasBounds
from simulator.wavfile import StoredSamples

FRAME_S = 0.02
BELOW_SPEECH_DB = 20.0  # a soft word sits within this of the channel's median speech level
ABOVE_NOISE_DB = 15.0  # and clearly over the line's noise (8-bit and noisy lines have little room)
MIN_SOUND_S = 0.1  # shorter than a syllable: a click, a key, a pop
NOISE_PERCENTILE = 20.0
_FRAMES_PER_CHUNK = 3000  # one minute at a time: a 60-minute channel is never squared whole


@dataclass(frozen=True, slots=True)
class Sound:
    start_s: float
    end_s: float


def frame_levels_db(samples: StoredSamples, rate: int) -> np.ndarray:
    """Mean power of each 20 ms frame, in dB relative to full scale."""
    hop = max(1, round(FRAME_S * rate))
    count = len(samples) // hop
    levels = np.empty(count, dtype=np.float64)
    for first in range(0, count, _FRAMES_PER_CHUNK):
        last = min(count, first + _FRAMES_PER_CHUNK)
        frames = np.asarray(samples[first * hop:last * hop], dtype=np.float64).reshape(last - first, hop)
        levels[first:last] = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    return levels


def sound_level_db(levels: np.ndarray, speech: Sequence[HasBounds]) -> float | None:
    """The level over which a frame is heard as sound; None when the channel has no speech or no
    silence to set it from."""
    inside = np.zeros(len(levels), dtype=bool)
    for span in speech:
        inside[int(span.start_s / FRAME_S):int(np.ceil(span.end_s / FRAME_S))] = True
    if not inside.any() or inside.all():
        return None
    speech_db = float(np.median(levels[inside]))
    noise_db = float(np.percentile(levels[~inside], NOISE_PERCENTILE))
    return max(speech_db - BELOW_SPEECH_DB, noise_db + ABOVE_NOISE_DB)


def sounds(samples: StoredSamples, rate: int, speech: Sequence[HasBounds]) -> tuple[Sound, ...]:
    """The channel's sounds in time order (the VAD's speech among them, and what it missed)."""
    levels = frame_levels_db(samples, rate)
    level = sound_level_db(levels, speech)
    if level is None:
        return tuple(Sound(s.start_s, s.end_s) for s in speech)
    loud = np.concatenate(([False], levels > level, [False]))
    edges = np.flatnonzero(loud[1:] != loud[:-1])
    shortest = round(MIN_SOUND_S / FRAME_S)
    return tuple(Sound(round(start * FRAME_S, 2), round(end * FRAME_S, 2))
                 for start, end in zip(edges[::2], edges[1::2], strict=True) if end - start >= shortest)
