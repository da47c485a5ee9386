"""What the trainee's "Coaching" screen shows: the cases assigned to them (anonymised, with the moments
to study), their mentor's assignments with where each stands, and the mentor's feedback.

Pure Python (no Textual), read from the training store; the screen calls it from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text

from simulator.lab.cases import PlaylistCase, build_playlist
from simulator.lab.mentoring import AssignmentProgress, AssignmentStatus, progress_for
from simulator.store.coaching import CaseKind, Feedback, Playlist, TargetKind
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id

STATUS_STYLE = {AssignmentStatus.OVERDUE: "bold red", AssignmentStatus.OPEN: "yellow",
                AssignmentStatus.DONE: "green"}
STATUS_NAMES = {AssignmentStatus.OVERDUE: message_id("overdue"), AssignmentStatus.OPEN: message_id("open"),
                AssignmentStatus.DONE: message_id("done")}


def status_text(status: AssignmentStatus, late: bool, say: Catalogue = ENGLISH_TEXT) -> Text:
    """An assignment's status, coloured (the Coaching screen and the mentor view)."""
    return Text(say(STATUS_NAMES[status]) + (say(" (late)") if late else ""), style=STATUS_STYLE[status])


TARGET_NAMES = {TargetKind.SCENARIO: message_id("scenario"), TargetKind.DRILL: message_id("drill")}
CASE_NAMES = {CaseKind.EXEMPLARY: message_id("Exemplary"), CaseKind.CAUTIONARY: message_id("Cautionary")}


def target_text(assignment: Any, say: Catalogue = ENGLISH_TEXT) -> str:
    """What an assignment asks to practise: "scenario billing-overcharge" (the id as stored)."""
    return f"{say(TARGET_NAMES[assignment.target_kind])} {assignment.target_id}"


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
