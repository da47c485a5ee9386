"""espeak-ng through its command line: one process per line, so no shared state and any thread.

A second engine behind the same interface, and the fallback when pyttsx3 comes back empty (seen
under heavy CPU contention, MODELS.md section 6).  Costs a process start (~20-50 ms) per line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from simulator.audio.clip import CALL_RATE, AudioClip, read_wav
from simulator.scenario.voices import Prosody, VoiceProfile
from simulator.tts.base import SystemVoice, TtsError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INSTALL = "install it with: sudo apt-get install espeak-ng"


class EspeakCliEngine:
    name = "espeak-ng"

    def __init__(self):
        self._binary = shutil.which("espeak-ng")
        if self._binary is None:
            raise TtsError(f"espeak-ng is not installed; {_INSTALL}")

    def system_voices(self) -> list[SystemVoice]:
        listing = subprocess.run([self._binary, "--voices"], capture_output=True, text=True, timeout=30).stdout
        voices = []
        for line in listing.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 5:  # Pty Language Age/Gender VoiceName File Other
                voices.append(SystemVoice(parts[4], parts[3], (parts[1],), parts[2]))
        return voices

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody) -> AudioClip:
        with tempfile.TemporaryDirectory(prefix="callsim-espeak-") as folder:
            path = Path(folder) / "line.wav"
            command = [self._binary, "-v", voice.system_voice, "-s", str(prosody.rate_wpm), "-p", str(prosody.pitch),
                       "-a", str(round(prosody.volume * 100)), "-w", str(path), _CONTROL.sub(" ", text)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as err:
                raise TtsError(f"espeak-ng failed ({err}); {_INSTALL}") from None
            if done.returncode != 0 or not path.is_file():
                raise TtsError(f"espeak-ng could not speak in voice {voice.system_voice!r}: "
                               f"{done.stderr.strip() or 'no output'}; see `callsim voices`")
            clip = read_wav(path, CALL_RATE)
        if len(clip.samples) == 0:
            raise TtsError(f"espeak-ng produced no audio for {text[:40]!r}")
        return clip
