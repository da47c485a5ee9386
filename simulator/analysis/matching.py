"""Script steps, forbidden phrases and intents recognised in any wording.

Literal first: a step's keywords (or a say_like example said word for word), a forbidden phrase's
phrases, an intent's keywords.  Then by meaning: each sentence of the reply is compared with the
item's examples (a step's say_like, a forbidden phrase's examples and phrases, an intent's
say_like, or its description when it has none); a similarity at or above the item's threshold is a SEMANTIC hit whose confidence is
that similarity and whose quote is the sentence.  The scenario's examples are embedded once, when
the matcher is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.text import find_phrase, normalise
from simulator.contracts import ForbiddenHit, MatchKind, StepHit, Transcript
from simulator.scenario.model import Scenario


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """Cosine similarity a sentence needs to one of an item's examples to count as saying it."""

    step: float = 0.55
    step_margin: float = 0.05  # a sentence counts for its best-matching steps only
    # Higher than steps: a false "forbidden" accuses the trainee, a missed one only loses evidence.
    forbidden: float = 0.70
    intent: float = 0.62


@dataclass(frozen=True, slots=True)
class SemanticHit:
    item_id: str
    sentence: str
    example: str
    similarity: float


@dataclass(frozen=True, slots=True)
class _Item:
    item_id: str
    literal: tuple[str, ...]
    examples: tuple[str, ...]


def first_literal(text: str, phrases: Sequence[str]) -> str | None:
    return next((hit for phrase in phrases if (hit := find_phrase(text, phrase))), None)


class _ExampleIndex:
    """Examples of several items, embedded once; finds each item's best sentence."""

    def __init__(self, encoder: SentenceEncoder, items: Sequence[_Item]):
        self.items = tuple(items)
        self._owner: list[int] = []
        texts: list[str] = []
        for index, item in enumerate(self.items):
            for example in item.examples:
                texts.append(example)
                self._owner.append(index)
        self._texts = tuple(texts)
        self._vectors = encoder.encode(texts)
        self._owners = np.array(self._owner, dtype=np.int64)

    def sentence_best(self, vectors: np.ndarray) -> np.ndarray:
        """Per sentence, its similarity to the closest example of any item (-1 without items)."""
        if not self._texts or len(vectors) == 0:
            return np.full(len(vectors), -1.0, dtype=np.float32)
        return (vectors @ self._vectors.T).max(axis=1)

    def best(self, sentences: Sequence[str], vectors: np.ndarray, threshold: float,
             margin: float | None = None, rivals: np.ndarray | None = None) -> dict[str, SemanticHit]:
        """Per item, the sentence most similar to any of its examples, if at or above ``threshold``.

        With ``margin``, a sentence only counts for the items it matches best (within ``margin`` of
        its best item): one sentence usually does one thing, and near-synonymous steps ("ask the
        name" / "ask the account number") otherwise all fire on it.  ``rivals`` (per sentence) are
        similarities to other things the sentence might be doing instead (a scenario's intents and
        forbidden phrases): an item only counts where it matches at least as well as they do.
        """
        hits: dict[str, SemanticHit] = {}
        if not self._texts or not sentences:
            return hits
        similarities = vectors @ self._vectors.T  # sentences x examples
        per_item = np.full((len(sentences), len(self.items)), -1.0, dtype=np.float32)
        for index in range(len(self.items)):
            columns = np.flatnonzero(self._owners == index)
            if columns.size:
                per_item[:, index] = similarities[:, columns].max(axis=1)
        allowed = per_item >= threshold
        if margin is not None:
            allowed &= per_item >= per_item.max(axis=1, keepdims=True) - margin
        if rivals is not None:
            allowed &= per_item >= rivals[:, None]
        for index, item in enumerate(self.items):
            rows = np.flatnonzero(allowed[:, index])
            if rows.size == 0:
                continue
            row = int(rows[np.argmax(per_item[rows, index])])
            columns = np.flatnonzero(self._owners == index)
            column = int(columns[np.argmax(similarities[row, columns])])
            hits[item.item_id] = SemanticHit(item.item_id, sentences[row], self._texts[column],
                                             round(float(per_item[row, index]), 3))
        return hits


def quote_start_s(transcript: Transcript, quote: str) -> float | None:
    """Where ``quote`` starts in the turn's audio, from the transcript's word timings."""
    if not transcript.words:
        return None
    target = normalise(quote).split()
    if not target:
        return None
    spoken = [normalise(w.text) for w in transcript.words]
    flat: list[tuple[str, int]] = [(token, i) for i, word in enumerate(spoken) for token in word.split()]
    tokens = [token for token, _ in flat]
    for start in range(len(tokens) - len(target) + 1):
        if tokens[start:start + len(target)] == target:
            return transcript.words[flat[start][1]].start_s
    # ASR and sentence splitting may disagree on a word; fall back to the quote's first word.
    first = target[0]
    return next((transcript.words[i].start_s for token, i in flat if token == first), None)


class ScenarioMatcher:
    """Finds a scenario's steps, forbidden phrases and intents in one reply."""

    def __init__(self, scenario: Scenario, encoder: SentenceEncoder, thresholds: MatchThresholds = MatchThresholds()):
        self.scenario = scenario
        self.thresholds = thresholds
        self._steps = _ExampleIndex(encoder, [
            _Item(s.id, (*s.keywords, *s.say_like), s.say_like or (s.description,)) for s in scenario.script])
        self._forbidden = _ExampleIndex(encoder, [
            _Item(f.id, f.phrases, (*f.examples, *f.phrases)) for f in scenario.forbidden])
        self._intents = _ExampleIndex(encoder, [
            _Item(i.id, (*i.keywords, *i.say_like), i.say_like) for i in scenario.intents])
        self._severity = {f.id: f.severity.level for f in scenario.forbidden}

    def steps(self, transcript: Transcript, sentences: Sequence[str], vectors: np.ndarray) -> tuple[StepHit, ...]:
        # "Have you checked with your bank?" is the scenario's blame-the-bank intent, not its refund step.
        rivals = np.maximum(self._intents.sentence_best(vectors), self._forbidden.sentence_best(vectors))
        semantic = self._steps.best(sentences, vectors, self.thresholds.step, self.thresholds.step_margin, rivals)
        hits = []
        for item in self._steps.items:
            literal = first_literal(transcript.text, item.literal)
            if literal:
                hits.append(StepHit(item.item_id, literal, MatchKind.LITERAL, 1.0,
                                    quote_start_s(transcript, literal)))
            elif item.item_id in semantic:
                hit = semantic[item.item_id]
                hits.append(StepHit(item.item_id, hit.sentence, MatchKind.SEMANTIC, hit.similarity,
                                    quote_start_s(transcript, hit.sentence)))
        return tuple(hits)

    def forbidden(self, transcript: Transcript, sentences: Sequence[str], vectors: np.ndarray
                  ) -> tuple[ForbiddenHit, ...]:
        semantic = self._forbidden.best(sentences, vectors, self.thresholds.forbidden)
        hits = []
        for item in self._forbidden.items:
            literal = first_literal(transcript.text, item.literal)
            if literal:
                hits.append(ForbiddenHit(item.item_id, literal, self._severity[item.item_id], MatchKind.LITERAL, 1.0))
            elif item.item_id in semantic:
                hit = semantic[item.item_id]
                hits.append(ForbiddenHit(item.item_id, hit.sentence, self._severity[item.item_id],
                                         MatchKind.SEMANTIC, hit.similarity))
        return tuple(hits)

    def intents(self, transcript: Transcript, sentences: Sequence[str], vectors: np.ndarray) -> tuple[str, ...]:
        semantic = self._intents.best(sentences, vectors, self.thresholds.intent)
        return tuple(item.item_id for item in self._intents.items
                     if first_literal(transcript.text, item.literal) or item.item_id in semantic)

    def semantic_steps(self, sentences: Sequence[str], vectors: np.ndarray) -> dict[str, SemanticHit]:
        """Meaning-only step hits (no keywords): what the validity benchmark measures."""
        return self._steps.best(sentences, vectors, self.thresholds.step, self.thresholds.step_margin)
