"""What the mentor's screen shows: each apprentice with their assignments (where each stands, overdue
first), their latest calls and the feedback the mentor already left.

Pure Python (no Textual), read from the training store; the screen calls it from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.lab.mentoring import AssignmentProgress, AssignmentStatus, progress_for
from simulator.store.coaching import Feedback
from simulator.store.types import Attempt

RECENT_CALLS = 5  # per apprentice: enough to pick one to comment on, short enough to scan
_ORDER = {AssignmentStatus.OVERDUE: 0, AssignmentStatus.OPEN: 1, AssignmentStatus.DONE: 2}


@dataclass(frozen=True)
class ApprenticeView:
    name: str
    team: str | None
    assignments: tuple[AssignmentProgress, ...]  # overdue first, then open by due date, then done
    recent_calls: tuple[Attempt, ...]  # newest first

    def count(self, status: AssignmentStatus) -> int:
        return sum(p.status == status for p in self.assignments)


@dataclass(frozen=True)
class MentorView:
    mentor: str
    apprentices: tuple[ApprenticeView, ...]  # by name
    feedback: tuple[Feedback, ...]  # what this mentor has said, newest first

    @property
    def overdue(self) -> int:
        return sum(a.count(AssignmentStatus.OVERDUE) for a in self.apprentices)


def mentor_view(store: Any, mentor: str, now: datetime) -> MentorView:
    """The mentor's apprentices as they stand at ``now`` (no apprentices: an empty view)."""
    apprentices = []
    for pairing in store.mentorships(mentor=mentor):
        progress = progress_for(store, store.assignments(mentor=mentor, apprentice=pairing.apprentice), now)
        progress.sort(key=lambda p: (_ORDER[p.status], p.assignment.due_at))
        calls = store.attempts(pairing.apprentice, finished_only=True)[-RECENT_CALLS:]
        person = store.get_trainee(pairing.apprentice)
        apprentices.append(ApprenticeView(pairing.apprentice, person.team if person else None, tuple(progress),
                                          tuple(reversed(calls))))
    return MentorView(mentor, tuple(apprentices), tuple(store.feedback(mentor=mentor)))
