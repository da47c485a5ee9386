"""A call as the scorers see it: each trainee turn with the customer line it answered and its times."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.contracts import Speaker, TurnAnalysis
from simulator.record import CallRecord, TurnRecord
from simulator.scoring.scorecard import Dimension, ScoreEvidence


@dataclass(frozen=True, slots=True)
class ScoredTurn:
    analysis: TurnAnalysis
    record: TurnRecord | None  # None when scoring bare analyses
    customer: TurnRecord | None  # the customer line this turn answered

    @property
    def index(self) -> int:
        return self.analysis.turn_index

    @property
    def start_s(self) -> float | None:
        if self.analysis.timing.start_s is not None:
            return self.analysis.timing.start_s
        return self.record.start_s if self.record is not None else None

    @property
    def text(self) -> str:
        return self.analysis.transcript.text

    def at(self, offset_s: float | None) -> float | None:
        """A time inside the turn's audio on the call clock."""
        if self.start_s is None:
            return None
        return round(self.start_s + (offset_s or 0.0), 2)

    def evidence(self, dimension: Dimension, rule: str, quote: str, detail: str, weight: float,
                 start_s: float | None = None) -> ScoreEvidence:
        return ScoreEvidence(rule=rule, quote=quote, detail=detail, start_s=start_s, weight=round(weight, 2),
                             turn_index=self.index, time_s=self.at(start_s), dimension=dimension)


def scored_turns(record: CallRecord) -> tuple[ScoredTurn, ...]:
    turns = []
    customer: TurnRecord | None = None
    for turn in record.turns:
        if turn.speaker == Speaker.CUSTOMER:
            customer = turn
        elif turn.analysis is not None:
            turns.append(ScoredTurn(turn.analysis, turn, customer))
    return tuple(turns)
