"""What the store hands back: frozen values, no SQLAlchemy objects (pure Python, safe to import)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from simulator.contracts import Outcome
from simulator.record import CallRecord
from simulator.scoring.scorecard import Scorecard


class StoreError(RuntimeError):
    """A store operation was refused (unknown trainee, duplicate name, bad call id...)."""


class CallStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"  # turns are being written by a live process
    FINISHED = "finished"  # the end line was written
    UNFINISHED = "unfinished"  # the process died mid-call; kept, never scored as a pass


class CallKind(enum.StrEnum):
    TRAINING = "training"  # a practice call against a scripted customer
    EXAM = "exam"  # a star-level exam call (fixed seed, no hints)
    DRILL = "drill"  # a stage of a stress drill
    REAL = "real"  # a recorded real call scored afterwards (Kirkpatrick level 3: behaviour)


@dataclass(frozen=True, slots=True)
class TeamInfo:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True, slots=True)
class TraineeInfo:
    id: int
    name: str
    team: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One stored call with its headline scores (``overall`` is None until scored)."""

    call_id: str
    trainee: str | None
    scenario_id: str
    seed: int
    kind: CallKind
    status: CallStatus
    started_at: str
    ended_at: str | None
    outcome: Outcome | None
    overall: float | None
    passed: bool | None
    empathy: float | None
    compliance: float | None
    tone: float | None
    drill: str | None = None
    competition: str | None = None
    folder: str | None = None
    turns: int = 0
    # a trainer's review: ``overall``/``passed``/dimensions above are then the reviewed ones
    reviewed_by: tuple[str, ...] = ()
    machine_overall: float | None = None  # the machine's overall, kept beside the reviewed one

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by)


@dataclass(frozen=True, slots=True)
class StoredCall:
    attempt: Attempt
    record: CallRecord
    scorecard: Scorecard | None  # the machine's
    reviewed: Scorecard | None = None  # with the trainers' overrides, when the call was reviewed

    @property
    def effective_scorecard(self) -> Scorecard | None:
        """The reviewed scorecard where there is one, else the machine's."""
        return self.reviewed or self.scorecard


@dataclass(frozen=True, slots=True)
class Recording:
    call_id: str
    turn_index: int
    path: Path
    sha256: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Rating:
    call_id: str
    stars: int  # 1..5, the trainee's reaction to the call
    comment: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class RecoveredCall:
    """A call found without an end at start-up: kept as unfinished, with any turns re-imported."""

    call_id: str
    scenario_id: str
    trainee: str | None
    turns_kept: int
    turns_imported: int
    folder: str | None
    status: CallStatus = CallStatus.UNFINISHED  # FINISHED when the call file shows it did end


@dataclass(frozen=True, slots=True)
class KpiRow:
    """Real-work results for one trainee and period (Kirkpatrick level 4), from a KPI CSV."""

    trainee: str
    period: str  # e.g. 2026-11 or 2026-W47, as given in the CSV
    satisfaction: float | None = None  # CSAT, 0..100 or the centre's own scale
    first_call_resolution: float | None = None  # percent
    handle_time_s: float | None = None  # average handle time
    complaints: int | None = None


@dataclass(frozen=True, slots=True)
class Certification:
    trainee: str
    stars: int
    certified_at: str
    call_ids: tuple[str, ...]  # the exam calls that earned it


class ReviewTarget(enum.StrEnum):
    """What a trainer can override, and the value each takes."""

    EMPATHY = "empathy"  # a trainee turn's empathy level: 0 none, 1 weak, 2 strong
    STEP = "step"  # whether a trainee turn performed a script step: true/false
    FORBIDDEN = "forbidden"  # whether a trainee turn said a forbidden phrase: true/false
    DIMENSION = "dimension"  # a dimension's score for the whole call: 0..100


@dataclass(frozen=True, slots=True)
class Override:
    """A reviewer's judgement beside the machine's.  ``turn_index`` 0 is the whole call."""

    call_id: str
    reviewer: str
    target: ReviewTarget
    turn_index: int
    item: str  # step id, phrase id or dimension name; "" for an empathy level
    machine: int | float | bool | None
    reviewed: int | float | bool
    reason: str
    created_at: str
    updated_at: str

    @property
    def what(self) -> str:
        """Plain words for what was judged, e.g. ``turn 2 step verify``."""
        where = "call" if self.turn_index == 0 else f"turn {self.turn_index}"
        return f"{where} {self.target.value}" + (f" {self.item}" if self.item else "")


@dataclass(frozen=True, slots=True)
class ReviewNote:
    """A trainer's note at a moment of the call, shown to the trainee with their results and replay."""

    id: int
    call_id: str
    author: str
    at_s: float  # on the call clock
    turn_index: int | None
    text: str
    created_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    call_id: str
    actor: str
    action: str  # override | accept | note
    target: str
    before: object
    after: object
    reason: str | None
    at: str


@dataclass(frozen=True, slots=True)
class CallReview:
    """One reviewer's scorecard of a call: the machine's with their overrides applied."""

    call_id: str
    reviewer: str
    started_at: str
    updated_at: str
    scorecard: Scorecard
