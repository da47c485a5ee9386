"""The text-to-speech interface and its registry.

An engine renders one line in one voice with one prosody to a 16 kHz mono clip.  Engines are not
assumed thread-safe: ``tts.worker.TtsWorker`` owns one and is the only thread that calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from simulator.audio.clip import AudioClip
from simulator.tts.voices import Prosody, VoiceProfile


class TtsError(RuntimeError):
    """The engine could not render a line (missing engine, unknown voice, empty output)."""


@dataclass(frozen=True, slots=True)
class SystemVoice:
    """A voice the engine itself offers (what a profile's ``system_voice`` names)."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


class TtsEngine(Protocol):
    name: str

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        """The line as 16 kHz mono float32; raises ``TtsError`` with what to do."""

    def system_voices(self) -> list[SystemVoice]: ...


TtsFactory = Callable[[], TtsEngine]


class TtsRegistry:
    def __init__(self, default: str):
        self.default = default
        self._factories: dict[str, TtsFactory] = {}

    def register(self, name: str, factory: TtsFactory) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, name: str | None = None) -> TtsEngine:
        chosen = name or self.default
        try:
            factory = self._factories[chosen]
        except KeyError:
            raise LookupError(f"unknown TTS engine {chosen!r}; choose one of: {', '.join(self.names())}") from None
        return factory()


def builtin_engines() -> TtsRegistry:
    from simulator.tts.espeak_cli import EspeakCliEngine
    from simulator.tts.pyttsx3_engine import Pyttsx3Engine

    registry = TtsRegistry(default="pyttsx3")
    registry.register("pyttsx3", Pyttsx3Engine)
    registry.register("espeak-ng", EspeakCliEngine)
    return registry
