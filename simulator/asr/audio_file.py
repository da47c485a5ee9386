"""Read an audio file as the 16 kHz mono float32 samples Whisper wants.

Integer PCM WAV is read by ``simulator.wavfile``, then downmixed and resampled; anything else (MP3,
FLAC, OGG, float WAV...) is decoded with PyAV through ``faster_whisper.decode_audio`` when installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.asr.base import SAMPLE_RATE
from simulator.lazy import MissingPackage, require
from simulator.wavfile import AudioFileError, NotPcmWav, existing_file, read_wav, resample


def read_audio(path: Path | str) -> np.ndarray:
    """The file's audio as float32 mono at 16 kHz in [-1, 1]."""
    path = existing_file(path)
    try:
        audio = read_wav(path)
    except NotPcmWav as wav_error:
        return _decode_other(path, wav_error)
    return resample(audio.mono(), audio.sample_rate, SAMPLE_RATE)


def _decode_other(path: Path, wav_error: Exception) -> np.ndarray:
    try:
        faster_whisper = require("faster_whisper", "faster-whisper", feature="decoding non-WAV audio")
    except MissingPackage:
        raise AudioFileError(f"{wav_error}; or install faster-whisper, whose PyAV decodes other formats") from None
    try:
        audio = faster_whisper.decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as err:  # PyAV raises its own error classes for every kind of bad input
        raise AudioFileError(f"{path}: not a readable audio file ({type(err).__name__}: {err})") from None
    return np.asarray(audio, dtype=np.float32)
