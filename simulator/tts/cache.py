"""Rendered lines keyed by what changes the sound: engine, voice (all its settings), prosody, text.

Two levels: a bounded in-memory LRU, and optionally a folder of WAVs under the user's data dir, so a
scenario rendered once (``callsim voices --render``, or a previous call) plays from disk in later
calls without synthesis.  Files are private (0600 in 0700 folders: the folder sits beside
recordings) and written atomically, so a crash or a second process never leaves half a line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

from simulator.audio.clip import AudioClip, read_wav, write_wav
from simulator.private_files import create_private_file, make_private_dir
from simulator.scenario.voices import Prosody, VoiceProfile

log = logging.getLogger("callsim.voice")
FORMAT_VERSION = 1  # bump when an engine's output for the same key changes (e.g. a new reshaping)


@dataclass(frozen=True, slots=True)
class LineKey:
    engine: str
    voice_id: str
    system_voice: str
    prosody: Prosody
    text: str
    voice_digest: str = ""  # every setting of the profile: an edited profile is a new voice

    @classmethod
    def of(cls, engine: str, voice: VoiceProfile, prosody: Prosody, text: str) -> LineKey:
        digest = hashlib.sha256(voice.model_dump_json().encode()).hexdigest()[:16]
        return cls(engine, voice.id, voice.system_voice, prosody, " ".join(text.split()), digest)

    def file_name(self) -> str:
        fields = {**asdict(self), "format": FORMAT_VERSION}
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]
        return f"{self.voice_id}-{digest}.wav"


class LineCache:
    """A bounded least-recently-used cache over an optional folder; safe to use from any thread."""

    def __init__(self, max_lines: int = 512, folder: Path | None = None):
        self.max_lines = max_lines
        self.folder = folder
        self._lines: OrderedDict[LineKey, AudioClip] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.disk_hits = 0
        self.misses = 0

    def _path(self, key: LineKey) -> Path | None:
        return None if self.folder is None else self.folder / key.engine / key.file_name()

    def get(self, key: LineKey) -> AudioClip | None:
        with self._lock:
            clip = self._lines.get(key)
            if clip is not None:
                self._lines.move_to_end(key)
                self.hits += 1
                return clip
        clip = self._read(key)
        with self._lock:
            if clip is None:
                self.misses += 1
                return None
            self.disk_hits += 1
            self._remember(key, clip)
            return clip

    def peek(self, key: LineKey) -> bool:
        with self._lock:
            if key in self._lines:
                return True
        path = self._path(key)
        return path is not None and path.is_file()

    def put(self, key: LineKey, clip: AudioClip) -> None:
        with self._lock:
            self._remember(key, clip)
        self._write(key, clip)

    def _remember(self, key: LineKey, clip: AudioClip) -> None:
        self._lines[key] = clip
        self._lines.move_to_end(key)
        while len(self._lines) > self.max_lines:
            self._lines.popitem(last=False)

    def _read(self, key: LineKey) -> AudioClip | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            return read_wav(path)
        except (OSError, ValueError) as err:  # damaged or truncated by hand: render it again
            log.warning("voice cache: %s unreadable (%s); rendering the line again", path, err)
            path.unlink(missing_ok=True)
            return None

    def _write(self, key: LineKey, clip: AudioClip) -> None:
        path = self._path(key)
        if path is None:
            return
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            make_private_dir(path.parent)
            write_wav(create_private_file(partial), clip)
            os.replace(partial, path)
        except OSError as err:  # a full or read-only disk costs a re-render next time, not the call
            partial.unlink(missing_ok=True)
            log.warning("voice cache: could not write %s (%s)", path, err)

    def __len__(self) -> int:
        return len(self._lines)
