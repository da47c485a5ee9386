"""Playing the customer's lines, and cutting them off the moment the trainee barges in.

One output stream per line (opened in ~10 ms): a stream left open between lines would spin
through silence on unclocked test devices.  The callback only copies the next block of the clip.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Protocol

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioClip
from simulator.audio.devices import (
    AudioDeviceError,
    AudioStream,
    close_quietly,
    describe_device,
    device_failure,
    resolve_device,
    sounddevice,
)

OUT_BLOCK_SAMPLES = 256  # 16 ms: the most a cut can lag behind the decision, besides device latency
STUCK_MARGIN_S = 3.0


class Speaker(Protocol):
    """Where the customer's lines play: the headset (``Player``) or a stand-in with no device."""

    device: str | int | None

    def open(self) -> None: ...
    def play(self, clip: AudioClip) -> None: ...
    def pause(self) -> int: ...
    def resume(self) -> None: ...
    def cut(self) -> int: ...
    @property
    def playing(self) -> bool: ...
    @property
    def played_samples(self) -> int: ...
    def wait_to_end(self) -> None: ...
    def stuck_error(self) -> AudioDeviceError: ...
    def close(self) -> None: ...


class Player:
    def __init__(self, device: str | int | None = None, *, sample_rate: int = CALL_RATE,
                 block_samples: int = OUT_BLOCK_SAMPLES, latency: str | float = "low"):
        self.sample_rate = sample_rate
        self._spec = device
        self.device: int | str | None = None
        self._block = block_samples
        self._latency = latency
        self._stream: AudioStream | None = None
        self._clip = np.zeros(0, np.float32)
        self._position = 0
        self._cut = False
        self._paused = False
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()

    def open(self) -> None:
        """Resolve the device now so a wrong name fails before the call starts."""
        self.device = resolve_device(self._spec, kind="output")

    def _callback(self, outdata, frames, time_info, status) -> None:
        with self._lock:
            if self._cut:
                outdata.fill(0)
                raise self._sd.CallbackAbort
            if self._paused:
                outdata.fill(0)  # holding the line: maybe the trainee is starting to speak
                return
            n = min(frames, len(self._clip) - self._position)
            outdata[:n, 0] = self._clip[self._position:self._position + n]
            outdata[n:].fill(0)
            self._position += n
            if self._position >= len(self._clip):
                raise self._sd.CallbackStop

    def _finished(self) -> None:
        self._done.set()

    def play(self, clip: AudioClip) -> None:
        """Start playing (returns at once); ``wait`` for the end or ``cut`` it short."""
        if clip.sample_rate != self.sample_rate:
            raise ValueError(f"clip at {clip.sample_rate} Hz, player at {self.sample_rate} Hz")
        self._sd = sd = sounddevice()
        if self.device is None:
            self.open()
        self.close()
        with self._lock:
            self._clip = clip.samples.astype(np.float32, copy=False)
            self._position = 0
            self._cut = False
            self._paused = False
        self._done.clear()
        try:
            self._stream = sd.OutputStream(samplerate=self.sample_rate, channels=1, dtype="float32",
                                           blocksize=self._block, device=self.device, latency=self._latency,
                                           callback=self._callback, finished_callback=self._finished)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as err:
            self._stream = None
            self._done.set()
            raise device_failure(err, self.device, "output") from None

    def pause(self) -> int:
        """Hold the line silent from the next block (a possible barge-in); returns samples played."""
        with self._lock:
            self._paused = True
            return self._position

    def resume(self) -> None:
        with self._lock:
            self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def cut(self) -> int:
        """Stop now (barge-in); returns the samples played so far."""
        with self._lock:
            self._cut = True
            played = self._position
        stream = self._stream
        if stream is not None:
            # drops what is buffered instead of letting it drain; a device already gone has nothing to drop
            with contextlib.suppress(Exception):
                stream.abort()
        self._done.set()
        return played

    @property
    def playing(self) -> bool:
        return not self._done.is_set()

    @property
    def played_samples(self) -> int:
        return self._position

    @property
    def was_cut(self) -> bool:
        return self._cut

    def wait(self, timeout_s: float) -> bool:
        return self._done.wait(timeout_s)

    def wait_to_end(self) -> None:
        """Block until the line has played; a device that stops taking audio raises."""
        limit = len(self._clip) / self.sample_rate + STUCK_MARGIN_S
        if not self._done.wait(limit):
            self.cut()
            raise self.stuck_error()

    def stuck_error(self) -> AudioDeviceError:
        return AudioDeviceError(f"{describe_device(self.device, 'output')} stopped playing (unplugged?). "
                                f"Plug the headset back in, check `callsim devices`, and start again; "
                                f"the turns so far are saved")

    def close(self) -> None:
        stream, self._stream = self._stream, None
        close_quietly(stream)
