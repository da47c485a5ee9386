"""Read an audio file as the 16 kHz mono float32 samples Whisper wants.

The same reader as ``callsim score`` (``simulator.asr.channels``): integer PCM WAV, and with PyAV
(installed with faster-whisper) MP3, mu-law/A-law, FLAC, OGG, float WAV...; each channel is resampled
while decoding, then the channels are mixed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.asr.base import SAMPLE_RATE
from simulator.asr.channels import read_channels


def read_audio(path: Path | str) -> np.ndarray:
    """The file's audio as float32 mono at 16 kHz in [-1, 1]; ``AudioFileError`` naming the file otherwise."""
    return read_channels(path, SAMPLE_RATE).mono()
