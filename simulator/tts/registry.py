"""The built-in TTS engines by name; the settings (``tts_engine``) or the voice profile choose one.

``auto`` (the default) is the neural voice (hibari) when its package is installed and espeak-ng
through pyttsx3 otherwise, with a warning naming the package: the call still runs, robotically.
``kokoro-zh`` (the Mandarin profiles) is Kokoro reading Mandarin, or espeak-ng's ``cmn`` the same way.
"""

from __future__ import annotations

import logging

from simulator.audio.clip import AudioClip
from simulator.lazy import MissingPackage
from simulator.registry import Registry
from simulator.scenario.voices import Prosody, VoiceProfile, espeak_mandarin_voice
from simulator.tts.base import SystemVoice, TtsEngine

AUTO = "auto"
KOKORO_ZH = "kokoro-zh"  # Mandarin: Kokoro when installed, else espeak-ng's cmn
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


def _kokoro_zh() -> TtsEngine:
    from simulator.tts.kokoro_zh_engine import KokoroMandarinEngine
    return KokoroMandarinEngine()


def _espeak_mandarin() -> TtsEngine:
    from simulator.tts.pyttsx3_engine import Pyttsx3Engine
    return EspeakMandarin(Pyttsx3Engine())


class EspeakMandarin:
    """An espeak-ng engine speaking a Kokoro Mandarin profile with espeak-ng's ``cmn`` voice of the
    profile's gender (the fallback when Kokoro is not installed: hard to follow, but the call runs)."""

    def __init__(self, engine: TtsEngine):
        self._engine = engine
        self.name = engine.name

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        return self._engine.render(text, espeak_mandarin_voice(voice), prosody)

    def system_voices(self) -> list[SystemVoice]:
        return self._engine.system_voices()


def kokoro_or_espeak(neural=_kokoro_zh, fallback=_espeak_mandarin) -> TtsEngine:
    """Kokoro's Mandarin, or espeak-ng's ``cmn`` with a warning naming the packages when they are missing."""
    try:
        return neural()
    except MissingPackage as err:
        log.warning("the Mandarin neural customer voice is unavailable, using espeak-ng's Mandarin instead "
                    "(Whisper and listeners hardly follow it): %s", err)
        return fallback()


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
    registry.register(KOKORO_ZH, kokoro_or_espeak)
    registry.register("pyttsx3", _pyttsx3)
    registry.register("espeak-ng", _espeak_cli)
    return registry
