"""A stated understanding ("I understand.") is weak empathy, as the label scheme says of "I understand"
tacked on; a restatement, a negation or a dismissal is not.  The cue is read on its own, then with the
real model through the semantic analyser.  Sentences are the project's own."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.behaviour.judge import UNDERSTANDING_RULE, stated_understanding
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import EmpathyLevel, Transcript

CUSTOMER = "The appeal got rejected? I put the ticket on the dashboard, this is a joke!"


@pytest.mark.parametrize("reply, said", [
    ("I understand.", "I understand"),
    ("I do understand. The appeal was rejected because no ticket was seen.", "I do understand"),
    ("okay i understand let me look at that for you", "i understand"),  # a recogniser's words, no commas
    ("Right, I totally get that, but the fee still stands.", "I totally get that"),
    ("Renewals go out in March. I hear you, and I'll check it.", "I hear you"),
])
def test_the_cue_quotes_an_understanding_said_alone(reply, said):
    assert stated_understanding(reply) == said


@pytest.mark.parametrize("reply", [
    "I understand your account was charged twice.",  # a restatement, not an acknowledgement
    "I don't understand what you mean.",
    "So I understand you've moved house?",
    "I hear you were charged twice.",
    "Do you understand the terms?",
    "I get it, I get it. Can we move on?",  # impatience, not the label scheme's "I get that"
    "我理解您的心情。",
])
def test_the_cue_ignores_restatements_negations_and_questions(reply):
    assert stated_understanding(reply) is None


@pytest.fixture(scope="module")
def analyser() -> SemanticAnalyser:
    return SemanticAnalyser(None, SentenceEncoder(threads=1))


def empathy(analyser: SemanticAnalyser, reply: str):
    return analyser.analyse(TurnInput(1, Transcript(reply), CUSTOMER)).empathy


@pytest.mark.models
@pytest.mark.parametrize("reply", [
    "I understand. The appeal was rejected.",
    "Okay I understand, let me look at that for you.",
])
def test_a_reply_with_a_stated_understanding_is_weak_empathy_and_quotes_it(analyser, reply):
    judgement = empathy(analyser, reply)
    assert judgement.level == EmpathyLevel.WEAK
    quoted = [e for e in judgement.evidence if e.rule == UNDERSTANDING_RULE]
    assert quoted and quoted[0].quote.lower().startswith("i understand")


@pytest.mark.models
def test_dismissal_still_leaves_no_empathy_beside_it(analyser):
    judgement = empathy(analyser, "I understand, but calm down, it's only one parking fine, it's not the end "
                                  "of the world.")
    assert judgement.level == EmpathyLevel.NONE
    assert judgement.evidence[0].rule == "empathy.dismissive"
