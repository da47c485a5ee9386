"""Leaderboards: ties share a rank, too few attempts are listed but not ranked, every score names
its calls; competitions restrict scenarios, seeds, window and teams."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.contracts import Outcome
from simulator.lab.competitions import Competition, check_entry, load_competition, save_competition
from simulator.lab.leaderboard import build_leaderboard, competition_ranks, leaderboard_from_store
from simulator.scenario.diagnostics import FileProblems
from simulator.store import open_store
from simulator.store.types import Attempt, CallKind, CallStatus

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play

CUP = Competition(id="cup", title="Cup", starts=datetime(2026, 1, 1, tzinfo=UTC), ends=datetime(2030, 1, 1, tzinfo=UTC),
                  min_attempts=2, scenarios=[{"scenario": "a", "seed": 1}, {"scenario": "b", "seed": 2}],
                  teams=("red", "blue"))


def attempt(call_id: str, trainee: str, scenario: str, overall: float, *, seed: int = 1,
            competition: str | None = "cup", started: str = "2026-06-01T10:00:00.000+00:00",
            status: CallStatus = CallStatus.FINISHED) -> Attempt:
    return Attempt(call_id, trainee, scenario, seed, CallKind.TRAINING, status, started, started, Outcome.RESOLVED,
                   overall, overall >= 70, overall, overall, None, None, competition, None, 5)


def test_competition_ranking_shares_ranks_on_ties() -> None:
    assert competition_ranks([90.0, 80.0, 80.0, 70.0]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


def test_ties_min_attempts_and_traceable_scores() -> None:
    attempts = [
        attempt("ana-a1", "ana", "a", 80), attempt("ana-a2", "ana", "a", 90), attempt("ana-b1", "ana", "b", 70, seed=2),
        attempt("bo-a1", "bo", "a", 85), attempt("bo-b1", "bo", "b", 75, seed=2),
        attempt("cy-a1", "cy", "a", 100),  # one attempt: below min_attempts, listed unranked
        attempt("di-a1", "di", "a", 95), attempt("di-a2", "di", "a", 99),  # never played b: b counts 0
        attempt("ed-a1", "ed", "a", 99, seed=7),  # wrong seed: not a competition call
        attempt("ed-a2", "ed", "a", 99, started="2031-01-01T00:00:00.000+00:00"),  # after the window
        attempt("fa-a1", "fa", "a", 99, status=CallStatus.UNFINISHED),
        attempt("fa-a2", "fa", "a", 99, competition=None),
    ]
    teams = {"ana": "red", "bo": "blue", "cy": "blue", "di": "red", "ed": "red", "fa": "green"}
    board = build_leaderboard(attempts, teams, CUP)
    people = {p.trainee: p for p in board.people}
    assert people["ana"].score == people["bo"].score == 80.0  # (90 + 70) / 2 and (85 + 75) / 2
    assert people["ana"].rank == people["bo"].rank == 1
    assert people["di"].score == 49.5 and people["di"].rank == 3  # 1224 ranking: the next rank skips
    assert people["cy"].rank is None and people["cy"].attempts == 1
    assert "ed" not in people and "fa" not in people
    counted = {c.scenario_id: c for c in people["ana"].counted}
    assert counted["a"].call_ids == ("ana-a2",) and counted["a"].score == 90.0
    assert counted["b"].call_ids == ("ana-b1",)
    assert {c.scenario_id: c.call_ids for c in people["di"].counted}["b"] == ()
    assert [p.trainee for p in board.people] == ["ana", "bo", "di", "cy"]
    teams_by_name = {t.team: t for t in board.teams}
    assert teams_by_name["red"].score == round((80.0 + 49.5) / 2, 1) and teams_by_name["blue"].score == 80.0
    assert teams_by_name["blue"].rank == 1 and teams_by_name["red"].rank == 2
    assert teams_by_name["blue"].members_ranked == 1 and teams_by_name["blue"].members == ("bo", "cy")
    lower = build_leaderboard(attempts, teams, CUP, min_attempts=1)
    assert {p.trainee: p.rank for p in lower.people} == {"ana": 1, "bo": 1, "cy": 3, "di": 4}  # cy: (100 + 0) / 2


def test_competition_file_errors_point_at_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: cup\ntitle: Cup\nstarts: 2026-12-01\nends: 2026-11-01\n"
                    "scenarios:\n  - {scenario: no-such-scenario, seed: 1}\n", encoding="utf-8")
    with pytest.raises(FileProblems) as problems:
        load_competition(path, SCENARIOS)
    assert "ends must be after starts" in str(problems.value)
    path.write_text("id: cup\ntitle: Cup\nstarts: 2026-11-01\nends: 2026-12-01\n"
                    "scenarios:\n  - {scenario: billing-overcharge, seed: 1}\n  - {scenario: nope, seed: 1}\n",
                    encoding="utf-8")
    with pytest.raises(FileProblems) as problems:
        load_competition(path, SCENARIOS)
    assert str(problems.value).startswith(f"{path}:7:")
    assert "no scenario 'nope'" in str(problems.value)
    assert load_competition(SCENARIOS / "competitions" / "winter-cup.yaml", SCENARIOS).min_attempts == 2


def test_competition_entries_and_leaderboard_on_the_store(store, db_url: str, tmp_path: Path, lab_env: Path,
                                                         capsys) -> None:
    from simulator.config import load_settings

    settings = load_settings()
    cup = Competition(id="cup", title="Cup", starts=datetime(2026, 1, 1, tzinfo=UTC),
                      ends=datetime(2030, 1, 1, tzinfo=UTC), min_attempts=1,
                      scenarios=[{"scenario": "billing-overcharge", "seed": 3}], teams=("red", "blue"))
    save_competition(store, cup)
    store.ensure_trainee("ana", "red")
    store.ensure_trainee("gus", "green")
    assert check_entry(store, settings, "cup", "ana", "billing-overcharge", 3) is None
    assert "--seed 3" in check_entry(store, settings, "cup", "ana", "billing-overcharge", 0)
    assert "not part of" in check_entry(store, settings, "cup", "ana", "missed-delivery", 3)
    assert "not in a team" in check_entry(store, settings, "cup", "gus", "billing-overcharge", 3)
    assert "not now" in check_entry(store, settings, "cup", "ana", "billing-overcharge", 3,
                                    now=datetime(2031, 1, 1, tzinfo=UTC))
    assert "no competition" in check_entry(store, settings, "nope", "ana", "billing-overcharge", 3)

    for trainee, replies in (("ana", GOOD_REPLIES), ("bo", POOR_REPLIES)):
        finished = play("billing-overcharge", replies, tmp_path / "calls", seed=3)
        store.save_call(finished.record, finished.scorecard, trainee=trainee, team="blue" if trainee == "bo" else None,
                        competition="cup")
    board = leaderboard_from_store(store, cup)
    assert [p.trainee for p in board.people] == ["ana", "bo"] and board.people[0].rank == 1

    # the CLI path: play refuses a wrong seed, counts a right one, and the JSON names every call
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_REPLIES), encoding="utf-8")
    base = ["play", "billing-overcharge", "--text", "--replies", str(replies), "--analyser", "lexical",
            "--trainee", "ana", "--competition", "cup", "--db", db_url, "--record-to", str(tmp_path / "calls")]
    with pytest.raises(SystemExit):
        main([*base, "--seed", "1"])
    assert "--seed 3" in capsys.readouterr().err
    assert main([*base, "--seed", "3"]) == 0
    capsys.readouterr()
    assert main(["leaderboard", "--competition", "cup", "--json", "--db", db_url]) == 0
    data = json.loads(capsys.readouterr().out)
    ana = next(p for p in data["people"] if p["trainee"] == "ana")
    assert ana["attempts"] == 2 and ana["rank"] == 1
    [counted] = ana["counted"]
    assert store.get_call(counted["call_ids"][0]).scorecard.overall == counted["raw_score"]
    assert counted["difficulty"] == 2 and counted["weight"] == 0.7  # billing-overcharge: (5 + 2) / 10
    assert counted["score"] == round(counted["raw_score"] * 0.7, 1)
    assert [t["team"] for t in data["teams"]] == ["red", "blue"]
    assert main(["leaderboard", "--competition", "missing", "--db", db_url]) == 1


def test_yaml_competition_loads_on_first_use(db_url: str, lab_env: Path, capsys) -> None:
    assert main(["leaderboard", "--competition", "winter-cup", "--db", db_url]) == 0
    assert "Winter Cup" in capsys.readouterr().out
    with open_store(db_url) as store:
        assert store.get_competition("winter-cup")["min_attempts"] == 2
    assert main(["competition", "create", "spring", "--scenario", "missed-delivery:4", "--ends", "2030-01-01",
                 "--team", "red", "--db", db_url]) == 0
    assert main(["competition", "list", "--json", "--db", db_url]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert {c["id"] for c in listed} == {"winter-cup", "spring"}
    assert main(["competition", "create", "bad", "--scenario", "nope", "--ends", "2030-01-01", "--db", db_url]) == 1
