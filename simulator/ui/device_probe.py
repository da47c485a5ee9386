"""Sound devices for the device check: list, measure the input level, play a test sound.

Plain Python; called from worker threads.  Uses ``simulator.audio.devices`` (the project's device
layer) and imports sounddevice lazily, so the app starts without a sound card.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from simulator.lazy import MissingPackage, require

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


def play_test_sound(device: str | None) -> str:
    """Speak a test line through the project's TTS when available, else play a short tone."""
    np = require("numpy")
    sd = require("sounddevice", feature="the device check")
    seconds = 0.6
    t = np.arange(int(TEST_RATE * seconds)) / TEST_RATE
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    try:
        sd.play(tone, samplerate=TEST_RATE, device=device, blocking=True)
    except (sd.PortAudioError, ValueError) as err:
        raise DeviceProblem(f"cannot play on output device {device or 'default'}: {err}") from None
    return "test tone"
