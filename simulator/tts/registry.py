"""The built-in TTS engines by name; the settings (``tts_engine``) or the voice profile choose one.

``auto`` (the default) is the neural voice (hibari) when its package is installed and espeak-ng
through pyttsx3 otherwise, with a warning naming the package: the call still runs, robotically.
"""

from __future__ import annotations

import logging

from simulator.lazy import MissingPackage
from simulator.registry import Registry
from simulator.tts.base import TtsEngine

AUTO = "auto"
log = logging.getLogger("callsim.voice")


def _pyttsx3() -> TtsEngine:
    from simulator.tts.pyttsx3_engine import Pyttsx3Engine
    return Pyttsx3Engine()


def _espeak_cli() -> TtsEngine:
    from simulator.tts.espeak_cli import EspeakCliEngine
    return EspeakCliEngine()


def _hibari() -> TtsEngine:
    from simulator.tts.hibari_engine import HibariEngine
    return HibariEngine()


def neural_or_espeak(neural=_hibari, fallback=_pyttsx3) -> TtsEngine:
    """The neural engine, or espeak-ng with a warning when its package is missing."""
    try:
        return neural()
    except MissingPackage as err:
        log.warning("the neural customer voice is unavailable, using espeak-ng instead: %s", err)
        return fallback()


def builtin_engines() -> Registry[TtsEngine]:
    registry: Registry[TtsEngine] = Registry("TTS engine", default=AUTO)
    registry.register(AUTO, neural_or_espeak)
    registry.register("hibari", _hibari)
    registry.register("pyttsx3", _pyttsx3)
    registry.register("espeak-ng", _espeak_cli)
    return registry
