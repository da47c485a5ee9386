"""What keeps Whisper honest: a voice-activity gate before decoding and checks on what it decoded.

Whisper was trained to always produce text, so on silence or noise it invents some ("Thank you.",
a repeated phrase, the prompt echoed back).  Four guards, shared by every backend:

1. ``speech_spans``: the Silero VAD shipped inside faster-whisper.  No speech -> no decoding at all.
2. ``SegmentChecks``: Whisper's own per-segment signals -- a high no-speech probability with a low
   average log-probability means "silence", a high gzip compression ratio means a repetition loop (in
   audio of several turns packed end to end, judged within each turn: ``without_looping_parts``).
3. Words (and segments) that lie entirely outside every speech span are dropped: text placed where
   the VAD heard nothing is text nobody said.  So is the prompt echoed back.
4. ``trim_trailing_invention``: the fluent "Thank you." Whisper likes to append at the end.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from simulator.asr.base import SAMPLE_RATE
from simulator.asr.wer import FILLERS
from simulator.contracts import Transcript, Word
from simulator.lazy import require
from simulator.text import join_words

# Fillers Whisper normally cleans away.  Conditioning on text that contains them makes the model
# keep the trainee's own "um"/"uh", which the tone scorer counts.  No common turn openers ("okay",
# "so") in it: the prompt reads as already said, and a version ending in "okay." made Whisper drop
# the trainee's opening "Okay" (measured on 2 of 2 such sentences).  The same prompt also pushes the
# model towards disfluent spellings of real words ("ill-disposed" -> "old -as -post" on held-out
# speech), so it only conditions the filler pass: the words come from a decode without it
# (``merge_fillers``).
FILLER_PROMPT = "Um, uh, er, hmm, I mean, like, you know."


def model_input(audio: np.ndarray) -> np.ndarray:
    """Samples as both models want them: 1-D contiguous float32, finite, within [-1, 1]."""
    samples = np.nan_to_num(np.asarray(audio, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    if samples.ndim == 2 and min(samples.shape) <= 8:  # (frames, channels) or (channels, frames)
        samples = samples.mean(axis=1 if samples.shape[1] <= samples.shape[0] else 0)
    elif samples.ndim != 1:
        samples = samples.ravel()
    return np.ascontiguousarray(np.clip(samples, -1.0, 1.0), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class VadSettings:
    """Silero VAD settings.  ``pad_s`` widens each span (speech onsets/offsets are soft)."""

    threshold: float = 0.5
    min_speech_s: float = 0.12  # a short "yes" or "uh" is ~0.2 s; clicks are shorter
    min_silence_s: float = 0.5
    pad_s: float = 0.3


def speech_spans(audio: np.ndarray, settings: VadSettings = VadSettings()) -> list[SpeechSpan]:
    """Where someone is speaking in 16 kHz float32 audio (seconds), by the Silero VAD."""
    if len(audio) == 0:
        return []
    vad = require("faster_whisper.vad", "faster-whisper", feature="voice activity detection")
    options = vad.VadOptions(
        threshold=settings.threshold,
        min_speech_duration_ms=int(settings.min_speech_s * 1000),
        min_silence_duration_ms=int(settings.min_silence_s * 1000),
        speech_pad_ms=int(settings.pad_s * 1000),
    )
    spans = vad.get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [SpeechSpan(span["start"] / SAMPLE_RATE, span["end"] / SAMPLE_RATE) for span in spans]


@dataclass(frozen=True, slots=True)
class DecodedSegment:
    """One segment as a backend decoded it, before the guards (times in seconds from clip start)."""

    text: str
    start_s: float
    end_s: float
    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float


@dataclass(frozen=True, slots=True)
class SegmentChecks:
    """Thresholds on Whisper's own per-segment signals (the values openai-whisper uses by default)."""

    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    new_sentence_min_probability: float = 0.15  # see trim_trailing_invention
    new_sentence_min_mean_probability: float = 0.6

    def rejection(self, segment: DecodedSegment, *, judge_repetition: bool = True) -> str | None:
        """Why ``segment`` is not trusted, or ``None`` if it is (``judge_repetition=False``: its window's
        compression ratio is left out, for a caller that judges repetition itself)."""
        if segment.no_speech_prob > self.no_speech_threshold and segment.avg_logprob < self.logprob_threshold:
            return "no speech"
        if judge_repetition and segment.compression_ratio > self.compression_ratio_threshold:
            return "repetition loop"
        return None


def compression_ratio(text: str) -> float:
    """How far zlib shrinks ``text``'s UTF-8 bytes: Whisper's measure of a repetition loop."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def part_of(start_s: float, end_s: float, parts_s: Sequence[tuple[float, float]]) -> int:
    """The index of the packed part a word from ``start_s`` to ``end_s`` belongs to: the part whose own audio
    (``parts_s``: each part's start and end) it overlaps most.  Whisper times the first word after a silence
    from the end of the word before it, so that word reaches back into the silence packed before its part,
    and a last word may run on into the silence after; a word wholly in a silence goes to the nearest part."""
    overlaps = [min(end_s, last) - max(start_s, first) for first, last in parts_s]
    best = max(range(len(parts_s)), key=overlaps.__getitem__)
    if overlaps[best] > 0:
        return best
    middle_s = (start_s + end_s) / 2
    return min(range(len(parts_s)), key=lambda i: max(parts_s[i][0] - middle_s, middle_s - parts_s[i][1], 0.0))


def without_looping_parts(words: Sequence[Word], parts_s: Sequence[tuple[float, float]], threshold: float
                          ) -> list[Word]:
    """``words`` less those of any packed part whose own words compress like a repetition loop.

    faster-whisper gives every segment of a 30-s window the compression ratio of the whole window's text,
    so in audio made of several turns packed end to end one turn's loop, or the same short answer given in
    three turns, would condemn every turn in the window.  Each part's words are judged together, not one
    segment at a time: a loop can come as a run of one-phrase segments, each compressing like speech.
    """
    owners = [part_of(word.start_s, word.end_s, parts_s) for word in words]
    by_part: dict[int, list[str]] = {}
    for word, owner in zip(words, owners, strict=True):
        by_part.setdefault(owner, []).append(word.text)
    looping = {part for part, texts in by_part.items() if compression_ratio(join_words(texts)) > threshold}
    return [word for word, owner in zip(words, owners, strict=True) if owner not in looping]


def _inside_speech(start_s: float, end_s: float, spans: list[SpeechSpan]) -> bool:
    return any(start_s < span.end_s and end_s > span.start_s for span in spans)


def _normalised(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def assemble_transcript(segments: list[DecodedSegment], spans: list[SpeechSpan], duration_s: float, *,
                        checks: SegmentChecks = SegmentChecks(), prompt: str | None = None,
                        parts_s: Sequence[tuple[float, float]] = ()) -> Transcript:
    """Apply the guards to decoded segments and join the survivors into one ``Transcript``.

    ``parts_s``: the audio is several recordings packed end to end with silence between, each from its start
    to its end here (in order); a repetition loop is then judged within each part's words
    (``without_looping_parts``), where the segments have word times to tell the parts apart.
    """
    echoed_prompt = _normalised(prompt) if prompt else None
    kept: list[tuple[DecodedSegment, tuple[Word, ...]]] = []
    for segment in segments:
        text = segment.text.strip()
        judged_by_part = bool(parts_s) and bool(segment.words)
        if not text or checks.rejection(segment, judge_repetition=not judged_by_part) is not None:
            continue
        if echoed_prompt and _normalised(text) and _normalised(text) in echoed_prompt:
            continue  # the model repeated its conditioning text instead of transcribing
        if segment.words:
            inside = tuple(w for w in segment.words if _inside_speech(w.start_s, w.end_s, spans))
            if inside:
                kept.append((segment, inside))
        elif _inside_speech(segment.start_s, segment.end_s, spans):
            kept.append((segment, ()))
    heard = [w for _segment, segment_words in kept for w in segment_words]
    if parts_s:
        heard = without_looping_parts(heard, parts_s, checks.compression_ratio_threshold)
    words = join_split_hyphens(trim_trailing_invention(heard, checks))
    if any(segment_words for _segment, segment_words in kept):
        text = join_words(w.text for w in words)
    else:
        text = join_split_hyphens_in_text(join_words(segment.text for segment, _words in kept))
    if not text:
        return empty_transcript(duration_s, no_speech_prob=max((s.no_speech_prob for s in segments), default=1.0))
    no_speech = [segment.no_speech_prob for segment, _words in kept]
    return Transcript(text=text, words=tuple(words), duration_s=duration_s,
                      no_speech_prob=sum(no_speech) / len(no_speech))


_SENTENCE_END = (".", "!", "?", "。", "！", "？")


def trim_trailing_invention(words: list[Word], checks: SegmentChecks) -> list[Word]:
    """Drop trailing sentences the audio hardly supports.

    At the end of a clip (more so with a prompt) Whisper tends to append a short, fluent sentence
    nobody said -- "Thank you.", "This is..." -- whose first word has a probability near zero and
    whose words average well below real speech.  Fillers are skipped when finding the first word:
    a real "Um, let me check." often starts with a filler of low probability.
    """
    while words:
        starts = [i for i in range(1, len(words)) if words[i - 1].text.endswith(_SENTENCE_END)]
        if not starts:
            return words
        tail = words[starts[-1]:]
        content = [w for w in tail if _bare(w.text) not in FILLERS]
        mean_probability = sum(w.probability for w in tail) / len(tail)
        if not content or content[0].probability >= checks.new_sentence_min_probability or \
                mean_probability >= checks.new_sentence_min_mean_probability:
            return words
        words = words[: starts[-1]]
    return words


def join_split_hyphens(words: list[Word]) -> list[Word]:
    """Glue a word that starts with "-" to the one before: Whisper's tokens "cold", "-hearted" -> "cold-hearted".

    A leading hyphen followed by a letter never begins a real word in speech, so the join is safe; a
    lone "-" (a dash between clauses) is left alone.
    """
    joined: list[Word] = []
    for word in words:
        if joined and _continues_hyphenated(word.text):
            before = joined[-1]
            joined[-1] = Word(text=before.text.rstrip() + word.text.strip(), start_s=before.start_s,
                              end_s=word.end_s, probability=min(before.probability, word.probability))
        else:
            joined.append(word)
    return joined


def _continues_hyphenated(text: str) -> bool:
    text = text.strip()
    return len(text) > 1 and text[0] == "-" and text[1].isalpha()


def join_split_hyphens_in_text(text: str) -> str:
    """The same join for segment text without word timings: "cold -hearted" -> "cold-hearted"."""
    return _SPLIT_HYPHEN.sub(r"\1-\2", text)


_SPLIT_HYPHEN = re.compile(r"(\w) -([^\W\d_])")  # a letter after the hyphen, as in _continues_hyphenated


def merge_fillers(words: tuple[Word, ...], filler_pass_text: str) -> tuple[Word, ...]:
    """The word pass's words, with the fillers that only the filler pass wrote put in where it wrote them.

    Only fillers are taken from the filler pass, so its other words -- bent by the filler prompt --
    never reach the transcript.  The two texts are aligned word by word (the filler pass runs without
    word timings, which would cost as much again as its decoding); a filler goes before the word pass's
    words that its own following words stand for, and takes the time of the gap it falls into.  Whisper
    without the prompt stretches a neighbouring word over an "um", so that gap is often zero long.
    """
    merged: list[Word] = []
    next_word = 0  # index of the word pass's next word: the one after any filler placed now
    for item in _with_fillers([w.text for w in words], filler_pass_text):
        if isinstance(item, int):
            merged.append(words[item])
            next_word = item + 1
        else:
            merged.append(_placed_filler(item, merged[-1] if merged else None,
                                         words[next_word] if next_word < len(words) else None))
    return tuple(merged)


def merge_fillers_into_text(text: str, filler_pass_text: str) -> str:
    """``merge_fillers`` for a transcript without word timings: the fillers go into the text."""
    tokens = text.split()
    return " ".join(tokens[item] if isinstance(item, int) else item
                    for item in _with_fillers(tokens, filler_pass_text))


def _with_fillers(tokens: list[str], filler_pass_text: str) -> list[int | str]:
    """The word pass's tokens (as indices) in order, with the filler pass's extra fillers (as text) among them."""
    heard = filler_pass_text.split()
    if not any(_bare(token) in FILLERS for token in heard):
        return list(range(len(tokens)))
    matcher = SequenceMatcher(a=[_bare(t) for t in heard], b=[_bare(t) for t in tokens], autojunk=False)
    before: dict[int, list[str]] = {}  # index in tokens (len(tokens) = at the end) -> fillers that go before it
    for tag, heard_from, heard_to, tokens_from, tokens_to in matcher.get_opcodes():
        if tag == "equal":
            continue  # fillers the word pass wrote itself are already there
        for index in range(heard_from, heard_to):
            if _bare(heard[index]) in FILLERS:
                # leading fillers of a differing stretch come before its words, the others after them
                leading = all(_bare(t) in FILLERS for t in heard[heard_from:index + 1])
                before.setdefault(tokens_from if leading else tokens_to, []).append(heard[index])
    ordered: list[int | str] = []
    for position in range(len(tokens) + 1):
        ordered.extend(before.get(position, ()))
        if position < len(tokens):
            ordered.append(position)
    return ordered


def _placed_filler(text: str, before: Word | None, after: Word | None) -> Word:
    start = before.end_s if before is not None else (after.start_s if after is not None else 0.0)
    end = max(start, after.start_s) if after is not None else start
    # No word timing means no word probability either; 0.5 says "unknown" to anything that weighs it.
    return Word(text=text, start_s=start, end_s=end, probability=0.5)


def _bare(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def empty_transcript(duration_s: float, *, no_speech_prob: float = 1.0) -> Transcript:
    return Transcript(text="", words=(), duration_s=duration_s, no_speech_prob=no_speech_prob)


def combined_prompt(prompt: str | None, keep_fillers: bool) -> str | None:
    """The caller's context first, then the filler-style text (the most recent text steers style most)."""
    parts = [p.strip() for p in (prompt, FILLER_PROMPT if keep_fillers else None) if p and p.strip()]
    return " ".join(parts) or None
