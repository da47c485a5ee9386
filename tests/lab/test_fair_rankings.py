"""Fair rankings: a failed call is never a best, every ranked score carries its difficulty weight
(values worked by hand), and honours name the calls they rest on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from simulator.cli import main
from simulator.contracts import Outcome
from simulator.lab.honours import HonourKind, compute_honours
from simulator.lab.ladder import Ladder
from simulator.lab.leaderboard import build_leaderboard, describe_leaderboard, difficulty_weight
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard
from simulator.store.types import Attempt, CallKind, CallStatus

from .conftest import GOOD_REPLIES, POOR_REPLIES, play

DIFFICULTY = {"easy": 1, "mid": 3, "hard": 5}


def attempt(call_id: str, trainee: str, scenario: str, overall: float, *, passed: bool | None = None,
            started: str = "2026-06-01T10:00:00.000+00:00", competition: str | None = None) -> Attempt:
    return Attempt(call_id, trainee, scenario, 0, CallKind.TRAINING, CallStatus.FINISHED, started, started,
                   Outcome.RESOLVED, overall, overall >= 70 if passed is None else passed, overall, overall, None,
                   competition=competition)


def card(scenario: str, overall: float, passed: bool) -> Scorecard:
    dims = tuple(DimensionScore(d, overall, 60, passed) for d in (Dimension.EMPATHY, Dimension.COMPLIANCE))
    dims += (DimensionScore(Dimension.TONE, None, 50, None),)
    return Scorecard(scenario, Outcome.RESOLVED, overall, passed, 70, dims, (), (), (), (), "test",
                     fail_reasons=() if passed else ("critical phrase \"it'll be back today\" in turn 2",))


def test_difficulty_weight_worked_by_hand() -> None:
    assert [difficulty_weight(d) for d in (1, 2, 3, 4, 5)] == [0.6, 0.7, 0.8, 0.9, 1.0]
    assert difficulty_weight(None) == 1.0  # a scenario no longer in the library counts in full


def test_a_failed_72_is_never_a_best() -> None:
    attempts = [
        attempt("ana-fail", "ana", "mid", 72, passed=False),  # critical out-of-policy promise: 72/100 NOT PASSED
        attempt("ana-pass", "ana", "mid", 65 + 5),  # 70, passed
        attempt("bo-fail", "bo", "mid", 72, passed=False),  # bo's only call failed
    ]
    board = build_leaderboard(attempts, {"ana": None, "bo": None}, difficulty_of=DIFFICULTY)
    people = {p.trainee: p for p in board.people}
    [ana] = people["ana"].counted
    assert ana.call_ids == ("ana-pass",) and ana.raw_score == 70.0
    assert ana.score == 56.0  # 70 x 0.8 (difficulty 3)
    assert ana.failed_call_ids == ("ana-fail",)
    [bo] = people["bo"].counted
    assert bo.call_ids == () and bo.score == 0.0 and bo.failed_call_ids == ("bo-fail",)
    assert people["ana"].rank == 1 and people["bo"].rank == 2
    text = describe_leaderboard(board)
    assert "mid 70.0 x 0.8 (difficulty 3) = 56.0 [ana-pass]" in text
    assert "failed, not counted: ana-fail" in text and "mid 0.0 [failed only: bo-fail]" in text


def test_an_easy_call_no_longer_lifts_a_person_above_harder_work() -> None:
    attempts = [attempt("cy-easy", "cy", "easy", 95), attempt("di-hard", "di", "hard", 75),
                attempt("ed-mid", "ed", "mid", 80)]
    board = build_leaderboard(attempts, {}, difficulty_of=DIFFICULTY)
    scores = {p.trainee: (p.rank, p.score) for p in board.people}
    # by hand: 95 x 0.6 = 57.0; 75 x 1.0 = 75.0; 80 x 0.8 = 64.0
    assert scores == {"di": (1, 75.0), "ed": (2, 64.0), "cy": (3, 57.0)}


def test_mean_ranking_counts_a_failed_call_as_zero() -> None:
    from simulator.lab.competitions import Competition

    cup = Competition(id="cup", title="Cup", starts=datetime(2026, 1, 1, tzinfo=UTC),
                      ends=datetime(2030, 1, 1, tzinfo=UTC), ranking="mean",
                      scenarios=[{"scenario": "hard", "seed": 0}])
    attempts = [attempt("a1", "ana", "hard", 90, competition="cup"),
                attempt("a2", "ana", "hard", 72, passed=False, competition="cup")]
    [ana] = build_leaderboard(attempts, {}, cup, difficulty_of=DIFFICULTY).people
    assert ana.counted[0].raw_score == 45.0 and ana.score == 45.0  # (90 + 0) / 2 x 1.0


LADDER = Ladder.model_validate({"levels": [
    {"stars": 1, "title": "Getting started", "require": [{"passed": 1, "difficulty_at_least": 1, "min_overall": 60}]},
    {"stars": 2, "title": "Steady", "require": [{"passed": 2, "difficulty_at_least": 1, "min_overall": 70}]},
]})


def test_honours_name_the_calls_they_rest_on() -> None:
    def at(day: int) -> str:
        return f"2026-12-{day:02d}T10:00:00.000+00:00"

    rows = [
        ("ana", "a1", "easy", 80, True, 1), ("ana", "a2", "mid", 50, False, 2), ("ana", "a3", "mid", 82, True, 3),
        ("bo", "b1", "easy", 65, True, 2), ("bo", "b2", "easy", 40, False, 4), ("bo", "b3", "hard", 60, False, 5),
        ("bo", "b4", "hard", 85, True, 6), ("bo", "b5", "mid", 90, True, 7), ("bo", "b6", "easy", 91, True, 8),
        ("cy", "c1", "hard", 75, True, 9),
    ]
    scored = [(attempt(call, who, scenario, overall, passed=passed, started=at(day)), card(scenario, overall, passed))
              for who, call, scenario, overall, passed, day in rows]
    teams = {"ana": "red", "bo": "blue", "cy": "blue"}
    result = compute_honours(scored, teams, LADDER, DIFFICULTY, datetime(2026, 12, 20, tzinfo=UTC))
    by_kind: dict[HonourKind, list] = {}
    for honour in result.honours:
        by_kind.setdefault(honour.kind, []).append(honour)

    first = {h.title: h for h in by_kind[HonourKind.FIRST_TO_STARS]}
    assert first["First to 1 star"].holder == "ana" and first["First to 1 star"].call_ids == ("a1",)
    assert first["First to 2 stars"].holder == "ana"  # on 12-03, bo only on 12-07
    assert set(first["First to 2 stars"].call_ids) == {"a1", "a3"}
    [streak] = by_kind[HonourKind.LONGEST_STREAK]
    assert (streak.holder, streak.call_ids) == ("bo", ("b4", "b5", "b6"))
    # bo's 6 calls this month, k = 3: first (39.0 + 24.0 + 60.0) / 3 = 41.0, last (85.0 + 72.0 + 54.6) / 3 = 70.53
    [improved] = by_kind[HonourKind.MOST_IMPROVED]
    assert improved.holder == "bo" and "+29.5" in improved.detail
    assert improved.call_ids == ("b1", "b2", "b3", "b4", "b5", "b6")
    # leaderboard: ana (0.6 x 80 + 0.8 x 82) / 2 = 56.8; bo easy 54.6, hard 85, mid 72 -> 70.5; cy 75; blue 72.8
    [team] = by_kind[HonourKind.BEST_TEAM]
    assert team.holder == "blue" and "72.8" in team.detail
    assert set(team.call_ids) == {"b6", "b4", "b5", "c1"}
    assert {m.trainee: m.stars for m in result.milestones if m.stars == 2} == {"ana": 2, "bo": 2}


def test_honours_cli_and_report_from_stored_calls(store, db_url: str, tmp_path: Path, lab_env: Path,
                                                  capsys) -> None:
    ids = []
    for trainee, replies in (("ana", GOOD_REPLIES), ("ana", GOOD_REPLIES), ("bo", POOR_REPLIES)):
        finished = play("billing-overcharge", replies, tmp_path / "calls")
        ids.append(store.save_call(finished.record, finished.scorecard, trainee=trainee))
    assert main(["honours", "--json", "--db", db_url]) == 0
    data = json.loads(capsys.readouterr().out)
    [streak] = [h for h in data["honours"] if h["kind"] == "longest_streak"]
    assert streak["holder"] == "ana" and streak["call_ids"] == ids[:2]
    assert main(["leaderboard", "--db", db_url]) == 0
    board = capsys.readouterr().out
    assert "x 0.7 (difficulty 2)" in board and "[failed only: " in board  # bo's poor call is never a best
    html = tmp_path / "report.html"
    assert main(["report", "--html", str(html), "--db", db_url]) == 0
    page = html.read_text(encoding="utf-8")
    assert 'id="honours"' in page and "Longest streak" in page and ids[0][:8] in page
    assert 'id="ranking"' in page and "x 0.7 (difficulty 2) = " in page and f"failed only: {ids[2][:8]}" in page
