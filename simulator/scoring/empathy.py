"""Empathy over a call, judged where it matters.

A reply that only verifies an account or reads out a refund is a business turn: it is not marked
down for lacking empathy.  Empathy is judged on the replies that called for it:

* the first reply to the customer (the customer opened with a complaint; an agent's greeting
  before the customer spoke is not a reply),
* replies to a customer line that expressed emotion: the customer got angrier (mood rose), is
  angry (mood at or above the scenario's ``angry_at``), or used emotional words,
* the reply right after the customer escalated (asked for a manager, lost patience).

Dismissive wording counts against empathy in *any* turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulator.analysis.text import normalise
from simulator.contracts import EmpathyLevel, EngineEvent
from simulator.scenario.model import Scenario
from simulator.scoring.scorecard import Dimension, ScoreEvidence
from simulator.scoring.turns import ScoredTurn

E = Dimension.EMPATHY
EMOTION_WORDS = (
    "angry", "annoyed", "furious", "frustrated", "frustrating", "upset", "worried", "stressed", "fed up",
    "sick of", "ridiculous", "unacceptable", "disgusting", "disgraceful", "appalling", "hopeless", "useless",
    "unbelievable", "outrageous", "joke", "scared", "afraid", "anxious", "panicking", "desperate", "overdrawn",
    "can't believe", "cannot believe", "not happy", "disappointed", "waiting for", "manager", "complaint",
    "not listening", "hanging up",
)
# the engine nudges mood a few points every turn; a rise this big is the customer reacting
ESCALATION_MOOD_DELTA = 5
ESCALATION_EVENTS = frozenset({EngineEvent.PATIENCE_LOST, EngineEvent.FORBIDDEN_PHRASE})


@dataclass(frozen=True, slots=True)
class EmpathyResult:
    score: float | None
    evidence: tuple[ScoreEvidence, ...]
    judged_turns: tuple[int, ...]
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]]
    reasons: dict[int, str]  # why each judged turn called for empathy
    first_empathy_turn: int | None  # the first reply showing any empathy


def emotion_words(text: str) -> list[str]:
    haystack = f" {normalise(text)} "
    return [w for w in EMOTION_WORDS if f" {normalise(w)} " in haystack]


def opening_reply(turns: Sequence[ScoredTurn]) -> int | None:
    """The trainee's first answer to the customer (an agent's greeting before the customer spoke is
    not one); with no customer side at all (an agent-only recording), the first turn."""
    answering = [t.index for t in turns if t.customer is not None]
    if answering:
        return answering[0]
    return turns[0].index if turns else None


def why_empathy_needed(turn: ScoredTurn, opening: int | None, scenario: Scenario | None) -> str | None:
    """Plain-words reason this reply called for empathy, or None for a business turn."""
    if turn.index == opening:
        return "your first reply to the customer's complaint"
    customer = turn.customer
    if customer is None:
        return None
    if customer.mood_delta >= ESCALATION_MOOD_DELTA:
        return "the customer had just got angrier"
    if scenario is not None and customer.mood is not None and customer.mood >= scenario.angry_at:
        return "the customer was angry"
    if ESCALATION_EVENTS & set(customer.events):
        return "right after the customer escalated"
    words = emotion_words(customer.text)
    if words or "!" in customer.text:
        return "the customer expressed emotion" + (f" (\"{words[0]}\")" if words else "")
    return None


def score_empathy(turns: Sequence[ScoredTurn], scenario: Scenario | None) -> EmpathyResult:
    evidence: list[ScoreEvidence] = []
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]] = {}
    reasons: dict[int, str] = {}
    judged_scores: list[float] = []
    penalties = 0.0
    first_empathy = None
    opening = opening_reply(turns)
    needed = {turn.index: why_empathy_needed(turn, opening, scenario) for turn in turns}
    judged_count = max(1, sum(reason is not None for reason in needed.values()))
    for turn in turns:
        analysis = turn.analysis
        judgement = analysis.empathy
        if first_empathy is None and not analysis.silence and judgement.level > EmpathyLevel.NONE:
            first_empathy = turn.index
        items = [turn.evidence(E, f"{e.rule}", e.quote, e.detail, 0.0, e.start_s) for e in judgement.evidence]
        dismissive = [e for e in judgement.evidence if e.weight < 0]
        reason = needed[turn.index]
        turn_score: float | None = None
        if reason is not None:
            reasons[turn.index] = reason
            turn_score = 0.0 if analysis.silence else 100.0 * judgement.score
            judged_scores.append(turn_score)
            level = "no reply" if analysis.silence else judgement.level.name.lower()
            items.insert(0, turn.evidence(E, "empathy.needed", _short(turn.text),
                                          f"empathy called for ({reason}): {level} ({turn_score:.0f}/100)",
                                          -(100.0 - turn_score) / judged_count))
        elif dismissive:
            turn_score = 0.0
            penalties += 10.0
            items.insert(0, turn.evidence(E, "empathy.dismissive", dismissive[0].quote,
                                          "dismissive wording in a business turn", -10.0, dismissive[0].start_s))
        per_turn[turn.index] = (None if turn_score is None else round(turn_score, 1), tuple(items))
        evidence.extend(items)
    if not turns:
        return EmpathyResult(None, (), (), {}, {}, None)
    if not judged_scores:
        evidence.append(ScoreEvidence("empathy.not_needed", "", "no reply called for empathy", dimension=E))
    score = sum(judged_scores) / len(judged_scores) if judged_scores else 100.0
    return EmpathyResult(round(max(0.0, score - penalties), 1), tuple(evidence), tuple(sorted(reasons)), per_turn,
                         reasons, first_empathy)


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
