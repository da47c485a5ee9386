"""Star levels from a YAML ladder (``scenarios/ladder.yaml``), and the exam that certifies one.

::

    levels:
      - stars: 1
        title: Getting started
        require:
          - {passed: 1, difficulty_at_least: 1, min_overall: 60}
      - stars: 3
        title: Confident
        require:
          - {passed: 3, difficulty_at_least: 3, min_overall: 70}
          - {passed: 1, difficulty_at_least: 2, min_overall: 80, min_empathy: 75}
        exam: {scenarios: [refund-refused, insurance-claim-denied], seed: 7, min_overall: 75}

A requirement holds when at least ``passed`` different scenarios of at least that difficulty have a
finished call that passed with at least the given scores.  A trainee's star level is the highest
level whose requirements, and every lower level's, hold.  A level with an ``exam`` is *certified*
only by passing the exam: its fixed scenarios with its fixed seed, no hints during the calls.
Every figure here is read from the call as it stands now: a trainer's reviewed scorecard where there
is one, so a review that fails a call takes back the level and the certificate it earned.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from simulator.contracts import MAX_SEED
from simulator.scenario.diagnostics import Diagnostic, FileProblems, Level
from simulator.scenario.model import Identifier, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import load_yaml
from simulator.scoring.scorecard import Dimension, Scorecard
from simulator.store.types import Attempt, CallKind, Certification

LADDER_FILE = "ladder.yaml"


class Requirement(Strict):
    passed: int = Field(1, ge=1, le=100, description="different scenarios passed")
    difficulty_at_least: int = Field(1, ge=1, le=5)
    min_overall: float = Field(0, ge=0, le=100)
    min_empathy: float | None = Field(None, ge=0, le=100)
    min_compliance: float | None = Field(None, ge=0, le=100)
    min_tone: float | None = Field(None, ge=0, le=100)

    def met_by(self, card: Scorecard) -> bool:
        if not card.passed or card.overall < self.min_overall:
            return False
        for dimension, floor in ((Dimension.EMPATHY, self.min_empathy), (Dimension.COMPLIANCE, self.min_compliance),
                                 (Dimension.TONE, self.min_tone)):
            score = card.dimension(dimension).score
            if floor is not None and (score is None or score < floor):
                return False
        return True

    def describe(self) -> str:
        extra = "".join(f", {name} >= {value:g}" for name, value in (
            ("empathy", self.min_empathy), ("compliance", self.min_compliance), ("tone", self.min_tone))
            if value is not None)
        return (f"pass {self.passed} scenario(s) of difficulty >= {self.difficulty_at_least} "
                f"with overall >= {self.min_overall:g}{extra}")


def _not_empty(value: tuple) -> tuple:
    # a validator, not Field(min_length=1): pydantic would add a spurious "at least 1 item" error
    # next to the real one whenever an item inside is invalid
    if not value:
        raise ValueError("give at least one")
    return value


class Exam(Strict):
    scenarios: tuple[Identifier, ...]
    seed: int = Field(0, ge=0, le=MAX_SEED)
    min_overall: float = Field(70, ge=0, le=100)

    _scenarios_given = field_validator("scenarios")(_not_empty)


class StarLevel(Strict):
    stars: int = Field(ge=1, le=5)
    title: str = Field(min_length=1, max_length=80)
    require: tuple[Requirement, ...]
    exam: Exam | None = None

    _require_given = field_validator("require")(_not_empty)


class Ladder(Strict):
    levels: tuple[StarLevel, ...]

    @field_validator("levels")
    @classmethod
    def _one_to_five(cls, value: tuple) -> tuple:
        if not 1 <= len(value) <= 5:
            raise ValueError(f"a ladder has 1 to 5 levels, not {len(value)}")
        return value

    def level(self, stars: int) -> StarLevel | None:
        return next((lvl for lvl in self.levels if lvl.stars == stars), None)


def load_ladder(path: Path, scenarios_dir: Path | None = None) -> Ladder:
    """Validate a ladder file; every problem names FILE:LINE:COL."""
    document = load_yaml(Path(path))
    ladder = validate_document(document, Ladder)
    problems = []
    for index, level in enumerate(ladder.levels):
        if level.stars != index + 1:
            problems.append(Diagnostic(str(path), document.position(("levels", index, "stars")), Level.ERROR,
                                       "ladder.order", f"levels must be 1, 2, 3... stars in order; "
                                       f"level {index + 1} says {level.stars}"))
        if level.exam and scenarios_dir is not None:
            for number, scenario in enumerate(level.exam.scenarios):
                if not (Path(scenarios_dir) / f"{scenario}.yaml").is_file():
                    problems.append(Diagnostic(
                        str(path), document.position(("levels", index, "exam", "scenarios", number)), Level.ERROR,
                        "ladder.unknown-scenario", f"no scenario {scenario!r} in {scenarios_dir}"))
    if problems:
        raise FileProblems(problems)
    return ladder


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    requirement: Requirement
    scenarios_met: tuple[str, ...]  # scenarios that count towards it (each with its best call id)
    call_ids: tuple[str, ...]

    @property
    def met(self) -> bool:
        return len(self.scenarios_met) >= self.requirement.passed


@dataclass(frozen=True, slots=True)
class LevelStatus:
    stars: int
    title: str
    met: bool
    requirements: tuple[RequirementStatus, ...]
    certified: bool
    has_exam: bool


@dataclass(frozen=True, slots=True)
class StarStanding:
    trainee: str
    stars: int  # highest level met, every lower level met too
    certified_stars: int  # highest level certified by an exam (0: none)
    levels: tuple[LevelStatus, ...]


def standing(ladder: Ladder, trainee: str, scored: list[tuple[Attempt, Scorecard]],
             difficulty_of: dict[str, int], certified: set[int]) -> StarStanding:
    practice = [(a, c) for a, c in scored if a.kind in (CallKind.TRAINING, CallKind.EXAM, CallKind.DRILL)]
    levels = []
    for level in ladder.levels:
        statuses = []
        for requirement in level.require:
            best: dict[str, tuple[float, str]] = {}
            for attempt, card in practice:
                hard_enough = difficulty_of.get(attempt.scenario_id, 0) >= requirement.difficulty_at_least
                better = attempt.scenario_id not in best or card.overall > best[attempt.scenario_id][0]
                if hard_enough and better and requirement.met_by(card):
                    best[attempt.scenario_id] = (card.overall, attempt.call_id)
            names = tuple(sorted(best))
            statuses.append(RequirementStatus(requirement, names, tuple(best[n][1] for n in names)))
        levels.append(LevelStatus(level.stars, level.title, all(s.met for s in statuses), tuple(statuses),
                                  level.stars in certified, level.exam is not None))
    stars = 0
    for status in levels:
        if not status.met:
            break
        stars = status.stars
    return StarStanding(trainee, stars, max(certified, default=0), tuple(levels))


def certified_levels(ladder: Ladder, certifications: list[Certification],
                     scored: list[tuple[Attempt, Scorecard]]) -> set[int]:
    """The levels whose certificate still stands: every exam call it rests on still passes with the
    exam's ``min_overall`` on its current (reviewed where reviewed) scorecard.  A certificate whose calls
    are no longer in the store (forgotten, or not imported) stands as it was given."""
    current = {attempt.call_id: card for attempt, card in scored}
    standing_levels = set()
    for certificate in certifications:
        level = ladder.level(certificate.stars)
        floor = level.exam.min_overall if level is not None and level.exam is not None else 0.0
        cards = [current[call_id] for call_id in certificate.call_ids if call_id in current]
        if all(card.passed and card.overall >= floor for card in cards):
            standing_levels.add(certificate.stars)
    return standing_levels


def standing_in_store(store: Any, ladder: Ladder, trainee: str, difficulty_of: dict[str, int]) -> StarStanding:
    """A trainee's standing from the store's calls, reviewed scorecards and still-valid certificates."""
    scored = store.scorecards(trainee)
    return standing(ladder, trainee, scored, difficulty_of, certified_levels(ladder, store.certifications(trainee),
                                                                            scored))


def standing_to_json(result: StarStanding) -> dict[str, Any]:
    return {"trainee": result.trainee, "stars": result.stars, "certified_stars": result.certified_stars,
            "levels": [{"stars": lvl.stars, "title": lvl.title, "met": lvl.met, "certified": lvl.certified,
                        "has_exam": lvl.has_exam,
                        "requirements": [{"requirement": r.requirement.describe(), "met": r.met,
                                          "scenarios": list(r.scenarios_met), "call_ids": list(r.call_ids)}
                                         for r in lvl.requirements]} for lvl in result.levels]}


def describe_standing(result: StarStanding) -> str:
    lines = [f"{result.trainee}: {'*' * result.stars or 'no stars yet'} ({result.stars}/5)"
             + (f", certified to {result.certified_stars} star(s)" if result.certified_stars else "")]
    for level in result.levels:
        mark = "met " if level.met else "    "
        cert = " [certified]" if level.certified else (" [exam available]" if level.has_exam and level.met else "")
        lines.append(f"  {mark}{level.stars}* {level.title}{cert}")
        for status in level.requirements:
            tick = "x" if status.met else " "
            lines.append(f"      [{tick}] {status.requirement.describe()}: {len(status.scenarios_met)}/"
                         f"{status.requirement.passed} ({', '.join(status.scenarios_met) or 'none yet'})")
    return "\n".join(lines)
