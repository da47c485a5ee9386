"""Microphone sources: a sound device, or recorded replies played in as if spoken.

A ``MicSource`` is pulled block by block by the one thread that runs the call.  The device
callback only copies the block into a queue (no work in the audio thread).
"""

from __future__ import annotations

import enum
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioBlock, read_wav
from simulator.audio.devices import (
    AudioDeviceError,
    AudioStream,
    close_quietly,
    describe_device,
    device_failure,
    resolve_device,
    sounddevice,
)
from simulator.wavfile import AUDIO_SUFFIXES

BLOCK_SAMPLES = 256  # 16 ms: small blocks keep barge-in and endpoint detection quick
# Unclocked test devices deliver audio far faster than real time; past this much unread audio the
# reader has stalled and blocks are dropped (counted in ``dropped_blocks``) rather than eat memory.
MAX_QUEUED_S = 900.0
DEVICE_SILENT_TIMEOUT_S = 3.0


class MicSource(Protocol):
    sample_rate: int

    def start(self) -> None: ...

    def read(self, timeout_s: float = 1.0) -> AudioBlock | None:
        """The next block, or ``None`` if none arrived within ``timeout_s``."""

    def expect_reply(self, turn_index: int, *, continuing: bool = False) -> bool:
        """The call now waits for the trainee; ``False`` means this source has no more replies.
        ``continuing``: the trainee is still speaking (a barge-in, or a long turn that was cut)."""

    def close(self) -> None: ...


class _Counter:
    """Turns consecutive blocks into ``AudioBlock`` values numbered by sample position."""

    def __init__(self, rate: int):
        self.rate = rate
        self.samples = 0

    def block(self, samples: np.ndarray) -> AudioBlock:
        block = AudioBlock(samples, self.rate, self.samples, self.samples / self.rate)
        self.samples += len(samples)
        return block


class DeviceMic:
    """16 kHz mono capture from a sound device (PortAudio via sounddevice)."""

    def __init__(self, device: str | int | None = None, *, sample_rate: int = CALL_RATE,
                 block_samples: int = BLOCK_SAMPLES, latency: str | float = "low"):
        self.sample_rate = sample_rate
        self._spec = device
        self._block_samples = block_samples
        self._latency = latency
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=int(MAX_QUEUED_S * sample_rate / block_samples))
        self._counter = _Counter(sample_rate)
        self._stream: AudioStream | None = None
        self.device: int | str | None = None
        self.dropped_blocks = 0
        self.overflows = 0
        self._last_block_at = time.monotonic()

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        try:
            self._queue.put_nowait(indata[:, 0].copy())
        except queue.Full:
            self.dropped_blocks += 1

    def open(self) -> None:
        """Resolve the device now so a wrong name fails before the call starts."""
        self.device = resolve_device(self._spec, kind="input")

    def start(self) -> None:
        sd = sounddevice()
        self.device = resolve_device(self._spec, kind="input")
        try:
            self._stream = sd.InputStream(samplerate=self.sample_rate, channels=1, dtype="float32",
                                          blocksize=self._block_samples, device=self.device,
                                          latency=self._latency, callback=self._callback)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as err:
            self._stream = None
            raise device_failure(err, self.device, "input") from None
        self._last_block_at = time.monotonic()

    def read(self, timeout_s: float = 1.0) -> AudioBlock | None:
        try:
            samples = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            self._check_alive()
            return None
        self._last_block_at = time.monotonic()
        return self._counter.block(samples)

    def _check_alive(self) -> None:
        """A pulled headset stops the callbacks; say so instead of waiting forever."""
        stream = self._stream
        silent_for = time.monotonic() - self._last_block_at
        if stream is None or (not stream.active and self._queue.empty()) or silent_for > DEVICE_SILENT_TIMEOUT_S:
            raise AudioDeviceError(f"{describe_device(self.device, 'input')} stopped delivering audio "
                                   f"(unplugged?). Plug the headset back in, check `callsim devices`, "
                                   f"and start the call again; the turns so far are saved")

    def expect_reply(self, turn_index: int, *, continuing: bool = False) -> bool:
        return True

    def close(self) -> None:
        stream, self._stream = self._stream, None
        close_quietly(stream)


class ReplayPace(enum.StrEnum):
    REALTIME = "realtime"  # as a person would speak: one second of audio per second
    FAST = "fast"  # replies as fast as they can be read (tests); waiting is still real time


ReadReply = Callable[[Path, int], np.ndarray]
"""A reply file -> its samples at the given rate, mono float32 (the call layer passes the decoder ``score`` uses)."""


def read_pcm_reply(path: Path, sample_rate: int) -> np.ndarray:
    """Integer PCM WAV only: what this layer reads without a general decoder."""
    return read_wav(path, sample_rate).samples


def reply_files(source: Path | Sequence[Path]) -> list[Path]:
    """A folder (its audio files, ``AUDIO_SUFFIXES``, in name order) or a list of audio files."""
    if isinstance(source, (str, Path)):
        source = Path(source)
        if source.is_dir():
            files = sorted(p for p in source.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
            if not files:
                raise ValueError(f"{source}: no audio replies in this folder (.wav, .mp3, ...)")
            return files
        if not source.is_file():
            raise ValueError(f"{source}: no such reply file or folder")
        return [source]
    missing = [p for p in source if not Path(p).is_file()]
    if missing:
        raise ValueError(f"{missing[0]}: no such reply file")
    return [Path(p) for p in source]


class WavMic:
    """Plays recorded replies into the call as the microphone (demos, tests, benchmarks).

    Each reply starts ``lead_s`` after the call begins waiting for the trainee, then silence
    follows until the next wait.  ``REALTIME`` paces everything.  ``FAST`` races through a reply
    and the ``fast_silence_s`` after it (enough for the endpointer and a silence event), then
    paces the silence in real time, so waiting for the customer costs no CPU."""

    def __init__(self, source: Path | Sequence[Path], *, pace: ReplayPace = ReplayPace.REALTIME, lead_s: float = 0.3,
                 sample_rate: int = CALL_RATE, block_samples: int = BLOCK_SAMPLES, fast_silence_s: float = 10.0,
                 read: ReadReply = read_pcm_reply):
        self.sample_rate = sample_rate
        self.files = reply_files(source)
        self._replies = [read(path, sample_rate) for path in self.files]
        self._pace = pace
        self._lead = np.zeros(int(lead_s * sample_rate), np.float32)
        self._block = block_samples
        self._fast_silence = int(fast_silence_s * sample_rate)
        self._fast_left = 0
        self._pending = np.zeros(0, np.float32)
        self._next_reply = 0
        self._counter = _Counter(sample_rate)
        self._clock_start = 0.0
        self._clock_samples = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        self._clock_start = time.monotonic()
        self._clock_samples = 0

    def expect_reply(self, turn_index: int, *, continuing: bool = False) -> bool:
        """One file per turn: the next file starts unless the trainee is still speaking the
        current one (what is left of a file after its turn ended is dropped)."""
        with self._lock:
            if len(self._pending) and continuing:
                return True
            if self._next_reply >= len(self._replies):
                return False
            self._pending = np.concatenate([self._lead, self._replies[self._next_reply]])
            self._next_reply += 1
            self._fast_left = self._fast_silence
            self._resync()
        return True

    def _resync(self) -> None:
        self._clock_start = time.monotonic()
        self._clock_samples = 0

    def read(self, timeout_s: float = 1.0) -> AudioBlock | None:
        with self._lock:
            speaking = len(self._pending) > 0
            if speaking:
                samples, self._pending = self._pending[:self._block], self._pending[self._block:]
                if len(samples) < self._block:
                    samples = np.concatenate([samples, np.zeros(self._block - len(samples), np.float32)])
            else:
                samples = np.zeros(self._block, np.float32)
        if self._pace == ReplayPace.FAST and (speaking or self._fast_left > 0):
            if not speaking:
                self._fast_left -= len(samples)
            self._resync()  # unpaced; the silence after it starts the real-time clock afresh
        else:
            due = self._clock_start + self._clock_samples / self.sample_rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.5:
                self._resync()  # the caller was busy; do not burst to catch up
            self._clock_samples += len(samples)
        return self._counter.block(samples)

    def close(self) -> None:
        pass

    @property
    def replies_left(self) -> int:
        return len(self._replies) - self._next_reply
