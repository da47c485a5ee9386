"""Empathy over a call, judged where it matters.

A reply that only verifies an account or reads out a refund is a business turn: it is not marked
down for lacking empathy.  Empathy is judged on the replies that called for it:

* the first reply to a customer whose words show distress (the analyser's reading of the
  customer's line; an agent's greeting before the customer spoke, or to a calm opening, is not a
  reply to a complaint),
* replies to a customer who is angry or got angrier (mood at or above the scenario's
  ``angry_at``, or a clear rise), or who had just escalated (asked for a manager, lost patience),
* replies to a line whose words show distress.

Once the trainee has shown empathy, a procedural reply with nothing dismissive in it ("can I take
your account number?") is a business turn again, until the customer gets angrier.

Dismissive wording counts against empathy in *any* turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.contracts import EmpathyLevel, EngineEvent
from simulator.scenario.model import Scenario
from simulator.scoring.scorecard import Dimension, ScoreEvidence
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import ENGLISH, Wording
from simulator.text import normalise

E = Dimension.EMPATHY
# Only for analysers that do not read the customer's words (the lexical dry-run analyser): a few
# plain cues of distress.  The semantic analyser's learned reading replaces them.
DISTRESS_CUES = (
    "angry", "furious", "frustrated", "upset", "worried", "fed up", "sick of", "ridiculous", "unacceptable",
    "disgusting", "scared", "can't believe", "not happy", "disappointed", "manager", "complaint",
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


def distress_cues(text: str) -> list[str]:
    haystack = f" {normalise(text)} "
    return [w for w in DISTRESS_CUES if f" {normalise(w)} " in haystack]


def opening_reply(turns: Sequence[ScoredTurn]) -> int | None:
    """The trainee's first answer to the customer (an agent's greeting before the customer spoke is
    not one); with no customer side at all (an agent-only recording), the first turn."""
    answering = [t.index for t in turns if t.customer is not None]
    if answering:
        return answering[0]
    return turns[0].index if turns else None


def distress_in_words(turn: ScoredTurn, words: Wording = ENGLISH) -> str | None:
    """Why the customer's line reads as distressed, or None when it reads calm."""
    analysis = turn.analysis
    if analysis.customer_distressed is not None:
        if not analysis.customer_distressed:
            return None
        return words("reason.words_distress", sure=100 * (analysis.customer_distress or 0))
    if turn.customer is None:
        return None
    cues = distress_cues(turn.customer.text)
    if cues:
        return words("reason.emotion_cue", cue=cues[0])
    if "!" in turn.customer.text:
        return words("reason.emotion")
    return None


def fresh_escalation(turn: ScoredTurn, words: Wording = ENGLISH) -> str | None:
    """The customer has just got angrier or escalated: empathy is called for again, whatever came before."""
    customer = turn.customer
    if customer is None:
        return None
    if customer.mood_delta >= ESCALATION_MOOD_DELTA:
        return words("reason.angrier")
    if ESCALATION_EVENTS & set(customer.events):
        return words("reason.escalated")
    return None


def why_empathy_needed(turn: ScoredTurn, opening: int | None, scenario: Scenario | None,
                       words: Wording = ENGLISH) -> str | None:
    """Plain-words reason this reply called for empathy, or None for a business turn."""
    customer = turn.customer
    if customer is None:
        return words("reason.first_reply") if turn.index == opening else None
    escalation = fresh_escalation(turn, words)
    if escalation:
        return escalation
    if scenario is not None and customer.mood is not None and customer.mood >= scenario.angry_at:
        return words("reason.angry")
    distress = distress_in_words(turn, words)
    if turn.index == opening and turn.analysis.customer_distressed is None:
        return words("reason.first_reply_complaint")  # the analyser does not read the words
    if distress is None:
        return None
    return words("reason.first_reply_distress", distress=distress) if turn.index == opening else distress


def procedural_after_empathy(turn: ScoredTurn, empathy_shown_before: bool) -> bool:
    """A reply without empathy, but without anything dismissive either, after empathy was shown and
    with no fresh escalation since: a business turn ("can I take your account number?")."""
    analysis = turn.analysis
    return (empathy_shown_before and not analysis.silence and analysis.empathy.level == EmpathyLevel.NONE
            and not any(e.weight < 0 for e in analysis.empathy.evidence) and fresh_escalation(turn) is None)


def score_empathy(turns: Sequence[ScoredTurn], scenario: Scenario | None,
                  needed_by_call: Mapping[int, str | None] | None = None, customer_heard: bool = True, *,
                  words: Wording) -> EmpathyResult:
    """``needed_by_call``: where empathy was called for, already read off an outside call.  When
    nothing called for it and the customer is not on the recording (``customer_heard`` False), the
    need is unknown: empathy is not judged (None), rather than scored 100 as "not needed"."""
    evidence: list[ScoreEvidence] = []
    per_turn: dict[int, tuple[float | None, tuple[ScoreEvidence, ...]]] = {}
    reasons: dict[int, str] = {}
    judged_scores: list[float] = []
    penalties = 0.0
    first_empathy = None
    opening = opening_reply(turns)
    needed: dict[int, str | None] = {}
    for turn in turns:
        if needed_by_call is not None:
            # each distressed customer turn read off an outside call is a fresh one: it is answered or not
            needed[turn.index] = needed_by_call.get(turn.index)
        else:
            reason = why_empathy_needed(turn, opening, scenario, words)
            needed[turn.index] = None if procedural_after_empathy(turn, first_empathy is not None) else reason
        if first_empathy is None and turn.analysis.shows_empathy:
            first_empathy = turn.index
    judged_count = max(1, sum(reason is not None for reason in needed.values()))
    for turn in turns:
        analysis = turn.analysis
        judgement = analysis.empathy
        items = [turn.evidence(E, e.rule, e.quote, words.heard(e), 0.0, e.start_s) for e in judgement.evidence]
        dismissive = [e for e in judgement.evidence if e.weight < 0]
        reason = needed[turn.index]
        turn_score: float | None = None
        if reason is not None:
            reasons[turn.index] = reason
            turn_score = 0.0 if analysis.silence else 100.0 * judgement.score
            judged_scores.append(turn_score)
            level = words("level.no_reply" if analysis.silence else f"level.{judgement.level.name.lower()}")
            items.insert(0, turn.evidence(E, "empathy.needed", _short(turn.text),
                                          words("empathy.needed", reason=reason, level=level, score=turn_score),
                                          -(100.0 - turn_score) / judged_count))
        elif dismissive:
            turn_score = 0.0
            penalties += 10.0
            items.insert(0, turn.evidence(E, "empathy.dismissive", dismissive[0].quote,
                                          words("empathy.dismissive"), -10.0, dismissive[0].start_s))
        per_turn[turn.index] = (None if turn_score is None else round(turn_score, 1), tuple(items))
        evidence.extend(items)
    if not turns:
        return EmpathyResult(None, (), (), {}, {}, None)
    if not judged_scores and needed_by_call is not None and not customer_heard:
        evidence.append(ScoreEvidence("empathy.not_judged", "", words("empathy.not_judged"), dimension=E))
        return EmpathyResult(None, tuple(evidence), (), per_turn, reasons, first_empathy)
    if not judged_scores:
        evidence.append(ScoreEvidence("empathy.not_needed", "", words("empathy.not_needed"), dimension=E))
    score = sum(judged_scores) / len(judged_scores) if judged_scores else 100.0
    return EmpathyResult(round(max(0.0, score - penalties), 1), tuple(evidence), tuple(sorted(reasons)), per_turn,
                         reasons, first_empathy)


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
