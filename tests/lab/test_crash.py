"""A call killed with SIGKILL mid-call: finished turns are kept, the next start reports the call
as unfinished, and turns that reached call.jsonl but not the database are imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from simulator.store import CallStatus, models, open_store

from .conftest import GOOD_REPLIES


def _wait_for_turns(store, trainee: str, turns: int, process: subprocess.Popen, deadline_s: float = 120) -> str:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        assert process.poll() is None, process.stderr.read() if process.stderr else "child exited"
        attempts = store.attempts(trainee)
        if attempts and attempts[0].turns >= turns:
            return attempts[0].call_id
        time.sleep(0.1)
    raise AssertionError(f"the call never reached {turns} stored turns")


def test_killed_call_is_kept_and_reported(db_url: str, tmp_path: Path, lab_env: Path) -> None:
    calls_dir = tmp_path / "calls"
    child = subprocess.Popen(
        [sys.executable, "-m", "simulator", "play", "billing-overcharge", "--text", "--analyser", "lexical",
         "--trainee", "ana", "--db", db_url, "--record-to", str(calls_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    store = open_store(db_url)
    try:
        child.stdin.write(GOOD_REPLIES[0] + "\n" + GOOD_REPLIES[1] + "\n")
        child.stdin.flush()
        # opening line + 2 x (trainee reply, customer reaction) = 5 finished turns
        call_id = _wait_for_turns(store, "ana", 5, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert store.get_call(call_id).attempt.status == CallStatus.IN_PROGRESS

        # the process died between writing call.jsonl and the database: drop the last turn's row
        with store.engine.begin() as conn:
            conn.execute(sa.delete(models.turns).where(models.turns.c.call_id == call_id, models.turns.c.idx == 4))
    finally:
        store.close()
        if child.poll() is None:
            child.kill()

    with open_store(db_url) as reopened:  # "the next start"
        [recovered] = reopened.recover_unfinished()
        assert recovered.call_id == call_id and recovered.trainee == "ana"
        assert (recovered.turns_kept, recovered.turns_imported) == (4, 1)
        assert recovered.status == CallStatus.UNFINISHED
        stored = reopened.get_call(call_id)
        assert stored.attempt.status == CallStatus.UNFINISHED and stored.scorecard is None
        assert [t.text for t in stored.record.turns][1] == GOOD_REPLIES[0]
        assert len(stored.record.turns) == 5
        assert [a.call_id for a in reopened.unfinished()] == [call_id]
        assert reopened.recover_unfinished() == []  # reported once, kept for good


def test_cli_recover_reports_unfinished(db_url: str, tmp_path: Path, lab_env: Path, capsys) -> None:
    from simulator.cli import main
    from simulator.contracts import Speaker
    from simulator.record import CallHeader, CallRecorder, TurnRecord, now_iso
    from simulator.store.sql import HOST

    recorder = CallRecorder(tmp_path / "call", CallHeader("billing-overcharge", "0" * 64, 0, "text", "lexical",
                                                          now_iso(), trainee="bo"))
    with open_store(db_url) as store:
        call_id = store.begin_call(recorder.header, recorder.folder, trainee="bo")
        store.add_turn(call_id, recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?")))
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        with store.engine.begin() as conn:  # as if a process that has since exited had written it
            conn.execute(sa.update(models.calls).values(pid=int(dead.stdout), host=HOST))
    recorder.add(TurnRecord(0, Speaker.TRAINEE, "Hi, this is Sam"))  # on disk only
    recorder.close()
    assert main(["recover", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"recovered call {call_id[:8]}" in out and "1 turn(s) kept, 1 imported" in out
    assert "1 unfinished call(s)" in out


def test_call_that_ended_unscored_is_scored_at_recovery(db_url: str, tmp_path: Path, lab_env: Path, capsys) -> None:
    from simulator.call.textcall import new_call_folder
    from simulator.cli import main
    from simulator.store import CallMirror

    from .conftest import play

    folder = new_call_folder(tmp_path / "calls", "billing-overcharge")
    with open_store(db_url) as store:
        mirror = CallMirror(store, folder, trainee="ana")
        finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", on_event=mirror, folder=folder)
        # the process died after the end line, before the scorecard was saved
        assert store.get_call(mirror.call_id).attempt.overall is None
    assert main(["recover", "--db", db_url]) == 0
    assert f"scored call {mirror.call_id[:8]}" in capsys.readouterr().out
    with open_store(db_url) as store:
        assert store.get_call(mirror.call_id).scorecard == finished.scorecard
        assert store.unscored() == []
