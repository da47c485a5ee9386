"""Where each mentoring assignment stands: open, done (a call met the target) or overdue.

Worked out from the calls each time, against a clock passed in (``now``), so tests and reports can
ask "as of" any moment and the answer never disagrees with the calls.  A call counts when it is the
apprentice's practice call (training, exam or drill stage; not a real call scored afterwards) of
the assigned scenario (or a run of the assigned drill), started after the
assignment was set, finished, passed (a call that fails on a critical breach never completes work,
whatever its number), and scored at least the target.  A drill run scores the mean of its stages
and counts when it was completed (not stopped at a pause offer).  Work done after the due date is done, and marked late.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from statistics import fmean
from typing import Any

from simulator.store.coaching import Assignment, TargetKind
from simulator.store.types import Attempt, CallKind, CallStatus


class AssignmentStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class AssignmentProgress:
    assignment: Assignment
    status: AssignmentStatus
    met_by: str | None  # the call (or drill run) id that met the target
    met_at: str | None
    late: bool  # done, but after the due date
    best_score: float | None  # the best counting score so far, met or not
    attempts: int  # calls (or drill runs) made at the assignment since it was set


def parse_moment(text: str) -> datetime:
    """An ISO date/time as an aware UTC datetime; a date alone is the end of that day (UTC)."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO date/time: {text!r} (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def due_text(text: str) -> str:
    """A due date as stored: an ISO UTC time (a date alone means the end of that day)."""
    return parse_moment(text).astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class _Try:
    ref: str
    at: str
    score: float | None
    passed: bool


def _call_tries(assignment: Assignment, calls: Iterable[Attempt]) -> list[_Try]:
    return [_Try(a.call_id, a.started_at, a.overall, bool(a.passed)) for a in calls
            if a.trainee == assignment.apprentice and a.scenario_id == assignment.target_id
            and a.status == CallStatus.FINISHED and a.overall is not None and a.kind != CallKind.REAL]


def _drill_tries(assignment: Assignment, runs: Iterable[dict[str, Any]], calls: Iterable[Attempt]) -> list[_Try]:
    # a run stores each stage's machine score; a stage call a trainer reviewed counts with its reviewed score
    current = {a.call_id: a.overall for a in calls if a.overall is not None}
    tries = []
    for run in runs:
        stages = run.get("stages") or []
        if run.get("trainee") != assignment.apprentice or run.get("drill") != assignment.target_id or not stages:
            continue
        score = fmean(float(current.get(s.get("call_id") or "", s["overall"])) for s in stages)
        tries.append(_Try(str(run["run_id"]), str(run["started_at"]), round(score, 1),
                          bool(run.get("completed"))))
    return tries


def assignment_progress(assignment: Assignment, calls: Iterable[Attempt], drill_runs: Iterable[dict[str, Any]],
                        now: datetime) -> AssignmentProgress:
    """Where ``assignment`` stands at ``now`` given the apprentice's calls and drill runs."""
    tries = (_drill_tries(assignment, drill_runs, calls) if assignment.target_kind == TargetKind.DRILL
             else _call_tries(assignment, calls))
    since = parse_moment(assignment.created_at)
    tries = sorted((t for t in tries if parse_moment(t.at) >= since and parse_moment(t.at) <= now),
                   key=lambda t: t.at)
    scores = [t.score for t in tries if t.score is not None]
    best = max(scores, default=None)
    due = parse_moment(assignment.due_at)
    met = next((t for t in tries if t.passed and t.score is not None and t.score >= assignment.target_score), None)
    if met is not None:
        return AssignmentProgress(assignment, AssignmentStatus.DONE, met.ref, met.at, parse_moment(met.at) > due,
                                  best, len(tries))
    status = AssignmentStatus.OVERDUE if now > due else AssignmentStatus.OPEN
    return AssignmentProgress(assignment, status, None, None, False, best, len(tries))


def progress_for(store: Any, assignments: Iterable[Assignment], now: datetime) -> list[AssignmentProgress]:
    """Every assignment's progress, reading each apprentice's calls and drill runs once."""
    result = []
    calls: dict[str, list[Attempt]] = {}
    runs: dict[str, list[dict[str, Any]]] = {}
    for assignment in assignments:
        who = assignment.apprentice
        if who not in calls:
            calls[who] = store.attempts(who, finished_only=True)
            runs[who] = store.drill_runs(who)
        result.append(assignment_progress(assignment, calls[who], runs[who], now))
    return result


def progress_to_json(progress: AssignmentProgress) -> dict[str, Any]:
    a = progress.assignment
    return {"assignment_id": a.assignment_id, "mentor": a.mentor, "apprentice": a.apprentice,
            "target_kind": a.target_kind.value, "target": a.target_id, "target_score": a.target_score,
            "due_at": a.due_at, "note": a.note, "created_at": a.created_at, "status": progress.status.value,
            "met_by": progress.met_by, "met_at": progress.met_at, "late": progress.late,
            "best_score": progress.best_score, "attempts": progress.attempts}


def describe_progress(progress: AssignmentProgress) -> str:
    a = progress.assignment
    best = "-" if progress.best_score is None else f"{progress.best_score:.0f}"
    state = progress.status.value.upper() if progress.status == AssignmentStatus.OVERDUE else progress.status.value
    done = f" by {progress.met_by[:8]}" + (" (late)" if progress.late else "") if progress.met_by else ""
    return (f"{a.assignment_id[:8]}  {a.apprentice:<14} {a.target_kind.value} {a.target_id:<24} "
            f"target {a.target_score:.0f}  due {a.due_at[:16]}  {state}{done}  best {best} ({progress.attempts} tries)")
