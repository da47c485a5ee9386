"""A wish is not a promise: the grammar rule the behaviour model reads false promises with ("best of
luck with the move" wishes; "I hope to have it fixed by Friday" commits).  Sentences are our own."""

from __future__ import annotations

import pytest

from simulator.analysis.behaviour import model as behaviour_model
from simulator.analysis.behaviour.features import reply_windows
from simulator.analysis.behaviour.model import BehaviourModel, shipped_weights
from simulator.analysis.behaviour.wishes import is_wish, wish_clauses
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.promises import PromiseKind, read_promises
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, ForbiddenKind

FALSE_PROMISE = ForbiddenKind.FALSE_PROMISE.value


@pytest.mark.parametrize("clause", [
    "Best of luck with the new job.",
    "Good luck with the move!",
    "I hope it all works out for you.",
    "I hope you have a great day.",
    "Have a lovely weekend.",
    "I wish you all the best with the house sale.",
    "Hopefully that gets it sorted for you.",
    "and have a really good rest of your evening",
    "We'll good luck with the claim",  # a recogniser's "Well, good luck": no act follows the "we'll"
])
def test_a_well_wish_is_a_wish(clause):
    assert is_wish(clause)


@pytest.mark.parametrize("clause", [
    "I hope to have it fixed by Friday.",  # the agent's own act, with a deadline
    "We're hoping to get the engineer out to you.",  # the agent's own act
    "Hopefully we'll have the refund back to you within three days.",  # a time, however hedged
    "I hope you'll have your new card by Monday.",
    "I hope the late fee being waived helps.",  # no charge
    "I hope the fifty pound credit makes up for it.",  # money
    "Good luck, and I promise it'll be sorted.",  # a pledge
])
def test_a_wish_that_also_commits_is_not_only_a_wish(clause):
    assert not is_wish(clause)


@pytest.mark.parametrize("clause", [
    "I'll have it fixed by Friday.",
    "Your card will be with you tomorrow.",
    "We'll take care of everything.",
    "I'm sure it will all work out in the end.",  # reassurance, not a wish: the model judges it
])
def test_a_promise_or_reassurance_without_a_wish_word_is_no_wish(clause):
    assert not is_wish(clause)


def test_clauses_are_flagged_one_by_one_and_only_in_english():
    reply = "I've cancelled both cards. Good luck with the move, I'll send the new ones tomorrow."
    windows = reply_windows(reply)
    flags = wish_clauses(reply, [(w.start, w.end) for w in windows])
    assert dict(zip((w.text for w in windows), flags, strict=True)) == {
        "I've cancelled both cards.": False, "Good luck with the move": True, "I'll send the new ones tomorrow.": False}
    assert wish_clauses("祝您生活愉快。", [(0, 7)], "zh") == (False,)


def test_the_knowledge_card_promise_reader_agrees_both_ways():
    """The reader that checks promises against a scenario's cards finds nothing in a wish, and the time
    in a hoped-for act of the agent's own."""
    for wish in ("Best of luck with the new job.", "I hope you have a great day.", "We'll good luck with the claim."):
        assert read_promises(wish) == ()
    assert [(p.kind, p.phrase) for p in read_promises("I hope to have it fixed by Friday.")] == [
        (PromiseKind.TIME, "friday")]


@pytest.fixture(scope="module")
def model() -> BehaviourModel:
    return BehaviourModel(shipped_weights(), SentenceEncoder(threads=1).encode)


def false_promise(model: BehaviourModel, reply: str) -> str | None:
    found = model.read(reply).found(FALSE_PROMISE)
    return None if found is None else found.quote


@pytest.mark.models
@pytest.mark.parametrize("reply", [
    "We'll good luck with the move and everything.",
    "Sure thing. We'll good luck with the claim. And I hope the rest of your week goes better.",
    "Okay, we'll best of luck with the appeal, I hope it goes your way.",
])
def test_a_misheard_well_wish_is_not_read_as_a_false_promise(model, reply, monkeypatch):
    assert false_promise(model, reply) is None
    monkeypatch.setattr(behaviour_model, "READ_WITHOUT_WISHES", frozenset())
    monkeypatch.setattr(behaviour_model, "ONE_CLAUSE_FORBIDDEN_FLOOR", 0.0)  # the one-clause reply's other rule
    assert false_promise(model, reply) is not None  # what the model alone reads: why the rule is there


@pytest.mark.models
@pytest.mark.parametrize("reply, quote", [
    ("I promise this will never happen again. I hope you have a great day.", "I promise this will never happen again."),
    ("Best of luck, I'm sure it will all work out in the end.", "I'm sure it will all work out in the end."),
    ("I'll have it fixed by Friday, I promise.", "I'll have it fixed by Friday, I promise."),
])
def test_a_promise_beside_a_wish_is_still_read(model, reply, quote):
    assert false_promise(model, reply) == quote


@pytest.mark.models
def test_the_reply_level_probability_of_a_promise_leaves_the_wishes_out(model, monkeypatch):
    """``forbidden_reply_probabilities`` (the clause model's reply-level reading, as the blend
    benchmark reads it) follows the same rule as ``read``: a reply of wishes alone promises nothing."""
    column = FORBIDDEN_KIND_NAMES.index(FALSE_PROMISE)
    wishes_alone = "Best of luck with the move. I hope you have a great day."
    probabilities = model.forbidden_reply_probabilities(model.read(wishes_alone))
    assert probabilities.shape == (len(FORBIDDEN_KIND_NAMES),)
    assert probabilities[column] == 0.0
    monkeypatch.setattr(behaviour_model, "READ_WITHOUT_WISHES", frozenset())
    assert model.forbidden_reply_probabilities(model.read(wishes_alone))[column] > 0.0
