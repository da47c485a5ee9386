"""The scorecard: what a trainee and a trainer see after a call.  Pure data."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import TypeAdapter

from simulator.contracts import Evidence, Outcome


class Dimension(enum.StrEnum):
    EMPATHY = "empathy"
    COMPLIANCE = "compliance"
    TONE = "tone"


@dataclass(frozen=True, slots=True)
class DimensionScore:
    dimension: Dimension
    score: float | None  # 0..100; None when it could not be measured (e.g. tone of a typed call)
    pass_mark: float
    passed: bool | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class TurnScore:
    turn_index: int  # the trainee turn number, 1-based
    empathy: float | None
    compliance: float | None
    tone: float | None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class StepResult:
    step_id: str
    description: str
    hit: bool
    turn_index: int | None = None
    start_s: float | None = None
    quote: str | None = None
    in_order: bool = True
    on_time: bool = True
    required: bool = True


@dataclass(frozen=True, slots=True)
class Violation:
    phrase_id: str
    turn_index: int
    quote: str
    severity: str
    match: str


@dataclass(frozen=True, slots=True)
class Scorecard:
    scenario_id: str
    outcome: Outcome | None
    overall: float
    passed: bool
    pass_mark: float
    dimensions: tuple[DimensionScore, ...]
    turns: tuple[TurnScore, ...]
    steps: tuple[StepResult, ...]
    violations: tuple[Violation, ...]
    tips: tuple[str, ...]
    scorer: str

    def dimension(self, which: Dimension) -> DimensionScore:
        return next(d for d in self.dimensions if d.dimension == which)


_SCORECARD = TypeAdapter(Scorecard)


def scorecard_to_json(card: Scorecard) -> dict:
    return _SCORECARD.dump_python(card, mode="json")


def scorecard_from_json(data: dict) -> Scorecard:
    return _SCORECARD.validate_python(data)
