"""Rendered lines kept in memory, keyed by what changes the sound: engine, voice, prosody, text."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from simulator.audio.clip import AudioClip
from simulator.scenario.voices import Prosody, VoiceProfile


@dataclass(frozen=True, slots=True)
class LineKey:
    engine: str
    voice_id: str
    system_voice: str
    prosody: Prosody
    text: str

    @classmethod
    def of(cls, engine: str, voice: VoiceProfile, prosody: Prosody, text: str) -> LineKey:
        return cls(engine, voice.id, voice.system_voice, prosody, " ".join(text.split()))


class LineCache:
    """A bounded least-recently-used cache; safe to read from any thread."""

    def __init__(self, max_lines: int = 512):
        self.max_lines = max_lines
        self._lines: OrderedDict[LineKey, AudioClip] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: LineKey) -> AudioClip | None:
        with self._lock:
            clip = self._lines.get(key)
            if clip is None:
                self.misses += 1
                return None
            self._lines.move_to_end(key)
            self.hits += 1
            return clip

    def peek(self, key: LineKey) -> bool:
        with self._lock:
            return key in self._lines

    def put(self, key: LineKey, clip: AudioClip) -> None:
        with self._lock:
            self._lines[key] = clip
            self._lines.move_to_end(key)
            while len(self._lines) > self.max_lines:
                self._lines.popitem(last=False)

    def __len__(self) -> int:
        return len(self._lines)
