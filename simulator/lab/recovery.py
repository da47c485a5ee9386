"""Start-up recovery for the lab: keep calls a dead process left open, score calls that ended
but were never scored.  Used by ``callsim play --trainee``, ``callsim recover`` and the app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.lab.review import ReviewError, load_call_basis, scored_again
from simulator.scenario.diagnostics import FileProblems
from simulator.store.types import RecoveredCall


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    recovered: tuple[RecoveredCall, ...]  # left open by a dead process: kept (unfinished or finished)
    rescored: tuple[str, ...]  # call ids that ended without a scorecard and are scored now
    not_rescored: tuple[tuple[str, str], ...]  # (call id, why not)


def recover(store: Any, scenarios_dir: Path) -> RecoveryReport:
    recovered = tuple(store.recover_unfinished())
    rescored, skipped = [], []
    for attempt in store.unscored():
        stored = store.get_call(attempt.call_id)
        try:
            basis = load_call_basis(stored, scenarios_dir)
        except ReviewError as err:
            skipped.append((attempt.call_id, str(err)))
            continue
        try:
            card = scored_again(stored.record, basis)
        except (FileProblems, ValueError, KeyError) as err:
            skipped.append((attempt.call_id, f"cannot score: {str(err).splitlines()[0]}"))
            continue
        store.save_scorecard(attempt.call_id, card)
        rescored.append(attempt.call_id)
    return RecoveryReport(recovered, tuple(rescored), tuple(skipped))


def describe_recovery(report: RecoveryReport) -> list[str]:
    lines = []
    for r in report.recovered:
        lines.append(f"an earlier call {r.call_id[:8]} ({r.scenario_id}, {r.trainee or 'no trainee'}) did not "
                     f"finish: {r.turns_kept} turn(s) kept, {r.turns_imported} imported from its folder; "
                     f"now {r.status.value}")
    for call_id in report.rescored:
        lines.append(f"call {call_id[:8]} had ended without a scorecard: scored now")
    for call_id, why in report.not_rescored:
        lines.append(f"call {call_id[:8]} has no scorecard ({why})")
    return lines
