"""A trainee's past calls, read back from the call records in the data dir and re-scored.

Scoring is pure and deterministic, so a record scored again gives the scorecard the trainee saw.
When the store (``simulator.store``) is configured it is the source of truth instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from simulator.call.record import CALL_FILE, read_call
from simulator.scenario.diagnostics import FileProblems
from simulator.scoring.call_scorer import score_call
from simulator.scoring.scorecard import Dimension, Scorecard
from simulator.scenario.loader import effective_rubric
from simulator.ui.catalog import ScenarioCatalog


@dataclass(frozen=True)
class Attempt:
    scenario_id: str
    started_at: str
    folder: Path
    scorecard: Scorecard

    @property
    def overall(self) -> float:
        return self.scorecard.overall

    def score(self, dimension: Dimension) -> float | None:
        return self.scorecard.dimension(dimension).score


@dataclass(frozen=True)
class ScenarioStats:
    attempts: int
    best: float | None


def load_attempts(recordings_dir: Path, catalog: ScenarioCatalog, trainee: str) -> tuple[Attempt, ...]:
    """Finished calls by ``trainee``, oldest first; unreadable or unknown-scenario records are skipped."""
    if not recordings_dir.is_dir():
        return ()
    found = []
    for call_file in recordings_dir.glob(f"*/{CALL_FILE}"):
        try:
            record = read_call(call_file)
        except (OSError, ValueError):
            continue
        if record.header.trainee != trainee or not record.complete:
            continue
        entry = catalog.find(record.header.scenario_id)
        if entry is None or entry.loaded is None:
            continue
        try:
            card = score_call(record, entry.loaded.scenario, effective_rubric(entry.loaded))
        except FileProblems:
            continue
        found.append(Attempt(record.header.scenario_id, record.header.started_at, call_file.parent, card))
    return tuple(sorted(found, key=lambda a: a.started_at))


def stats_by_scenario(attempts: Iterable[Attempt]) -> dict[str, ScenarioStats]:
    counts: Counter[str] = Counter()
    best: dict[str, float] = {}
    for attempt in attempts:
        counts[attempt.scenario_id] += 1
        best[attempt.scenario_id] = max(best.get(attempt.scenario_id, 0.0), attempt.overall)
    return {sid: ScenarioStats(n, best.get(sid)) for sid, n in counts.items()}


def weakest_steps(attempts: Iterable[Attempt], limit: int = 5) -> list[tuple[str, int, int]]:
    """Required steps missed most often: (description, times missed, times asked)."""
    missed: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for attempt in attempts:
        for step in attempt.scorecard.steps:
            if step.required:
                asked[step.description] += 1
                if not step.hit:
                    missed[step.description] += 1
    ranked = sorted(missed, key=lambda d: (-missed[d] / asked[d], -missed[d], d))
    return [(d, missed[d], asked[d]) for d in ranked[:limit]]
