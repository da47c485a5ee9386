"""Audio values passed between stages, and WAV files in and out.

Samples are float32 mono in [-1, 1] unless a name says otherwise.  16 kHz is the call's rate:
Whisper and Silero VAD want it, and the TTS output is resampled to it once, when rendered.
"""

from __future__ import annotations

import errno
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator import wavfile

CALL_RATE = 16_000


class DiskFull(OSError):
    """A recording could not be written because the disk is full."""


@dataclass(frozen=True, slots=True, eq=False)
class AudioClip:
    samples: np.ndarray  # float32, mono
    sample_rate: int = CALL_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def head(self, n_samples: int) -> AudioClip:
        return AudioClip(self.samples[:max(0, n_samples)], self.sample_rate)

    def from_first_sound(self, floor_dbfs: float = -50.0, keep_s: float = 0.005) -> AudioClip:
        """The clip from just before its first sample above ``floor_dbfs``: a synthesiser's
        lead-in silence is dead air the listener waits through.  A silent clip is returned as is."""
        loud = np.flatnonzero(np.abs(self.samples) > 10.0 ** (floor_dbfs / 20.0))
        if len(loud) == 0:
            return self
        start = max(0, int(loud[0]) - int(keep_s * self.sample_rate))
        return self if start == 0 else AudioClip(self.samples[start:], self.sample_rate)


@dataclass(frozen=True, slots=True, eq=False)
class AudioBlock:
    """One block from the microphone.  ``start_sample`` counts samples since capture began, so
    times derived from it hold on devices that are not clocked in real time (the ALSA file device)."""

    samples: np.ndarray  # float32, mono
    sample_rate: int
    start_sample: int
    capture_time_s: float  # start_sample / sample_rate: seconds since capture began

    @property
    def end_sample(self) -> int:
        return self.start_sample + len(self.samples)


@dataclass(frozen=True, slots=True, eq=False)
class Utterance:
    """One trainee turn found by the endpointer (times in seconds since capture began)."""

    audio: AudioClip
    start_s: float
    end_s: float  # end of the last speech, not of the trailing silence
    was_interrupted: bool = False  # cut at the maximum turn length (or the customer cut in)
    speech_start_s: float | None = None  # onset as the VAD saw it (audio starts a little earlier)


def to_float32(pcm: np.ndarray) -> np.ndarray:
    if pcm.dtype == np.int16:
        return pcm.astype(np.float32) / 32768.0
    return pcm.astype(np.float32, copy=False)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype(np.int16)


def read_wav(path: Path, rate: int = CALL_RATE) -> AudioClip:
    """Any integer PCM WAV as a mono clip at ``rate``; raises ``AudioFileError`` naming the file."""
    audio = wavfile.read_wav(path)
    return AudioClip(wavfile.resample(audio.mono(), audio.sample_rate, rate), rate)


def write_wav(path: Path, clip: AudioClip, *, kept: str = "the turns recorded so far are kept") -> Path:
    """Write 16-bit mono PCM; a full disk raises ``DiskFull`` naming the file (partial file removed) and
    ``kept``, what the caller keeps (empty: nothing to say)."""
    path = Path(path)
    try:
        # the file is opened first: a wave writer whose file never opened complains again when collected
        with open(path, "wb") as handle, wave.open(handle, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(clip.sample_rate)
            wav.writeframes(to_int16(clip.samples).tobytes())
    except OSError as err:
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)  # no half-written WAV left behind
        if err.errno == errno.ENOSPC:
            raise DiskFull(errno.ENOSPC, f"the disk is full: could not write {path}; free some space"
                                         + (f" ({kept})" if kept else "")) from None
        raise
    return path


def level_dbfs(samples: np.ndarray) -> float:
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(max(rms, 1e-6))
