"""The built-in TTS engines by name; the settings (``tts_engine``) or the voice profile choose one."""

from __future__ import annotations

from simulator.registry import Registry
from simulator.tts.base import TtsEngine


def _pyttsx3() -> TtsEngine:
    from simulator.tts.pyttsx3_engine import Pyttsx3Engine
    return Pyttsx3Engine()


def _espeak_cli() -> TtsEngine:
    from simulator.tts.espeak_cli import EspeakCliEngine
    return EspeakCliEngine()


def builtin_engines() -> Registry[TtsEngine]:
    registry: Registry[TtsEngine] = Registry("TTS engine", default="pyttsx3")
    registry.register("pyttsx3", _pyttsx3)
    registry.register("espeak-ng", _espeak_cli)
    return registry
