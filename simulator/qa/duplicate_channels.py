"""A stereo file whose two channels carry the same signal ("dual mono"): a mono call stored as stereo.

Many converters and some recorders write a mono call into both channels of a stereo file: both voices on
each channel, the same samples, or the same up to a gain, a delay of a few milliseconds, or the noise of a
lossy codec that encoded each channel on its own.  Read as stereo (agent left, customer right) every word is
heard twice, all of it counts as overlap and one side gets no reply of its own.

The measure is the normalised cross-correlation of the two channels, at the best lag within
``MAX_DELAY_S``, summed over the one-second blocks that hold speech on either channel:

    correlation = max over lags |sum a(t) b(t + lag)| / sqrt(sum a(t)^2 * sum b(t)^2)

Its square is the share of one channel's energy that the other explains as a scaled, shifted copy.  A
copy, however scaled or shifted, gives nearly 1 (codec noise 20 dB down still gives 0.99).  A real two-sided
call gives nearly 0: each channel holds a voice the other lacks, and even crosstalk of the other party at
-10 dB on both lines stays near 0.6.  Summing over the blocks rather than judging each block on its own
keeps those own-voice stretches in the measure: on one block where only the agent speaks, the customer's
line holding a bleed of the agent correlates as well as a copy would.  Silence is left out (its hiss would
pull a true copy down when each channel's noise was added apart), and blocks keep the work small and the
memory bounded on an hour-long call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.qa.timing import HasBounds
from simulator.wavfile import StoredSamples

SAME_SIGNAL_CORRELATION = 0.9  # at least this: the two channels are one signal (>= 81% of its energy explained)
MAX_DELAY_S = 0.020  # converters and recorders shift one channel by a few milliseconds, not more
BLOCK_S = 1.0  # correlated block by block over speech: bounded memory, silence left out
_BATCH_BLOCKS = 32  # blocks transformed at once: about 25 MB of spectra, whatever the length of the call


@dataclass(frozen=True, slots=True)
class DuplicateChannels:
    """Two channels holding one signal, with how alike they were measured to be."""

    correlation: float  # peak normalised cross-correlation over speech (1.0: the same samples)
    delay_ms: float  # the lag of that peak: how far the second channel runs behind the first (negative: ahead)
    gain_db: float  # the second channel's level relative to the first's, over the same blocks
    kept: int  # the channel scored (the louder of the two: the codec noise counts least there)

    @property
    def note(self) -> str:
        return (f"the two channels of this stereo file carry the same signal (correlation {self.correlation:.2f} "
                f"at {self.delay_ms:+.1f} ms, the second {self.gain_db:+.1f} dB against the first): both voices are "
                f"on each channel, so it was scored as a mono recording of both voices from channel {self.kept}")


def speech_blocks(spans: Sequence[Sequence[HasBounds]], frames: int, rate: int) -> list[int]:
    """Start frames of the ``BLOCK_S`` blocks that overlap speech found on either channel."""
    block = int(BLOCK_S * rate)
    starts: set[int] = set()
    for found in spans:
        for span in found:
            first = max(0, int(span.start_s * rate) // block)
            last = min((frames - 1) // block, int(span.end_s * rate) // block) if frames else -1
            starts.update(number * block for number in range(first, last + 1))
    return sorted(starts)


def _batches(starts: Sequence[int]) -> Iterator[Sequence[int]]:
    for first in range(0, len(starts), _BATCH_BLOCKS):
        yield starts[first: first + _BATCH_BLOCKS]


def _rows(samples: StoredSamples, starts: Sequence[int], before: int, length: int, frames: int) -> np.ndarray:
    """``samples[start - before: start - before + length]`` for each start, zero outside the first ``frames``."""
    rows = np.zeros((len(starts), length), np.float64)
    for row, start in zip(rows, starts, strict=True):
        first = start - before
        piece = samples[max(0, first): min(frames, max(0, first + length))]
        row[max(0, -first): max(0, -first) + piece.size] = piece
    return rows


def cross_correlation(first: StoredSamples, second: StoredSamples, starts: Sequence[int], block: int, max_lag: int
                      ) -> tuple[np.ndarray, float, float]:
    """Sum over the blocks of ``sum first(t) second(t + lag)`` for lag -max_lag..max_lag, and both energies, over
    the frames both channels have (read a block at a time: a long call's channels are never copied whole)."""
    frames = min(first.size, second.size)
    size = 1 << int(np.ceil(np.log2(block + 2 * max_lag)))
    summed = np.zeros(2 * max_lag + 1, np.float64)
    energy_first = energy_second = 0.0
    for batch in _batches(starts):
        own = _rows(first, batch, 0, block, frames)
        around = _rows(second, batch, max_lag, block + 2 * max_lag, frames)
        spectra = np.conj(np.fft.rfft(own, size, axis=1)) * np.fft.rfft(around, size, axis=1)
        summed += np.fft.irfft(spectra, size, axis=1)[:, : 2 * max_lag + 1].sum(axis=0)
        energy_first += float(np.sum(own * own))
        inside = around[:, max_lag: max_lag + block]
        energy_second += float(np.sum(inside * inside))
    return summed, energy_first, energy_second


def duplicate_channels(channels: Sequence[StoredSamples], spans: Sequence[Sequence[HasBounds]], rate: int
                       ) -> DuplicateChannels | None:
    """The two channels' likeness if they carry the same signal, else ``None`` (a real two-sided call, or no
    speech on either channel to measure it on)."""
    measured = measure(channels, spans, rate)
    if measured is None or measured.correlation < SAME_SIGNAL_CORRELATION:
        return None
    return measured


def measure(channels: Sequence[StoredSamples], spans: Sequence[Sequence[HasBounds]], rate: int
            ) -> DuplicateChannels | None:
    """How alike two channels are over their speech, whether or not they count as one signal (``None``: not two
    channels, or no speech, or digital silence)."""
    if len(channels) != 2 or len(spans) != 2:
        return None
    first, second = channels
    frames = min(first.size, second.size)
    starts = speech_blocks(spans, frames, rate)
    if not starts:
        return None
    max_lag = round(MAX_DELAY_S * rate)
    summed, energy_first, energy_second = cross_correlation(first, second, starts, int(BLOCK_S * rate), max_lag)
    if energy_first <= 0.0 or energy_second <= 0.0:
        return None
    normalised = summed / np.sqrt(energy_first * energy_second)
    peak = int(np.argmax(np.abs(normalised)))
    gain_db = 10 * np.log10(energy_second / energy_first)
    return DuplicateChannels(round(float(abs(normalised[peak])), 3), round(1000 * (peak - max_lag) / rate, 1),
                             round(float(gain_db), 1), int(energy_second > energy_first))
