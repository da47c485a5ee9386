"""A trainee's growth record: every attempt, per-dimension trends, weakest steps, and the scenario
to practise next (the weakest skill at the right difficulty)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import load_scenario, scenario_files
from simulator.scoring.scorecard import Dimension, Scorecard
from simulator.store.types import Attempt

RECENT_CALLS = 5  # the weakest dimension is judged on this many latest calls
# which scenario skills exercise which scored dimension (a scenario's skills are free words)
DIMENSION_SKILLS = {
    Dimension.EMPATHY: {"empathy", "de-escalation", "vulnerability", "listening"},
    Dimension.COMPLIANCE: {"verification", "security", "ownership", "setting-expectations", "managing-expectations",
                           "evidence-gathering", "investigation", "policy-explanation", "explaining-decisions",
                           "payment-plans", "fraud-handling", "options", "safety-netting", "using-history"},
    Dimension.TONE: {"de-escalation", "plain-language", "pace", "tone", "urgency"},
}


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    id: str
    title: str
    difficulty: int
    skills: tuple[str, ...]
    tags: tuple[str, ...]
    step_ids: tuple[str, ...]
    language: str = "en"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    call_id: str
    started_at: str
    scenario_id: str
    score: float


@dataclass(frozen=True, slots=True)
class DimensionTrend:
    dimension: str  # "overall", "empathy", "compliance", "tone"
    points: tuple[TrendPoint, ...]
    first: float | None
    latest: float | None
    mean: float | None
    slope_per_call: float | None  # least-squares change per call; None with fewer than 2 points


@dataclass(frozen=True, slots=True)
class StepMiss:
    step_id: str
    description: str
    missed: int
    offered: int  # calls where the step was required

    @property
    def miss_rate(self) -> float:
        return self.missed / self.offered if self.offered else 0.0


@dataclass(frozen=True, slots=True)
class Recommendation:
    scenario_id: str
    title: str
    difficulty: int
    skill: str
    reason: str


@dataclass(frozen=True, slots=True)
class GrowthRecord:
    trainee: str
    attempts: tuple[Attempt, ...]
    trends: tuple[DimensionTrend, ...]
    weakest_steps: tuple[StepMiss, ...]
    weakest_dimension: str | None
    passed_difficulty: int  # the hardest difficulty passed so far (0: none)
    recommendation: Recommendation | None

    def trend(self, dimension: str) -> DimensionTrend:
        return next(t for t in self.trends if t.dimension == dimension)


def load_catalog(scenarios_dir: Path) -> list[ScenarioInfo]:
    """Every scenario that loads (broken files are the linter's business, not the recommender's)."""
    catalog = []
    for path in scenario_files([Path(scenarios_dir)]):
        try:
            scenario = load_scenario(path).scenario
        except (FileProblems, OSError):
            continue
        catalog.append(ScenarioInfo(scenario.id, scenario.title, scenario.difficulty, scenario.skills, scenario.tags,
                                    tuple(step.id for step in scenario.script), str(scenario.language)))
    return catalog


def difficulties(scenarios_dir: Path) -> dict[str, int]:
    """Each loadable scenario's difficulty, by id (what rankings weight calls by)."""
    return {info.id: info.difficulty for info in load_catalog(scenarios_dir)}


def _slope(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    xs = range(len(values))
    mean_x, mean_y = fmean(xs), fmean(values)
    denominator = sum((x - mean_x) ** 2 for x in xs)
    return round(sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values, strict=True)) / denominator, 2)


def _trend(name: str, scored: list[tuple[Attempt, Scorecard]]) -> DimensionTrend:
    points = []
    for attempt, card in scored:
        value = card.overall if name == "overall" else card.dimension(Dimension(name)).score
        if value is not None:
            points.append(TrendPoint(attempt.call_id, attempt.started_at, attempt.scenario_id, value))
    values = [p.score for p in points]
    return DimensionTrend(name, tuple(points), values[0] if values else None, values[-1] if values else None,
                          round(fmean(values), 1) if values else None, _slope(values))


def weakest_steps(scored: list[tuple[Attempt, Scorecard]], limit: int = 5) -> tuple[StepMiss, ...]:
    missed: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    described: dict[str, str] = {}
    for _, card in scored:
        for step in card.steps:
            if not step.required:
                continue
            offered[step.step_id] += 1
            described.setdefault(step.step_id, step.description)
            if not step.hit or not step.in_order or not step.on_time:
                missed[step.step_id] += 1
    misses = [StepMiss(step, described[step], missed[step], offered[step]) for step in missed]
    misses.sort(key=lambda s: (-s.miss_rate, -s.missed, s.step_id))
    return tuple(misses[:limit])


def _weakest_dimension(scored: list[tuple[Attempt, Scorecard]]) -> str | None:
    recent = scored[-RECENT_CALLS:]
    means: dict[str, float] = {}
    for dimension in Dimension:
        values = [score for _, card in recent if (score := card.dimension(dimension).score) is not None]
        if values:
            means[dimension.value] = fmean(values)
    return min(means, key=lambda name: (means[name], name)) if means else None


def _passed_difficulty(scored: list[tuple[Attempt, Scorecard]], catalog: dict[str, ScenarioInfo]) -> int:
    return max((catalog[a.scenario_id].difficulty for a, card in scored if card.passed and a.scenario_id in catalog),
               default=0)


def recommend(scored: list[tuple[Attempt, Scorecard]], catalog: list[ScenarioInfo]) -> Recommendation | None:
    """The scenario that trains the weakest dimension at the next sensible difficulty.

    Target difficulty: one above the hardest passed, unless the latest call failed (then stay).
    Among scenarios near that difficulty, prefer the skill match, then scenarios whose script has
    the trainee's most-missed steps, then scenarios not yet passed, then the least played.  Only
    scenarios in the language of the trainee's latest call are considered first (English before any
    call): a library holding Mandarin and English calls must not send a trainee into the other one.
    """
    if not catalog:
        return None
    by_id = {s.id: s for s in catalog}
    passed_level = _passed_difficulty(scored, by_id)
    latest_failed = bool(scored) and not scored[-1][1].passed
    target = max(1, min(5, passed_level if latest_failed and passed_level else passed_level + 1))
    weakest = _weakest_dimension(scored) or Dimension.EMPATHY.value
    skills = DIMENSION_SKILLS[Dimension(weakest)]
    missed_steps = {s.step_id for s in weakest_steps(scored, limit=3)}
    played = Counter(a.scenario_id for a, _ in scored)
    passed = {a.scenario_id for a, card in scored if card.passed}
    latest = by_id.get(scored[-1][0].scenario_id) if scored else None
    language = latest.language if latest is not None else "en"

    def rank(info: ScenarioInfo) -> tuple:
        skill_match = len(skills & set(info.skills))
        step_match = len(missed_steps & set(info.step_ids))
        return (info.language != language, abs(info.difficulty - target), -min(skill_match, 1), -step_match,
                info.id in passed, played[info.id], -skill_match, info.id)

    choice = min(catalog, key=rank)
    matched = sorted(skills & set(choice.skills))
    skill = matched[0] if matched else weakest
    if not scored:
        reason = f"no calls yet: start at difficulty {choice.difficulty}"
    else:
        how = "stay at" if latest_failed and passed_level else "move to"
        reason = (f"weakest dimension: {weakest}; {how} difficulty {target} (hardest passed: "
                  f"{passed_level or 'none'}); trains {', '.join(matched) or weakest}")
        steps = sorted(missed_steps & set(choice.step_ids))
        if steps:
            reason += f"; practises missed step(s) {', '.join(steps)}"
    return Recommendation(choice.id, choice.title, choice.difficulty, skill, reason)


def growth_record(store: Any, trainee: str, catalog: list[ScenarioInfo]) -> GrowthRecord:
    attempts = store.attempts(trainee)
    scored = store.scorecards(trainee)
    scored = [(a, c) for a, c in scored if a.kind.value != "real"]  # real calls are behaviour, not practice
    trends = tuple(_trend(name, scored) for name in ("overall", *(d.value for d in Dimension)))
    return GrowthRecord(trainee, tuple(attempts), trends, weakest_steps(scored), _weakest_dimension(scored),
                        _passed_difficulty(scored, {s.id: s for s in catalog}), recommend(scored, catalog))


def growth_to_json(record: GrowthRecord) -> dict[str, Any]:
    return {
        "trainee": record.trainee,
        "attempts": len(record.attempts),
        "trends": [{"dimension": t.dimension, "first": t.first, "latest": t.latest, "mean": t.mean,
                    "slope_per_call": t.slope_per_call,
                    "points": [{"call_id": p.call_id, "started_at": p.started_at, "scenario": p.scenario_id,
                                "score": p.score} for p in t.points]} for t in record.trends],
        "weakest_steps": [{"step": s.step_id, "description": s.description, "missed": s.missed, "offered": s.offered,
                           "miss_rate": round(s.miss_rate, 2)} for s in record.weakest_steps],
        "weakest_dimension": record.weakest_dimension,
        "passed_difficulty": record.passed_difficulty,
        "recommendation": None if record.recommendation is None else {
            "scenario": record.recommendation.scenario_id, "title": record.recommendation.title,
            "difficulty": record.recommendation.difficulty, "skill": record.recommendation.skill,
            "reason": record.recommendation.reason},
    }


def describe_growth(record: GrowthRecord, stars: int | None = None) -> str:
    lines = [f"Growth record: {record.trainee} ({len(record.attempts)} call(s))"
             + (f", {stars} star(s)" if stars is not None else "")]
    for trend in record.trends:
        if trend.latest is None:
            lines.append(f"  {trend.dimension:<11} not measured yet")
            continue
        slope = "" if trend.slope_per_call is None else f", {trend.slope_per_call:+.1f} per call"
        lines.append(f"  {trend.dimension:<11} first {trend.first:5.1f}  latest {trend.latest:5.1f}  "
                     f"mean {trend.mean:5.1f}{slope}  ({len(trend.points)} call(s))")
    if record.weakest_steps:
        lines.append("  weakest steps:")
        for step in record.weakest_steps:
            lines.append(f"    {step.step_id:<16} missed {step.missed}/{step.offered}  {step.description}")
    if record.recommendation:
        rec = record.recommendation
        lines.append(f"  next: {rec.scenario_id} (difficulty {rec.difficulty}): {rec.reason}")
    return "\n".join(lines)
