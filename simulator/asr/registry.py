"""The built-in ASR backends, and the one place settings choose between them.

Creating a backend is cheap: no heavy import or model load happens until its first ``transcribe``
(or ``load()``), so building the registry costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.asr.base import (
    DEFAULT_LANGUAGE,
    DEFAULT_MODELS,
    LanguageIdentifier,
    Transcriber,
    TranscriberRegistry,
)

if TYPE_CHECKING:
    from simulator.config import Settings


def _faster_whisper(**options) -> Transcriber:
    from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber
    return FasterWhisperTranscriber(**options)


def _openai_whisper(**options) -> Transcriber:
    from simulator.asr.openai_whisper_backend import OpenAIWhisperTranscriber
    return OpenAIWhisperTranscriber(**options)


def builtin_transcribers() -> TranscriberRegistry:
    registry = TranscriberRegistry("ASR backend", default="faster-whisper")
    registry.register("faster-whisper", _faster_whisper)
    registry.register("openai-whisper", _openai_whisper)
    return registry


def model_for_language(settings: Settings, language: str = DEFAULT_LANGUAGE) -> str:
    """The Whisper model for a scenario language: ``asr_models[language]``, else ``asr_model`` for English,
    else the language's default (``DEFAULT_MODELS``; the multilingual ``base`` for any other language)."""
    if language in settings.asr_models:
        return settings.asr_models[language]
    if language == DEFAULT_LANGUAGE:
        return settings.asr_model
    return DEFAULT_MODELS.get(language, DEFAULT_MODELS["zh"])


def transcriber_from_settings(settings: Settings, *, backend: str | None = None, model: str | None = None,
                              language: str = DEFAULT_LANGUAGE, **options) -> Transcriber:
    """The backend ``settings.asr_backend`` (or ``backend``) with the language's model and ``asr_threads``.

    Raises ``LookupError`` for an unknown backend name; model problems surface as ``AsrModelError``
    when the model loads.
    """
    name = backend or settings.asr_backend
    if name == "faster-whisper" and settings.asr_window == "full":
        options.setdefault("window_margin_s", None)  # only CTranslate2 can encode a window shorter than 30 s
    return builtin_transcribers().create(name,
                                         model=model or model_for_language(settings, language),
                                         threads=settings.asr_threads, language=language, **options)


def language_identifier_from_settings(settings: Settings, *, sharing: Transcriber | None = None
                                      ) -> LanguageIdentifier | None:
    """Spoken-language identification with the multilingual model other languages use (``asr_models.zh``
    or the packaged ``base``), for the faster-whisper backend; None for backends without it.  ``sharing``:
    a transcriber whose model, if it is that same one, the identifier uses instead of loading its own."""
    if settings.asr_backend != "faster-whisper":
        return None
    from simulator.asr.faster_whisper_backend import FasterWhisperLanguageIdentifier, FasterWhisperTranscriber

    model = model_for_language(settings, "zh")
    borrow = None
    if isinstance(sharing, FasterWhisperTranscriber) and sharing.model_name == model:
        borrow = sharing.loaded_model
    return FasterWhisperLanguageIdentifier(model, threads=settings.asr_threads, borrow=borrow)
