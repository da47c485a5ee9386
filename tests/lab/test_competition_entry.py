"""Entering a competition from `callsim play`: a refusal writes nothing; an end date is inclusive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.config import load_settings
from simulator.contracts import Outcome
from simulator.lab.competitions import check_entry, find_competition, load_competition
from simulator.lab.leaderboard import build_leaderboard
from simulator.store import open_store
from simulator.store.types import Attempt, CallKind, CallStatus

from .conftest import GOOD_REPLIES, SCENARIOS

OPEN_CUP = """\
id: open-cup
title: Open Cup
starts: 2026-01-01
ends: 2099-12-31
scenarios:
  - {scenario: billing-overcharge, seed: 3}
teams: [red, blue]
"""


@pytest.fixture
def cup_home(tmp_path: Path, lab_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A callsim home whose scenarios folder has billing-overcharge and a competition file not yet in any store."""
    scenarios = tmp_path / "home" / "scenarios"
    (scenarios / "competitions").mkdir(parents=True)
    for name in ("billing-overcharge.yaml", "rubric.yaml"):
        (scenarios / name).write_bytes((SCENARIOS / name).read_bytes())
    (scenarios / "competitions" / "open-cup.yaml").write_text(OPEN_CUP, encoding="utf-8")
    monkeypatch.setenv("CALLSIM_HOME", str(scenarios.parent))
    return scenarios.parent


def _play(db_url: str, tmp_path: Path, *extra: str) -> list[str]:
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_REPLIES), encoding="utf-8")
    return ["play", "billing-overcharge", "--text", "--replies", str(replies), "--analyser", "lexical",
            "--db", db_url, "--record-to", str(tmp_path / "calls"), *extra]


def _snapshot(db_url: str) -> tuple:
    with open_store(db_url) as store:
        return (store.list_trainees(), store.list_teams(), store.list_competitions(), store.attempts())


def test_a_refused_entry_leaves_the_store_unchanged(db_url: str, tmp_path: Path, cup_home: Path, capsys) -> None:
    with open_store(db_url) as store:
        store.ensure_trainee("ana", "red")
    before = _snapshot(db_url)
    for who in (["--trainee", "newbie", "--team", "purple"], ["--trainee", "ana", "--team", "green"]):
        with pytest.raises(SystemExit) as stopped:
            main(_play(db_url, tmp_path, *who, "--competition", "open-cup", "--seed", "1"))
        assert stopped.value.code == 2
        assert "plays billing-overcharge with --seed 3" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # right seed, a team outside the competition
        main(_play(db_url, tmp_path, "--trainee", "newbie", "--team", "purple", "--competition", "open-cup",
                   "--seed", "3"))
    assert "(team purple) is not in a team" in capsys.readouterr().err
    assert _snapshot(db_url) == before  # no new trainee or team, ana still in red, the cup not loaded, no call


def test_a_new_trainee_enters_with_the_team_given_and_the_competition_is_kept(db_url: str, tmp_path: Path,
                                                                              cup_home: Path) -> None:
    # the team check sees the team the call is played for, not only the (absent) stored one
    assert main(_play(db_url, tmp_path, "--trainee", "newbie", "--team", "red", "--competition", "open-cup",
                      "--seed", "3")) == 0
    with open_store(db_url) as store:
        assert store.get_trainee("newbie").team == "red"
        [call] = store.attempts("newbie")
        assert call.competition == "open-cup"
        assert store.get_competition("open-cup")["data"]["source"].endswith("open-cup.yaml")


def _attempt(call_id: str, started: str) -> Attempt:
    return Attempt(call_id, "ana", "billing-overcharge", 3, CallKind.TRAINING, CallStatus.FINISHED, started, started,
                   Outcome.RESOLVED, 80.0, True, 80.0, 80.0, None, None, "jan", None, 4)


def test_an_end_date_includes_its_whole_day(db_url: str, lab_env: Path, capsys) -> None:
    assert main(["competition", "create", "jan", "--scenario", "billing-overcharge:3", "--starts", "2027-01-01",
                 "--ends", "2027-01-31", "--db", db_url]) == 0
    settings = load_settings()
    with open_store(db_url) as store:
        store.ensure_trainee("ana")
        jan = find_competition(store, settings.scenarios_dir, "jan")
        late_on_the_day = datetime(2027, 1, 31, 23, 59, 59, 999_999, tzinfo=UTC)
        assert check_entry(store, settings, "jan", "ana", "billing-overcharge", 3, now=late_on_the_day) is None
        assert "not now" in check_entry(store, settings, "jan", "ana", "billing-overcharge", 3,
                                        now=datetime(2027, 2, 1, tzinfo=UTC))
        assert check_entry(store, settings, "jan", "ana", "billing-overcharge", 3,
                           now=datetime(2027, 1, 1, tzinfo=UTC)) is None  # a start date starts at midnight
    board = build_leaderboard([_attempt("on-the-day", "2027-01-31T18:30:00.000+00:00"),
                               _attempt("a-day-late", "2027-02-01T00:00:00.000+00:00")], {"ana": None}, jan,
                              min_attempts=1)
    [ana] = board.people
    assert [call for counted in ana.counted for call in counted.call_ids] == ["on-the-day"]


def test_a_yaml_end_date_includes_its_whole_day(tmp_path: Path) -> None:
    path = tmp_path / "jan.yaml"
    path.write_text("id: jan\ntitle: Jan\nstarts: 2027-01-31\nends: 2027-01-31\n"
                    "scenarios:\n  - {scenario: billing-overcharge, seed: 3}\n", encoding="utf-8")
    jan = load_competition(path)  # one day long: starts and ends on the same date
    assert jan.starts_at == "2027-01-31T00:00:00.000+00:00" and jan.ends_at == "2027-01-31T23:59:59.999+00:00"
