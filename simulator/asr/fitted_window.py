"""Whisper's encoder on the speech and a margin, not on a whole padded 30-s window.

Whisper always encodes 30 s: a 4-s turn is 26 s of padding, and on a busy CPU the encoder is most of
a live turn's wait.  CTranslate2 accepts a shorter window, but Whisper was trained on the full one:
decoding from a short window's output alone makes it invent text (on the real-call set's tuning
turns, 192 of 202 came out different, many as repetition loops).  So the speech and ``margin_s`` of
the padding after it are encoded, and the rest of the 1,500 encoder positions are filled from the
encoding of an all-padding window (computed once per model): what the decoder attends to there is
what padding looks like, not nothing.  The join is an approximation (in the full window the speech
frames also attend to the padding), so the margin was chosen by measurement: docs/voice.md
"Latency", ``benchmarks/encoder_window.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulator.lazy import require

if TYPE_CHECKING:
    import numpy as np

FRAMES_PER_SECOND = 100  # Whisper's log-mel hop is 10 ms
DEFAULT_MARGIN_S = 15.0  # chosen on the real-call set's tuning turns (docs/voice.md, "Round four")


def speech_frames(features: np.ndarray) -> int:
    """How many leading frames of a window hold audio: faster-whisper pads a short segment's
    log-mel features with exact zeros, which no frame of real audio is in all its mel bands."""
    import numpy as np

    frames = np.asarray(features).reshape(-1, features.shape[-2], features.shape[-1])[0]
    filled = np.flatnonzero(np.any(frames != 0, axis=0))
    return int(filled[-1]) + 1 if len(filled) else 0


class FittedWindow:
    """``encode(features)`` over the speech plus ``margin_s``, the rest taken from an all-padding encoding.

    ``encode`` is faster-whisper's ``WhisperModel.encode`` (numpy features of a padded window in,
    a CTranslate2 ``StorageView`` out).  A window whose speech and margin fill it is encoded whole.
    """

    def __init__(self, encode: Callable[[np.ndarray], Any], margin_s: float = DEFAULT_MARGIN_S):
        self._encode = encode
        self.margin_frames = round(margin_s * FRAMES_PER_SECOND)
        self._padding_output: np.ndarray | None = None
        self.fitted = 0  # windows encoded short (for tests and benchmarks)

    def encode_padding(self, mel_bands: int, window_frames: int) -> np.ndarray:
        """Encode the all-padding window now (at model load, while the customer's first line plays),
        so the first short turn does not pay for a whole 30-s encoding on its path."""
        import numpy as np

        self._padding_output = np.asarray(self._encode(np.zeros((mel_bands, window_frames), np.float32)))
        return self._padding_output

    def __call__(self, features: np.ndarray) -> Any:
        import numpy as np

        window = features.shape[-1]
        encoded = speech_frames(features) + self.margin_frames
        encoded += encoded % 2  # the encoder's stride-2 convolution halves the frames
        if encoded >= window:
            return self._encode(features)
        ctranslate2 = require("ctranslate2", "faster-whisper", feature="speech recognition")
        padding = self._padding_output
        if padding is None or padding.shape[1] * 2 != window:
            padding = self.encode_padding(features.shape[-2], window)
        head = np.asarray(self._encode(np.ascontiguousarray(features[..., :encoded])))
        joined = np.concatenate([head, padding[:, head.shape[1]:]], axis=1)
        self.fitted += 1
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(joined))
