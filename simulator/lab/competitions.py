"""Team competitions: a fixed set of scenarios with fixed seeds, a time window and teams.

``scenarios/competitions/<id>.yaml``::

    id: winter-cup
    title: Winter Cup 2026
    starts: 2026-11-01T00:00:00Z
    ends: 2026-12-31               # a date alone includes that whole day (UTC)
    min_attempts: 2            # fewer finished calls: listed, not ranked
    ranking: best              # per scenario: a person's best call (best) or the mean of their calls (mean)
    scenarios:
      - {scenario: billing-overcharge, seed: 3}
    teams: [red, blue]         # empty or absent: open to every trainee

A competition lives in the store once used (YAML files are loaded into it on first use, or
``callsim competition create`` writes it directly), so every station of a lab sees the same one.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from simulator.contracts import MAX_SEED
from simulator.scenario.diagnostics import Diagnostic, FileProblems, Level
from simulator.scenario.model import Identifier, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import load_yaml

COMPETITIONS_DIR = "competitions"


class Ranking(enum.StrEnum):
    BEST = "best"
    MEAN = "mean"


class CompetitionScenario(Strict):
    scenario: Identifier
    seed: int = Field(0, ge=0, le=MAX_SEED)


class Competition(Strict):
    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    starts: datetime
    ends: datetime
    min_attempts: int = Field(1, ge=1, le=1000)
    ranking: Ranking = Ranking.BEST
    scenarios: tuple[CompetitionScenario, ...]
    teams: tuple[str, ...] = ()

    @field_validator("scenarios")
    @classmethod
    def _some_scenarios(cls, value: tuple) -> tuple:  # not Field(min_length): see ladder._not_empty
        if not value:
            raise ValueError("give at least one scenario")
        return value

    @field_validator("ends", mode="before")
    @classmethod
    def _whole_last_day(cls, value: Any) -> Any:
        """An end given as a date alone includes that day: ``ends: 2027-01-31`` runs to its last moment."""
        day = _date_only(value)
        return value if day is None else end_of_day(day)

    @model_validator(mode="after")
    def _window(self) -> Competition:
        if _utc(self.ends) <= _utc(self.starts):
            raise ValueError("ends must be after starts")
        return self

    @property
    def starts_at(self) -> str:
        return iso(self.starts)

    @property
    def ends_at(self) -> str:
        return iso(self.ends)

    def seed_for(self, scenario_id: str) -> int | None:
        return next((s.seed for s in self.scenarios if s.scenario == scenario_id), None)


def _date_only(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in UTC (the store's times are UTC)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """The store's time format (sorts as text): UTC, milliseconds."""
    return _utc(moment).isoformat(timespec="milliseconds")


def load_competition(path: Path, scenarios_dir: Path | None = None) -> Competition:
    """Validate a competition file; problems name FILE:LINE:COL (unknown scenario ids too)."""
    document = load_yaml(Path(path))
    competition = validate_document(document, Competition)
    if scenarios_dir is not None:
        problems = []
        for index, entry in enumerate(competition.scenarios):
            if not (Path(scenarios_dir) / f"{entry.scenario}.yaml").is_file():
                problems.append(Diagnostic(str(path), document.position(("scenarios", index, "scenario")),
                                           Level.ERROR, "competition.unknown-scenario",
                                           f"no scenario {entry.scenario!r} in {scenarios_dir}"))
        if problems:
            raise FileProblems(problems)
    return competition


def competition_files(scenarios_dir: Path) -> list[Path]:
    folder = Path(scenarios_dir) / COMPETITIONS_DIR
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []


def save_competition(store: Any, competition: Competition, source: str | None = None) -> None:
    data = competition.model_dump(mode="json")
    data["source"] = source
    store.put_competition(competition.id, competition.title, competition.starts_at, competition.ends_at,
                          competition.min_attempts, data)


def lookup_competition(store: Any, scenarios_dir: Path, competition_id: str) -> tuple[Competition, Path | None] | None:
    """The competition and, when it is not in the store yet, the YAML file it comes from; writes nothing."""
    row = store.get_competition(competition_id)
    if row is not None:
        data = {k: v for k, v in row["data"].items() if k != "source"}
        return Competition.model_validate(data), None
    for path in competition_files(scenarios_dir):
        competition = load_competition(path, scenarios_dir)
        if competition.id == competition_id:
            return competition, path
    return None


def find_competition(store: Any, scenarios_dir: Path, competition_id: str) -> Competition | None:
    """From the store, else from ``scenarios/competitions/*.yaml`` (then saved to the store)."""
    found = lookup_competition(store, scenarios_dir, competition_id)
    if found is None:
        return None
    competition, source = found
    if source is not None:
        save_competition(store, competition, str(source))
    return competition


def check_entry(store: Any, settings: Any, competition_id: str, trainee: str, scenario_id: str | None,
                seed: int, now: datetime | None = None, *, team: str | None = None) -> str | None:
    """Why this call may not count in the competition, or None when it may.

    Reads only: a refused entry leaves the store as it was.  ``team`` is the team the trainee
    plays for when given with the call (it replaces the stored one), else their stored team.
    """
    try:
        found = lookup_competition(store, settings.scenarios_dir, competition_id)
    except FileProblems as problems:
        return f"competition file has errors:\n{problems}"
    if found is None:
        return f"no competition {competition_id!r} (see `callsim competition list`)"
    competition = found[0]
    moment = _utc(now or datetime.now(UTC))
    if not _utc(competition.starts) <= moment <= _utc(competition.ends):
        return f"competition {competition.id!r} runs {competition.starts_at} to {competition.ends_at}; not now"
    expected = competition.seed_for(scenario_id or "")
    if expected is None:
        allowed = ", ".join(s.scenario for s in competition.scenarios)
        return f"scenario {scenario_id!r} is not part of competition {competition.id!r} ({allowed})"
    if expected != seed:
        return f"competition {competition.id!r} plays {scenario_id} with --seed {expected}"
    if competition.teams:
        if team is None:
            person = store.get_trainee(trainee)
            team = person.team if person else None
        if team not in competition.teams:
            return (f"{trainee} (team {team or 'none'}) is not in a team of competition {competition.id!r}: "
                    f"{', '.join(competition.teams)}")
    return None
