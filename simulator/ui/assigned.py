"""What the trainee's "Coaching" screen shows: the cases assigned to them (anonymised, with the moments
to study), their mentor's assignments with where each stands, and the mentor's feedback.

Pure Python (no Textual), read from the training store; the screen calls it from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from simulator.lab.cases import PlaylistCase, build_playlist
from simulator.lab.mentoring import AssignmentProgress, AssignmentStatus, progress_for
from simulator.store.coaching import Feedback, Playlist


@dataclass(frozen=True)
class AssignedWork:
    trainee: str
    assignments: tuple[AssignmentProgress, ...]  # overdue first, then open by due date, then done
    cases: tuple[PlaylistCase, ...]  # most recently assigned first
    feedback: tuple[Feedback, ...]  # newest first

    @property
    def overdue(self) -> int:
        return sum(p.status == AssignmentStatus.OVERDUE for p in self.assignments)


_ORDER = {AssignmentStatus.OVERDUE: 0, AssignmentStatus.OPEN: 1, AssignmentStatus.DONE: 2}


def overdue_assignments(store: Any, trainee: str, now: datetime) -> int:
    """How many of the trainee's assignments are overdue at ``now`` (the picker's reminder)."""
    progress = progress_for(store, store.assignments(apprentice=trainee), now)
    return sum(p.status == AssignmentStatus.OVERDUE for p in progress)


def assigned_work(store: Any, trainee: str, scenarios_dir: Path, now: datetime) -> AssignedWork:
    progress = progress_for(store, store.assignments(apprentice=trainee), now)
    progress.sort(key=lambda p: (_ORDER[p.status], p.assignment.due_at))
    cases = store.assigned_cases(trainee)
    studied: tuple[PlaylistCase, ...] = ()
    if cases:
        # one anonymised "playlist" of the trainee's cases: a colleague's call shows no names or numbers
        mine = Playlist(f"assigned-{trainee}", "Cases to study", None, None, "", tuple(c.call_id for c in cases))
        studied = build_playlist(store, mine, scenarios_dir).cases
    return AssignedWork(trainee, tuple(progress), studied, tuple(store.feedback(apprentice=trainee)))
