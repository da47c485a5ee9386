"""The text-to-speech interface and its registry.

An engine renders one line in one voice with one prosody to a 16 kHz mono clip.  Engines are not
assumed thread-safe: ``tts.worker.TtsWorker`` owns one and is the only thread that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from simulator.audio.clip import AudioClip
from simulator.scenario.voices import Prosody, VoiceProfile


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
