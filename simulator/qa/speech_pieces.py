"""Speech found in a long channel a piece at a time, so the finder's working memory does not grow with the call.

Silero VAD (through faster-whisper) copies the whole channel twice on its way in: once padded, once cut
into windows with their context.  On a 90-minute stereo call at 16 kHz that was about 0.7 GB on top of
the call's own audio, and the call's peak memory (2.0 GB) was reached there.  So a channel longer than
``piece_s`` is read in pieces of that length, each with ``overlap_s`` of the audio either side, so that the
finder starts warmed up and a stretch of speech over a piece's edge is seen whole by one of the two
pieces.  From each piece come the spans that start in it, and from the next the spans that reach past
all kept so far (a span both saw differently is joined into one).  A channel up to ``piece_s`` plus
``overlap_s`` long is read whole, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.wavfile import StoredSamples

PIECE_S = 20 * 60.0  # longer than most calls: those are read whole
OVERLAP_S = 30.0  # far more than the finder's memory of what came before and its longest pause

# a piece of audio -> its speech as (start, end) sample indices within the piece
PieceFinder = Callable[[np.ndarray], list[tuple[int, int]]]


def speech_in_pieces(samples: StoredSamples, find: PieceFinder, sample_rate: int, *, piece_s: float = PIECE_S,
                     overlap_s: float = OVERLAP_S) -> list[tuple[int, int]]:
    """The speech in ``samples`` as (start, end) sample indices, in order and not overlapping."""
    piece, overlap = round(piece_s * sample_rate), round(overlap_s * sample_rate)
    if samples.size <= piece + overlap:
        return find(samples[:])  # as float32 (a 16-bit channel is widened here, a float32 one is not copied)
    kept: list[tuple[int, int]] = []
    for start in range(0, samples.size, piece):
        low = max(0, start - overlap)
        end = start + piece
        for span_start, span_end in find(samples[low: min(samples.size, end + overlap)]):
            span_start, span_end = span_start + low, span_end + low
            if span_start >= end:
                break  # the next piece reads it, with more of what follows
            if kept and span_end <= kept[-1][1]:
                continue  # the piece before found this stretch already
            if kept and span_start <= kept[-1][1]:
                kept[-1] = (kept[-1][0], span_end)  # seen differently from either side: one stretch
            else:
                kept.append((span_start, span_end))
    return kept
