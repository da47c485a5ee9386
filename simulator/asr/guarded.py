"""What both Whisper backends share: lazy loading under one lock, and the guards around decoding.

A backend subclasses ``GuardedWhisper`` and supplies ``_load_model`` (build the library's model,
raising ``AsrModelError`` with what to set) and ``_decode`` (run it on speech that passed the VAD
gate).  The base class does the rest the same way for every backend: the VAD gate, the filler
pass, serialised calls and ``assemble_transcript``'s checks against invented text.

Words and fillers come from two decodes of the same speech (``FillerMode.SEPARATE_PASS``): the
words from one conditioned only on the caller's context, the fillers from one conditioned on the
filler prompt, which makes Whisper write "um"/"uh" but also bends real words.  Only the fillers of
the second decode are kept (``merge_fillers``), so the words are exactly what Whisper hears without
the prompt and the tone scorer still counts the fillers.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from simulator.asr.base import DEFAULT_LANGUAGE, DEFAULT_MODEL, SAMPLE_RATE, AsrModelError
from simulator.asr.guards import (
    DecodedSegment,
    SegmentChecks,
    SpeechSpan,
    VadSettings,
    assemble_transcript,
    combined_prompt,
    empty_transcript,
    merge_fillers,
    merge_fillers_into_text,
    model_input,
    speech_spans,
)
from simulator.asr.script import SimplifiedChinese
from simulator.contracts import Transcript
from simulator.text import join_words

if TYPE_CHECKING:
    import numpy as np


class FillerMode(enum.StrEnum):
    """How (and whether) the trainee's "um"/"uh" reach the transcript."""

    SEPARATE_PASS = "separate-pass"  # words without the filler prompt, fillers from a second prompted decode
    IN_WORD_PASS = "in-word-pass"  # one decode with the filler prompt: cheaper, but it bends real words
    OFF = "off"  # one decode without the prompt: Whisper drops most fillers


class GuardedWhisper:
    """Loads on first use; calls are serialised (one owner thread at a time)."""

    name = "whisper"

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int = 2, keep_fillers: bool = True,
                 fillers: FillerMode = FillerMode.SEPARATE_PASS, word_timestamps: bool = True,
                 vad: VadSettings = VadSettings(), checks: SegmentChecks = SegmentChecks(),
                 language: str = DEFAULT_LANGUAGE):
        self.model_name = model
        self.threads = threads
        self.language = language
        # The filler prompt is English ("Um, uh, er"): it would bend Mandarin towards English, so
        # other languages get one decode without it.
        self.fillers = FillerMode.OFF if not keep_fillers or language != DEFAULT_LANGUAGE else FillerMode(fillers)
        # how Mandarin is written; None keeps Whisper's own characters (the benchmark measures both)
        self.written_script: Callable[[str], str] | None = SimplifiedChinese() if language == "zh" else None
        self.word_timestamps = word_timestamps
        self.vad = vad
        self.checks = checks
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (else the first ``transcribe`` does); raises ``AsrModelError``."""
        with self._lock:
            self._ensure_loaded()

    def loaded_model(self) -> Any:
        """The backend's model, loaded now if it was not (for a part that can share it); raises ``AsrModelError``."""
        with self._lock:
            return self._ensure_loaded()

    def _ensure_loaded(self) -> Any:
        if self._model is None:
            self._model = self._load_model()
        return self._model

    def _load_model(self) -> Any:
        raise NotImplementedError

    def _load_failed(self, err: Exception, what_to_do: str) -> AsrModelError:
        """The error for a model the library could not load: backend, model, the library's reason, advice."""
        reason = str(err).splitlines()[0] if str(err) else ""
        return AsrModelError(f"{self.name} could not load the Whisper model {self.model_name!r} "
                             f"({type(err).__name__}: {reason}). {what_to_do}")

    def _decode(self, model: Any, audio: np.ndarray, initial_prompt: str | None, *,
                text_only: bool = False) -> list[DecodedSegment]:
        """Decode speech; ``text_only=True`` asks for the text alone: no word alignment even when
        ``word_timestamps`` is on, and no segment timestamps, so Whisper reads each 30-s window once
        (with timestamps it drops a window's unfinished last segment and decodes from there again)."""
        raise NotImplementedError

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """The words and, unless ``fillers`` is ``OFF``, the fillers (``transcribe_words`` + ``add_fillers``)."""
        return self._heard(model_input(audio), prompt)

    def transcribe_words(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """The word pass alone: what a caller in a hurry needs first (``add_fillers`` can follow later)."""
        audio = model_input(audio)
        return self._word_pass(audio, speech_spans(audio, self.vad), prompt)

    def transcribe_parts(self, audio: np.ndarray, parts_s: Sequence[tuple[float, float]], *, fillers: bool = True
                         ) -> Transcript:
        """``transcribe`` (``fillers=False``: ``transcribe_words``) of several recordings packed end to end,
        each from its start to its end in ``parts_s``: each part's speech is found, and a repetition loop
        judged, within that part, so a loop costs only the part it is in its words, and neither the same short
        answer in several parts nor a quiet part after loud ones costs any part its words."""
        return self._heard(model_input(audio), None, parts_s, fillers=fillers)

    def _heard(self, audio: np.ndarray, prompt: str | None, parts_s: Sequence[tuple[float, float]] = (), *,
               fillers: bool = True) -> Transcript:
        spans = self._speech_in_parts(audio, parts_s) if parts_s else speech_spans(audio, self.vad)
        transcript = self._word_pass(audio, spans, prompt, parts_s)
        if not fillers or self.fillers is not FillerMode.SEPARATE_PASS or not spans:
            return transcript
        return self._filler_pass(audio, spans, transcript, prompt)

    def _speech_in_parts(self, audio: np.ndarray, parts_s: Sequence[tuple[float, float]]) -> list[SpeechSpan]:
        """Speech found in each packed part's own audio, as if it were heard alone: the VAD carries its state
        from one stretch of audio into the next, and run over the whole pass it missed most of a quiet turn
        that follows louder ones (docs/qa.md, "Speech found in each packed turn on its own")."""
        spans: list[SpeechSpan] = []
        for start_s, end_s in parts_s:
            part = audio[int(start_s * SAMPLE_RATE):int(end_s * SAMPLE_RATE)]
            spans.extend(SpeechSpan(start_s + span.start_s, start_s + span.end_s)
                         for span in speech_spans(part, self.vad))
        return spans

    def add_fillers(self, audio: np.ndarray, transcript: Transcript, *, prompt: str | None = None) -> Transcript:
        """``transcript`` (from ``transcribe_words`` on the same audio) with the filler pass's fillers put in.

        Right after the word pass the encoder's output is reused (faster-whisper), so this costs the
        text decoder only; run later, e.g. off a live turn's path, it costs a whole decode.
        """
        audio = model_input(audio)
        spans = speech_spans(audio, self.vad)
        return self._filler_pass(audio, spans, transcript, prompt) if spans else transcript

    def _word_pass(self, audio: np.ndarray, spans: list[SpeechSpan], prompt: str | None,
                   parts_s: Sequence[tuple[float, float]] = ()) -> Transcript:
        duration_s = len(audio) / SAMPLE_RATE
        if not spans:
            return empty_transcript(duration_s)
        word_prompt = combined_prompt(prompt, self.fillers is FillerMode.IN_WORD_PASS)
        with self._lock:
            segments = self._in_written_script(self._decode(self._ensure_loaded(), audio, word_prompt))
        return assemble_transcript(segments, spans, duration_s, checks=self.checks, prompt=word_prompt,
                                   parts_s=parts_s)

    def _filler_pass(self, audio: np.ndarray, spans: list[SpeechSpan], transcript: Transcript,
                     prompt: str | None) -> Transcript:
        filler_prompt = combined_prompt(prompt, True)
        with self._lock:  # the text alone: the fillers are placed by aligning the texts (merge_fillers)
            segments = self._decode(self._ensure_loaded(), audio, filler_prompt, text_only=True)
        filler_pass = assemble_transcript(segments, spans, len(audio) / SAMPLE_RATE, checks=self.checks,
                                          prompt=filler_prompt)
        if not transcript.words:  # no word timings (live turns): the fillers go into the text alone
            text = merge_fillers_into_text(transcript.text, filler_pass.text)
            return transcript if text == transcript.text else replace(transcript, text=text)
        words = merge_fillers(transcript.words, filler_pass.text)
        if words == transcript.words:
            return transcript
        return replace(transcript, text=join_words(w.text for w in words), words=words)

    def _in_written_script(self, segments: list[DecodedSegment]) -> list[DecodedSegment]:
        """Mandarin segments in simplified characters (Whisper writes traditional ones for about half of them)."""
        convert = self.written_script
        if convert is None:
            return segments
        return [replace(segment, text=convert(segment.text),
                        words=tuple(replace(word, text=convert(word.text)) for word in segment.words))
                for segment in segments]

    @property
    def fillers_apart(self) -> bool:
        """The fillers come from a second decode, so ``transcribe_words`` then ``add_fillers`` can split them."""
        return self.fillers is FillerMode.SEPARATE_PASS

    @property
    def keep_fillers(self) -> bool:
        return self.fillers is not FillerMode.OFF
