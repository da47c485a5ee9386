"""The store on real SQLite and PostgreSQL: people, calls, turns, scorecards, recordings, ratings."""

from __future__ import annotations

import wave
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.call.textcall import new_call_folder
from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    ForbiddenHit,
    MatchKind,
    Outcome,
    Severity,
    Speaker,
    Transcript,
    TurnAnalysis,
)
from simulator.record import CallHeader, CallRecorder, TurnRecord, now_iso, read_call
from simulator.store import CallKind, CallMirror, CallStatus, StoreError, open_store

from .conftest import GOOD_REPLIES, POOR_REPLIES, play


def test_trainees_and_teams(store) -> None:
    ana = store.create_trainee("ana", "red")
    assert (ana.name, ana.team) == ("ana", "red")
    with pytest.raises(StoreError, match="already exists"):
        store.create_trainee("ana")
    assert store.ensure_trainee("ana").id == ana.id
    assert store.ensure_trainee("ana", "blue").team == "blue"
    assert store.ensure_trainee("bo").team is None
    assert [t.name for t in store.list_teams()] == ["blue", "red"]
    assert [p.name for p in store.list_trainees("blue")] == ["ana"]
    assert store.get_trainee("nobody") is None
    with pytest.raises(StoreError):
        store.create_team("red")
    with pytest.raises(StoreError, match="invalid trainee name"):
        store.create_trainee("  ")
    # each of these was a second trainee that looked like "ana" on every board and report
    for lookalike in (" ana ", "ana\x7f", "an\u200ba", "\u202eana"):
        with pytest.raises(StoreError, match="invalid trainee name"):
            store.create_trainee(lookalike)
    assert [p.name for p in store.list_trainees()] == ["ana", "bo"]


def test_save_call_attempts_and_best(store, tmp_path: Path) -> None:
    good = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", seed=1)
    poor = play("billing-overcharge", POOR_REPLIES, tmp_path / "calls", seed=1)
    assert good.scorecard.overall > poor.scorecard.overall
    poor_id = store.save_call(poor.record, poor.scorecard, trainee="ana", team="red")
    good_id = store.save_call(good.record, good.scorecard, trainee="ana")
    # saving the same call again (same folder) updates, never duplicates
    assert store.save_call(good.record, good.scorecard, trainee="ana") == good_id

    attempts = store.attempts("ana", "billing-overcharge")
    assert [a.call_id for a in attempts] == [good_id, poor_id] or [a.call_id for a in attempts] == [poor_id, good_id]
    assert len(attempts) == 2
    best = store.best_score("ana", "billing-overcharge")
    assert best.call_id == good_id and best.overall == good.scorecard.overall
    assert best.status == CallStatus.FINISHED and best.outcome == good.record.outcome
    assert not poor.scorecard.passed and store.best_score("ana", "billing-overcharge").call_id != poor_id
    store.save_call(poor.record, poor.scorecard, trainee="bo")
    assert store.best_score("bo") is None  # a failed call is never a best

    stored = store.get_call(good_id[:8])
    assert stored.scorecard == good.scorecard
    assert [t.text for t in stored.record.turns] == [t.text for t in good.record.turns]
    assert stored.record.turns[1].analysis == good.record.turns[1].analysis
    assert stored.attempt.turns == len(good.record.turns)
    assert store.attempts("nobody") == []


def test_mirror_writes_each_turn_as_it_happens(store, tmp_path: Path) -> None:
    folder = new_call_folder(tmp_path / "calls", "billing-overcharge")
    mirror = CallMirror(store, folder, trainee="ana")
    stored_after_each_event: list[int] = []

    def on_event(event) -> None:
        mirror(event)
        stored_after_each_event.append(store.get_call(mirror.call_id).attempt.turns)

    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls", on_event=on_event, folder=folder)
    events = len(finished.record.turns) + 1  # every turn, then the end
    assert stored_after_each_event == [*range(1, events), events - 1]
    assert store.get_call(mirror.call_id).attempt.status == CallStatus.FINISHED
    call_id = mirror.finish(finished.record, finished.scorecard)
    assert call_id == mirror.call_id
    assert store.get_call(call_id).attempt.overall == finished.scorecard.overall
    assert len(store.attempts("ana")) == 1


def _write_wav(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(frames)


def test_recordings_referenced_with_checksums(store, tmp_path: Path) -> None:
    folder = tmp_path / "call"
    recorder = CallRecorder(folder, CallHeader("billing-overcharge", "0" * 64, 0, "voice", "lexical", now_iso(),
                                               trainee="ana"))
    _write_wav(folder / "turn-001.wav", b"\x01\x00" * 1600)
    recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?"))
    recorder.add(TurnRecord(0, Speaker.TRAINEE, "Hi, Sam here", audio_path="turn-001.wav"))
    record = recorder.finish(Outcome.RESOLVED)
    call_id = store.save_call(record, None, trainee="ana", kind=CallKind.REAL)
    [recording] = store.recordings(call_id)
    assert recording.turn_index == 1 and recording.size_bytes == (folder / "turn-001.wav").stat().st_size
    assert len(recording.sha256) == 64
    assert store.verify_recordings(call_id) == []
    _write_wav(folder / "turn-001.wav", b"\x02\x00" * 1600)  # same size, different audio
    assert [problem for _, problem in store.verify_recordings(call_id)] == ["checksum differs"]
    assert store.attempts("ana", kind=CallKind.REAL)[0].call_id == call_id


def test_ratings_and_call_id_prefixes(store, tmp_path: Path) -> None:
    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
    call_id = store.save_call(finished.record, finished.scorecard, trainee="ana")
    rating = store.rate(call_id[:6], 4, "useful")
    assert (rating.call_id, rating.stars, rating.comment) == (call_id, 4, "useful")
    assert [r.stars for r in store.ratings("ana")] == [4]
    with pytest.raises(StoreError, match="1 to 5"):
        store.rate(call_id, 6)
    with pytest.raises(StoreError, match="no call"):
        store.rate("ffffffffffff", 3)


def test_reopening_keeps_data_and_schema(db_url: str, tmp_path: Path) -> None:
    finished = play("billing-overcharge", GOOD_REPLIES, tmp_path / "calls")
    with open_store(db_url) as first:
        call_id = first.save_call(finished.record, finished.scorecard, trainee="ana")
        revision = first.schema_revision
    with open_store(db_url) as second:  # migrations are already at head: nothing re-created
        assert second.schema_revision == revision
        assert second.get_call(call_id).record.header == read_call(finished.record.folder).header


def test_unreachable_database_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(StoreError) as refused:
        open_store("postgresql+psycopg://callsim:s3cret@localhost:1/nothing")
    assert "cannot open the training store" in str(refused.value) and "s3cret" not in str(refused.value)
    with pytest.raises(StoreError, match="cannot open"):
        open_store("nosuchdb://x")


@pytest.mark.parametrize("url", ["mysql://", "mssql://x"])
def test_a_database_whose_driver_is_not_installed_is_a_clear_error(url: str) -> None:
    with pytest.raises(StoreError, match=r"driver .* is not installed"):  # was ModuleNotFoundError
        open_store(url)


def test_a_turn_read_again_after_the_call_replaces_its_live_analysis_in_the_store(store, tmp_path: Path) -> None:
    folder = tmp_path / "call"
    recorder = CallRecorder(folder, CallHeader("billing-overcharge", "0" * 64, 0, "text", "semantic", now_iso(),
                                               trainee="ana"))
    said = "If you'd read the email you'd know."
    live = TurnAnalysis(turn_index=1, transcript=Transcript(said), empathy=EmpathyJudgement(EmpathyLevel.NONE, 0.0))
    call_id = store.begin_call(read_call(folder).header, folder, trainee="ana")
    for turn in (TurnRecord(0, Speaker.CUSTOMER, "I was charged twice!"),
                 TurnRecord(0, Speaker.TRAINEE, said, analysis=live)):
        store.add_turn(call_id, recorder.add(turn), folder)  # mirrored live, as a call goes
    again = replace(live, forbidden=(ForbiddenHit("blame-customer", said, Severity.MINOR, MatchKind.MODEL, 0.99),))
    recorder.reread(1, again)
    record = recorder.finish(Outcome.ESCALATED)
    assert record.turns[1].analysis == again == read_call(folder).turns[1].analysis
    assert store.save_call(record, None, trainee="ana") == call_id
    assert store.get_call(call_id).record.turns[1].analysis == again
