"""Sound devices: list them, pick one by name or index, explain failures.

``sounddevice`` is imported only inside these functions: PortAudio enumerates devices when it
is imported, so tests (and users) can point ``ALSA_CONFIG_PATH`` somewhere first.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from simulator.lazy import require


class AudioDeviceError(RuntimeError):
    """A sound device is missing, unplugged or refused the stream; the message says what to do."""


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_sample_rate: float
    is_default_input: bool = False
    is_default_output: bool = False


def sounddevice() -> ModuleType:
    return require("sounddevice", feature="audio capture and playback")


def list_devices() -> list[DeviceInfo]:
    sd = sounddevice()
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as err:
        raise AudioDeviceError(f"cannot list sound devices ({err}); check that the sound system "
                               f"(ALSA/PulseAudio) is running") from None
    return [DeviceInfo(i, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"],
                       d["max_output_channels"], d["default_samplerate"], i == default_in, i == default_out)
            for i, d in enumerate(raw)]


def resolve_device(spec: str | int | None, *, kind: str) -> int | str | None:
    """``None``/"default" = the system default; a number = that index; else a (unique) name part.

    Raises ``AudioDeviceError`` naming the device and listing what exists."""
    if spec is None or (isinstance(spec, str) and spec.strip() in ("", "default")):
        if _has_named_default(kind):
            return "default"
        sd = sounddevice()
        if sd.default.device[0 if kind == "input" else 1] < 0:
            devices = list_devices()
            usable = [d for d in devices if (d.max_input_channels if kind == "input" else d.max_output_channels) > 0]
            raise AudioDeviceError(f"there is no default {kind} device; {_menu(usable, kind)}")
        return None
    devices = list_devices()
    channels = (lambda d: d.max_input_channels) if kind == "input" else (lambda d: d.max_output_channels)
    usable = [d for d in devices if channels(d) > 0]
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        if any(d.index == index for d in usable):
            return index
        raise AudioDeviceError(f"no {kind} device with index {index}; {_menu(usable, kind)}")
    exact = [d for d in usable if d.name == text]
    matches = exact or [d for d in usable if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0].index
    if not matches:
        raise AudioDeviceError(f"no {kind} device named {text!r} (is it plugged in?); {_menu(usable, kind)}")
    raise AudioDeviceError(f"{kind} device {text!r} is ambiguous: "
                           f"{', '.join(f'{d.index}: {d.name}' for d in matches)}; give the index")


def _has_named_default(kind: str) -> bool:
    """ALSA setups (and the test devices) expose a PCM called "default"; prefer it explicitly so a
    missing default fails loudly instead of silently falling back to a null device."""
    channels = (lambda d: d.max_input_channels) if kind == "input" else (lambda d: d.max_output_channels)
    return any(d.name == "default" and channels(d) > 0 for d in list_devices())


def describe_device(device: int | str | None, kind: str) -> str:
    if device is None:
        return f"the default {kind} device"
    if isinstance(device, int):
        try:
            return f"{kind} device {device} ({list_devices()[device].name})"
        except (IndexError, AudioDeviceError):
            return f"{kind} device {device}"
    return f"{kind} device {device!r}"


def _menu(devices: list[DeviceInfo], kind: str) -> str:
    if not devices:
        return f"no {kind} devices found at all: plug in a headset, or check ALSA/PulseAudio"
    return "available: " + ", ".join(f"{d.index}: {d.name}" for d in devices) + " (see `callsim devices`)"


def device_failure(err: Exception, device: int | str | None, kind: str) -> AudioDeviceError:
    return AudioDeviceError(f"{describe_device(device, kind)} failed: {err}. Check that the headset is "
                            f"plugged in and not used by another program, then run `callsim devices` "
                            f"and pick one with --{kind}")


class AudioStream(Protocol):
    """What callsim uses of a sounddevice stream (the library is imported lazily and ships no types)."""

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


def close_quietly(stream: AudioStream | None) -> None:
    """Abort and close a stream; a dead device's error must not hide the one already reported."""
    if stream is None:
        return
    try:
        stream.abort()
        stream.close()
    except Exception:
        pass
