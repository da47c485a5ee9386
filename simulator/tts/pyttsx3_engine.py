"""pyttsx3 over espeak-ng, rendered to a file and loaded (never played by the driver itself).

Measured pitfalls this works around (see MODELS.md section 6): ``setProperty("rate")`` is
ignored or applied late, so rate, pitch and volume go in as espeak embedded commands; the driver
prints "Audio saved to" on stdout; one utterance per ``runAndWait``; under load a save can come
out empty, so the file is checked and the render retried once.

The driver's print is silenced in the driver module itself: ``contextlib.redirect_stdout`` swaps
``sys.stdout`` for every thread, so rendering ahead on the TTS thread would swallow the call's
own transcript printed by the main thread.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import threading
import weakref
from pathlib import Path

from simulator.audio.clip import CALL_RATE, AudioClip, read_wav
from simulator.lazy import require
from simulator.scenario.voices import Prosody, VoiceProfile
from simulator.tts.base import SystemVoice, TtsError
from simulator.tts.espeak_cli import EspeakCliEngine

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INSTALL = "install it with: sudo apt-get install espeak-ng libespeak-ng1"


def espeak_commands(prosody: Prosody) -> str:
    """espeak-ng embedded commands: rate (S, words per minute), amplitude (A, 0-200), pitch (P)."""
    amplitude = round(prosody.volume * 100)
    return f"\x01{prosody.rate_wpm}S\x01{amplitude}A\x01{prosody.pitch}P "


def _silent(*_args, **_kwargs) -> None:
    pass


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(self) -> None:
        self._engine = None
        self._owner: threading.Thread | None = None
        self._dir: Path | None = None  # made at the first render: an engine only listed or checked leaves nothing
        self._cleanup: weakref.finalize | None = None
        self._count = 0
        self._known: set[str] | None = None

    def _driver(self):
        if self._engine is None:
            pyttsx3 = require("pyttsx3", feature="the customer's voice")
            try:
                self._engine = pyttsx3.init()
            except (OSError, RuntimeError) as err:
                raise TtsError(f"espeak-ng could not be loaded for pyttsx3 ({err}); {_INSTALL}") from None
            self._owner = threading.current_thread()
            driver_module = sys.modules.get("pyttsx3.drivers.espeak")
            if driver_module is not None:
                driver_module.print = _silent  # shadows the builtin in that module only
        elif threading.current_thread() is not self._owner:
            raise RuntimeError("pyttsx3 is not thread-safe: render only from the thread that created it")
        return self._engine

    def system_voices(self) -> list[SystemVoice]:
        voices = self._driver().getProperty("voices")
        return [SystemVoice(v.id, v.name, tuple(v.languages or ()), v.gender) for v in voices]

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        engine = self._driver()
        if self._known is None:
            self._known = {v.id for v in self.system_voices()}
        base = voice.system_voice.split("+")[0].lower()
        if base not in self._known:
            # espeak-ng keeps the previous voice on an unknown name, silently: refuse instead.
            raise TtsError(f"voice profile {voice.id!r}: espeak-ng has no voice {voice.system_voice!r}; "
                           f"see `callsim voices` for the ones installed")
        try:
            engine.setProperty("voice", voice.system_voice)
        except (ValueError, OSError) as err:
            raise TtsError(f"voice profile {voice.id!r}: espeak-ng has no voice {voice.system_voice!r} "
                           f"({err}); see `callsim voices` for the ones installed") from None
        spoken = espeak_commands(prosody) + _CONTROL.sub(" ", text)
        folder = self._work_dir()
        for _attempt in range(2):
            self._count += 1
            path = folder / f"line-{self._count}.wav"
            engine.save_to_file(spoken, str(path))
            engine.runAndWait()
            try:
                clip = read_wav(path, CALL_RATE) if path.is_file() else None
            except ValueError:
                clip = None
            finally:
                path.unlink(missing_ok=True)
            if clip is not None and len(clip.samples) > 0:
                return clip
        # Twice empty: take the command-line path to the same synthesiser (no shared state).
        try:
            return EspeakCliEngine().render(text, voice, prosody)
        except TtsError as err:
            raise TtsError(f"espeak-ng produced no audio for {text[:40]!r} through pyttsx3 (twice) nor its "
                           f"command line ({err}); check that espeak-ng works: espeak-ng 'hello'") from None

    def _work_dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="callsim-tts-"))
            # an engine dropped without close() (a crashed call, a test) still takes its folder with it
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, ignore_errors=True)
        return self._dir

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()
