"""A scenario's script steps, forbidden moves and intents found in one reply.

Three ways to be found, reported as such in the evidence:

* **literally**: a step's keywords or a say_like example word for word, a forbidden entry's
  phrases, an intent's keywords;
* **by the behaviour model**: a step or forbidden entry of a standard ``kind`` (or whose id is a
  kind's name: ``verify_identity``, ``blame-customer``) is found wherever the built-in model finds
  that kind in a clause of the reply, whatever the wording;
* **by likeness to the scenario's own examples**: a clause whose sentence embedding is close
  enough to one of the item's say_like/examples.  This is how a custom step (no kind) is found in
  other words; for a step with a kind it only adds near-paraphrases of the scenario's specifics.

The scenario's examples are embedded once, when the matcher is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.analysis.behaviour.conditions import conditional_clauses
from simulator.analysis.behaviour.features import Embeddings, reply_windows
from simulator.analysis.behaviour.model import BehaviourReading
from simulator.analysis.embeddings import TextEncoder
from simulator.contracts import ForbiddenHit, MatchKind, StepHit, Transcript
from simulator.scenario.kinds import CLAUSE_LABELS, StepKind
from simulator.scenario.model import Scenario
from simulator.text import find_phrase, normalise


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """Cosine similarity a clause needs to one of an item's examples to count as saying it."""

    step: float = 0.55
    step_margin: float = 0.05  # a clause counts for its best-matching steps only
    # A step with a kind is found by the model; its examples only add close paraphrases.
    kind_step: float = 0.75
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
    kind: str | None = None


def first_literal(text: str, phrases: Sequence[str]) -> str | None:
    return next((hit for phrase in phrases if (hit := find_phrase(text, phrase))), None)


Similarities = npt.NDArray[np.float32]
"""Cosine similarities (or thresholds on them): clauses x examples, clauses x items, or per item."""


class _ExampleIndex:
    """Examples of several items, embedded once; finds each item's best clause."""

    def __init__(self, encoder: TextEncoder, items: Sequence[_Item]):
        self.items = tuple(items)
        owners: list[int] = []
        texts: list[str] = []
        for index, item in enumerate(self.items):
            for example in item.examples:
                texts.append(example)
                owners.append(index)
        self._texts = tuple(texts)
        self._vectors = encoder.encode(texts)
        self._owners = np.array(owners, dtype=np.int64)

    def per_item(self, similarities: Similarities) -> Similarities:
        """Clauses x items, from clauses x examples: each clause's similarity to the item's closest
        example (-1 without any)."""
        table = np.full((len(similarities), len(self.items)), -1.0, dtype=np.float32)
        if not self._texts or len(similarities) == 0:
            return table
        for index in range(len(self.items)):
            columns = np.flatnonzero(self._owners == index)
            if columns.size:
                table[:, index] = similarities[:, columns].max(axis=1)
        return table

    def sentence_best(self, vectors: Embeddings) -> Similarities:
        """Per clause, its similarity to the closest example of any item (-1 without items)."""
        if not len(vectors):
            return np.zeros(0, np.float32)
        best: Similarities = self.per_item(vectors @ self._vectors.T).max(axis=1, initial=-1.0)
        return best

    def best(self, sentences: Sequence[str], vectors: Embeddings, thresholds: Similarities,
             margin: float | None = None, rivals: Similarities | None = None) -> dict[str, SemanticHit]:
        """Per item, the clause most similar to any of its examples, if at or above its threshold.

        With ``margin``, a clause only counts for the items it matches best (within ``margin`` of
        its best item): one clause usually does one thing, and near-synonymous steps ("ask the
        name" / "ask the account number") otherwise all fire on it.  ``rivals`` (per clause) are
        similarities to other things the clause might be doing instead (a scenario's intents and
        forbidden phrases): an item only counts where it matches at least as well as they do.
        """
        hits: dict[str, SemanticHit] = {}
        if not self._texts or not sentences:
            return hits
        similarities = vectors @ self._vectors.T
        table = self.per_item(similarities)
        allowed = table >= thresholds[None, :]
        if margin is not None:
            allowed &= table >= table.max(axis=1, keepdims=True) - margin
        if rivals is not None:
            allowed &= table >= rivals[:, None]
        for index, item in enumerate(self.items):
            rows = np.flatnonzero(allowed[:, index])
            if rows.size == 0:
                continue
            row = int(rows[np.argmax(table[rows, index])])
            columns = np.flatnonzero(self._owners == index)
            column = int(columns[np.argmax(similarities[row, columns])])
            hits[item.item_id] = SemanticHit(item.item_id, sentences[row], self._texts[column],
                                             round(float(table[row, index]), 3))
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
    # ASR and clause splitting may disagree on a word; fall back to the quote's first word.
    first = target[0]
    return next((transcript.words[i].start_s for token, i in flat if token == first), None)


# Kinds whose clause is never a forbidden move by likeness alone (see ``_warm_clauses``).
WARM_STEP_KINDS = (StepKind.ACKNOWLEDGE_EMOTION, StepKind.APOLOGISE)


def _warm_clauses(clauses: Sequence[str], reading: BehaviourReading) -> Similarities:
    """Rivals for forbidden likeness, per clause: unbeatable (2.0) where the behaviour model found the
    reply acknowledging a feeling or apologising in that clause, else none (-1.0).

    Likeness cannot tell "that must be really worrying" from "I wouldn't worry, palpitations are
    very common" (cosine 0.72: same topic, opposite move); the model, trained on exactly that
    difference, can.  The forbidden entry's literal phrases and its kind still count."""
    warm = {finding.quote for kind in WARM_STEP_KINDS if (finding := reading.found(kind)) is not None}
    return np.array([2.0 if clause in warm else -1.0 for clause in clauses], dtype=np.float32)


def _with_clauses(examples: Sequence[str], language: str) -> tuple[str, ...]:
    """The examples, then those of their clauses that are not the whole example."""
    parts = [w.text for example in examples for w in reply_windows(example, language)]
    return tuple(dict.fromkeys([*examples, *(p for p in parts if p not in examples)]))


class ScenarioMatcher:
    """Finds a scenario's steps, forbidden moves and intents in one reply's behaviour reading."""

    def __init__(self, scenario: Scenario, encoder: TextEncoder, thresholds: MatchThresholds = MatchThresholds()):
        self.scenario = scenario
        self.thresholds = thresholds
        self._steps = _ExampleIndex(encoder, [
            _Item(s.id, (*s.keywords, *s.say_like), s.say_like or (() if s.standard_kind else (s.description,)),
                  s.standard_kind) for s in scenario.script])
        # As with steps' keywords, a forbidden entry's short phrases are found word for word; only an
        # entry without a kind (nothing else to find it by) is also found by likeness to them: "please
        # don't swear at me" is 0.78 like "don't you swear at me" (the topic, not the move).
        self._forbidden = _ExampleIndex(encoder, [
            _Item(f.id, f.phrases, f.examples if f.standard_kind else (*f.examples, *f.phrases), f.standard_kind)
            for f in scenario.forbidden])
        # What a clause is compared with when a step rivals a forbidden example: the step's examples
        # and each of their clauses, since a reply is read clause by clause ("so the returns window
        # doesn't apply" is the last clause of an explain-rights example, and only 0.6 like all of it).
        self._step_clauses = _ExampleIndex(encoder, [
            _Item(s.id, (), _with_clauses(s.say_like, str(scenario.language)), s.standard_kind)
            for s in scenario.script])
        self._intents = _ExampleIndex(encoder, [
            _Item(i.id, (*i.keywords, *i.say_like), i.say_like) for i in scenario.intents])
        self._severity = {f.id: f.severity.level for f in scenario.forbidden}
        self._step_thresholds = np.array([thresholds.kind_step if item.kind else thresholds.step
                                          for item in self._steps.items], dtype=np.float32)

    @staticmethod
    def _clauses(reading: BehaviourReading) -> list[str]:
        return [w.text for w in reading.windows]

    def steps(self, transcript: Transcript, reading: BehaviourReading) -> tuple[StepHit, ...]:
        clauses = self._clauses(reading)
        # "Have you checked with your bank?" is the scenario's blame-the-bank intent, not its refund step.
        rivals = np.maximum(self._intents.sentence_best(reading.vectors),
                            self._forbidden.sentence_best(reading.vectors))
        semantic = self._steps.best(clauses, reading.vectors, self._step_thresholds, self.thresholds.step_margin,
                                    rivals)
        hits = []
        for item in self._steps.items:
            literal = first_literal(transcript.text, item.literal)
            found = reading.found(item.kind) if item.kind else None
            if literal:
                hits.append(StepHit(item.item_id, literal, MatchKind.LITERAL, 1.0, quote_start_s(transcript, literal)))
            elif found is not None:
                hits.append(StepHit(item.item_id, found.quote, MatchKind.MODEL, found.confidence,
                                    quote_start_s(transcript, found.quote)))
            elif item.item_id in semantic:
                hit = semantic[item.item_id]
                hits.append(StepHit(item.item_id, hit.sentence, MatchKind.SEMANTIC, hit.similarity,
                                    quote_start_s(transcript, hit.sentence)))
        return tuple(hits)

    def forbidden(self, transcript: Transcript, reading: BehaviourReading) -> tuple[ForbiddenHit, ...]:
        clauses = self._clauses(reading)
        thresholds = np.full(len(self._forbidden.items), self.thresholds.forbidden, dtype=np.float32)
        # As steps give way to forbidden examples, a forbidden example gives way to a step example the
        # clause is at least as close to: "so the returns window doesn't apply to you" explains the
        # customer's rights; it is not the policy wall "it's over thirty days so we can't do anything".
        rivals = np.maximum(_warm_clauses(clauses, reading), self._step_clauses.sentence_best(reading.vectors))
        semantic = self._forbidden.best(clauses, reading.vectors, thresholds, rivals=rivals)
        hits = []
        for item in self._forbidden.items:
            severity = self._severity[item.item_id]
            literal = first_literal(transcript.text, item.literal)
            found = reading.found(item.kind) if item.kind else None
            if literal:
                hits.append(ForbiddenHit(item.item_id, literal, severity, MatchKind.LITERAL, 1.0))
            elif found is not None and not self._scenario_step_clause(found.quote, reading):
                hits.append(ForbiddenHit(item.item_id, found.quote, severity, MatchKind.MODEL, found.confidence))
            elif item.item_id in semantic:
                hit = semantic[item.item_id]
                hits.append(ForbiddenHit(item.item_id, hit.sentence, severity, MatchKind.SEMANTIC, hit.similarity))
        return tuple(hits)

    def said_like_examples(self, transcript: Transcript, reading: BehaviourReading,
                           kinds: Sequence[str]) -> StepHit | None:
        """A step of one of ``kinds`` said in the words of its say_like examples: one of them word for
        word, or a clause as close to one as a paraphrase must be (``kind_step``) that the model
        reads as one of ``kinds`` rather than anything else.  Its keywords do
        not count here: they are hooks for finding the step ("the appeal was rejected"), not proof
        of what the step means (acknowledging his frustration about it)."""
        wanted = np.array([item.kind in kinds for item in self._steps.items], dtype=bool)
        for item in (item for item, want in zip(self._steps.items, wanted, strict=True) if want):
            literal = first_literal(transcript.text, item.examples)
            if literal:
                return StepHit(item.item_id, literal, MatchKind.LITERAL, 1.0, quote_start_s(transcript, literal))
        # Likeness is mostly topic: "The appeal was rejected" is 0.87 from "I can hear how annoyed you
        # are that the appeal was rejected".  A paraphrase counts where the model also reads the
        # clause as that kind of move (its likeliest kind), so the example and the model agree.
        likeliest = np.argmax(reading.probabilities, axis=1)
        for kind in kinds:
            of_kind = np.array([item.kind == kind for item in self._steps.items], dtype=bool)
            thresholds = np.where(of_kind, self.thresholds.kind_step, np.inf).astype(np.float32)
            rivals = np.where(likeliest == CLAUSE_LABELS.index(kind), -1.0, 2.0).astype(np.float32)
            hit = next(iter(self._steps.best(self._clauses(reading), reading.vectors, thresholds,
                                             rivals=rivals).values()), None)
            if hit is not None:
                return StepHit(hit.item_id, hit.sentence, MatchKind.SEMANTIC, hit.similarity,
                               quote_start_s(transcript, hit.sentence))
        return None

    def _scenario_step_clause(self, clause: str, reading: BehaviourReading) -> bool:
        """The clause says one of the scenario's own steps in the scenario's own words (as close to a
        say_like example as a paraphrase must be): the scenario's specific example outranks the
        general model's reading of it as a forbidden move.  "The claim was declined because the
        assessor thought the water had leaked slowly" explains the decision the scenario asks for;
        the model alone hears blame in it.  A forbidden entry's literal phrases still count."""
        rows = [i for i, text in enumerate(self._clauses(reading)) if text == clause]
        if not rows:
            return False
        vectors = reading.vectors[rows]
        step_likeness = float(self._step_clauses.sentence_best(vectors).max())
        forbidden_likeness = float(self._forbidden.sentence_best(vectors).max())
        return step_likeness >= self.thresholds.kind_step and step_likeness > forbidden_likeness

    def intents(self, transcript: Transcript, reading: BehaviourReading) -> tuple[str, ...]:
        """The scenario's intents the reply acts on.  A clause that says what would happen under a
        condition ("if it continues, I will end the call") warns of the act; it does not do it, so
        neither its likeness to an intent's examples nor the intent's keywords in it count."""
        clauses = self._clauses(reading)
        conditional = conditional_clauses(reading.reply, [(w.start, w.end) for w in reading.windows],
                                          str(self.scenario.language))
        acting = [i for i, flag in enumerate(conditional) if not flag]
        thresholds = np.full(len(self._intents.items), self.thresholds.intent, dtype=np.float32)
        semantic = self._intents.best([clauses[i] for i in acting], reading.vectors[acting], thresholds)
        # Without a conditional clause the whole reply is searched, so a keyword across a clause
        # boundary is still found.
        texts = [clauses[i] for i in acting] if any(conditional) else [transcript.text]
        return tuple(item.item_id for item in self._intents.items
                     if any(first_literal(text, item.literal) for text in texts) or item.item_id in semantic)
