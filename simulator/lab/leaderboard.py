"""Leaderboards for people and teams: fair (ties share a rank, too few attempts are not ranked,
a failed call is never a best, an easy scenario weighs less) and transparent (every score names
the call, and so the scorecard, it came from, and shows its difficulty weight).

A call's ranked score is its overall score times its scenario's difficulty weight,
``(5 + difficulty) / 10``: a difficulty-5 call counts in full, each step down takes a tenth off
(difficulty 1 counts 0.6).  A person's score is the mean over the competition's scenarios of their
best *passed* call at each (or the mean of their calls, ``ranking: mean``, where a failed call counts
0); a scenario they never passed counts 0, so playing only the easy one does not win.  Without a
competition, the scenarios are the ones the person played.  A team's score is the mean of its
ranked members' scores.  Scores are compared at one decimal, the precision shown, so two people
shown with the same score always share a rank.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean
from typing import Any, NamedTuple

from simulator.lab.competitions import Competition, Ranking
from simulator.store.types import Attempt, CallKind, CallStatus


def difficulty_weight(difficulty: int | None) -> float:
    """How much a call at this difficulty counts: 1.0 at difficulty 5, a tenth less per step down.

    An unknown difficulty (a scenario no longer in the library) counts in full rather than guess.
    """
    return 1.0 if difficulty is None else round((5 + difficulty) / 10, 2)


class ScoreReading(NamedTuple):
    overall: float
    passed: bool


def score_of(attempt: Attempt) -> ScoreReading | None:
    """The score a ranking reads for a call: today the scorer's.  The one place to switch to a
    trainer's reviewed score once reviews exist (rankings, honours and reports all read it here)."""
    if attempt.overall is None:
        return None
    return ScoreReading(attempt.overall, bool(attempt.passed))


@dataclass(frozen=True, slots=True)
class CountedScore:
    scenario_id: str
    score: float  # what counted for this scenario, difficulty-weighted (0 when not played or never passed)
    call_ids: tuple[str, ...]  # the calls (scorecards) behind it
    difficulty: int | None = None  # the scenario's difficulty (None: not in the library)
    weight: float = 1.0  # difficulty_weight(difficulty)
    raw_score: float = 0.0  # the call's own overall (best) or mean overall, before the weight
    failed_call_ids: tuple[str, ...] = ()  # failed calls at this scenario: never a best

    def explain(self) -> str:
        """The score with its weighting spelled out, e.g. ``72.0 x 0.8 (difficulty 3) = 57.6``."""
        level = f"difficulty {self.difficulty}" if self.difficulty is not None else "difficulty unknown"
        return f"{self.raw_score:.1f} x {self.weight:g} ({level}) = {self.score:.1f}"


@dataclass(frozen=True, slots=True)
class PersonEntry:
    rank: int | None  # None: fewer than min_attempts finished calls
    trainee: str
    team: str | None
    score: float
    attempts: int
    counted: tuple[CountedScore, ...]


@dataclass(frozen=True, slots=True)
class TeamEntry:
    rank: int | None  # None: no ranked member
    team: str
    score: float
    members_ranked: int
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Leaderboard:
    competition: str | None
    title: str
    min_attempts: int
    people: tuple[PersonEntry, ...]
    teams: tuple[TeamEntry, ...]


@dataclass(frozen=True, slots=True)
class _ScoredCall:
    """A call that counts on a leaderboard: finished, scored and made by a named trainee."""

    trainee: str
    overall: float
    passed: bool
    call_id: str
    scenario_id: str
    started_at: str


def _eligible(attempt: Attempt, competition: Competition | None) -> _ScoredCall | None:
    reading = score_of(attempt)
    if attempt.status != CallStatus.FINISHED or reading is None or attempt.trainee is None:
        return None
    if competition is None:
        counts = attempt.kind in (CallKind.TRAINING, CallKind.EXAM, CallKind.DRILL)
    else:
        counts = (attempt.competition == competition.id
                  and competition.starts_at <= attempt.started_at <= competition.ends_at
                  and competition.seed_for(attempt.scenario_id) == attempt.seed)
    if not counts:
        return None
    return _ScoredCall(attempt.trainee, reading.overall, reading.passed, attempt.call_id, attempt.scenario_id,
                       attempt.started_at)


def competition_ranks(scores: list[float]) -> list[int]:
    """Standard competition ranking ("1224"): equal scores share a rank, the next rank skips."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        ranks.append(ranks[-1] if position and score == scores[position - 1] else position + 1)
    return ranks


def _counted(scenario_id: str, calls: list[_ScoredCall], ranking: Ranking, difficulty: int | None) -> CountedScore:
    weight = difficulty_weight(difficulty)
    failed = tuple(a.call_id for a in calls if not a.passed)
    if ranking == Ranking.MEAN and calls:
        raw = round(fmean(a.overall if a.passed else 0.0 for a in calls), 1)
        return CountedScore(scenario_id, round(raw * weight, 1), tuple(a.call_id for a in calls), difficulty, weight,
                            raw, failed)
    passed = [a for a in calls if a.passed]
    if not passed:
        return CountedScore(scenario_id, 0.0, (), difficulty, weight, 0.0, failed)
    best = max(passed, key=lambda a: (a.overall, a.started_at))
    return CountedScore(scenario_id, round(best.overall * weight, 1), (best.call_id,), difficulty, weight,
                        round(best.overall, 1), failed)


def build_leaderboard(attempts: list[Attempt], teams_of: dict[str, str | None],
                      competition: Competition | None = None, min_attempts: int | None = None,
                      difficulty_of: dict[str, int] | None = None) -> Leaderboard:
    """``difficulty_of``: each scenario's difficulty (from the library); a scenario missing from it
    is weighted 1.0 and shown as "difficulty unknown"."""
    difficulty_of = difficulty_of or {}
    minimum = min_attempts if min_attempts is not None else (competition.min_attempts if competition else 1)
    ranking = competition.ranking if competition else Ranking.BEST
    by_person: dict[str, list[_ScoredCall]] = defaultdict(list)
    for attempt in attempts:
        scored = _eligible(attempt, competition)
        if scored is not None:
            by_person[scored.trainee].append(scored)
    people = []
    for trainee, mine in by_person.items():
        wanted = ([s.scenario for s in competition.scenarios] if competition
                  else sorted({a.scenario_id for a in mine}))
        counted = [_counted(scenario_id, [a for a in mine if a.scenario_id == scenario_id], ranking,
                            difficulty_of.get(scenario_id)) for scenario_id in wanted]
        score = round(fmean(c.score for c in counted), 1) if counted else 0.0
        people.append(PersonEntry(None, trainee, teams_of.get(trainee), score, len(mine), tuple(counted)))
    ranked = sorted((p for p in people if p.attempts >= minimum), key=lambda p: (-p.score, p.trainee))
    unranked = sorted((p for p in people if p.attempts < minimum), key=lambda p: (-p.score, p.trainee))
    ranks = competition_ranks([p.score for p in ranked])
    people_out = [PersonEntry(rank, p.trainee, p.team, p.score, p.attempts, p.counted)
                  for rank, p in zip(ranks, ranked, strict=True)]
    people_out += unranked

    members: dict[str, list[PersonEntry]] = defaultdict(list)
    for person in people_out:
        if person.team:
            members[person.team].append(person)
    if competition and competition.teams:
        members = {team: entries for team, entries in members.items() if team in competition.teams}
    team_entries = []
    for team, entries in members.items():
        counted_members = [p for p in entries if p.rank is not None]
        score = round(fmean(p.score for p in counted_members), 1) if counted_members else 0.0
        team_entries.append(TeamEntry(None, team, score, len(counted_members), tuple(p.trainee for p in entries)))
    ranked_teams = sorted((t for t in team_entries if t.members_ranked), key=lambda t: (-t.score, t.team))
    team_ranks = competition_ranks([t.score for t in ranked_teams])
    teams_out = [TeamEntry(rank, t.team, t.score, t.members_ranked, t.members)
                 for rank, t in zip(team_ranks, ranked_teams, strict=True)]
    teams_out += sorted((t for t in team_entries if not t.members_ranked), key=lambda t: t.team)
    return Leaderboard(competition.id if competition else None, competition.title if competition else "All training",
                       minimum, tuple(people_out), tuple(teams_out))


def leaderboard_from_store(store: Any, competition: Competition | None = None,
                           min_attempts: int | None = None, difficulty_of: dict[str, int] | None = None) -> Leaderboard:
    attempts = store.attempts(competition=competition.id if competition else None, finished_only=True)
    teams_of = {t.name: t.team for t in store.list_trainees()}
    return build_leaderboard(attempts, teams_of, competition, min_attempts, difficulty_of)


def leaderboard_to_json(board: Leaderboard) -> dict[str, Any]:
    return {
        "competition": board.competition, "title": board.title, "min_attempts": board.min_attempts,
        "people": [{"rank": p.rank, "trainee": p.trainee, "team": p.team, "score": p.score, "attempts": p.attempts,
                    "counted": [{"scenario": c.scenario_id, "score": c.score, "call_ids": list(c.call_ids),
                                 "raw_score": c.raw_score, "difficulty": c.difficulty, "weight": c.weight,
                                 "weighting": c.explain(), "failed_call_ids": list(c.failed_call_ids)}
                                for c in p.counted]} for p in board.people],
        "weighting": WEIGHTING_RULE,
        "teams": [{"rank": t.rank, "team": t.team, "score": t.score, "members_ranked": t.members_ranked,
                   "members": list(t.members)} for t in board.teams],
    }


WEIGHTING_RULE = ("score = overall x (5 + difficulty) / 10 of the best passed call per scenario "
                  "(difficulty 5 counts in full, 1 counts 0.6); failed calls never count as a best")


def describe_counted(counted: CountedScore) -> str:
    """One scenario's share of a person's score: the weighting and the calls behind it."""
    if not counted.call_ids:
        failed = ", ".join(i[:8] for i in counted.failed_call_ids)
        text = f"{counted.scenario_id} 0.0 [{f'failed only: {failed}' if failed else 'not played'}]"
    else:
        text = f"{counted.scenario_id} {counted.explain()} [{', '.join(i[:8] for i in counted.call_ids)}]"
    if counted.failed_call_ids and counted.call_ids:
        text += f" (failed, not counted: {', '.join(i[:8] for i in counted.failed_call_ids)})"
    return text


def describe_leaderboard(board: Leaderboard) -> str:
    lines = [f"{board.title}" + (f" ({board.competition})" if board.competition else "")
             + f": ranked with at least {board.min_attempts} finished call(s)", f"  {WEIGHTING_RULE}", "", "People"]
    if not board.people:
        lines.append("  (no finished, scored calls yet)")
    for person in board.people:
        rank = f"{person.rank:>3}" if person.rank is not None else "  -"
        evidence = "; ".join(describe_counted(c) for c in person.counted)
        lines.append(f"  {rank}  {person.trainee:<20} {person.score:5.1f}  {person.attempts} call(s)  "
                     f"{person.team or '':<10} {evidence}")
    unranked = [p for p in board.people if p.rank is None]
    if unranked:
        lines.append(f"  (-: fewer than {board.min_attempts} finished calls, not ranked)")
    lines += ["", "Teams"]
    if not board.teams:
        lines.append("  (no teams)")
    for team in board.teams:
        rank = f"{team.rank:>3}" if team.rank is not None else "  -"
        lines.append(f"  {rank}  {team.team:<20} {team.score:5.1f}  {team.members_ranked}/{len(team.members)} "
                     f"member(s) ranked: {', '.join(team.members)}")
    return "\n".join(lines)
