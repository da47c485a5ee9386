"""A trainee's past calls for the picker and the history screen, from the store or the call folders.

``StoreRecords`` uses the training store (``simulator.store``): trainees, teams, attempts and
scorecards.  ``FolderRecords`` is the fallback when no store can be opened: trainees from the
roster file and attempts read back from the call records in the data dir (scoring is pure and
deterministic, so a record scored again gives the scorecard the trainee saw).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from simulator.call.session import CallEvent
from simulator.call.textcall import FinishedCall
from simulator.record import CALL_FILE, read_call
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import effective_rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.scorecard import Dimension, Scorecard
from simulator.ui.catalog import ScenarioCatalog
from simulator.ui.i18n import message_id
from simulator.ui.roster import Roster, RosterError, Trainee, clean_name

HISTORY_LIMIT = 60  # calls read back for the history screen


@dataclass(frozen=True)
class Attempt:
    scenario_id: str
    started_at: str
    overall: float
    passed: bool
    scores: dict[Dimension, float | None]
    scorecard: Scorecard | None = None

    def score(self, dimension: Dimension) -> float | None:
        return self.scores.get(dimension)


@dataclass(frozen=True)
class ScenarioStats:
    attempts: int
    best: float | None  # the best *passed* call: a failed call is never a best (None: none passed yet)


class CallKeeper(Protocol):
    """Saves one call as it happens: ``on_event`` per session event, ``finish`` with the scorecard."""

    def on_event(self, event: CallEvent) -> None: ...

    def finish(self, finished: FinishedCall) -> str | None:
        """Save the scorecard; returns the stored call's id."""


class TrainingRecords(Protocol):
    where: str  # shown to the trainee: where their calls are kept

    def trainees(self) -> tuple[Trainee, ...]: ...

    def sign_in(self, name: str, team: str | None) -> Trainee: ...

    def attempts(self, trainee: str) -> tuple[Attempt, ...]: ...

    def keeper(self, folder: Path, trainee: Trainee, kind: str,
               warn: Callable[[str], None] | None = None) -> CallKeeper | None: ...

    def rate(self, call_id: str, stars: int) -> None:
        """The trainee's 1-5 star reaction to a call (raises ``RosterError`` when it cannot be kept)."""


def attempt_from_card(card: Scorecard, started_at: str) -> Attempt:
    return Attempt(card.scenario_id, started_at, card.overall, card.passed,
                   {d.dimension: d.score for d in card.dimensions}, card)


class FolderRecords:
    where = "call folders (no training store)"

    def __init__(self, roster: Roster, recordings_dir: Path, catalog: Callable[[], ScenarioCatalog]):
        self.roster = roster
        self.recordings_dir = recordings_dir
        self._catalog = catalog

    def trainees(self) -> tuple[Trainee, ...]:
        return self.roster.trainees

    def sign_in(self, name: str, team: str | None) -> Trainee:
        return self.roster.sign_in(name, team)

    def attempts(self, trainee: str) -> tuple[Attempt, ...]:
        if not self.recordings_dir.is_dir():
            return ()
        catalog = self._catalog()
        found = []
        for call_file in self.recordings_dir.glob(f"*/{CALL_FILE}"):
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
            found.append(attempt_from_card(card, record.header.started_at))
        return tuple(sorted(found, key=lambda a: a.started_at))[-HISTORY_LIMIT:]

    def keeper(self, folder: Path, trainee: Trainee, kind: str,
               warn: Callable[[str], None] | None = None) -> CallKeeper | None:
        return None  # the call folder is the record

    def rate(self, call_id: str, stars: int) -> None:
        raise RosterError(message_id("ratings are kept in the training store, which is not available"))


class _StoreKeeper:
    def __init__(self, store: Any, folder: Path, trainee: Trainee, kind: str, warn: Callable[[str], None]):
        from simulator.store import CallKind, CallMirror

        self._mirror = CallMirror(store, folder, trainee=trainee.name, team=trainee.team,
                                  kind=CallKind(kind), warn=warn)

    def on_event(self, event: CallEvent) -> None:
        self._mirror(event)

    def finish(self, finished: FinishedCall) -> str | None:
        return self._mirror.finish(finished.record, finished.scorecard)


class StoreRecords:
    """The training store; the roster file still remembers the last trainee and the devices."""

    def __init__(self, store: Any, roster: Roster):
        self.store = store
        self.roster = roster
        self.where = f"training store ({store.dialect})"

    def trainees(self) -> tuple[Trainee, ...]:
        return tuple(Trainee(t.name, t.team) for t in sorted(self.store.list_trainees(), key=lambda t: t.name.lower()))

    def sign_in(self, name: str, team: str | None) -> Trainee:
        from simulator.store import StoreError

        name = clean_name(name)
        team = clean_name(team, "team name") if team and team.strip() else None
        try:
            info = self.store.ensure_trainee(name, team)
            if team and info.team != team:
                info = self.store.set_team(info.name, team)
        except StoreError as err:
            raise RosterError(str(err)) from None
        self.roster.last = info.name
        self.roster.save()
        return Trainee(info.name, info.team)

    def attempts(self, trainee: str) -> tuple[Attempt, ...]:
        scored = self.store.scorecards(trainee)[-HISTORY_LIMIT:]
        return tuple(attempt_from_card(card, attempt.started_at) for attempt, card in scored)

    def keeper(self, folder: Path, trainee: Trainee, kind: str,
               warn: Callable[[str], None] | None = None) -> CallKeeper | None:
        return _StoreKeeper(self.store, folder, trainee, kind, warn or (lambda text: None))

    def rate(self, call_id: str, stars: int) -> None:
        from simulator.store import StoreError

        try:
            self.store.rate(call_id, stars)
        except StoreError as err:
            raise RosterError(str(err)) from None


def stats_by_scenario(attempts: Iterable[Attempt]) -> dict[str, ScenarioStats]:
    counts: Counter[str] = Counter()
    best: dict[str, float] = {}
    for attempt in attempts:
        counts[attempt.scenario_id] += 1
        if attempt.passed:
            best[attempt.scenario_id] = max(best.get(attempt.scenario_id, 0.0), attempt.overall)
    return {sid: ScenarioStats(n, best.get(sid)) for sid, n in counts.items()}


def weakest_steps(attempts: Iterable[Attempt], limit: int = 5) -> list[tuple[str, int, int]]:
    """Required steps missed most often: (description, times missed, times asked)."""
    missed: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for attempt in attempts:
        for step in attempt.scorecard.steps if attempt.scorecard else ():
            if step.required:
                asked[step.description] += 1
                if not step.hit:
                    missed[step.description] += 1
    ranked = sorted(missed, key=lambda d: (-missed[d] / asked[d], -missed[d], d))
    return [(d, missed[d], asked[d]) for d in ranked[:limit]]
