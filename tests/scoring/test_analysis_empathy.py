"""Empathy ordering across situations, on project-written replies, with the real MiniLM model."""

from __future__ import annotations

import pytest

from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.empathy import EmpathyJudge
from simulator.contracts import EmpathyLevel

pytestmark = pytest.mark.models


@pytest.fixture(scope="session")
def judge() -> EmpathyJudge:
    return EmpathyJudge(SentenceEncoder(threads=1))


# (customer line, dismissive reply, generic reply, specific reply), one per kind of call.
SITUATIONS = [
    ("The engineer never turned up and I took a day off work for it!",
     "Well, you should have called to confirm the slot.",
     "Sorry for the inconvenience.",
     "You took a day off work and the engineer never came, that's really frustrating, I'm so sorry."),
    ("My flight was cancelled and I'm stuck at the airport with two children.",
     "It is what it is, cancellations happen.",
     "I understand.",
     "Being stuck at the airport with two children after a cancelled flight must be exhausting, "
     "I'm going to get you on the next flight."),
    ("My husband passed away last month and I need to close his account.",
     "That's not my department, you'll need to ring bereavement services.",
     "Okay, I'm sorry to hear that.",
     "I'm so sorry about your husband. I'll close his account for you so you don't have to deal with it."),
    ("You've cut off my gas and it's freezing, I've got a baby at home!",
     "Calm down, shouting won't help.",
     "I hear you.",
     "A freezing house with a baby at home is frightening, I understand, and I'll get your gas back on today."),
]


@pytest.mark.parametrize("customer, dismissive, generic, specific", SITUATIONS)
def test_dismissive_below_generic_below_specific(judge, customer, dismissive, generic, specific):
    low, mid, high = (judge.judge(reply, customer) for reply in (dismissive, generic, specific))
    assert (low.level, mid.level, high.level) == (EmpathyLevel.NONE, EmpathyLevel.WEAK, EmpathyLevel.STRONG)
    assert 0.0 <= low.score < mid.score < high.score <= 1.0


def test_the_same_words_are_not_specific_without_the_customers_problem(judge):
    reply = "I'm so sorry you've been charged twice, that must be really worrying."
    assert judge.judge(reply, "You've taken my payment twice this month!").level == EmpathyLevel.STRONG
    assert judge.judge(reply, "").level == EmpathyLevel.WEAK


def test_every_empathic_judgement_quotes_a_sentence_of_the_reply(judge):
    reply = "Let me pull up the account. I'm sorry you've waited so long, that's not okay."
    judgement = judge.judge(reply, "I've been on hold for forty minutes!")
    assert judgement.level >= EmpathyLevel.WEAK
    sentences = {"Let me pull up the account.", "I'm sorry you've waited so long, that's not okay."}
    assert judgement.evidence and all(e.quote in sentences for e in judgement.evidence)
