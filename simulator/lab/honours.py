"""Honours computed from stored calls: the first to reach each star level, the longest run of passed
calls, the most improved this month and the best team.  Each honour names the calls it rests on, so
anyone can open the scorecards behind it; nothing is stored, so honours always agree with the calls.

Rules (docs/lab.md, "Honours"):

- *First to N stars*: replaying each trainee's practice calls in the order they were taken, the call
  after which the ladder's level N (and every lower one) first held; the earliest trainee wins.  The
  calls named are the ones the met requirements rest on.
- *Longest streak*: the most practice calls passed in a row (at least ``MIN_STREAK``).
- *Most improved this month*: among trainees with at least ``MIN_MONTH_CALLS`` practice calls this
  calendar month (UTC), the largest rise from the mean ranked score of their first k calls to that
  of their last k, k = min(3, calls // 2); ranked scores are difficulty-weighted as on leaderboards.
- *Best team*: rank 1 on the all-training leaderboard, when at least two teams are ranked.

Ties share an honour: every holder is listed.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from simulator.lab.ladder import Ladder, standing
from simulator.lab.leaderboard import build_leaderboard, difficulty_weight, score_of
from simulator.scoring.scorecard import Scorecard
from simulator.store.types import Attempt, CallKind, CallStatus

MIN_STREAK = 2
MIN_MONTH_CALLS = 4
PRACTICE = (CallKind.TRAINING, CallKind.EXAM, CallKind.DRILL)


class HonourKind(enum.StrEnum):
    FIRST_TO_STARS = "first_to_stars"
    LONGEST_STREAK = "longest_streak"
    MOST_IMPROVED = "most_improved"
    BEST_TEAM = "best_team"


@dataclass(frozen=True, slots=True)
class Honour:
    kind: HonourKind
    title: str  # e.g. "First to 2 stars"
    holder: str  # a trainee, or a team for best_team
    detail: str  # plain words: what was achieved, with the numbers
    call_ids: tuple[str, ...]  # the calls it rests on


@dataclass(frozen=True, slots=True)
class StarMilestone:
    trainee: str
    stars: int
    title: str
    reached_at: str  # when the call that completed it started
    call_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Honours:
    month: str  # YYYY-MM, the month "most improved" looks at
    honours: tuple[Honour, ...]
    milestones: tuple[StarMilestone, ...]  # every trainee's, oldest first

    def of(self, holder: str) -> tuple[Honour, ...]:
        return tuple(h for h in self.honours if h.holder == holder)


def _practice(scored: list[tuple[Attempt, Scorecard]]) -> dict[str, list[tuple[Attempt, Scorecard]]]:
    by_trainee: dict[str, list[tuple[Attempt, Scorecard]]] = defaultdict(list)
    for attempt, card in sorted(scored, key=lambda pair: (pair[0].started_at, pair[0].call_id)):
        if attempt.trainee and attempt.kind in PRACTICE and attempt.status == CallStatus.FINISHED:
            by_trainee[attempt.trainee].append((attempt, card))
    return by_trainee


def star_milestones(ladder: Ladder, calls: list[tuple[Attempt, Scorecard]], trainee: str,
                    difficulty_of: dict[str, int]) -> list[StarMilestone]:
    """When each star level was first met, replaying the calls in order (a failed call cannot meet a
    requirement, so only passed calls are replayed against the ladder)."""
    reached: dict[int, StarMilestone] = {}
    for position, (attempt, card) in enumerate(calls):
        if not card.passed:
            continue
        result = standing(ladder, trainee, calls[:position + 1], difficulty_of, set())
        resting: list[str] = []
        for level in result.levels:
            if level.stars > result.stars:
                break
            resting += [call for status in level.requirements for call in status.call_ids if call not in resting]
            if level.stars not in reached:
                reached[level.stars] = StarMilestone(trainee, level.stars, level.title, attempt.started_at,
                                                     tuple(resting))
    return sorted(reached.values(), key=lambda m: m.stars)


def _first_to_stars(milestones: list[StarMilestone]) -> list[Honour]:
    honours = []
    for stars in sorted({m.stars for m in milestones}):
        at_level = [m for m in milestones if m.stars == stars]
        first = min(m.reached_at for m in at_level)
        for milestone in sorted((m for m in at_level if m.reached_at == first), key=lambda m: m.trainee):
            honours.append(Honour(HonourKind.FIRST_TO_STARS, f"First to {stars} star{'s' * (stars > 1)}",
                                  milestone.trainee, f"reached {stars}* ({milestone.title}) on {first[:10]}",
                                  milestone.call_ids))
    return honours


def _longest_run(calls: list[tuple[Attempt, Scorecard]]) -> tuple[str, ...]:
    best: tuple[str, ...] = ()
    run: list[str] = []
    for attempt, _ in calls:
        reading = score_of(attempt)
        if reading is not None and reading.passed:
            run.append(attempt.call_id)
            if len(run) > len(best):
                best = tuple(run)
        else:
            run = []
    return best


def _longest_streaks(by_trainee: dict[str, list[tuple[Attempt, Scorecard]]]) -> list[Honour]:
    runs = {trainee: _longest_run(calls) for trainee, calls in by_trainee.items()}
    longest = max((len(run) for run in runs.values()), default=0)
    if longest < MIN_STREAK:
        return []
    return [Honour(HonourKind.LONGEST_STREAK, "Longest streak", trainee, f"{longest} calls passed in a row", run)
            for trainee, run in sorted(runs.items()) if len(run) == longest]


def _ranked(attempt: Attempt, difficulty_of: dict[str, int]) -> float | None:
    reading = score_of(attempt)
    if reading is None:
        return None
    return reading.overall * difficulty_weight(difficulty_of.get(attempt.scenario_id))


def _most_improved(by_trainee: dict[str, list[tuple[Attempt, Scorecard]]], difficulty_of: dict[str, int],
                   month: str) -> list[Honour]:
    rises: dict[str, tuple[float, tuple[str, ...], float, float]] = {}
    for trainee, calls in by_trainee.items():
        this_month = [(a, score) for a, _ in calls if a.started_at[:7] == month
                      and (score := _ranked(a, difficulty_of)) is not None]
        if len(this_month) < MIN_MONTH_CALLS:
            continue
        k = min(3, len(this_month) // 2)
        before, after = fmean(s for _, s in this_month[:k]), fmean(s for _, s in this_month[-k:])
        named = tuple(a.call_id for a, _ in this_month[:k] + this_month[-k:])
        rises[trainee] = (round(after - before, 1), named, before, after)
    top = max((rise for rise, *_ in rises.values()), default=0.0)
    if top <= 0:
        return []
    return [Honour(HonourKind.MOST_IMPROVED, f"Most improved in {month}", trainee,
                   f"+{rise:.1f} points: mean ranked score {before:.1f} over the first {len(named) // 2} call(s) "
                   f"of the month, {after:.1f} over the last {len(named) // 2}", named)
            for trainee, (rise, named, before, after) in sorted(rises.items()) if rise == top]


def _best_team(attempts: list[Attempt], teams_of: dict[str, str | None], difficulty_of: dict[str, int]
               ) -> list[Honour]:
    board = build_leaderboard(attempts, teams_of, difficulty_of=difficulty_of)
    ranked = [t for t in board.teams if t.rank is not None]
    if len(ranked) < 2:
        return []
    honours = []
    for team in (t for t in ranked if t.rank == 1):
        members = [p for p in board.people if p.team == team.team and p.rank is not None]
        calls = tuple(call for p in members for counted in p.counted for call in counted.call_ids)
        honours.append(Honour(HonourKind.BEST_TEAM, "Best team", team.team,
                              f"team score {team.score:.1f} (mean of {team.members_ranked} ranked member(s): "
                              f"{', '.join(p.trainee for p in members)}) on the all-training leaderboard", calls))
    return honours


def compute_honours(scored: list[tuple[Attempt, Scorecard]], teams_of: dict[str, str | None],
                    ladder: Ladder | None, difficulty_of: dict[str, int], now: datetime) -> Honours:
    month = now.astimezone(UTC).strftime("%Y-%m")
    by_trainee = _practice(scored)
    milestones = [] if ladder is None else [
        m for trainee, calls in sorted(by_trainee.items()) for m in star_milestones(ladder, calls, trainee,
                                                                                     difficulty_of)]
    honours = [*_first_to_stars(milestones), *_longest_streaks(by_trainee),
               *_most_improved(by_trainee, difficulty_of, month),
               *_best_team([a for a, _ in scored], teams_of, difficulty_of)]
    return Honours(month, tuple(honours), tuple(sorted(milestones, key=lambda m: (m.reached_at, m.trainee))))


def honours_from_store(store: Any, ladder: Ladder | None, difficulty_of: dict[str, int],
                       now: datetime | None = None) -> Honours:
    teams_of = {t.name: t.team for t in store.list_trainees()}
    return compute_honours(store.scorecards(), teams_of, ladder, difficulty_of, now or datetime.now(UTC))


def honours_to_json(result: Honours) -> dict[str, Any]:
    return {"month": result.month,
            "honours": [{"kind": h.kind.value, "title": h.title, "holder": h.holder, "detail": h.detail,
                         "call_ids": list(h.call_ids)} for h in result.honours],
            "milestones": [{"trainee": m.trainee, "stars": m.stars, "title": m.title, "reached_at": m.reached_at,
                            "call_ids": list(m.call_ids)} for m in result.milestones]}


def describe_honour(honour: Honour) -> str:
    calls = ", ".join(call[:8] for call in honour.call_ids)
    return f"{honour.title}: {honour.holder}: {honour.detail} [calls {calls}]"


def describe_honours(result: Honours) -> str:
    if not result.honours:
        return "No honours yet: they need passed calls, a star level, a month of calls or two ranked teams."
    return "Honours\n" + "\n".join(f"  {describe_honour(h)}" for h in result.honours)
