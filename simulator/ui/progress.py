"""What the history screen shows: score series, weakest steps, star level and what the next needs.

Pure Python.  With the training store it uses the service lab's growth record and star ladder
(``simulator.lab.growth``, ``simulator.lab.ladder``); without it, the attempts read back from the
call folders (no star levels: they need the store's certified exams).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.scenario.diagnostics import FileProblems
from simulator.scoring.scorecard import Dimension
from simulator.ui.attempts import Attempt, weakest_steps
from simulator.ui.i18n import Phrase

SERIES = ("overall", *(d.value for d in Dimension))
STARS_UNAVAILABLE = "star levels unavailable: {why}"


@dataclass(frozen=True)
class StarProgress:
    stars: int
    certified_stars: int
    next_title: str | None  # None: top of the ladder
    next_needs: tuple[str, ...]  # the next level's requirements not met yet, with progress
    exam_available: bool  # a met level whose exam is not taken yet


@dataclass(frozen=True)
class Progress:
    calls: int
    passed: int
    series: dict[str, tuple[float, ...]]
    pass_marks: dict[str, float | None]
    weakest: tuple[tuple[str, int, int], ...]  # (description, missed, offered)
    recommendation: Phrase | None = None
    stars: StarProgress | None = None
    notes: tuple[Phrase, ...] = field(default=())  # why a part is missing (no store, bad ladder file)
    honours: tuple[tuple[bool, str], ...] = ()  # (held by this trainee or their team, "title: holder: ... [calls]")
    best_passed: dict[str, float] = field(default_factory=dict)  # per series, over passed calls only


def _series(attempts: tuple[Attempt, ...]) -> dict[str, tuple[float, ...]]:
    series: dict[str, tuple[float, ...]] = {"overall": tuple(a.overall for a in attempts)}
    for dimension in Dimension:
        series[dimension.value] = tuple(s for a in attempts if (s := a.score(dimension)) is not None)
    return series


def _best_passed(attempts: tuple[Attempt, ...]) -> dict[str, float]:
    """The highest score per series among passed calls: a failed call is never a best, however high
    one of its scores (a critical breach can leave 72/100 on the card)."""
    passed = _series(tuple(a for a in attempts if a.passed))
    return {name: max(values) for name, values in passed.items() if values}


def _pass_marks(attempts: tuple[Attempt, ...]) -> dict[str, float | None]:
    """The latest call's pass marks (they can differ per scenario)."""
    card = attempts[-1].scorecard if attempts else None
    if card is None:
        return dict.fromkeys(SERIES)
    marks: dict[str, float | None] = {"overall": card.pass_mark}
    marks.update({d.dimension.value: d.pass_mark for d in card.dimensions})
    return marks


def progress_from_attempts(attempts: tuple[Attempt, ...], notes: tuple[Phrase, ...] = ()) -> Progress:
    return Progress(len(attempts), sum(a.passed for a in attempts), _series(attempts), _pass_marks(attempts),
                    tuple(weakest_steps(attempts)), notes=notes, best_passed=_best_passed(attempts))


def progress_from_store(store: Any, trainee: str, scenarios_dir: Path, attempts: tuple[Attempt, ...]) -> Progress:
    """Growth record and star standing from the service lab, over the store's calls."""
    from simulator.lab.growth import growth_record, load_catalog
    from simulator.lab.honours import describe_honour, honours_from_store
    from simulator.lab.ladder import LADDER_FILE, Ladder, load_ladder, standing_in_store

    catalog = load_catalog(scenarios_dir)
    growth = growth_record(store, trainee, catalog)
    weakest = tuple((s.description, s.missed, s.offered) for s in growth.weakest_steps)
    recommendation = None
    if growth.recommendation is not None:
        rec = growth.recommendation
        recommendation = Phrase("{title} (difficulty {difficulty}): {reason}",
                                {"title": rec.title, "difficulty": rec.difficulty, "reason": rec.reason})
    notes: list[Phrase] = []
    stars = None
    ladder: Ladder | None = None
    difficulty = {s.id: s.difficulty for s in catalog}
    ladder_path = scenarios_dir / LADDER_FILE
    if ladder_path.is_file():
        try:
            ladder = load_ladder(ladder_path, scenarios_dir)
        except FileProblems as problems:
            notes.append(Phrase(STARS_UNAVAILABLE, {"why": problems.diagnostics[0].format()}))
        else:
            stars = star_progress(standing_in_store(store, ladder, trainee, difficulty))
    else:
        notes.append(Phrase("star levels unavailable: no {file} in {folder}",
                            {"file": LADDER_FILE, "folder": scenarios_dir}))
    person = store.get_trainee(trainee)
    mine = {trainee, person.team} if person is not None and person.team else {trainee}
    honours = tuple((h.holder in mine, describe_honour(h))
                    for h in honours_from_store(store, ladder, difficulty).honours)
    return Progress(len(attempts), sum(a.passed for a in attempts), _series(attempts), _pass_marks(attempts),
                    weakest, recommendation, stars, tuple(notes), honours, _best_passed(attempts))


def star_progress(result: Any) -> StarProgress:
    upcoming = next((level for level in result.levels if level.stars == result.stars + 1), None)
    needs: tuple[str, ...] = ()
    if upcoming is not None:
        needs = tuple(f"{status.requirement.describe()} ({len(status.scenarios_met)}/{status.requirement.passed})"
                      for status in upcoming.requirements if not status.met)
    exam = any(level.met and level.has_exam and not level.certified for level in result.levels)
    return StarProgress(result.stars, result.certified_stars, upcoming.title if upcoming else None, needs, exam)
