"""Mentoring on real SQLite and PostgreSQL: pairs, assignments whose status follows the calls against a
clock passed in (never the wall clock), feedback, and the CLI's --json."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab.mentoring import AssignmentStatus, assignment_progress, parse_moment, progress_for
from simulator.store import CallKind, CallStatus, StoreError, open_store
from simulator.store.coaching import Assignment, TargetKind
from simulator.store.types import Attempt

from .conftest import GOOD_REPLIES, POOR_REPLIES, play

SET = "2026-12-01T09:00:00.000+00:00"
DUE = "2026-12-05T23:59:59.999+00:00"
TASK = Assignment("a1", "mo", "ana", TargetKind.SCENARIO, "billing-overcharge", 70.0, DUE, None, SET)


def call(call_id: str, started_at: str, overall: float, passed: bool = True, *, scenario: str = "billing-overcharge",
         trainee: str = "ana", status: CallStatus = CallStatus.FINISHED, kind: CallKind = CallKind.TRAINING) -> Attempt:
    return Attempt(call_id, trainee, scenario, 0, kind, status, started_at, started_at, None, overall,
                   passed, None, None, None)


def at(text: str):
    return parse_moment(text)


def test_an_assignment_goes_open_then_overdue_then_done_late() -> None:
    calls = [call("before", "2026-11-30T10:00:00+00:00", 95),  # before it was set: does not count
             call("other", "2026-12-02T10:00:00+00:00", 95, scenario="missed-delivery"),
             call("someone", "2026-12-02T11:00:00+00:00", 95, trainee="bo"),
             call("low", "2026-12-03T10:00:00+00:00", 65),
             call("breach", "2026-12-04T10:00:00+00:00", 80, passed=False),  # a failed call never completes work
             call("cut", "2026-12-04T12:00:00+00:00", 90, status=CallStatus.UNFINISHED),
             call("at work", "2026-12-04T13:00:00+00:00", 90, kind=CallKind.REAL),  # practice is asked for
             call("late", "2026-12-07T10:00:00+00:00", 75)]
    progress = assignment_progress(TASK, calls, [], at("2026-12-02T00:00:00Z"))
    assert (progress.status, progress.attempts, progress.best_score) == (AssignmentStatus.OPEN, 0, None)
    progress = assignment_progress(TASK, calls, [], at("2026-12-05T12:00:00Z"))
    assert (progress.status, progress.attempts, progress.best_score) == (AssignmentStatus.OPEN, 2, 80)
    assert assignment_progress(TASK, calls, [], at("2026-12-06T00:00:00Z")).status == AssignmentStatus.OVERDUE
    done = assignment_progress(TASK, calls, [], at("2026-12-08T00:00:00Z"))
    assert (done.status, done.met_by, done.late) == (AssignmentStatus.DONE, "late", True)


def test_done_on_time_is_not_late_and_the_first_call_to_meet_the_target_counts() -> None:
    calls = [call("first", "2026-12-02T10:00:00+00:00", 70), call("second", "2026-12-03T10:00:00+00:00", 99)]
    done = assignment_progress(TASK, calls, [], at("2026-12-10T00:00:00Z"))
    assert (done.status, done.met_by, done.late, done.best_score) == (AssignmentStatus.DONE, "first", False, 99)


def test_a_drill_assignment_counts_completed_runs_by_their_mean_stage_score() -> None:
    task = replace(TASK, target_kind=TargetKind.DRILL, target_id="rising-heat")

    def run(run_id: str, when: str, scores: list[float], completed: bool = True) -> dict:
        return {"run_id": run_id, "started_at": when, "drill": "rising-heat", "trainee": "ana",
                "completed": completed, "stages": [{"overall": s, "passed": s >= 70} for s in scores]}

    runs = [run("paused", "2026-12-02T10:00:00+00:00", [90, 90], completed=False),
            run("weak", "2026-12-03T10:00:00+00:00", [80, 50]), run("good", "2026-12-04T10:00:00+00:00", [80, 62])]
    progress = assignment_progress(task, [call("x", "2026-12-02T10:00:00+00:00", 99)], runs,
                                   at("2026-12-03T23:00:00Z"))
    assert (progress.status, progress.attempts, progress.best_score) == (AssignmentStatus.OPEN, 2, 90)
    done = assignment_progress(task, [], runs, at("2026-12-04T23:00:00Z"))
    assert (done.status, done.met_by) == (AssignmentStatus.DONE, "good")  # mean 71 >= 70


def test_due_dates_are_the_end_of_the_day_in_utc() -> None:
    from simulator.lab.mentoring import due_text

    assert due_text("2026-12-05") == "2026-12-05T23:59:59.999+00:00"
    assert due_text("2026-12-05T18:00:00+02:00") == "2026-12-05T16:00:00.000+00:00"
    with pytest.raises(ValueError, match="not an ISO date"):
        due_text("next friday")


def test_pairs_assignments_and_feedback_in_the_store(store, tmp_path: Path) -> None:
    store.create_trainee("ana", "red")
    store.create_trainee("bo", "blue")
    with pytest.raises(StoreError, match="no trainee"):
        store.pair("mo", "nobody")
    store.pair("mo", "ana")
    assert store.pair("mo", "ana").apprentice == "ana"  # pairing again changes nothing
    assert [(p.mentor, p.apprentice) for p in store.mentorships()] == [("mo", "ana")]
    with pytest.raises(StoreError, match="not bo's mentor"):
        store.assign("mo", "bo", TargetKind.SCENARIO, "billing-overcharge", target_score=70, due_at=DUE)
    with pytest.raises(StoreError, match="0-100"):
        store.assign("mo", "ana", TargetKind.SCENARIO, "billing-overcharge", target_score=120, due_at=DUE)
    task = store.assign("mo", "ana", TargetKind.SCENARIO, "billing-overcharge", target_score=60,
                        due_at="2099-01-01T00:00:00.000+00:00", note="open with empathy")
    assert store.assignments(apprentice="ana") == [task] and store.assignments(team="red") == [task]
    assert store.assignments(team="blue") == []

    set_at = parse_moment(task.created_at)
    [before] = progress_for(store, [task], set_at + timedelta(seconds=1))
    assert before.status == AssignmentStatus.OPEN
    poor = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=1)
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    poor_id = store.save_call(poor.record, poor.scorecard, trainee="ana")
    good_id = store.save_call(good.record, good.scorecard, trainee="ana")
    assert good.scorecard.passed and good.scorecard.overall >= 60 > poor.scorecard.overall
    [after] = progress_for(store, [task], set_at + timedelta(days=1))
    assert (after.status, after.met_by, after.attempts) == (AssignmentStatus.DONE, good_id, 2)

    note = store.leave_feedback("mo", "Good refund wording.", call_id=good_id[:8])
    assert (note.apprentice, note.call_id) == ("ana", good_id)
    store.leave_feedback("mo", "Keep practising openings.", apprentice="ana")
    with pytest.raises(StoreError, match="is ana's, not bo's"):
        store.leave_feedback("mo", "x", call_id=poor_id, apprentice="bo")
    store.create_trainee("zed")
    with pytest.raises(StoreError, match="not ana's mentor"):
        store.leave_feedback("zed", "x", call_id=poor_id)
    assert [f.text for f in store.feedback(apprentice="ana")] == ["Keep practising openings.",
                                                                  "Good refund wording."]
    store.unpair("mo", "ana")
    assert store.assignments() == [] and store.feedback() == [] and store.mentorships() == []


def test_mentor_cli_json(lab_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    with open_store(db) as store:
        store.create_trainee("ana", "red")

    def run(*argv: str) -> object:
        assert main([*argv, "--db", db, "--json"]) == 0, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    [paired] = run("mentor", "pair", "mo", "ana")
    assert (paired["mentor"], paired["apprentice"]) == ("mo", "ana")
    assert run("mentor", "list") == [paired]
    made = run("mentor", "assign", "mo", "ana", "--scenario", "billing-overcharge", "--target", "60",
               "--due", "2099-12-31", "--note", "empathy first")
    assert made["due_at"] == "2099-12-31T23:59:59.999+00:00" and made["target_score"] == 60
    assert main(["mentor", "assign", "mo", "ana", "--scenario", "no-such", "--target", "60", "--due", "2099-12-31",
                 "--db", db]) == 1
    assert "no scenario 'no-such'" in capsys.readouterr().err

    [open_now] = run("mentor", "assignments", "--apprentice", "ana")
    assert open_now["status"] == "open" and open_now["attempts"] == 0
    [overdue] = run("mentor", "assignments", "--now", "2100-01-01")
    assert overdue["status"] == "overdue"
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)  # played after it was set
    with open_store(db) as store:
        call_id = store.save_call(good.record, good.scorecard, trainee="ana")
    [done] = run("mentor", "assignments", "--status", "done")
    assert (done["met_by"], done["late"]) == (call_id, False)
    assert run("mentor", "assignments", "--status", "open") == []

    assert run("mentor", "feedback", "mo", "Well handled.", "--call", call_id[:8])["apprentice"] == "ana"
    calls = run("mentor", "calls", "mo", "ana")
    assert [c["call_id"] for c in calls["calls"]] == [call_id]
    assert [f["text"] for f in calls["calls"][0]["feedback"]] == ["Well handled."]
    assert main(["mentor", "calls", "zed", "ana", "--db", db]) == 1
    assert run("mentor", "cancel", made["assignment_id"][:8]) == {"assignment_id": made["assignment_id"],
                                                                 "withdrawn": True}
    assert run("mentor", "assignments") == []
    assert run("mentor", "unpair", "mo", "ana")["paired"] is False
    assert run("mentor", "list") == []


def test_the_report_shows_assignments_with_overdue_work_first(store, tmp_path: Path) -> None:
    from simulator.lab.reports.data import ReportScope, collect
    from simulator.lab.reports.html import render_html

    store.create_trainee("ana", "red")
    store.create_trainee("bo", "blue")
    store.pair("mo", "ana")
    store.pair("mo", "bo")
    store.assign("mo", "ana", TargetKind.SCENARIO, "missed-delivery", target_score=75,
                 due_at="2099-01-01T00:00:00.000+00:00")
    store.assign("mo", "ana", TargetKind.DRILL, "rising-heat", target_score=65, due_at="2020-01-01T00:00:00.000+00:00")
    store.assign("mo", "bo", TargetKind.SCENARIO, "missed-delivery", target_score=75,
                 due_at="2020-01-01T00:00:00.000+00:00")
    data = collect(store, ReportScope("team", "red"))
    assert [(p.assignment.target_id, p.status) for p in data.mentoring] == [
        ("rising-heat", AssignmentStatus.OVERDUE), ("missed-delivery", AssignmentStatus.OPEN)]
    page = render_html(data)
    section = page[page.index('id="mentoring"'):page.index('id="drills"')]
    assert "2 assignment(s)" in section and "1 overdue" in section
    assert section.index("drill rising-heat") < section.index("scenario missed-delivery")
    assert "<td>bo</td>" not in section and "<td>ana</td>" in section  # another team's apprentice stays out


def test_a_drill_stage_counts_with_its_calls_reviewed_score() -> None:
    """The run keeps the machine's stage scores; a trainer's review of a stage call replaces its score."""
    task = replace(TASK, target_kind=TargetKind.DRILL, target_id="rising-heat")
    run = {"run_id": "r1", "started_at": "2026-12-02T10:00:00+00:00", "drill": "rising-heat", "trainee": "ana",
           "completed": True, "stages": [{"call_id": "s1", "overall": 80, "passed": True},
                                         {"call_id": "s2", "overall": 70, "passed": True}]}
    machine = [call("s1", "2026-12-02T10:00:00+00:00", 80), call("s2", "2026-12-02T10:05:00+00:00", 70)]
    now = at("2026-12-03T10:00:00Z")
    assert assignment_progress(task, machine, [run], now).status == AssignmentStatus.DONE  # mean 75
    reviewed = [machine[0], call("s2", "2026-12-02T10:05:00+00:00", 40, passed=False)]
    progress = assignment_progress(task, reviewed, [run], now)
    assert (progress.status, progress.best_score) == (AssignmentStatus.OPEN, 60.0)  # mean of 80 and 40
