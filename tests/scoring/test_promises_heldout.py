"""Held-out phrasings for the promise reader: weekdays ("by Friday"), promises hedged with "should" or
"could", and "the next week".  Written before the rules that read them and kept apart from
``test_promises.py`` (the phrasings the rules were tuned on); the before/after counts on this set are
in docs/scoring.md ("Promises against knowledge cards").

Decision (documented there): "should" and "could" about the outcome are promises to a customer ("it
should be back today" sets the same expectation as "it will"); "might", "may", "hopefully" and the
other hedges still take a promise back.  A weekday is read against the day the call was made (a
Thursday here): "by Friday" is 1 day away; without the call's date it is the latest it can mean, 7 days.
"""

from __future__ import annotations

from datetime import date

import pytest

from simulator.analysis.promises import read_promises
from simulator.scenario.model import KnowledgeCard
from simulator.scoring.policy import breach

REFUND = KnowledgeCard.model_validate({
    "id": "refund-timescale", "title": "Refund timescale", "text": "Refunds reach the card in 3-5 working days.",
    "about": ["refund", "money", "back in your account"], "takes": {"min": 3, "max": 5, "unit": "working_days"}})
REPLACEMENT = KnowledgeCard.model_validate({
    "id": "replacement-card", "title": "Replacement card", "text": "A replacement card arrives in 10-14 days.",
    "about": ["replacement", "new card"], "takes": {"min": 10, "max": 14, "unit": "days"}})
CREDIT = KnowledgeCard.model_validate({
    "id": "goodwill", "title": "Goodwill credit", "text": "Agents may offer up to 20 GBP goodwill credit.",
    "about": ["credit", "goodwill"], "offer_up_to": {"amount": 20, "currency": "GBP"}})
CARDS = (REFUND, REPLACEMENT, CREDIT)
THURSDAY = date(2026, 12, 3)

# (reply, the card it breaks or None)
HELD_OUT = [
    # weekdays, said on a Thursday
    ("The refund will be back in your account by Friday.", "refund-timescale"),
    ("You'll have the money back on Saturday.", "refund-timescale"),
    ("your money will be back friday", "refund-timescale"),
    ("The refund will be with you on Monday.", None),
    ("the refund will be back next tuesday", None),
    ("Your refund will reach you by Wednesday.", None),
    ("I'll process the refund on Friday.", None),
    ("I can't promise the money will be back by Friday.", None),
    # hedged with should / could
    ("It should be back in your account today.", "refund-timescale"),
    ("The refund should reach you tomorrow.", "refund-timescale"),
    ("The money could be back with you tomorrow.", "refund-timescale"),
    ("We could have the refund back to you by Friday.", "refund-timescale"),
    ("you could get fifty pounds credit as a goodwill gesture", "goodwill"),
    ("It might be back tomorrow but the refund can take up to five working days.", None),
    ("The refund should hopefully be back today.", None),
    ("It shouldn't take longer than five working days for the refund.", None),
    ("I could check the refund for you today.", None),
    ("the refund should take three to five working days", None),
    # the next week
    ("Your replacement card will arrive within the next week.", "replacement-card"),
    ("The new card will be with you in the next week.", "replacement-card"),
    ("The replacement will arrive over the next week.", "replacement-card"),
    ("Your replacement card will arrive within the week.", "replacement-card"),
    ("The replacement card will arrive next week.", None),
    ("The refund will be back next week.", None),
    ("Your replacement card will arrive in two weeks.", None),
    ("The replacement will arrive by the end of next week.", None),
]


def broken_cards(reply: str, said_on: date | None = THURSDAY) -> list[str]:
    return [card.id for promise in read_promises(reply, said_on=said_on) for card in CARDS
            if breach(card, promise) is not None]


@pytest.mark.parametrize(("reply", "card_id"), HELD_OUT)
def test_held_out_phrasings(reply: str, card_id: str | None) -> None:
    assert broken_cards(reply) == ([card_id] if card_id else [])


def test_a_weekday_without_the_call_date_is_the_latest_it_can_mean() -> None:
    [promise] = read_promises("The refund will be back by Friday.")
    assert promise.latest_days == 7.0
    [promise] = read_promises("The refund will be back by Friday.", said_on=date(2026, 12, 4))  # a Friday
    assert promise.latest_days == 7.0  # "by Friday" on a Friday may mean next Friday: the latest is kept
    [promise] = read_promises("The refund will be back next Friday.", said_on=THURSDAY)
    assert promise.latest_days == 8.0
