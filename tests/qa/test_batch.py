"""Batch QA without models: finding files, resuming by content hash, workers that die mid-call, and the
store writes (real SQLite, and PostgreSQL in CI) that must never hold a call twice."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest

from simulator.qa.batch import (
    BatchCall,
    CallOutcome,
    find_recordings,
    outcome_json,
    plan_batch,
    run_inline,
    run_processes,
    scored_hashes,
    worker_asr_threads,
)
from tests.lab.conftest import db_url  # noqa: F401  (the fixture: a SQLite file, and PostgreSQL in CI)
from tests.qa.fakes import FakeScorer


def _calls(folder: Path, orders: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, order in orders.items():
        path = folder / name
        path.write_text(f"{order}\n")
        paths.append(path)
    return paths


def _run(runner, paths: list[Path], markers: Path, **kwargs) -> list[CallOutcome]:
    markers.mkdir(exist_ok=True)
    plan = plan_batch(paths, done=lambda _sha: False)
    outcomes: list[CallOutcome] = []
    runner(plan.calls, functools.partial(FakeScorer, markers), outcomes.append, **kwargs)
    return outcomes


def test_folders_are_searched_for_audio_and_callsim_turn_clips_are_left_out(tmp_path):
    _calls(tmp_path / "in" / "day1", {"a.wav": "ok", "b.MP3": "ok", "notes.txt": "ok"})
    _calls(tmp_path / "in" / "day2" / "deep", {"c.flac": "ok"})
    callsim_call = tmp_path / "in" / "callsim-call"
    _calls(callsim_call, {"turn-01.wav": "ok", "call.jsonl": "{}"})
    found = find_recordings([tmp_path / "in", tmp_path / "named.ogg"])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["in/day1/a.wav", "in/day1/b.MP3", "in/day2/deep/c.flac", "named.ogg"]


def test_resuming_skips_calls_already_in_the_output_by_content_not_by_name(tmp_path):
    first, second = _calls(tmp_path / "calls", {"one.wav": "ok hello", "two.wav": "ok thanks"})
    out = tmp_path / "out.jsonl"
    bad = CallOutcome(BatchCall(second, "f" * 64), None, "broken")
    done = CallOutcome(BatchCall(first, plan_batch([first], done=lambda _s: False).calls[0].sha256),
                       None, None)
    out.write_text(json.dumps({**outcome_json(bad)}) + "\n" + json.dumps({"path": "x", "sha256": done.call.sha256})
                   + "\n" + '{"path": "cut sho')  # a line cut short by a stopped run is ignored
    assert scored_hashes(out) == {done.call.sha256}  # error lines are tried again
    first.rename(tmp_path / "calls" / "renamed.wav")
    plan = plan_batch([tmp_path / "calls"], done=scored_hashes(out).__contains__)
    assert [c.path.name for c in plan.calls] == ["two.wav"]
    assert [p.name for p in plan.skipped] == ["renamed.wav"]


def test_the_same_recording_twice_in_one_run_is_scored_once(tmp_path):
    paths = _calls(tmp_path, {"a.wav": "ok same", "b.wav": "ok same"})
    plan = plan_batch(paths, done=lambda _s: False)
    assert len(plan.calls) == 1 and len(plan.skipped) == 1


def test_an_error_in_one_call_is_its_line_and_the_others_go_on(tmp_path):
    paths = _calls(tmp_path / "calls", {"a.wav": "ok hello", "b.wav": "fail", "c.wav": "ok bye"})
    outcomes = _run(run_inline, paths, tmp_path / "m")
    assert [o.ok for o in outcomes] == [True, False, True]
    line = outcome_json(outcomes[1])
    assert line["path"] == str(paths[1]) and "not a readable audio file" in line["error"] and line["sha256"]
    assert outcome_json(outcomes[2])["scorecard"]["turns"][0]["text"] == "bye"


def test_a_worker_killed_mid_call_loses_nothing_the_call_is_retried_once(tmp_path):
    orders = {f"call{n}.wav": f"ok number {n}" for n in range(4)}
    orders["crash-once.wav"] = "crash-once"
    orders["crash-always.wav"] = "crash-always"
    paths = _calls(tmp_path / "calls", orders)
    outcomes = _run(run_processes, paths, tmp_path / "m", workers=2)
    by_name = {o.call.path.name: o for o in outcomes}
    assert sorted(by_name) == sorted(orders) and len(outcomes) == len(orders)  # none lost, none twice
    assert by_name["crash-once.wav"].ok and by_name["crash-once.wav"].attempts == 2
    lost = by_name["crash-always.wav"]
    assert not lost.ok and lost.attempts == 2 and "died 2 times" in (lost.error or "")
    assert all(by_name[f"call{n}.wav"].ok for n in range(4))
    assert by_name["call3.wav"].scored.record.turns[1].text == "number 3"


def test_workers_score_in_separate_processes_each_building_its_scorer_once(tmp_path):
    paths = _calls(tmp_path / "calls", {f"c{n}.wav": f"ok hi {n}" for n in range(6)})
    markers = tmp_path / "m"
    outcomes = _run(run_processes, paths, markers, workers=2)
    assert len(outcomes) == 6 and all(o.ok for o in outcomes)
    builders = {int(p.name.split("-")[1]) for p in markers.glob("built-*")}
    assert len(builders) == 2 and os.getpid() not in builders


def test_store_writes_are_idempotent_by_content_hash(tmp_path, db_url):  # noqa: F811
    from simulator.commands.score_batch import RealCallWriter
    from simulator.store import open_store
    from simulator.store.types import CallKind

    paths = _calls(tmp_path / "calls", {"a.wav": "ok hello", "b.wav": "ok sorry to hear that"})
    outcomes = _run(run_inline, paths, tmp_path / "m")
    outcomes = [CallOutcome(BatchCall(o.call.path, o.call.sha256, "sam"), o.scored) for o in outcomes]
    store = open_store(db_url)
    try:
        writer = RealCallWriter(store, "team-a")
        for outcome in outcomes + outcomes:  # a retried call, or the same batch run again
            writer.write(outcome)
        again = RealCallWriter(store, "team-a")  # a second run finds them stored
        assert all(again.has(o.call.sha256) for o in outcomes)
        for outcome in outcomes:
            again.write(outcome)
        stored = store.attempts(kind=CallKind.REAL)
        assert sorted(a.call_id for a in stored) == sorted(o.call.sha256[:32] for o in outcomes)
        assert {a.trainee for a in stored} == {"sam"}
        call = store.get_call(outcomes[1].call.sha256[:32])
        assert [t.text for t in call.record.turns][-1] == "sorry to hear that"
    finally:
        store.close()


@pytest.mark.parametrize("configured, workers, cores, expected", [
    (2, 1, 2, 2),  # one worker keeps what the settings say
    (2, 2, 2, 1),  # two workers on two cores: one thread each, not two fighting for each core
    (2, 2, 8, 2),  # spare cores: still never more than configured
    (4, 3, 8, 2),
    (2, 4, 2, 1),  # more workers than cores: at least one thread
    (2, 2, None, 1),  # cores unknown
])
def test_each_worker_gets_its_share_of_the_cores_for_whisper(configured, workers, cores, expected):
    assert worker_asr_threads(configured, workers, cores) == expected
