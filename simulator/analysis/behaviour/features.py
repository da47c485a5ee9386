"""How a reply becomes model inputs.  Training and inference both call these, so they cannot drift.

A reply is read in *windows*, one per clause.  A window's features are its sentence embedding plus
where it sits in the reply (greetings open a reply, closes end it).  What "opens" the reply is its
first clause and, after a greeting or self-introduction, the first clause of its substance
(``opening_the_substance``): "Good morning, Harbour Bank, my name's Tom. | I'm so sorry, ..." opens
with the apology as much as "I'm so sorry, ..." does.  The reply's features are the
mean of its clauses' embeddings plus the strongest clause-level score of every kind, so
"I'm sorry" inside a sarcastic reply is weighed together with the sarcasm: the final call on each
kind is made on these.  Empathy also sees the warmest clause's own embedding (``empathy_matrix``):
in the mean, a greeting, a security check and a procedural step outweigh the one clause that
carries the feeling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from simulator.analysis.behaviour.clauses import split_clauses
from simulator.scenario.kinds import CLAUSE_LABELS, StepKind

Embeddings = npt.NDArray[np.float32]
"""Sentence embeddings or model inputs, one row per text (float32, as the encoder returns them)."""
Encode = Callable[[Sequence[str]], Embeddings]


@dataclass(frozen=True, slots=True)
class Window:
    text: str
    start: int  # character offsets into the reply
    end: int
    first: bool
    last: bool


def reply_windows(reply: str, language: str = "en") -> list[Window]:
    clauses = split_clauses(reply, language)
    return [Window(c.text, c.start, c.end, i == 0, i == len(clauses) - 1) for i, c in enumerate(clauses)]


# Clauses that only greet or introduce the agent: what follows them opens the reply's substance.
OPENING_KINDS = frozenset((StepKind.GREET.value, StepKind.IDENTIFY_SELF.value))
_OPENING_COLUMNS = [CLAUSE_LABELS.index(kind) for kind in sorted(OPENING_KINDS)]
_OTHER_COLUMNS = [column for column, kind in enumerate(CLAUSE_LABELS) if kind not in OPENING_KINDS]


def opening_the_substance(windows: Sequence[Window], leading_openers: int) -> list[Window]:
    """The windows with the first one after ``leading_openers`` greeting / self-introduction
    clauses also marked as opening the reply (the greeting keeps its own mark)."""
    if not 0 < leading_openers < len(windows):
        return list(windows)
    marked = list(windows)
    marked[leading_openers] = replace(marked[leading_openers], first=True)
    return marked


def leading_openers(probabilities: npt.NDArray[np.floating], cut: float = 0.5) -> int:
    """How many clauses at the start only greet or introduce the agent, by the clause model's
    reading: a greeting or self-introduction is likely and nothing else is."""
    count = 0
    for row in probabilities:
        if row[_OPENING_COLUMNS].max() < cut or row[_OTHER_COLUMNS].max() >= cut:
            break
        count += 1
    return count


def window_matrix(vectors: npt.NDArray[np.floating], windows: Sequence[Window]) -> Embeddings:
    positions = np.array([[w.first, w.last] for w in windows], dtype=np.float32).reshape(len(windows), 2)
    return np.hstack([vectors.astype(np.float32), positions])


def reply_matrix(reply_vector: npt.NDArray[np.floating], clause_scores: npt.NDArray[np.floating]) -> Embeddings:
    """One row: the whole reply's embedding and, per kind, its best window score (0 with no windows)."""
    best = clause_scores.max(axis=0) if len(clause_scores) else np.zeros(clause_scores.shape[1], np.float32)
    return np.hstack([reply_vector.astype(np.float32), best.astype(np.float32)])[None, :]


# The clause-level kinds whose score marks the clause that carries the reply's empathy.
WARM_KIND_COLUMNS = tuple(CLAUSE_LABELS.index(kind) for kind in (StepKind.ACKNOWLEDGE_EMOTION, StepKind.APOLOGISE))


def empathy_matrix(reply_vector: npt.NDArray[np.floating], window_vectors: npt.NDArray[np.floating],
                   clause_scores: npt.NDArray[np.floating]) -> Embeddings:
    """One row for the empathy regressions: the reply's mean embedding, the embedding of its warmest
    clause (the one the clause model finds likeliest to acknowledge a feeling or apologise; zeros
    with no windows), and per kind its best window score.

    The mean alone averages the warm clause with everything around it, and the corpus' replies that
    open with a greeting are mostly calm routine ones, so "Thank you for calling, my name is Sam.
    I'm so sorry, ..." read as weak where the same reply without the greeting read as strong; the
    warmest clause is read the same wherever it sits (docs/scoring.md, "what was tuned on what").
    """
    if len(clause_scores):
        warmest = window_vectors[int(np.argmax(clause_scores[:, list(WARM_KIND_COLUMNS)].max(axis=1)))]
    else:
        warmest = np.zeros_like(reply_vector)
    best = clause_scores.max(axis=0) if len(clause_scores) else np.zeros(clause_scores.shape[1], np.float32)
    return np.hstack([reply_vector.astype(np.float32), warmest.astype(np.float32), best.astype(np.float32)])[None, :]


def empathy_substance(window_vectors: npt.NDArray[np.floating], windows: Sequence[Window],
                      clause_scores: npt.NDArray[np.floating]) -> Embeddings:
    """The empathy regressions' row for a reply judged without its leading greetings and
    self-introductions (unless that is all it says).

    In the label scheme empathy is the acknowledgement of this customer's feeling, which a greeting
    does not change; but the corpus' replies that open with a greeting are mostly calm routine ones,
    so the greeting's words in the mean embedding pulled "Thanks for calling SkyWay, my name is
    Taylor. I'm so sorry your flight ..." to weak where the same reply without them read as strong.
    Training and reading both use this row."""
    count = leading_openers(clause_scores) if len(clause_scores) else 0
    if 0 < count < len(windows):
        window_vectors, windows, clause_scores = window_vectors[count:], windows[count:], clause_scores[count:]
    return empathy_matrix(reply_vector(window_vectors, windows), window_vectors, clause_scores)


_HAN = re.compile(r"[\u3400-\u9fff]")


def text_length(text: str) -> int:
    """A clause's length in words; Chinese is written without spaces, so there two characters
    count as one word (about the length of a Mandarin word)."""
    han = len(_HAN.findall(text))
    if not han:
        return len(text.split())
    return (han + 1) // 2 + len(_HAN.sub(" ", text).split())


def reply_vector(window_vectors: npt.NDArray[np.floating], windows: Sequence[Window]) -> Embeddings:
    """The reply as the length-weighted mean of its clauses' embeddings (unit length).

    Measured against embedding the whole reply once more: as good for empathy and steps on held-out
    writers, and it saves a second pass over the reply's words (docs/scoring.md).
    """
    weights = np.array([max(1, text_length(w.text)) for w in windows], np.float64)
    mean: npt.NDArray[np.float64] = (window_vectors.astype(np.float64) * weights[:, None]).sum(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
