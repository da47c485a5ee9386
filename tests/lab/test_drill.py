"""Stress drills in text mode: harder stages, time limits, cut-ins, the pause offer, the measures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab.drills import (
    StageConditions,
    StagePressure,
    StageResult,
    load_drill,
    parse_drill_reply,
    recovery_after_failures,
)
from simulator.scenario.diagnostics import FileProblems
from simulator.store import CallKind, open_store

from .conftest import GOOD_REPLIES, POOR_REPLIES, SCENARIOS, play

DRILL = """\
id: test-drill
title: Test drill
pause_after_failures: 1
stages:
  - {scenario: billing-overcharge, seed: 1, start_mood: 90, turn_time_limit_s: 10, interrupt_rate: 1.0}
  - {scenario: billing-overcharge, seed: 2, start_mood: 40}
  - {scenario: billing-overcharge, seed: 3, start_mood: 60, noise: {kind: office, level_db: -30}}
"""
CALM = StageConditions(start_mood=40, turn_time_limit_s=None, noise="none", interrupt_rate=0.0)
LONG_REPLY = ("I completely understand and I am so sorry about this, let me explain everything that is going to "
              "happen next, could you confirm your date of birth for security")


@pytest.fixture
def drill_files(tmp_path: Path) -> tuple[Path, Path]:
    drill = tmp_path / "test-drill.yaml"
    drill.write_text(DRILL, encoding="utf-8")
    replies = tmp_path / "replies"
    replies.mkdir()
    (replies / "1-billing-overcharge.txt").write_text(
        f"[delay 12] {GOOD_REPLIES[0]}\n{LONG_REPLY}\n[delay 4] Not my department.\n", encoding="utf-8")
    (replies / "2.txt").write_text("\n".join(f"[delay 2] {r}" for r in GOOD_REPLIES), encoding="utf-8")
    (replies / "3-billing-overcharge.txt").write_text("\n".join(GOOD_REPLIES), encoding="utf-8")
    return drill, replies


def test_shipped_drills_are_valid() -> None:
    drills = sorted((SCENARIOS / "drills").glob("*.yaml"))
    assert drills
    for path in drills:
        drill = load_drill(path, SCENARIOS)
        moods = [s.start_mood for s in drill.stages]
        assert moods == sorted(moods), f"{path}: stages should get angrier"


def test_drill_errors_name_file_line(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(DRILL.replace("seed: 2, start_mood: 40", "seed: 2, start_mood: 140"), encoding="utf-8")
    with pytest.raises(FileProblems) as problems:
        load_drill(path, SCENARIOS)
    assert str(problems.value).startswith(f"{path}:6:")
    path.write_text(DRILL.replace("scenario: billing-overcharge, seed: 3", "scenario: nope, seed: 3"),
                    encoding="utf-8")
    with pytest.raises(FileProblems, match="no scenario 'nope'") as problems:
        load_drill(path, SCENARIOS)
    assert problems.value.diagnostics[0].position.line == 7


def test_delay_marker_and_recovery() -> None:
    paced = parse_drill_reply("[delay 12.5] Hello there")
    assert paced.delay_s == 12.5 and paced.reply.text == "Hello there"
    assert parse_drill_reply("[silence]").reply.silence and parse_drill_reply("Hi").delay_s is None


def test_text_drill_pauses_after_failures_and_stores_everything(db_url: str, drill_files, tmp_path: Path,
                                                                lab_env: Path, capsys) -> None:
    drill, replies = drill_files
    baseline = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
    with open_store(db_url) as store:
        store.save_call(baseline.record, baseline.scorecard, trainee="ana")
    args = ["drill", str(drill), "--text", "--replies", str(replies), "--trainee", "ana", "--analyser", "lexical",
            "--db", db_url, "--record-to", str(tmp_path / "calls"), "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    [stage] = result["stages"]  # stage 1 failed; with pause_after_failures 1 the drill pauses
    assert result["paused_after_stage"] == 1 and not result["completed"]
    assert stage["too_slow"] == 1 and stage["cut_in"] >= 1 and not stage["passed"]
    assert stage["mean_delay_s"] == pytest.approx((12 + 4) / 2)
    assert result["baseline_source"] == "training history" and result["baseline"] == baseline.scorecard.overall
    assert stage["score_drop"] == pytest.approx(result["baseline"] - stage["overall"], abs=0.05)

    with open_store(db_url) as store:
        call = store.get_call(stage["call_id"])
        assert call.attempt.kind == CallKind.DRILL and call.attempt.drill == "test-drill"
        assert call.record.turns[0].mood == 90  # the stage's angrier start
        said = [t.text for t in call.record.trainee_turns]
        assert said[0] == ""  # the 12 s reply came after the 10 s limit: dead air
        assert said[1] == " ".join(LONG_REPLY.split()[:12])  # the customer cut in
        [run] = store.drill_runs("ana")
        assert run["paused_after_stage"] == 1 and run["stages"][0]["call_id"] == stage["call_id"]


def test_text_drill_keep_going_measures_recovery(drill_files, tmp_path: Path, lab_env: Path, capsys) -> None:
    drill, replies = drill_files
    assert main(["drill", str(drill), "--text", "--replies", str(replies), "--keep-going", "--analyser", "lexical",
                 "--record-to", str(tmp_path / "calls")]) == 0
    out = capsys.readouterr().out
    assert "stage 3" in out and "recovery after a failed stage" in out
    assert "baseline" in out and "(first stage)" in out  # no trainee: no history to compare with
    assert "noise office -30 dB" in out


def test_recovery_is_the_change_after_a_failed_stage() -> None:
    def stage(number: int, overall: float, passed: bool) -> StageResult:
        return StageResult(number, "s", None, overall, passed, None, CALM, StagePressure(None, 0, 0))

    assert recovery_after_failures([stage(1, 40, False), stage(2, 75, True), stage(3, 30, False),
                                    stage(4, 50, False)]) == pytest.approx(((75 - 40) + (50 - 30)) / 2)
    assert recovery_after_failures([stage(1, 80, True), stage(2, 90, True)]) is None


def test_cli_refuses_bad_drill_and_missing_replies(tmp_path: Path, drill_files, lab_env: Path, capsys) -> None:
    drill, replies = drill_files
    (replies / "2.txt").unlink()
    assert main(["drill", str(drill), "--text", "--replies", str(replies), "--keep-going",
                 "--analyser", "lexical", "--record-to", str(tmp_path / "calls")]) == 1
    assert "cannot read drill replies" in capsys.readouterr().err
    assert main(["drill", "no-such-drill", "--text"]) == 1
    assert "no-such-drill.yaml" in capsys.readouterr().err


def _run(tmp_path: Path, stages: list[dict], replies: dict[int, tuple[str, ...]], *, pause_after: int = 2,
         keep_going: bool = True, store=None, trainee: str | None = None, offer_pause=None):
    """A real drill from reply files, through ``run_drill``; returns the result and what it announced."""
    from simulator.config import load_settings
    from simulator.lab.drill_run import DrillOptions, TraineeSide, run_drill
    from simulator.lab.drills import Drill

    drill = Drill.model_validate({"id": "t", "title": "T", "pause_after_failures": pause_after, "stages": stages})
    folder = tmp_path / "stage-replies"
    folder.mkdir(exist_ok=True)
    for number, lines in replies.items():
        (folder / f"{number}.txt").write_text("\n".join(lines), encoding="utf-8")
    announced: list[str] = []
    options = DrillOptions(trainee=trainee, replies_dir=folder, analyser="lexical", record_to=tmp_path / "calls",
                           keep_going=keep_going)
    result = run_drill(drill, load_settings(), store, options,
                       TraineeSide(announce=announced.append, offer_pause=offer_pause))
    return result, announced


def test_header_gives_the_interruptions_the_customer_really_makes(tmp_path: Path, lab_env: Path) -> None:
    from simulator.scenario.loader import load_scenario

    habit = load_scenario(SCENARIOS / "billing-overcharge.yaml").scenario.persona.talk_over
    assert habit > 0  # this persona talks over long replies whatever the drill's knob says
    seeds = range(6)
    result, announced = _run(tmp_path, [{"scenario": "billing-overcharge", "seed": s, "interrupt_rate": 0.0}
                                        for s in seeds], dict.fromkeys(range(1, len(seeds) + 1), (LONG_REPLY,) * 4))
    headers = [line for line in announced if line.lstrip().startswith("=== stage")]
    assert len(headers) == len(seeds)
    cut = [s for s in result.stages if s.pressure.cut_in]
    assert cut, "no stage had a cut-in: pick other seeds"
    for stage in cut:
        assert f"interruptions {habit:.0%}" in headers[stage.number - 1]
        assert stage.conditions.interrupt_rate == habit  # the stored rate is the one announced


def test_one_failed_stage_is_not_called_repeated_failures(tmp_path: Path, lab_env: Path) -> None:
    from simulator.lab.drills import describe_drill_result

    stages = [{"scenario": "billing-overcharge", "seed": 1}, {"scenario": "billing-overcharge", "seed": 2}]
    result, announced = _run(tmp_path, stages, {1: POOR_REPLIES, 2: GOOD_REPLIES}, pause_after=1, keep_going=False)
    assert result.paused_after_stage == 1
    assert "That was a hard call: a short pause helps more than another call now." in announced
    assert not any("1 hard calls" in line for line in announced)
    summary = describe_drill_result(result)
    assert "paused after stage 1 (1 failed stage)" in summary and "repeated" not in summary


def test_the_trainee_side_answers_the_pause_offer(tmp_path: Path, lab_env: Path) -> None:
    """A run from reply files takes the pause by itself, unless the trainee side answers the offer."""
    asked: list[int] = []

    def decline(failures: int) -> bool:
        asked.append(failures)
        return False

    stages = [{"scenario": "billing-overcharge", "seed": 1}, {"scenario": "billing-overcharge", "seed": 2}]
    result, announced = _run(tmp_path, stages, {1: POOR_REPLIES, 2: GOOD_REPLIES}, pause_after=1,
                             keep_going=False, offer_pause=decline)
    assert asked == [1]  # offered once, after the failed first stage
    assert result.paused_after_stage is None and [s.number for s in result.stages] == [1, 2]
    assert "That was a hard call: a short pause helps more than another call now." in announced


def test_two_failures_in_a_row_are_counted_in_the_pause(tmp_path: Path, lab_env: Path) -> None:
    from simulator.lab.drills import describe_drill_result

    stages = [{"scenario": "billing-overcharge", "seed": s} for s in (1, 2, 3)]
    result, announced = _run(tmp_path, stages, {1: POOR_REPLIES, 2: POOR_REPLIES, 3: GOOD_REPLIES},
                             keep_going=False)
    assert result.paused_after_stage == 2
    assert "2 hard calls in a row: a short pause helps more than another call now." in announced
    assert "paused after stage 2 (2 failed stages in a row)" in describe_drill_result(result)


def test_a_score_above_the_baseline_is_not_called_a_drop(tmp_path: Path, lab_env: Path) -> None:
    from simulator.lab.drills import describe_drill_result

    stages = [{"scenario": "billing-overcharge", "seed": 1}, {"scenario": "billing-overcharge", "seed": 2}]
    result, _ = _run(tmp_path, stages, {1: POOR_REPLIES, 2: GOOD_REPLIES})
    first, second = result.stages
    rise = second.overall - first.overall
    assert rise > 0 and second.score_drop == -rise  # stored as before: baseline - overall
    lines = describe_drill_result(result).splitlines()
    assert f"{rise:.1f} above baseline" in lines[2] and "drop" not in lines[2]
    assert "at baseline" in lines[1]
    assert f"mean score: {rise / 2:.1f} above baseline" in lines[-1]


def test_the_stage_line_prints_the_score_that_is_stored(tmp_path: Path, lab_env: Path, store) -> None:
    from simulator.lab.drills import drill_result_from_json

    store.ensure_trainee("ana")
    # two good replies then the trainee hangs up: a score with a half point (stored to one decimal)
    result, announced = _run(tmp_path, [{"scenario": "billing-overcharge", "seed": 1}], {1: GOOD_REPLIES[:2]},
                             store=store, trainee="ana")
    [run] = store.drill_runs("ana")
    stored = drill_result_from_json(run).stages[0].overall
    assert stored != round(stored)  # the case where a rounded display would disagree
    assert f"stage 1: {stored:.1f}/100 not passed" in announced
    assert store.get_call(result.stages[0].call_id).scorecard.overall == stored


def test_a_run_stored_before_the_conditions_were_recorded_still_reads() -> None:
    from simulator.lab.drills import describe_drill_result, drill_result_from_json, drill_result_to_json

    stored = {"drill": "t", "trainee": "ana", "baseline": 70.0, "baseline_source": "first stage", "completed": True,
              "paused_after_stage": None, "recovery": None, "mean_drop": 0.0,
              "stages": [{"stage": 1, "scenario": "billing-overcharge", "call_id": "c1", "overall": 70.0,
                          "passed": True, "start_mood": None, "turn_time_limit_s": None, "noise": "none",
                          "interrupt_rate": 0.0, "score_drop": 0.0, "mean_delay_s": None, "too_slow": 0,
                          "cut_in": 0, "outcome": "resolved"}]}
    result = drill_result_from_json(stored)
    assert drill_result_to_json(result) == stored  # the stored format is unchanged by the regrouping
    assert "mood -" in describe_drill_result(result)
