"""A QA analyst reviews a real call stored from a recording: the review scores it again exactly as
``callsim score`` did (its length, its speakers, the library and the centre's steps, kept in the record), so
only what the analyst overrides moves.  Real Whisper and the behaviour model on a real recording."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lab import review
from simulator.scoring.scorecard import Dimension
from simulator.store import open_store
from simulator.store.types import ReviewTarget

CALLS = Path(__file__).resolve().parents[1] / "data" / "calls"
CALL = CALLS / "call-stereo.mp3"
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def stored_call(tmp_path_factory) -> tuple[str, str]:
    """(database, call id): the recording stored as sam's real call."""
    db = str(tmp_path_factory.mktemp("review-recordings") / "lab.db")
    code = main(["behaviour", "add", str(CALL), "--trainee", "sam", "--db", db])
    assert code == 0
    with open_store(db) as store:
        [attempt] = store.attempts(trainee="sam")
    return db, attempt.call_id


def _forbidden(card) -> set[str]:
    return {e.rule for d in card.dimensions for e in d.evidence if e.rule.startswith("forbidden.")}


def test_a_recording_keeps_what_its_scorecard_was_worked_out_with(stored_call):
    db, call_id = stored_call
    with open_store(db) as store:
        header = store.get_call(call_id).record.header
    facts = header.recording
    assert facts is not None and facts.source == str(CALL.resolve())
    assert facts.duration_s == pytest.approx(11.0, abs=0.5) and facts.speakers_told_apart
    assert header.scenario_path is None  # scored against the built-in library, not a scenario file


def test_signing_off_a_recording_changes_nothing_and_an_override_moves_only_its_finding(stored_call):
    db, call_id = stored_call
    with open_store(db) as store:
        machine = store.get_call(call_id).scorecard
        assert machine is not None and "forbidden.dismiss_feelings" in _forbidden(machine)
        # scored again with no override: the machine's card, field for field (a cut call's close is still
        # excused: the review knows the recording's length)
        again = review.scored_again(store.get_call(call_id).record,
                                    review.load_call_basis(store.get_call(call_id), SCENARIOS))
        assert replace(again, scorer=machine.scorer) == machine
        change = review.Change(ReviewTarget.FORBIDDEN, 1, "dismiss_feelings", "no",
                               "a sigh about the day, not at the caller")
        kept, card = review.override(store, call_id, "ana", change, SCENARIOS)
    assert kept.machine is True and kept.reviewed is False
    assert "forbidden.dismiss_feelings" not in _forbidden(card)
    def score(which: Dimension, of) -> float | None:
        return of.dimension(which).score

    # every step was missed on this short call, so compliance is 0 either way; the turn's own is not
    assert card.turns[0].compliance > machine.turns[0].compliance
    assert score(Dimension.EMPATHY, card) == score(Dimension.EMPATHY, machine)
    assert score(Dimension.TONE, card) == score(Dimension.TONE, machine)
    assert [s.hit for s in card.steps] == [s.hit for s in machine.steps]


def test_a_recording_stored_by_an_earlier_callsim_is_refused_with_what_to_do(stored_call):
    db, call_id = stored_call
    with open_store(db) as store:
        stored = store.get_call(call_id)
    old = replace(stored, record=replace(stored.record, header=replace(stored.record.header, recording=None)))
    with pytest.raises(review.ReviewError, match=r"stored by an earlier callsim.*callsim behaviour add FILE"):
        review.load_call_basis(old, SCENARIOS)


def test_the_cli_reviews_a_real_call(stored_call, capsys):
    db, call_id = stored_call
    code = main(["review", "override", call_id[:8], "--db", db, "--by", "kim", "--dimension", "tone=40",
                 "--reason", "flat and rushed on the recording"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "call dimension tone: machine" in out and "reviewed score" in out and "NOT PASSED" in out


def test_a_mono_call_whose_voices_were_not_told_apart_is_scored_again_as_it_was(tmp_path, monkeypatch):
    """Both voices on one channel, too little speech to split: empathy and tone stay withdrawn on review, and
    the centre's fatal item (from the setting) still fails it."""
    db = str(tmp_path / "lab.db")
    monkeypatch.setenv("CALLSIM_QA_CRITICAL_STEPS", "verify_identity")
    assert main(["behaviour", "add", str(CALLS / "call-mono-alaw-8k.wav"), "--trainee", "sam", "--db", db]) == 0
    with open_store(db) as store:
        [attempt] = store.attempts(trainee="sam")
        stored = store.get_call(attempt.call_id)
        facts = stored.record.header.recording
        assert facts is not None and not facts.speakers_told_apart and facts.critical_steps == ("verify_identity",)
        machine = stored.scorecard
        assert machine is not None and machine.dimension(Dimension.TONE).score is None
        again = review.scored_again(stored.record, review.load_call_basis(stored, SCENARIOS))
        assert replace(again, scorer=machine.scorer) == machine
        assert any("critical step missed" in reason for reason in again.fail_reasons)


def test_a_recording_scored_against_a_scenario_is_reviewed_against_that_scenario_file(tmp_path):
    db = str(tmp_path / "lab.db")
    assert main(["behaviour", "add", str(CALL), "--trainee", "sam", "--db", db,
                 "--scenario", "billing-overcharge"]) == 0
    with open_store(db) as store:
        [attempt] = store.attempts(trainee="sam")
        stored = store.get_call(attempt.call_id)
    assert stored.record.header.scenario_path == str((SCENARIOS / "billing-overcharge.yaml").resolve())
    assert stored.record.header.recording is not None and stored.record.header.recording.source == str(CALL.resolve())
    basis = review.load_call_basis(stored, SCENARIOS)
    assert basis.path == (SCENARIOS / "billing-overcharge.yaml").resolve() and basis.scenario.id == "billing-overcharge"
    machine = stored.scorecard
    assert machine is not None
    assert replace(review.scored_again(stored.record, basis), scorer=machine.scorer) == machine
