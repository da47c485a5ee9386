"""What every screen shares: settings, the roster, the scenario catalog and the signed-in trainee.

Plain Python (no Textual) so it can be built in tests and by ``launch``.  ``clock`` is injectable
so snapshot tests can freeze the call and turn timers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.analysis.base import TurnAnalyser
from simulator.analysis.registry import builtin_analysers
from simulator.config import Settings
from simulator.scenario.model import Scenario
from simulator.ui.attempts import Attempt, load_attempts
from simulator.ui.catalog import ScenarioCatalog, load_catalog
from simulator.ui.roster import Roster, Trainee

UI_STATE_DIR = "ui"


@dataclass
class AppContext:
    settings: Settings
    roster: Roster
    catalog: ScenarioCatalog
    clock: Callable[[], float] = time.monotonic
    seed: int = 0
    trainee: Trainee | None = None
    voice_enabled: bool = True  # False: never try the microphone (tests, --text)
    _attempts: tuple[Attempt, ...] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, **options) -> AppContext:
        roster = Roster(settings.data_dir / UI_STATE_DIR)
        return cls(settings, roster, load_catalog(settings.scenarios_dir), **options)

    @property
    def recordings_dir(self) -> Path:
        return self.settings.recordings_dir

    def reload_catalog(self) -> None:
        self.catalog = load_catalog(self.settings.scenarios_dir)
        self._attempts = None

    def sign_in(self, name: str, team: str | None = None) -> Trainee:
        self.trainee = self.roster.sign_in(name, team)
        self._attempts = None
        return self.trainee

    def attempts(self) -> tuple[Attempt, ...]:
        """The signed-in trainee's finished calls, oldest first (cached until a call ends)."""
        if self.trainee is None:
            return ()
        if self._attempts is None:
            self._attempts = load_attempts(self.recordings_dir, self.catalog, self.trainee.name)
        return self._attempts

    def forget_attempts(self) -> None:
        self._attempts = None

    def analyser(self, scenario: Scenario) -> TurnAnalyser:
        return builtin_analysers().create(scenario, self.settings.analyser)

    @property
    def input_device(self) -> str | None:
        return self.roster.devices.get("input") or self.settings.input_device

    @property
    def output_device(self) -> str | None:
        return self.roster.devices.get("output") or self.settings.output_device
