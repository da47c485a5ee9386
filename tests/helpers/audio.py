"""Audio stand-ins for the sound devices, so the voiced call runs with no PortAudio at all."""

from __future__ import annotations

from simulator.audio.clip import CALL_RATE, AudioClip
from simulator.audio.devices import AudioDeviceError


class CollectingSpeaker:
    """The customer's speaker without a device: keeps every line it is given, and has played it
    as soon as it starts (like the unclocked ALSA file device, so no barge-in can happen).

    Offers what ``VoicedCall`` asks of ``simulator.audio.playback.Player``."""

    device = "collecting speaker"

    def __init__(self, sample_rate: int = CALL_RATE):
        self.sample_rate = sample_rate
        self.lines: list[AudioClip] = []
        self.paused = False
        self.was_cut = False

    def open(self) -> None:
        pass

    def play(self, clip: AudioClip) -> None:
        if clip.sample_rate != self.sample_rate:
            raise ValueError(f"clip at {clip.sample_rate} Hz, speaker at {self.sample_rate} Hz")
        self.lines.append(clip)
        self.paused = self.was_cut = False

    @property
    def playing(self) -> bool:
        return False

    @property
    def played_samples(self) -> int:
        return len(self.lines[-1].samples) if self.lines else 0

    def pause(self) -> int:
        self.paused = True
        return self.played_samples

    def resume(self) -> None:
        self.paused = False

    def cut(self) -> int:
        self.was_cut = True
        return self.played_samples

    def wait(self, timeout_s: float) -> bool:
        return True

    def wait_to_end(self) -> None:
        pass

    def stuck_error(self) -> AudioDeviceError:
        return AudioDeviceError(f"the {self.device} cannot get stuck")

    def close(self) -> None:
        pass
