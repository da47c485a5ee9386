"""A reply of one clause is accused of a forbidden move only when that clause reads as the move:
short neutral turns ("One second.", "Right.") are not rude, curt ones still are."""

from __future__ import annotations

import pytest

from simulator.analysis.behaviour import model as behaviour_model
from simulator.analysis.behaviour.model import BehaviourModel, shipped_weights
from simulator.analysis.embeddings import SentenceEncoder

pytestmark = pytest.mark.models

NEUTRAL_SHORT_TURNS = ("One second.", "Bear with me.", "Right.", "My name is Tom.", "Okay.",
                       "Sure, one moment please.")


@pytest.fixture(scope="module")
def model() -> BehaviourModel:
    return BehaviourModel(shipped_weights(), SentenceEncoder(threads=1).encode)


def accused_of(model: BehaviourModel, reply: str) -> set[str]:
    return {finding.kind for finding in model.read(reply).forbidden}


@pytest.mark.parametrize("reply", NEUTRAL_SHORT_TURNS)
def test_a_short_neutral_turn_is_not_a_forbidden_move(model, reply):
    assert accused_of(model, reply) == set()


@pytest.mark.parametrize("reply, kind", [
    ("Calm down.", "dismiss_feelings"),
    ("Should have read the terms.", "blame_customer"),
    ("Not my department.", "not_my_job"),
])
def test_a_curt_one_clause_turn_is_still_accused(model, reply, kind):
    assert kind in accused_of(model, reply)


def test_without_the_floor_the_reply_level_reading_accuses_short_neutral_turns(model, monkeypatch):
    monkeypatch.setattr(behaviour_model, "ONE_CLAUSE_FORBIDDEN_FLOOR", 0.0)
    accused = [reply for reply in NEUTRAL_SHORT_TURNS if accused_of(model, reply)]
    assert len(accused) >= 3, accused  # why the floor is there
