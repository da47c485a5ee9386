"""What the case library and mentoring tables hand back: frozen values (pure Python, safe to import)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from simulator.store.types import CallKind


class CaseKind(enum.StrEnum):
    EXEMPLARY = "exemplary"  # a call to learn from by doing the same
    CAUTIONARY = "cautionary"  # a call to learn from by not doing the same


class TargetKind(enum.StrEnum):
    SCENARIO = "scenario"  # any call of the scenario counts
    DRILL = "drill"  # a stress drill run; its score is the mean of its stages


@dataclass(frozen=True, slots=True)
class CaseNote:
    turn_index: int | None  # the trainee turn, 1-based as on the scorecard; None: about the whole call
    note: str
    author: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """A call marked for the case library, with the call's headline facts and the trainers' notes."""

    call_id: str
    kind: CaseKind
    tags: tuple[str, ...]
    summary: str
    marked_by: str | None
    created_at: str
    updated_at: str
    trainee: str | None
    team: str | None
    scenario_id: str
    call_kind: CallKind
    started_at: str
    overall: float | None
    passed: bool | None
    notes: tuple[CaseNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Playlist:
    """Cases in the order a team meeting goes through them."""

    name: str
    title: str
    team: str | None
    created_by: str | None
    created_at: str
    call_ids: tuple[str, ...]  # the cases' calls, in meeting order


@dataclass(frozen=True, slots=True)
class Mentorship:
    mentor: str
    apprentice: str
    started_at: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """Work a mentor set an apprentice: a scenario or drill to reach ``target_score`` on by ``due_at``."""

    assignment_id: str
    mentor: str
    apprentice: str
    target_kind: TargetKind
    target_id: str
    target_score: float
    due_at: str  # ISO-8601 UTC
    note: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class Feedback:
    mentor: str
    apprentice: str
    call_id: str | None
    text: str
    created_at: str
