"""The scorecard: what a trainee and a trainer see after a call.  Pure data.

Every number has evidence: a ``ScoreEvidence`` says which rule moved which dimension by how many
points, in which trainee turn, at what time on the call clock, quoting the words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from simulator.contracts import Outcome, ToneMeasures


class Dimension(enum.StrEnum):
    EMPATHY = "empathy"
    COMPLIANCE = "compliance"
    TONE = "tone"


@dataclass(frozen=True, slots=True)
class ScoreEvidence:
    """One reason for a score.  ``weight`` is the points it added (+) or cost (-) the dimension."""

    rule: str  # stable id: empathy.opening, step.verify, forbidden.calm-down, tone.pace ...
    quote: str
    detail: str  # plain words for the trainee
    start_s: float | None = None  # inside the turn's audio
    weight: float = 0.0
    turn_index: int | None = None  # trainee turn, 1-based; None = the whole call
    time_s: float | None = None  # on the call clock
    dimension: Dimension | None = None


@dataclass(frozen=True, slots=True)
class DimensionScore:
    dimension: Dimension
    score: float | None  # 0..100; None when it could not be measured (e.g. tone of a typed call)
    pass_mark: float
    passed: bool | None
    evidence: tuple[ScoreEvidence, ...] = ()
    judged_turns: tuple[int, ...] = ()  # the trainee turns this dimension was judged on


class Phase(enum.StrEnum):
    """Where a reply sits in the call, from the standard steps it performs (outside calls)."""

    OPENING = "opening"
    DISCOVERY = "discovery"
    RESOLUTION = "resolution"
    CLOSE = "close"


class JudgedOutcome(enum.StrEnum):
    """How an outside call ended, as read from its close (it has no scripted ending)."""

    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    ESCALATED = "escalated"
    UNKNOWN = "unknown"  # the recording is cut before the close, or the close does not say


@dataclass(frozen=True, slots=True)
class OutcomeJudgement:
    outcome: JudgedOutcome
    reason: str  # plain words: what in the close shows it
    turn_index: int | None = None  # the trainee turn that shows it
    quote: str = ""


@dataclass(frozen=True, slots=True)
class TurnScore:
    turn_index: int  # the trainee turn number, 1-based
    empathy: float | None  # None: empathy not called for in this turn (a business turn)
    compliance: float | None
    tone: float | None  # None: no audio
    evidence: tuple[ScoreEvidence, ...] = ()
    time_s: float | None = None  # when the turn started on the call clock
    text: str = ""
    voice: ToneMeasures | None = None  # the turn's voice measures, judged against the whole call
    phase: Phase | None = None  # outside calls: opening, discovery, resolution or close


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
    time_s: float | None = None  # on the call clock
    order_problem: str | None = None  # e.g. "came before greet"
    due_by_turn: int | None = None  # the scenario's within_turns
    critical: bool = False  # missing it fails the call (a QA form's fatal item)


@dataclass(frozen=True, slots=True)
class Violation:
    phrase_id: str
    turn_index: int
    quote: str
    severity: str
    match: str
    time_s: float | None = None
    why: str | None = None
    points: float = 0.0  # compliance points it cost


@dataclass(frozen=True, slots=True)
class VoiceSummary:
    """Call-level timing and voice measures (``None``: not measurable, e.g. a typed call)."""

    trainee_talk_s: float | None = None
    customer_talk_s: float | None = None
    talk_ratio: float | None = None  # trainee share of the talking, 0..1
    mean_words_per_minute: float | None = None
    fillers_per_minute: float | None = None
    dead_air_turns: tuple[int, ...] = ()
    longest_response_delay_s: float | None = None
    longest_response_delay_at_s: float | None = None  # on the call clock, where that wait began
    # a recorded call: the longest silence after the agent's own words with no hold announced
    longest_unexplained_silence_s: float | None = None
    overlap_s: float = 0.0
    interruptions: int = 0
    raised_voice_turns: tuple[int, ...] = ()


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
    voice: VoiceSummary = VoiceSummary()
    fail_reasons: tuple[str, ...] = ()  # why ``passed`` is False, in plain words
    judged_outcome: OutcomeJudgement | None = None  # outside calls: the outcome read from the close
    cards_opened: int = 0  # knowledge cards opened during the call (counted, never penalised)
    # recorded calls: the findings any one of which, reversed alone, would change ``passed`` (hinges.py)
    verdict_hinges: tuple[ScoreEvidence, ...] = ()

    def dimension(self, which: Dimension) -> DimensionScore:
        return next(d for d in self.dimensions if d.dimension == which)

    @property
    def steps_missed(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.required and not s.hit)

    @property
    def steps_out_of_order(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.hit and not s.in_order)

    @property
    def evidence(self) -> tuple[ScoreEvidence, ...]:
        return tuple(e for d in self.dimensions for e in d.evidence)


_SCORECARD = TypeAdapter(Scorecard)


def scorecard_to_json(card: Scorecard) -> dict[str, Any]:
    data: dict[str, Any] = _SCORECARD.dump_python(card, mode="json")  # a dataclass dumps to a JSON object
    return data


def scorecard_from_json(data: dict[str, Any]) -> Scorecard:
    return _SCORECARD.validate_python(data)
