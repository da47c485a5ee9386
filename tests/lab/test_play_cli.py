"""`callsim play --text --trainee`: the printed score is the stored one; the trainee's rating is kept
even when input ends at the optional comment."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab.playstore import ask_rating
from simulator.store import open_store

from .conftest import GOOD_REPLIES, REPO, play


def test_the_printed_score_is_the_stored_score(db_url: str, tmp_path: Path, lab_env: Path, capsys) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("\n".join(GOOD_REPLIES[:2]), encoding="utf-8")  # then hangs up: a half-point score
    assert main(["play", "billing-overcharge", "--text", "--replies", str(replies), "--analyser", "lexical",
                 "--trainee", "ana", "--db", db_url, "--record-to", str(tmp_path / "calls")]) == 0
    out = capsys.readouterr().out
    with open_store(db_url) as store:
        [call] = store.attempts("ana")
        card = store.get_call(call.call_id).scorecard
    assert call.overall != round(call.overall)  # where a rounded display disagreed (82.5 shown as 82)
    assert f"Scorecard: {call.overall:.1f}/100" in out
    for dimension in card.dimensions:
        if dimension.score is not None:
            assert f"  {dimension.dimension.value:<11} {dimension.score:.1f}" in out


def _scripted(*answers: str):
    """A prompt reader giving ``answers`` in turn, then end of input (Ctrl-D); records the prompts."""
    prompts: list[str] = []
    pending = list(answers)

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        if not pending:
            raise EOFError
        return pending.pop(0)
    return read_line, prompts


@pytest.fixture
def call_id(store, tmp_path: Path) -> str:
    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
    return store.save_call(finished.record, finished.scorecard, trainee="ana")


def test_end_of_input_at_the_comment_keeps_the_stars(store, call_id: str) -> None:
    read_line, prompts = _scripted("4")
    ask_rating(store, call_id, read_line)
    assert len(prompts) == 2 and "comment" in prompts[1]
    [rating] = store.ratings("ana")
    assert (rating.stars, rating.comment) == (4, None)


def test_a_rating_with_a_comment_and_the_ways_to_give_none(store, call_id: str, capsys) -> None:
    read_line, _ = _scripted("5", "  helpful  ")
    ask_rating(store, call_id, read_line)
    for answers in ((), ("",), ("9",), ("four",)):
        read_line, prompts = _scripted(*answers)
        ask_rating(store, call_id, read_line)
        assert len(prompts) == 1  # no comment asked for a skipped or invalid rating
    assert [(r.stars, r.comment) for r in store.ratings("ana")] == [(5, "helpful")]
    err = capsys.readouterr().err
    assert "'9' is not 1 to 5 stars" in err and f"callsim rate {call_id[:8]}" in err


def _read_until(fd: int, text: bytes, seen: bytearray, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {text!r} within {timeout_s} s; the terminal showed {bytes(seen[-400:])!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"the call ended before {text!r}; the terminal showed {bytes(seen[-400:])!r}")
        seen.extend(chunk)
    del seen[:seen.index(text) + len(text)]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_typed_call_keeps_its_rating_when_input_ends_at_the_comment(tmp_path: Path, lab_env: Path) -> None:
    """The real CLI on a terminal: type a reply, hang up, give 4 stars, press Ctrl-D at the comment."""
    import pty

    db = tmp_path / "callsim.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    leader, follower = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "simulator", "play", "billing-overcharge", "--text",
                              "--analyser", "lexical", "--trainee", "ana", "--db", str(db),
                              "--record-to", str(tmp_path / "calls")],
                             stdin=follower, stdout=follower, stderr=follower, env=env, cwd=REPO)
    os.close(follower)
    seen = bytearray()
    try:
        _read_until(leader, b"you> ", seen)
        os.write(leader, GOOD_REPLIES[0].encode() + b"\n")
        _read_until(leader, b"you> ", seen)
        os.write(leader, b"/hangup\n")
        _read_until(leader, b"1-5 stars", seen)
        os.write(leader, b"4\n")
        _read_until(leader, b"A comment (optional): ", seen)
        os.write(leader, b"\x04")  # Ctrl-D: end of input
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(leader)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT stars, comment FROM ratings").fetchall() == [(4, None)]
