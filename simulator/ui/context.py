"""What every screen shares: settings, the roster, the scenario catalog, the training records and
the signed-in trainee.

Plain Python (no Textual) so it can be built in tests and by ``launch``.  ``clock`` is injectable
so snapshot tests can freeze the call and turn timers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.analysis.base import TurnAnalyser
from simulator.analysis.registry import builtin_analysers
from simulator.config import Settings
from simulator.lazy import MissingPackage
from simulator.scenario.model import Scenario
from simulator.ui.attempts import Attempt, FolderRecords, StoreRecords, TrainingRecords
from simulator.ui.catalog import ScenarioCatalog, load_catalog
from simulator.ui.i18n import Catalogue, Phrase, load_catalogue
from simulator.ui.progress import STARS_UNAVAILABLE, Progress, progress_from_attempts, progress_from_store
from simulator.ui.roster import Roster, Trainee

UI_STATE_DIR = "ui"
NOT_CONFIGURED = Phrase("not configured")


@dataclass(frozen=True)
class CallReviewShown:
    """What a trainee sees of a trainer's review of a call."""

    notes: tuple[Any, ...] = ()  # simulator.store.types.ReviewNote, by time
    reviewed_by: tuple[str, ...] = ()
    machine_overall: float | None = None  # the machine's score, when a reviewed one replaces it


@dataclass(frozen=True)
class ReviewedCall:
    call_id: str
    scenario_id: str
    started_at: str
    overall: float | None
    reviewed_by: tuple[str, ...]
    notes: int


STORE_UNAVAILABLE = "training store unavailable ({error}); scores are kept in the call folders only"


def open_records(settings: Settings, roster: Roster, catalog: Callable[[], ScenarioCatalog]
                 ) -> tuple[TrainingRecords, Phrase | None]:
    """The training store when it opens, else the call folders; the second value says why not."""
    try:
        from simulator.store import StoreError, open_store

        store = open_store(settings=settings)
    except (MissingPackage, ImportError) as err:
        return FolderRecords(roster, settings.recordings_dir, catalog), Phrase(
            "training store unavailable: {error}", {"error": err})
    except (StoreError, OSError, RuntimeError) as err:
        return FolderRecords(roster, settings.recordings_dir, catalog), Phrase(STORE_UNAVAILABLE, {"error": err})
    except Exception as err:  # a database driver's own error (bad URL, server down): show it, run on
        return FolderRecords(roster, settings.recordings_dir, catalog), Phrase(
            STORE_UNAVAILABLE, {"error": f"{type(err).__name__}: {err}"})
    return StoreRecords(store, roster), None


def recover_crashed_calls(records: TrainingRecords, settings: Settings) -> Phrase | None:
    """Keep calls a crash left unfinished (as ``callsim recover`` does); a sentence when there were any."""
    if not isinstance(records, StoreRecords):
        return None
    from simulator.lab.recovery import recover

    try:
        report = recover(records.store, settings.scenarios_dir)
    except Exception as err:  # recovery must never stop the app from starting
        return Phrase("could not check for calls left unfinished by a crash ({error})",
                      {"error": f"{type(err).__name__}: {err}"})
    if not report.recovered and not report.rescored:
        return None
    return Phrase("kept {kept} call(s) a crash left open and scored {scored} unscored call(s); they are in History",
                  {"kept": len(report.recovered), "scored": len(report.rescored)})


@dataclass
class AppContext:
    settings: Settings
    roster: Roster
    catalog: ScenarioCatalog
    records: TrainingRecords
    records_problem: Phrase | None = None
    recovery_notice: Phrase | None = None
    clock: Callable[[], float] = time.monotonic
    seed: int = 0
    trainee: Trainee | None = None
    voice_enabled: bool = True  # False: never try the microphone (tests, --text)
    mic_from: Path | None = None  # recorded replies (WAV, MP3, ...) instead of the microphone (demos, tests)
    fast_replies: bool = False  # recorded replies as fast as they can be read (tests)
    text: Catalogue = field(default_factory=Catalogue)  # the app's own words in the trainee's language
    _attempts: tuple[Attempt, ...] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, use_store: bool = True, **options: Any) -> AppContext:
        roster = Roster(settings.data_dir / UI_STATE_DIR)
        catalog = load_catalog(settings.scenarios_dir)

        def current_catalog() -> ScenarioCatalog:  # the records see the catalog as reloaded later
            return context.catalog

        records: TrainingRecords
        if use_store:
            records, problem = open_records(settings, roster, current_catalog)
        else:
            records, problem = FolderRecords(roster, settings.recordings_dir, current_catalog), None
        options.setdefault("text", load_catalogue(settings.ui_language))  # UnknownLanguage names the choices
        context = cls(settings, roster, catalog, records, problem, **options)
        if use_store:
            context.recovery_notice = recover_crashed_calls(records, settings)
        return context

    @property
    def recordings_dir(self) -> Path:
        return self.settings.recordings_dir

    def read_catalog(self) -> ScenarioCatalog:
        """The scenario files read again (slow for a large folder: the app calls it from a worker)."""
        return load_catalog(self.settings.scenarios_dir)

    def use_catalog(self, catalog: ScenarioCatalog) -> None:
        self.catalog = catalog
        self._attempts = None

    def trainees(self) -> tuple[Trainee, ...]:
        return self.records.trainees()

    def last_trainee(self) -> Trainee | None:
        last = self.roster.last
        return next((t for t in self.trainees() if last and t.name.lower() == last.lower()), None)

    def sign_in(self, name: str, team: str | None = None) -> Trainee:
        self.trainee = self.records.sign_in(name, team)
        self._attempts = None
        return self.trainee

    def attempts(self) -> tuple[Attempt, ...]:
        """The signed-in trainee's finished calls, oldest first (cached until a call ends)."""
        if self.trainee is None:
            return ()
        if self._attempts is None:
            self._attempts = self.records.attempts(self.trainee.name)
        return self._attempts

    def progress(self) -> Progress:
        """History: score series, weakest steps, and (with the store) star level and next scenario."""
        attempts = self.attempts()
        if isinstance(self.records, StoreRecords) and self.trainee is not None:
            try:
                return progress_from_store(self.records.store, self.trainee.name, self.settings.scenarios_dir,
                                           attempts)
            except Exception as err:  # the lab's files or the database: show the rest, say what is missing
                return progress_from_attempts(attempts, (Phrase(STARS_UNAVAILABLE, {"why": err}),))
        return progress_from_attempts(attempts, (Phrase("star levels need the training store: {why}",
                                                        {"why": self.records_problem or NOT_CONFIGURED}),))

    # -- trainer reviews (need the training store) ---------------------------------------------
    @property
    def store(self) -> Any | None:
        return self.records.store if isinstance(self.records, StoreRecords) else None

    def review_of(self, call_id: str | None) -> CallReviewShown:
        """A stored call's trainer notes and who reviewed it, for the trainee's results and replay."""
        store = self.store
        if store is None or call_id is None:
            return CallReviewShown()
        stored = store.get_call(call_id)
        return CallReviewShown(tuple(store.notes(stored.attempt.call_id)), stored.attempt.reviewed_by,
                               stored.scorecard.overall if stored.reviewed and stored.scorecard else None)

    def reviewed_calls(self) -> tuple[ReviewedCall, ...]:
        """The signed-in trainee's calls a trainer reviewed or left notes on, newest first."""
        store = self.store
        if store is None or self.trainee is None:
            return ()
        found = []
        for attempt in reversed(store.attempts(self.trainee.name, finished_only=True)):
            notes = len(store.notes(attempt.call_id))
            if attempt.reviewed_by or notes:
                found.append(ReviewedCall(attempt.call_id, attempt.scenario_id, attempt.started_at, attempt.overall,
                                          attempt.reviewed_by, notes))
        return tuple(found)

    def forget_attempts(self) -> None:
        self._attempts = None

    def analyser(self, scenario: Scenario) -> TurnAnalyser:
        return builtin_analysers().create(self.settings.analyser, scenario)

    @property
    def input_device(self) -> str | None:
        return self.roster.devices.get("input") or self.settings.input_device

    @property
    def output_device(self) -> str | None:
        return self.roster.devices.get("output") or self.settings.output_device
