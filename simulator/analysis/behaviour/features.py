"""How a reply becomes model inputs.  Training and inference both call these, so they cannot drift.

A reply is read in *windows*: each clause, and each sentence that holds more than one clause (so a
step split across a comma, or said in the negative over two clauses, is still seen whole).  A
window's features are its sentence embedding plus where it sits in the reply (greetings open a
reply, closes end it).  The reply's features for empathy are the embedding of the whole reply plus
the strongest clause-level score of every kind, so "I'm sorry" inside a sarcastic reply is weighed
together with the sarcasm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.analysis.behaviour.clauses import split_clauses

Encode = Callable[[Sequence[str]], np.ndarray]
POSITION_FEATURES = 2  # opens the reply, ends the reply


@dataclass(frozen=True, slots=True)
class Window:
    text: str
    start: int  # character offsets into the reply
    end: int
    first: bool
    last: bool


def reply_windows(reply: str) -> list[Window]:
    clauses = split_clauses(reply)
    if not clauses:
        return []
    windows = [Window(c.text, c.start, c.end, i == 0, i == len(clauses) - 1) for i, c in enumerate(clauses)]
    last_sentence = clauses[-1].sentence
    for sentence in sorted({c.sentence for c in clauses}):
        members = [c for c in clauses if c.sentence == sentence]
        if len(members) > 1:
            start, end = members[0].start, members[-1].end
            windows.append(Window(reply[start:end].strip(), start, end, sentence == 0, sentence == last_sentence))
    return windows


def window_matrix(vectors: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
    positions = np.array([[w.first, w.last] for w in windows], dtype=np.float32).reshape(len(windows), 2)
    return np.hstack([vectors.astype(np.float32), positions])


def reply_matrix(reply_vector: np.ndarray, clause_scores: np.ndarray) -> np.ndarray:
    """One row: the whole reply's embedding and, per kind, its best window score (0 with no windows)."""
    best = clause_scores.max(axis=0) if len(clause_scores) else np.zeros(clause_scores.shape[1], np.float32)
    return np.hstack([reply_vector.astype(np.float32), best.astype(np.float32)])[None, :]
