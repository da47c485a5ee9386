"""Fixtures for the voiced call: real sound devices without a sound card, and spoken replies.

* ``file_device``: the ALSA ``file`` device of ../shared/audio.  PortAudio reads the trainee from
  ``capture.raw`` and writes the customer to ``playback.raw``, bit-exact but not clocked.  The
  environment is set (and PortAudio re-initialised if something imported sounddevice earlier)
  before any stream opens; each stream open re-reads ``capture.raw``, so tests rewrite it freely.
* ``realtime``: a private PulseAudio daemon from ../shared/audio/realtime (start.sh/stop.sh),
  clocked in real time, with a virtual mic (``probe_mic``) and speaker (``probe_spk``) recorded
  on one clock, for barge-in and endpoint timing measured in samples.
* ``replies``: trainee replies spoken by espeak-ng, 16 kHz mono WAVs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.clip import CALL_RATE, AudioClip, read_wav, write_wav
from simulator.commands.latency_bench import start_realtime_daemon
from tests.conftest import absent

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
AUDIO_TEMPLATE = SHARED / "audio" / "asound.conf.template"
REALTIME = SHARED / "audio" / "realtime"

REPLY_TEXTS = {
    "billing": [
        "Thank you for calling, my name is Sam. I am so sorry you have been charged twice, that must be worrying.",
        "Can you confirm your date of birth for security please?",
        "I have refunded the second payment, it will be back in your account within three working days.",
        "Is there anything else I can help you with today?",
    ],
}


@dataclass
class FileDevice:
    folder: Path

    @property
    def capture(self) -> Path:
        return self.folder / "capture.raw"

    @property
    def playback(self) -> Path:
        return self.folder / "playback.raw"

    def set_capture(self, samples: np.ndarray, pad_s: float = 2.0) -> None:
        """What the microphone will hear (float32 16 kHz, as the call's streams are opened)."""
        padded = np.concatenate([samples.astype(np.float32), np.zeros(int(pad_s * CALL_RATE), np.float32)])
        padded.astype("<f4").tofile(self.capture)

    def played(self) -> np.ndarray:
        return np.fromfile(self.playback, "<f4") if self.playback.exists() else np.zeros(0, np.float32)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
        env["ALSA_CONFIG_PATH"] = str(self.folder / "asound.conf")
        return env


@pytest.fixture(scope="session")
def file_device(tmp_path_factory) -> FileDevice:
    if not AUDIO_TEMPLATE.is_file():
        absent(f"{AUDIO_TEMPLATE} is absent (the shared test devices are not mounted)")
    folder = tmp_path_factory.mktemp("alsa-file-device")
    (folder / "asound.conf").write_text(AUDIO_TEMPLATE.read_text().replace("@DIR@", str(folder)))
    device = FileDevice(folder)
    device.set_capture(np.zeros(CALL_RATE, np.float32))  # must exist before PortAudio enumerates
    saved = {k: os.environ.get(k) for k in ("ALSA_CONFIG_PATH", "PULSE_SERVER")}
    os.environ["ALSA_CONFIG_PATH"] = str(folder / "asound.conf")
    os.environ.pop("PULSE_SERVER", None)
    if "sounddevice" in sys.modules:  # imported earlier in this process: enumerate devices again
        sd = sys.modules["sounddevice"]
        sd._terminate()
        sd._initialize()
    yield device
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@dataclass
class Realtime:
    env: dict[str, str]
    state: Path


@pytest.fixture(scope="session")
def realtime(tmp_path_factory) -> Realtime:
    if not REALTIME.is_dir():
        absent(f"{REALTIME} is absent (the shared test devices are not mounted)")
    state = tmp_path_factory.mktemp("realtime-audio")
    env = start_realtime_daemon(REALTIME, state)
    yield Realtime(env, state)
    subprocess.run([str(REALTIME / "stop.sh")], env=env, capture_output=True, timeout=30)


def speak_with_espeak(text: str, path: Path, *, words_per_minute: int = 160) -> Path:
    """A 16 kHz mono WAV of ``text`` from the espeak-ng command line (independent of pyttsx3)."""
    raw = path.with_suffix(".22k.wav")
    subprocess.run(["espeak-ng", "-s", str(words_per_minute), "-w", str(raw), text], check=True,
                   capture_output=True, timeout=30)
    write_wav(path, read_wav(raw))
    raw.unlink()
    return path


@pytest.fixture(scope="session")
def replies(tmp_path_factory) -> dict[str, Path]:
    """Folders of reply WAVs, one per conversation in ``REPLY_TEXTS``."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed: apt-get install espeak-ng")
    base = tmp_path_factory.mktemp("replies")
    folders = {}
    for name, texts in REPLY_TEXTS.items():
        folder = base / name
        folder.mkdir()
        for number, text in enumerate(texts, start=1):
            speak_with_espeak(text, folder / f"reply_{number}.wav")
        folders[name] = folder
    return folders


@pytest.fixture(scope="session")
def speech_clip(tmp_path_factory) -> AudioClip:
    """About three seconds of one speaker, silence trimmed off both ends."""
    path = speak_with_espeak("I would like to talk to somebody about the bill I got this morning please.",
                             tmp_path_factory.mktemp("speech") / "speech.wav")
    clip = read_wav(path)
    loud = np.flatnonzero(np.abs(clip.samples) > 0.01)
    return AudioClip(clip.samples[loud[0]:loud[-1] + 1].copy())
