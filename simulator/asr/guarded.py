"""What both Whisper backends share: lazy loading under one lock, and the guards around decoding.

A backend subclasses ``GuardedWhisper`` and supplies ``_load_model`` (build the library's model,
raising ``AsrModelError`` with what to set) and ``_decode`` (run it on speech that passed the VAD
gate).  The base class does the rest the same way for every backend: the VAD gate, the filler
prompt, serialised calls and ``assemble_transcript``'s checks against invented text.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from simulator.asr.base import DEFAULT_MODEL, SAMPLE_RATE, AsrModelError
from simulator.asr.guards import (
    DecodedSegment,
    SegmentChecks,
    VadSettings,
    assemble_transcript,
    combined_prompt,
    empty_transcript,
    model_input,
    speech_spans,
)
from simulator.contracts import Transcript

if TYPE_CHECKING:
    import numpy as np


class GuardedWhisper:
    """Loads on first use; calls are serialised (one owner thread at a time)."""

    name = "whisper"

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int = 2, keep_fillers: bool = True,
                 word_timestamps: bool = True, vad: VadSettings = VadSettings(),
                 checks: SegmentChecks = SegmentChecks()):
        self.model_name = model
        self.threads = threads
        self.keep_fillers = keep_fillers
        self.word_timestamps = word_timestamps
        self.vad = vad
        self.checks = checks
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (else the first ``transcribe`` does); raises ``AsrModelError``."""
        with self._lock:
            self._ensure_loaded()

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

    def _decode(self, model: Any, audio: np.ndarray, initial_prompt: str | None) -> list[DecodedSegment]:
        raise NotImplementedError

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        audio = model_input(audio)
        duration_s = len(audio) / SAMPLE_RATE
        spans = speech_spans(audio, self.vad)
        if not spans:
            return empty_transcript(duration_s)
        initial_prompt = combined_prompt(prompt, self.keep_fillers)
        with self._lock:
            segments = self._decode(self._ensure_loaded(), audio, initial_prompt)
        return assemble_transcript(segments, spans, duration_s, checks=self.checks, prompt=initial_prompt)
