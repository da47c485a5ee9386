"""A recorded call scored without a scenario checks the standard phone opening word for word as well
as through the behaviour model: a greeting and an introduction said as short sentences of their own
count, and words that only look like them do not."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import Transcript
from simulator.qa.importer import STANDARD_OPENING_WORDS, generic_scenario
from simulator.scenario.kinds import StepKind

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def analyser() -> SemanticAnalyser:
    return SemanticAnalyser(generic_scenario())


def steps_found(analyser: SemanticAnalyser, said: str) -> set[str]:
    return {hit.step_id for hit in analyser.analyse(TurnInput(1, Transcript(said), "")).steps_hit}


@pytest.mark.parametrize("said", [
    "Thanks for calling Northgate Building Society customer care. My name is Callum.",
    "Uh, thank you for calling Lakeside Ford. Um, my name's Kevin.",
    "Good afternoon and welcome to Solway Energy, you're speaking with Bethany.",
    "thank you for contacting fibre link you're through to arjun",
])
def test_a_standard_opening_in_short_sentences_is_a_greeting_and_an_introduction(analyser, said):
    assert {StepKind.GREET.value, StepKind.IDENTIFY_SELF.value} <= steps_found(analyser, said)


@pytest.mark.parametrize("said", [
    "This is a known issue with that router.",
    "The account is in your name only.",
    "Thanks for your patience, I've found the order.",
])
def test_words_that_only_look_like_an_opening_are_neither(analyser, said):
    assert not {StepKind.GREET.value, StepKind.IDENTIFY_SELF.value} & steps_found(analyser, said)


def test_the_opening_words_belong_to_the_two_opening_steps_of_the_generic_scenario():
    keywords = {step.id: step.keywords for step in generic_scenario().script}
    assert set(STANDARD_OPENING_WORDS) == {StepKind.GREET, StepKind.IDENTIFY_SELF}
    for kind, words in STANDARD_OPENING_WORDS.items():
        assert keywords[kind.value] == words
    assert all(not words for step_id, words in keywords.items()
               if step_id not in {StepKind.GREET.value, StepKind.IDENTIFY_SELF.value})
