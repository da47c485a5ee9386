"""Read an audio file as the 16 kHz mono float32 samples Whisper wants.

PCM WAV (any rate, any channel count, 8/16/24/32-bit) is read with the standard-library ``wave``
module, then downmixed and resampled (band-limited, FFT) with numpy; anything else (MP3, FLAC,
OGG, float WAV...) is decoded with PyAV through ``faster_whisper.decode_audio`` when installed.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from simulator.asr.base import SAMPLE_RATE
from simulator.audio.clip import resample as band_limited_resample
from simulator.lazy import MissingPackage, require


class AudioFileError(ValueError):
    """An audio file is missing or cannot be decoded; the message names the file and the problem."""


def read_audio(path: Path | str) -> np.ndarray:
    """The file's audio as float32 mono at 16 kHz in [-1, 1]."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file")
    if not path.is_file():
        raise AudioFileError(f"{path}: not a file")
    try:
        return _read_wav(path)
    except AudioFileError:
        raise
    except OSError as err:
        raise AudioFileError(f"{path}: cannot read ({err.strerror or err})") from None
    except Exception as wav_error:  # noqa: BLE001 -- wave raises wave.Error, EOFError, RuntimeError, struct.error
        return _decode_other(path, wav_error)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if rate <= 0 or channels <= 0:
        raise AudioFileError(f"{path}: WAV header says {rate} Hz, {channels} channel(s)")
    samples = _pcm_to_float(frames, width, path)
    usable = len(samples) - len(samples) % channels
    mono = samples[:usable].reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return resample(mono, rate)


def _pcm_to_float(frames: bytes, width: int, path: Path) -> np.ndarray:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(frames, np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(frames, "<i2").astype(np.float32) / 32768.0
    if width == 3:
        raw = np.frombuffer(frames[: len(frames) - len(frames) % 3], np.uint8).reshape(-1, 3).astype(np.int32)
        values = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float32) / float(1 << 23)
    if width == 4:
        return (np.frombuffer(frames, "<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    raise AudioFileError(f"{path}: unsupported WAV sample width of {width} bytes")


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling to ``target`` Hz (the call audio's own resampler)."""
    return band_limited_resample(np.asarray(samples, dtype=np.float32), rate, target)


def _decode_other(path: Path, wav_error: Exception) -> np.ndarray:
    try:
        faster_whisper = require("faster_whisper", "faster-whisper", feature="decoding non-WAV audio")
    except MissingPackage:
        raise AudioFileError(f"{path}: not a PCM WAV file ({wav_error}); other formats need faster-whisper "
                             f"(PyAV) installed") from None
    try:
        audio = faster_whisper.decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as err:  # PyAV raises its own error classes for every kind of bad input
        raise AudioFileError(f"{path}: not a readable audio file ({type(err).__name__}: {err})") from None
    return np.asarray(audio, dtype=np.float32)
