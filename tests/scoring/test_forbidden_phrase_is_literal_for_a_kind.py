"""A forbidden entry with a ``kind`` is found by the behaviour model, its literal phrases and its
full-sentence examples; its short phrases are not examples to be like.  "don't you swear at me" is
a rude retort word for word, but a polite "please don't swear at me" is 0.78 like it (the topic,
not the move) and is the boundary the abusive-caller scenario asks for.  Steps already work this
way: their keywords are found word for word, only their say_like examples are compared by likeness.
Replies are project-written."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import MatchKind, Transcript
from simulator.scenario.loader import load_scenario

pytestmark = pytest.mark.models

CUSTOMER = "Are you going to cancel this bloody fine or not? Useless, the lot of you."


@pytest.fixture(scope="module")
def parking(scenarios_dir) -> SemanticAnalyser:
    return SemanticAnalyser(load_scenario(scenarios_dir / "abusive-caller.yaml").scenario, SentenceEncoder(threads=1))


def forbidden(analyser: SemanticAnalyser, text: str) -> set[tuple[str, MatchKind]]:
    analysis = analyser.analyse(TurnInput(2, Transcript(text), CUSTOMER))
    return {(f.phrase_id, f.match) for f in analysis.forbidden}


@pytest.mark.parametrize("boundary", [
    "Please don't swear at me, and I'll go through the fine with you.",
    "I'd like to help, so please don't swear at me while we sort this.",
])
def test_a_polite_boundary_is_not_like_the_rude_retort(parking, boundary):
    assert not {hit for hit in forbidden(parking, boundary) if hit[0] == "rude-back"}


def test_the_retort_word_for_word_still_counts(parking):
    assert ("rude-back", MatchKind.LITERAL) in forbidden(parking, "Don't you swear at me, mate.")


def test_a_retort_in_other_words_is_still_found(parking):
    found = {phrase for phrase, _ in forbidden(parking, "I don't have to sit here and listen to your rubbish, pal.")}
    assert "rude-back" in found



@pytest.fixture(scope="module")
def coffee_machine(scenarios_dir) -> SemanticAnalyser:
    return SemanticAnalyser(load_scenario(scenarios_dir / "refund-refused.yaml").scenario, SentenceEncoder(threads=1))


# refund-refused's policy-wall has no kind, so its phrases ("outside the returns window") stay
# likeness examples; a clause that says one clause of a step's example (explain-rights: "...you're
# covered, the returns window doesn't apply") is that step, not the wall.
def test_a_clause_of_a_step_example_is_not_the_policy_wall(coffee_machine):
    text = "That limit is only for change of mind. As it's faulty, the returns window doesn't apply."
    assert "policy-wall" not in {phrase for phrase, _ in forbidden(coffee_machine, text)}


@pytest.mark.parametrize("wall", ["It's been over thirty days, so we can't do anything, I'm afraid.",
                                  "We can't do anything, it's over thirty days."])
def test_the_policy_wall_in_other_words_still_counts(coffee_machine, wall):
    assert ("policy-wall", MatchKind.SEMANTIC) in forbidden(coffee_machine, wall)
