"""Promises against knowledge cards, on many phrasings written for this test (typed and speech-
recogniser style: numbers as words, no punctuation), in both directions: out-of-policy promises are
found and quoted beside the card, in-policy ones and promises taken back are not flagged."""

from __future__ import annotations

import pytest

from simulator.analysis.promises import PromiseKind, normalise_speech, read_promises
from simulator.scenario.model import KnowledgeCard
from simulator.scoring.policy import breach

REFUND = KnowledgeCard.model_validate({
    "id": "refund-timescale", "title": "Refund timescale", "text": "Refunds reach the card in 3-5 working days.",
    "about": ["refund", "money", "back in your account", "back on your card"],
    "takes": {"min": 3, "max": 5, "unit": "working_days"}})
FEE = KnowledgeCard.model_validate({
    "id": "cancellation-fee", "title": "Cancellation fee", "text": "Cancelling costs 25 GBP; it cannot be waived.",
    "about": ["fee", "charge", "cost", "pay", "free", "waive"],
    "fee": {"amount": 25, "currency": "GBP", "waivable": False}})
WAIVABLE = FEE.model_copy(update={"id": "late-fee", "fee": FEE.fee.model_copy(update={"waivable": True})})
CREDIT = KnowledgeCard.model_validate({
    "id": "goodwill", "title": "Goodwill credit", "text": "Agents may offer up to 20 GBP goodwill credit.",
    "about": ["credit", "goodwill", "gesture", "compensation"], "offer_up_to": {"amount": 20, "currency": "GBP"}})
CARDS = (REFUND, FEE, CREDIT)


def breaches(reply: str, cards: tuple[KnowledgeCard, ...] = CARDS) -> list[tuple[str, str, str]]:
    return [(card.id, promise.clause, why) for promise in read_promises(reply) for card in cards
            if (why := breach(card, promise)) is not None]


OUT_OF_POLICY = [
    ("I've processed the refund. It'll be back today.", "refund-timescale", "It'll be back today."),
    ("I've processed the refund, it'll be back in your account today", "refund-timescale", "it'll be back in"),
    ("You'll have your money back tomorrow.", "refund-timescale", "You'll have your money back tomorrow."),
    ("The refund will reach you within forty eight hours.", "refund-timescale", "within forty eight hours"),
    ("I promise the refund will be there by the end of the day.", "refund-timescale", "end of the day"),
    ("the refund should land within the hour", "refund-timescale", "within the hour"),
    ("You'll see the money in a couple of days.", "refund-timescale", "couple of days"),
    ("ive done the refund and itll be back in your account tomorrow", "refund-timescale", "tomorrow"),
    ("ok so the refund is going to be with you in two days", "refund-timescale", "in two days"),
    ("You will get your money straight away.", "refund-timescale", "straight away"),
    ("The refund will show within 24 hours.", "refund-timescale", "within 24 hours"),
    ("We'll get the money to you overnight.", "refund-timescale", "overnight"),
    ("I'll get the money back to you today.", "refund-timescale", "today"),
    ("The refund will be with you in 1-2 working days.", "refund-timescale", "1-2 working days"),
    ("I'll waive the cancellation fee for you.", "cancellation-fee", "waive the cancellation fee"),
    ("There won't be any charge for cancelling.", "cancellation-fee", "won't be any charge"),
    ("You won't have to pay the fee.", "cancellation-fee", "won't have to pay"),
    ("dont worry its free of charge", "cancellation-fee", "free of charge"),
    ("We can cancel that at no extra cost.", "cancellation-fee", "at no extra cost"),
    ("I'll take the fee off for you.", "cancellation-fee", "take the fee off"),
    ("I'll credit you fifty pounds as a goodwill gesture.", "goodwill", "fifty pounds"),
    ("I can offer £35 compensation.", "goodwill", "£35"),
    ("i will add a goodwill credit of a hundred and twenty pounds", "goodwill", "hundred and twenty"),
]


@pytest.mark.parametrize(("reply", "card_id", "quoted"), OUT_OF_POLICY)
def test_out_of_policy_promises_are_found_and_quoted(reply: str, card_id: str, quoted: str) -> None:
    found = breaches(reply)
    assert [card for card, _, _ in found] == [card_id], found
    [(_, clause, why)] = found
    assert quoted.lower() in clause.lower()  # the clause with the promise, not the whole reply
    assert clause in reply  # the trainee's own words, as said
    assert "sooner than" in why or "cannot be waived" in why or "more than" in why


IN_POLICY = [
    "The refund will take three to five working days.",
    "I've done the refund. It'll be back in your account within 5 working days.",
    "You'll have the money back within a week.",
    "It'll be back on your card within three working days.",
    "I can't promise the refund will be back today.",
    "I can't promise that, but the refund will take three to five working days.",
    "The refund might be back tomorrow, but it can take up to five working days.",
    "Will my refund be back today?",
    "Hopefully the money will be back in three days.",
    "You'll get a confirmation email today.",
    "I'll call you back tomorrow to check it arrived.",
    "I'm afraid I can't waive the fee.",
    "Unfortunately the fee cannot be waived.",
    "There is a twenty five pound fee for cancelling.",
    "I'm not able to remove the charge, I'm sorry.",
    "I'll add a fifteen pound credit as a goodwill gesture.",
    "I can't offer fifty pounds compensation, but I can offer twenty.",
    "You were charged sixty four pounds twice, I can see that.",
    "You'll get a text with a one hour delivery window.",
    "I'm sorry about the refund, I'll look into it for you right now.",
    "I'll process the refund today, and it'll take three to five working days to reach you.",
    "Let me check the refund straight away.",
    "We'll send the refund request within the hour.",
    "I understand how frustrating this is, I'm sorry.",
]


@pytest.mark.parametrize("reply", IN_POLICY)
def test_in_policy_and_taken_back_promises_are_not_flagged(reply: str) -> None:
    assert breaches(reply) == []


def test_a_waivable_fee_may_be_waived() -> None:
    assert breaches("I'll waive the late fee for you.", (WAIVABLE,)) == []
    assert breaches("I'll waive the late fee for you.", (FEE,)) != []


def test_the_reason_quotes_the_promise_and_the_card() -> None:
    [(_, clause, why)] = breaches("I've processed the refund. It'll be back today.")
    assert clause == "It'll be back today."
    assert why == '"today" means within the same day, sooner than the 3-5 working days the card allows'


@pytest.mark.parametrize(("said", "normal"), [
    ("It'll be back in forty-eight hours", "it will be back in 48 hours"),
    ("a hundred and twenty pounds", "120 pounds"),
    ("£12.50 credit", "12.50 pounds credit"),
    ("within the hour", "within the hour"),
    ("in an hour or two", "in 1 hour or 2"),
    ("twenty one days", "21 days"),
    ("3-5 working days", "3 to 5 working days"),
])
def test_speech_is_read_with_numbers_as_digits(said: str, normal: str) -> None:
    assert normalise_speech(said) == normal


def test_the_latest_reading_of_a_time_is_kept() -> None:
    [promise] = read_promises("It will take three to five working days.")
    assert promise.kind == PromiseKind.TIME and promise.latest_days == 5.0
    [promise] = read_promises("You'll have it within 48hrs.")
    assert promise.latest_days == 2.0
    [promise] = read_promises("You'll have it next week.")
    assert promise.latest_days == 14.0
