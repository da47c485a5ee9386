"""Sound devices for the device check: list, measure the input level, play a test sound.

Plain Python; called from worker threads.  Uses ``simulator.audio.devices`` (the project's device
layer) and imports sounddevice lazily, so the app starts without a sound card.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulator.lazy import MissingPackage, require
from simulator.scenario.diagnostics import FileProblems
from simulator.ui.i18n import Phrase

TEST_RATE = 16000
FLOOR_DB = -90.0


class DeviceProblem(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    label: str
    value: str  # what Settings/roster store: a device name


def list_choices() -> tuple[list[DeviceChoice], list[DeviceChoice]]:
    """(inputs, outputs); raises DeviceProblem with what to do when nothing can be listed."""
    try:
        from simulator.audio.devices import AudioDeviceError, list_devices
    except ImportError as err:
        raise DeviceProblem(f"the audio device layer is not available ({err})") from None
    try:
        devices = list_devices()
    except (AudioDeviceError, MissingPackage) as err:
        raise DeviceProblem(str(err)) from None
    inputs = [DeviceChoice(f"{d.index}: {d.name}" + (" (default)" if d.is_default_input else ""), d.name)
              for d in devices if d.max_input_channels > 0]
    outputs = [DeviceChoice(f"{d.index}: {d.name}" + (" (default)" if d.is_default_output else ""), d.name)
               for d in devices if d.max_output_channels > 0]
    return inputs, outputs


def level_db(block) -> float:
    np = require("numpy")
    samples = np.asarray(block, dtype=np.float32)
    rms = float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0
    return max(FLOOR_DB, 20 * np.log10(rms)) if rms > 0 else FLOOR_DB


def watch_input_level(device: str | None, on_level: Callable[[float], None], stop: threading.Event,
                      block_s: float = 0.1) -> None:
    """Report the input level every ``block_s`` until ``stop`` is set (blocking reads: no callback)."""
    sd = require("sounddevice", feature="the device check")
    frames = int(TEST_RATE * block_s)
    try:
        with sd.InputStream(device=device, channels=1, samplerate=TEST_RATE, dtype="float32") as stream:
            while not stop.is_set():
                block, _overflowed = stream.read(frames)
                on_level(level_db(block[:, 0]))
                stop.wait(block_s / 2)
    except (sd.PortAudioError, ValueError) as err:
        raise DeviceProblem(f"cannot open input device {device or 'default'}: {err}") from None


TEST_LINE = "Hello, this is your callsim test line. If you can hear me clearly, your headset works."


def play_test_sound(device: str | None, voices_dir: Path, engine: str | None = None) -> Phrase:
    """Speak a test line in a customer voice through the call's TTS and player (a tone if no TTS)."""
    from simulator.audio.clip import AudioClip
    from simulator.audio.devices import AudioDeviceError
    from simulator.audio.playback import Player

    clip, what = _test_line(voices_dir, engine)
    if clip is None:
        np = require("numpy")
        t = np.arange(int(TEST_RATE * 0.6)) / TEST_RATE
        clip = AudioClip((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), TEST_RATE)
    player = Player(device)
    try:
        player.play(clip)
        player.wait_to_end()
    except AudioDeviceError as err:
        raise DeviceProblem(str(err)) from None
    finally:
        player.close()
    return what


def _test_line(voices_dir: Path, engine: str | None):
    """(clip, description) from the first voice profile, or (None, why) when TTS is unavailable; the
    description is a message for the app's catalogue."""
    try:
        from simulator.scenario.voices import load_voice
        from simulator.tts.base import TtsError
        from simulator.tts.registry import builtin_engines
    except (ImportError, MissingPackage) as err:
        return None, Phrase("test tone (text-to-speech unavailable: {error})", {"error": err})
    try:
        paths = sorted(Path(voices_dir).glob("*.yaml"))
        if not paths:
            return None, Phrase("test tone (no voice profiles in {folder})", {"folder": voices_dir})
        profile = load_voice(paths[0])
        tts = builtin_engines().create(engine or profile.engine)
        clip = tts.render(TEST_LINE, profile, profile.prosody(profile.mood.neutral_anger))
        return clip, Phrase("test line in the voice {voice}", {"voice": repr(profile.name)})
    except (MissingPackage, LookupError, FileProblems, TtsError, OSError) as err:
        return None, Phrase("test tone (text-to-speech unavailable: {error})", {"error": err})
