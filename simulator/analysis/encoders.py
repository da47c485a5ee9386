"""The sentence encoders by name: a behaviour model's weights name the one they were trained with."""

from __future__ import annotations

from functools import lru_cache

from simulator.analysis.embeddings import MULTILINGUAL_USE, SentenceEncoder, TextEncoder
from simulator.registry import Registry


def _multilingual(threads: int = 1, cache_size: int = 4096) -> TextEncoder:
    from simulator.analysis.multilingual import MultilingualUseEncoder

    return MultilingualUseEncoder(threads=threads, cache_size=cache_size)


def encoder_registry() -> Registry[TextEncoder]:
    registry: Registry[TextEncoder] = Registry("sentence encoder", default=SentenceEncoder.name)
    registry.register(SentenceEncoder.name, SentenceEncoder)
    registry.register(MULTILINGUAL_USE, _multilingual)
    return registry


@lru_cache(maxsize=4)
def shared(name: str | None = None) -> TextEncoder:
    """The process's one encoder of each kind (MiniLM when ``name`` is None): a model's weights are
    loaded once, on the first ``encode``."""
    return encoder_registry().create(name)
