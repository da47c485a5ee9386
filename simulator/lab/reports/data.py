"""What a trainer report shows, computed from the store (pure summaries, no HTML here)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any

from pydantic import ValidationError

from simulator.lab.calibration import CalibrationReport, calibration_report
from simulator.lab.competitions import Competition
from simulator.lab.honours import Honours, compute_honours
from simulator.lab.ladder import Ladder
from simulator.lab.leaderboard import Leaderboard, PersonEntry, TeamEntry, build_leaderboard, leaderboard_from_store
from simulator.lab.mentoring import AssignmentProgress, parse_moment, progress_for
from simulator.record import now_iso
from simulator.scoring.scorecard import Scorecard
from simulator.store.types import Attempt, CallKind, KpiRow, Rating, TraineeInfo


@dataclass(frozen=True, slots=True)
class ReportScope:
    kind: str  # "cohort" (everyone, or a named cohort = team), "team" or "trainee"
    name: str | None = None

    def describe(self) -> str:
        if self.kind == "trainee":
            return f"trainee {self.name}"
        if self.name:
            return f"{self.kind} {self.name}"
        return "all trainees"


@dataclass(frozen=True, slots=True)
class CompetitionStanding:
    """One competition's leaderboard, kept to the people (and their teams) this report covers.

    Ranks are those of the whole competition, so a trainee's report shows where they really stand.
    """

    competition_id: str
    title: str
    starts_at: str
    ends_at: str
    min_attempts: int
    people: tuple[PersonEntry, ...]
    teams: tuple[TeamEntry, ...]
    ranked_people: int  # in the whole competition, the "of N" behind a rank
    problem: str | None = None  # why the stored definition could not be read (then no standings)


@dataclass(frozen=True, slots=True)
class ReportData:
    scope: ReportScope
    generated_at: str
    trainees: tuple[TraineeInfo, ...]
    practice: tuple[tuple[Attempt, Scorecard], ...]  # training, exam and drill calls, oldest first
    real: tuple[tuple[Attempt, Scorecard], ...]  # real calls scored afterwards (behaviour)
    attempts: tuple[Attempt, ...]  # every call, finished or not (the CSV)
    ratings: tuple[Rating, ...]
    drill_runs: tuple[dict[str, Any], ...]
    kpis: tuple[KpiRow, ...]
    competitions: tuple[CompetitionStanding, ...] = ()
    mentoring: tuple[AssignmentProgress, ...] = ()  # the trainees' assignments, as of generated_at
    calibration: CalibrationReport | None = None  # trainers' reviews of this report's calls
    honours: Honours | None = None  # cohort-wide honours; the report shows those held in its scope
    ranking: Leaderboard | None = None  # the all-training leaderboard (everyone; the report shows its scope)

    @property
    def reviewed(self) -> tuple[Attempt, ...]:
        """Calls counted with a trainer's reviewed score (every figure of the report uses it)."""
        return tuple(a for a in self.attempts if a.reviewed_by)


def collect(store: Any, scope: ReportScope, progress: Callable[[int, int], None] | None = None,
            scenarios_dir: Path | None = None, *, difficulty_of: dict[str, int] | None = None,
            ladder: Ladder | None = None, now: datetime | None = None) -> ReportData:
    """``difficulty_of`` weights ranked scores (leaderboards, honours); ``ladder`` gives star honours."""
    team = scope.name if scope.kind in ("team", "cohort") and scope.name else None
    trainee = scope.name if scope.kind == "trainee" else None
    if trainee is not None:
        person = store.get_trainee(trainee)
        people = [person] if person else []
    else:
        people = store.list_trainees(team)
    names = {p.name for p in people}
    steps = 9
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    scored = [(a, c) for a, c in store.scorecards(trainee, team) if a.trainee in names]
    tick()
    attempts = [a for a in store.attempts(trainee, team=team) if a.trainee in names]
    tick()
    ratings = store.ratings(trainee, team)
    tick()
    runs = store.drill_runs(trainee, team)
    tick()
    kpis = store.kpis(trainee, team)
    tick()
    competitions = competition_standings(store, names, difficulty_of)
    tick()
    everyone = store.scorecards()
    teams_of = {t.name: t.team for t in store.list_trainees()}
    honours = compute_honours(everyone, teams_of, ladder, difficulty_of or {}, now or datetime.now(UTC))
    ranking = build_leaderboard([a for a, _ in everyone], teams_of, difficulty_of=difficulty_of)
    tick()
    calibration = calibration_of(store, {a.call_id for a in attempts}, scenarios_dir)
    tick()
    generated_at = now_iso()
    mentoring = tuple(progress_for(store, [a for a in store.assignments() if a.apprentice in names],
                                   parse_moment(generated_at)))
    tick()
    practice = tuple((a, c) for a, c in scored if a.kind != CallKind.REAL)
    real = tuple((a, c) for a, c in scored if a.kind == CallKind.REAL)
    return ReportData(scope, generated_at, tuple(people), practice, real, tuple(attempts), tuple(ratings),
                      tuple(runs), tuple(kpis), competitions, mentoring, calibration, honours, ranking)


def calibration_of(store: Any, call_ids: set[str], scenarios_dir: Path | None) -> CalibrationReport | None:
    """Trainer/machine agreement over the report's reviewed calls; None when none was reviewed."""
    from simulator.lab.review import scenario_or_none

    if not hasattr(store, "call_reviews"):
        return None
    folder = scenarios_dir or Path("scenarios")
    report = calibration_report(store, lambda stored: scenario_or_none(stored, folder), call_ids)
    return report if report.reviews else None


def competition_standings(store: Any, names: set[str], difficulty_of: dict[str, int] | None = None
                          ) -> tuple[CompetitionStanding, ...]:
    """Every stored competition's standings for the trainees ``names`` (oldest competition first)."""
    standings = []
    for row in store.list_competitions():
        definition = {key: value for key, value in (row.get("data") or {}).items() if key != "source"}
        try:
            competition = Competition.model_validate(definition)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(map(str, first["loc"])) or "definition"
            standings.append(CompetitionStanding(
                row["id"], row["title"], row["starts_at"], row["ends_at"], row["min_attempts"], (), (), 0,
                f"its stored definition is not valid ({where}: {first['msg']}); "
                f"re-create it with `callsim competition create` or `callsim competition load`"))
            continue
        board = leaderboard_from_store(store, competition, difficulty_of=difficulty_of)
        people = tuple(p for p in board.people if p.trainee in names)
        teams_here = {p.team for p in people if p.team}
        standings.append(CompetitionStanding(
            competition.id, competition.title, competition.starts_at, competition.ends_at, board.min_attempts,
            people, tuple(t for t in board.teams if t.team in teams_here),
            sum(p.rank is not None for p in board.people)))
    return tuple(standings)


def read_time(stamp: str) -> datetime | None:
    """A stored ISO-8601 time as an aware UTC datetime; None when it cannot be read (it is then left
    off the time axis rather than stopping the report)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ScoredCall:
    """One scored call as a plot point needs it."""

    call_id: str
    scenario_id: str
    overall: float
    passed: bool
    pass_mark: float


@dataclass(frozen=True, slots=True)
class DatedCall:
    taken_at: datetime  # UTC
    call: ScoredCall


def _scored_call(attempt: Attempt, card: Scorecard) -> ScoredCall:
    return ScoredCall(attempt.call_id, attempt.scenario_id, card.overall, card.passed, card.pass_mark)


def _named(attempt: Attempt) -> str:
    # load_report keeps only the calls of the listed trainees, so every call here has one
    assert attempt.trainee is not None, f"call {attempt.call_id} has no trainee"
    return attempt.trainee


def pass_marks(calls: tuple[tuple[Attempt, Scorecard], ...]) -> tuple[float, ...]:
    """The overall pass marks these calls were scored against, lowest first (one, unless a scenario
    sets its own)."""
    return tuple(sorted({card.pass_mark for _, card in calls}))


def score_trends(data: ReportData, limit: int = 8) -> dict[str, list[ScoredCall]]:
    """Each trainee's practice calls in order (the most active ``limit`` trainees)."""
    series: dict[str, list[ScoredCall]] = defaultdict(list)
    for attempt, card in data.practice:
        series[_named(attempt)].append(_scored_call(attempt, card))
    busiest = sorted(series, key=lambda name: (-len(series[name]), name))[:limit]
    return {name: series[name] for name in sorted(busiest)}


def most_missed_steps(data: ReportData, limit: int = 10) -> list[tuple[str, float]]:
    """(scenario: step, percent of calls that missed it), most missed first."""
    missed: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    for attempt, card in data.practice:
        for step in card.steps:
            if step.required:
                key = f"{attempt.scenario_id}: {step.step_id}"
                offered[key] += 1
                missed[key] += not step.hit
    rates = [(key, round(100 * missed[key] / offered[key], 1)) for key in offered if missed[key]]
    return sorted(rates, key=lambda item: (-item[1], item[0]))[:limit]


@dataclass(frozen=True, slots=True)
class ScenarioDifficulty:
    scenario_id: str
    calls: int
    mean_overall: float
    pass_rate: float  # percent


def hardest_scenarios(data: ReportData) -> list[ScenarioDifficulty]:
    by_scenario: dict[str, list[Scorecard]] = defaultdict(list)
    for attempt, card in data.practice:
        by_scenario[attempt.scenario_id].append(card)
    rows = [ScenarioDifficulty(sid, len(cards), round(fmean(c.overall for c in cards), 1),
                               round(100 * sum(c.passed for c in cards) / len(cards), 1))
            for sid, cards in by_scenario.items()]
    return sorted(rows, key=lambda r: (r.mean_overall, r.scenario_id))


@dataclass(frozen=True, slots=True)
class LearningRow:
    trainee: str
    scenario_id: str
    calls: int
    first: float
    latest: float
    first_call_id: str
    latest_call_id: str
    first_passed: bool  # the scorer's verdict: the overall and every dimension reached their marks
    latest_passed: bool
    pass_mark: float  # the overall mark the latest call was scored against
    first_fail_reasons: tuple[str, ...] = ()
    latest_fail_reasons: tuple[str, ...] = ()

    @property
    def change(self) -> float:
        return round(self.latest - self.first, 1)


def learning(data: ReportData) -> list[LearningRow]:
    """Kirkpatrick level 2: the first and latest score per trainee and scenario (before/after)."""
    grouped: dict[tuple[str, str], list[tuple[Attempt, Scorecard]]] = defaultdict(list)
    for attempt, card in data.practice:
        grouped[(_named(attempt), attempt.scenario_id)].append((attempt, card))
    rows = []
    for (trainee, scenario), calls in sorted(grouped.items()):
        (first_attempt, first), (latest_attempt, latest) = calls[0], calls[-1]
        rows.append(LearningRow(trainee, scenario, len(calls), first.overall, latest.overall, first_attempt.call_id,
                                latest_attempt.call_id, first.passed, latest.passed, latest.pass_mark,
                                first.fail_reasons, latest.fail_reasons))
    return rows


def reaction_summary(data: ReportData) -> tuple[float | None, list[tuple[str, float]]]:
    """Kirkpatrick level 1: mean stars and how many ratings gave each number of stars."""
    counts = Counter(r.stars for r in data.ratings)
    mean = round(fmean(r.stars for r in data.ratings), 2) if data.ratings else None
    return mean, [(f"{stars} star{'s' if stars > 1 else ''}", float(counts[stars])) for stars in range(5, 0, -1)]


def behaviour_series(data: ReportData) -> dict[str, list[DatedCall]]:
    """Each trainee's real calls in time order (a call whose stored date cannot be read is left off
    the plot; the table below it still lists it)."""
    series: dict[str, list[DatedCall]] = defaultdict(list)
    for attempt, card in data.real:
        taken_at = read_time(attempt.started_at)
        if taken_at is not None:
            series[attempt.trainee or "(no trainee)"].append(DatedCall(taken_at, _scored_call(attempt, card)))
    return {name: sorted(calls, key=lambda c: c.taken_at) for name, calls in sorted(series.items())}


def as_percent(value: float | None) -> float | None:
    """A KPI rate as a percentage.  The KPI file asks for 0-100, but centres export rates as
    fractions too (0.82); a rate of at most 1 % is not a plausible first-call resolution, so a value
    up to 1 is read as a fraction."""
    if value is None:
        return None
    return round(100 * value, 1) if value <= 1 else round(value, 1)


@dataclass(frozen=True, slots=True)
class TeamSummary:
    team: str | None  # None: the trainees with no team
    trainees: int
    practice_calls: int
    passed_calls: int
    mean_overall: float | None  # None: no scored practice call yet

    @property
    def pass_rate_percent(self) -> float | None:
        return round(100 * self.passed_calls / self.practice_calls, 1) if self.practice_calls else None


def team_summaries(data: ReportData) -> list[TeamSummary]:
    """Per team: trainees, practice calls, mean overall score and pass rate; the team-less last.
    Empty when nobody in the report has a team (there is nothing to compare)."""
    team_of = {p.name: p.team for p in data.trainees}
    if not any(team_of.values()):
        return []
    members: Counter[str | None] = Counter(team_of.values())
    cards: dict[str | None, list[Scorecard]] = defaultdict(list)
    for attempt, card in data.practice:
        cards[team_of.get(_named(attempt))].append(card)
    rows = [TeamSummary(team, members[team], len(cards[team]), sum(c.passed for c in cards[team]),
                        round(fmean(c.overall for c in cards[team]), 1) if cards[team] else None)
            for team in members]
    return sorted(rows, key=lambda r: (r.team is None, r.team or ""))


def training_means(data: ReportData) -> dict[str, float]:
    by_trainee: dict[str, list[float]] = defaultdict(list)
    for attempt, card in data.practice:
        by_trainee[_named(attempt)].append(card.overall)
    return {name: round(fmean(values), 1) for name, values in by_trainee.items()}


def drill_stage_scores(data: ReportData) -> list[tuple[str, float]]:
    """Mean score per drill stage across runs, labelled ``drill #stage scenario``."""
    scores: dict[str, list[float]] = defaultdict(list)
    for run in data.drill_runs:
        for stage in run.get("stages", []):
            scores[f"{run['drill']} #{stage['stage']} {stage['scenario']}"].append(stage["overall"])
    return [(label, round(fmean(values), 1)) for label, values in sorted(scores.items())]


def attempts_csv(data: ReportData) -> str:
    teams = {p.name: p.team for p in data.trainees}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["call_id", "trainee", "team", "scenario", "seed", "kind", "status", "started_at", "ended_at",
                     "outcome", "overall", "passed", "empathy", "compliance", "tone", "drill", "competition",
                     "reviewed_by", "machine_overall"])
    for a in data.attempts:
        writer.writerow([a.call_id, a.trainee, teams.get(_named(a)) or "", a.scenario_id, a.seed, a.kind.value,
                         a.status.value, a.started_at, a.ended_at or "", a.outcome.value if a.outcome else "",
                         "" if a.overall is None else a.overall, "" if a.passed is None else a.passed,
                         "" if a.empathy is None else a.empathy, "" if a.compliance is None else a.compliance,
                         "" if a.tone is None else a.tone, a.drill or "", a.competition or "",
                         " ".join(a.reviewed_by), "" if a.machine_overall is None else a.machine_overall])
    return out.getvalue()
