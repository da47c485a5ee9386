"""Speaker embeddings of short speech pieces from a packaged GE2E speaker encoder.

The weights are those of the ``Resemblyzer`` wheel (Apache-2.0; a three-layer LSTM over 40 mel bands
trained with the generalised end-to-end loss of Wan et al., ICASSP 2018, on LibriSpeech, VoxCeleb 1
and 2).  Only its weights file is read: the network and the features are written here, so neither
that package's imports (librosa, webrtcvad) nor a download is needed.  Install with
``pip install --no-deps Resemblyzer==0.1.4``.

The features follow the encoder's training: the power mel spectrogram (25-ms Hann frames every
10 ms, 40 Slaney mel bands from 0 to 8 kHz, no log), the clip first brought to -30 dBFS.  A piece
longer than 1.6 s (the encoder's training length) is read in 1.6-s windows at half overlap whose
embeddings are averaged.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.asr.base import SAMPLE_RATE
from simulator.lazy import MissingPackage, require
from simulator.qa.diarise import Embed
from simulator.registry import Registry

PACKAGE = "Resemblyzer==0.1.4"
WEIGHTS_FILE = "pretrained.pt"
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
MEL_BANDS = 40
WINDOW_FRAMES = 160  # 1.6 s
TARGET_DBFS = -30.0
EMBEDDING_SIZE = 256

Floats = npt.NDArray[np.float32]


def weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")  # found, not imported: its imports are not needed
    locations = spec.submodule_search_locations if spec else None
    path = Path(next(iter(locations))) / WEIGHTS_FILE if locations else None
    if path is None or not path.is_file():
        raise MissingPackage(f"the speaker encoder's weights are missing: pip install --no-deps {PACKAGE}")
    return path


def _hz_to_slaney_mel(hz: np.ndarray) -> np.ndarray:
    # linear below 1 kHz, logarithmic above (Slaney's Auditory Toolbox scale)
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _slaney_mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), mel * (200.0 / 3))


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """Triangular filters on the Slaney mel scale, each normalised to unit area (bands x FFT bins)."""
    bins_hz = np.fft.rfftfreq(FRAME, 1 / SAMPLE_RATE)
    edges = _slaney_mel_to_hz(np.linspace(_hz_to_slaney_mel(np.array(0.0)),
                                          _hz_to_slaney_mel(np.array(SAMPLE_RATE / 2)), MEL_BANDS + 2))
    filters = np.zeros((MEL_BANDS, bins_hz.size))
    for band in range(MEL_BANDS):
        left, centre, right = edges[band: band + 3]
        rising = (bins_hz - left) / (centre - left)
        falling = (right - bins_hz) / (right - centre)
        filters[band] = np.maximum(0.0, np.minimum(rising, falling)) * 2.0 / (right - left)
    return filters


def mel_power(samples: np.ndarray) -> Floats:
    """Frames x 40 power mel spectrogram of 16 kHz samples, frames centred as in training."""
    samples = np.asarray(samples, np.float64)
    rms = np.sqrt(np.mean(samples ** 2)) if samples.size else 0.0
    if rms > 0:
        samples = samples * (10 ** (TARGET_DBFS / 20) / rms)
    padded = np.pad(samples, FRAME // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, FRAME)[::HOP] * np.hanning(FRAME + 1)[:-1]
    power = np.abs(np.fft.rfft(frames, FRAME)) ** 2
    return np.asarray(power @ mel_filters().T, dtype=np.float32)


class SpeakerEncoder:
    """256-d unit speaker embeddings; the weights load on first use."""

    def __init__(self, threads: int = 1):
        self._threads = threads
        self._network: Any = None

    def _load(self) -> Any:
        torch = require("torch", feature="telling two voices apart on a mono call")
        state = torch.load(weights_path(), map_location="cpu", weights_only=False)["model_state"]
        lstm = torch.nn.LSTM(MEL_BANDS, EMBEDDING_SIZE, num_layers=3, batch_first=True)
        linear = torch.nn.Linear(EMBEDDING_SIZE, EMBEDDING_SIZE)
        lstm.load_state_dict({k[len("lstm."):]: v for k, v in state.items() if k.startswith("lstm.")})
        linear.load_state_dict({k[len("linear."):]: v for k, v in state.items() if k.startswith("linear.")})
        return torch, lstm.eval(), linear.eval()

    def embed(self, samples: np.ndarray) -> Floats:
        """One unit vector for a piece of one voice (16 kHz samples)."""
        if self._network is None:
            self._network = self._load()
        torch, lstm, linear = self._network
        mel = mel_power(samples)
        starts = range(0, max(1, len(mel) - WINDOW_FRAMES // 2), WINDOW_FRAMES // 2)
        windows = [mel[start: start + WINDOW_FRAMES] for start in starts]
        windows = [w for w in windows if len(w) >= WINDOW_FRAMES // 2] or [mel]
        previous = torch.get_num_threads()
        torch.set_num_threads(self._threads)
        try:
            with torch.inference_mode():
                vectors = []
                for window in windows:  # windows differ in length at the end: one at a time
                    _, (hidden, _) = lstm(torch.from_numpy(np.ascontiguousarray(window))[None])
                    vector = torch.relu(linear(hidden[-1]))[0]
                    vectors.append(vector / (vector.norm() + 1e-9))
                mean = torch.stack(vectors).mean(0)
        finally:
            torch.set_num_threads(previous)
        return np.asarray((mean / (mean.norm() + 1e-9)).numpy(), dtype=np.float32)


def speaker_voices_registry() -> Registry[Embed | None]:
    """How a mono call's pieces of speech are told apart: ``encoder`` (this module's speaker encoder)
    or ``cepstra`` (the cepstrum and pitch of ``simulator.qa.diarise``, numpy only: None here)."""
    registry: Registry[Embed | None] = Registry("speaker-voice measure", default="encoder")
    registry.register("encoder", lambda: SpeakerEncoder().embed)
    registry.register("cepstra", lambda: None)
    return registry
