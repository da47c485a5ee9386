"""Transcribe the rest of a turn after the part of it already transcribed at a pause.

A live turn is decoded at every pause the trainee makes (the pass that is the transcript if the
pause was the end).  When the trainee talks on after a clear pause, that pass covered the turn up to
the pause; the next one need only decode what came after it.  Whisper's encoder costs the same for
any length (a padded 30 s window), but its text decoder costs per token, so the pass that the turn's
end waits on shrinks by the tokens already decoded (about a third of a pass on a six-second turn).

The cut is made only at a pause long enough to be a phrase boundary (``MIN_HEAD_GAP_S`` of
silence): a cut inside a word, or between words said in one breath, costs accuracy
(`benchmarks/turn_continuation.py` measures both).  The head's text is given to Whisper as the
context of the rest (its last ``CONTEXT_WORDS`` words), as one decode of the whole turn would have
it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from simulator.asr.base import SAMPLE_RATE
from simulator.contracts import Transcript, Word
from simulator.text import is_mostly_chinese, join_words

MIN_HEAD_GAP_S = 0.25  # silence between the head and the rest; shorter pauses are decoded whole again
CONTEXT_WORDS = 30  # how much of the head conditions the rest's decode

Decode = Callable[..., Transcript]  # (audio, *, prompt=...) -> Transcript: transcribe or transcribe_words


@dataclass(frozen=True, slots=True)
class TranscribedHead:
    """The transcript of the first ``samples`` samples of a turn (a pass run at a pause in it)."""

    samples: int
    transcript: Transcript


def head_prompt(head: Transcript, context_words: int = CONTEXT_WORDS) -> str | None:
    """The head's last words, as the decode of what follows is conditioned on them."""
    if head.is_empty or context_words <= 0:
        return None
    if is_mostly_chinese(head.text):  # no spaces between words: the last characters instead
        return head.text.strip()[-2 * context_words:] or None
    return " ".join(head.text.split()[-context_words:]) or None


def continue_after(decode: Decode, audio: np.ndarray, head: TranscribedHead, *,
                   context_words: int = CONTEXT_WORDS) -> Transcript:
    """The transcript of ``audio`` (the whole turn so far) when ``head`` already covers its start."""
    if not 0 < head.samples < len(audio):
        raise ValueError(f"the head covers {head.samples} samples of a turn of {len(audio)}")
    rest = decode(audio[head.samples:], prompt=head_prompt(head.transcript, context_words))
    return joined(head, rest, len(audio) / SAMPLE_RATE)


def joined(head: TranscribedHead, rest: Transcript, duration_s: float) -> Transcript:
    """One transcript of the head and the rest (the rest's word times moved to the turn's clock)."""
    first = head.transcript
    if rest.is_empty:
        return replace(first, duration_s=duration_s)
    offset_s = head.samples / SAMPLE_RATE
    moved = tuple(Word(w.text, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.probability)
                  for w in rest.words)
    if first.is_empty:
        return replace(rest, words=moved, duration_s=duration_s)
    return Transcript(text=join_words((first.text, rest.text)), words=first.words + moved, duration_s=duration_s,
                      no_speech_prob=min(first.no_speech_prob, rest.no_speech_prob), language=rest.language)
