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


def _reading(judge, sentence, customer=""):
    return judge.read_sentences([sentence], judge.encoder.encode([sentence]), customer)[0]


@pytest.mark.parametrize("reply, phrase", [
    ("Please stay safe on the roads tonight.", "please stay safe"),
    ("It'll work out, I promise.", "it'll work out"),
    ("You did the right thing getting in touch.", "you did the right thing"),
    ("All the best with the new flat.", "all the best"),
    ("I can relate, the same thing happened with my energy bill.", "i can relate"),
])
def test_reassurance_encouragement_and_good_wishes_are_empathy_by_their_wording(judge, reply, phrase):
    reading = _reading(judge, reply)
    assert reading.encouragement == phrase and reading.decisive
    judgement = judge.judge(reply, "My parcel still hasn't arrived and it was a present for my son.")
    assert judgement.level >= EmpathyLevel.WEAK
    assert judgement.evidence and judgement.evidence[0].quote == reply


def test_the_speakers_own_story_is_not_a_reaction_to_the_customer(judge):
    customer = "My parcel still hasn't arrived and it was a present for my son."
    story = "I was so upset when my own parcel went missing last year."
    assert judge.judge(story, customer).level == EmpathyLevel.NONE
    assert judge.judge("Same here.", customer).level == EmpathyLevel.NONE
    # Turned to the customer, the same feeling is empathy.
    assert judge.judge("You must be so upset that your son's present went missing.", customer).level \
        >= EmpathyLevel.WEAK


def test_procedure_and_sad_faces_decide_nothing(judge):
    assert _reading(judge, "I know how to reset that for you.").acknowledgement is None
    assert _reading(judge, "I know how frustrating that is.").acknowledgement == "i know how frustrating"
    assert _reading(judge, "The parcel is with the courier :(").comfort is None
    assert _reading(judge, "Glad it arrived in the end :)").comfort is not None


@pytest.mark.parametrize("reply", [
    "Your refund was issued on Monday.",  # near "As I already said, the refund takes five days."
    "You did the right thing calling us.",  # near "Well, you should have called us sooner."
])
def test_plain_information_near_a_dismissive_example_is_not_dismissive(judge, reply):
    judgement = judge.judge(reply, "Where is my refund? I've been waiting for weeks!")
    assert not [e for e in judgement.evidence if e.rule == "empathy.dismissive"], judgement.evidence


def test_dismissive_by_meaning_is_still_caught_without_the_listed_words(judge):
    reply = "Honestly, it's only a couple of pounds."  # no listed wording; means "calm down, it's only..."
    judgement = judge.judge(reply, "You've charged me twice for the same order!")
    assert [e for e in judgement.evidence if e.rule == "empathy.dismissive"], judgement.evidence
    assert judgement.level is EmpathyLevel.NONE


@pytest.mark.parametrize("reply", [
    "You can do it online in the app.",
    "Keep going down the menu until you hear Billing.",
    "Take care to use the new sort code.",
    "Are you okay to hold for a moment?",
    "Please reach out to the bank directly.",
    "It will be fine to pay next week.",
    "I'm with you in a moment, I'm just checking the order.",
    "I wish you had called us before the deadline.",
])
def test_instructions_that_share_words_with_encouragement_are_not_empathy(judge, reply):
    judgement = judge.judge(reply, "I need to sort out my account.")
    assert judgement.level is EmpathyLevel.NONE, judgement.evidence


@pytest.mark.parametrize("reply", ["You can do it!", "Keep going, mate.", "Take care and good luck.",
                                   "Are you okay?", "I wish you a speedy recovery."])
def test_the_same_words_closing_their_clause_are_encouragement(judge, reply):
    judgement = judge.judge(reply, "I've had the worst week and now my card's been declined.")
    assert judgement.level >= EmpathyLevel.WEAK, judgement.evidence
