"""Scorecard evidence as rows that point at the trainee turn they came from.  Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.contracts import Outcome, Speaker
from simulator.record import CallRecord
from simulator.scoring.scorecard import Dimension, Scorecard, ScoreEvidence
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id

DIMENSION_NAMES = {Dimension.EMPATHY: message_id("empathy"), Dimension.COMPLIANCE: message_id("compliance"),
                   Dimension.TONE: message_id("tone")}
OUTCOME_NAMES = {Outcome.RESOLVED: message_id("resolved"), Outcome.ESCALATED: message_id("escalated"),
                 Outcome.HUNG_UP: message_id("hung up"), Outcome.UNRESOLVED: message_id("unresolved")}


def dimension_name(dimension: str, say: Catalogue = ENGLISH_TEXT) -> str:
    """A scorecard dimension as the trainee reads it (an unknown one as it is stored)."""
    known = {str(key): name for key, name in DIMENSION_NAMES.items()}
    return say(known[dimension]) if dimension in known else dimension


def outcome_name(outcome: Outcome | None, say: Catalogue = ENGLISH_TEXT) -> str:
    return say(OUTCOME_NAMES[outcome]) if outcome is not None else say("unfinished")


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    dimension: str
    evidence: ScoreEvidence
    turn_index: int | None  # the trainee turn (1-based, as in TurnAnalysis.turn_index)

    @property
    def positive(self) -> bool:
        return self.evidence.weight >= 0

    def label(self, say: Catalogue = ENGLISH_TEXT) -> str:
        """The evidence line; its ``detail`` is the scorer's own words (English: the scoring code's)."""
        where = say("turn {number}", number=self.turn_index) if self.turn_index is not None else say("whole call")
        quote = f" “{self.evidence.quote}”" if self.evidence.quote else ""
        return (f"{'+' if self.positive else '−'} {dimension_name(self.dimension, say)}: {self.evidence.detail}"
                f"{quote} ({where})")


def _turn_of(evidence: ScoreEvidence, card: Scorecard, record: CallRecord) -> int | None:
    if evidence.turn_index is not None:
        return evidence.turn_index
    kind, _, ident = evidence.rule.partition(".")
    if kind == "step":
        step = next((s for s in card.steps if s.step_id == ident), None)
        if step is not None:
            return step.turn_index
    if kind == "forbidden":
        hit = next((v for v in card.violations if v.phrase_id == ident and v.quote == evidence.quote), None)
        if hit is not None:
            return hit.turn_index
    for scored in card.turns:
        if evidence in scored.evidence:
            return scored.turn_index
    if evidence.quote:
        quote = evidence.quote.lower()
        for turn in record.turns:
            if turn.speaker == Speaker.TRAINEE and turn.analysis is not None and quote in turn.text.lower():
                return turn.analysis.turn_index
    return None


def evidence_rows(card: Scorecard, record: CallRecord) -> list[EvidenceRow]:
    return [EvidenceRow(dim.dimension.value, item, _turn_of(item, card, record))
            for dim in card.dimensions for item in dim.evidence]


def record_position(record: CallRecord, trainee_turn: int) -> int | None:
    """Index into ``record.turns`` of a trainee turn number."""
    for position, turn in enumerate(record.turns):
        if turn.analysis is not None and turn.analysis.turn_index == trainee_turn:
            return position
    return None
