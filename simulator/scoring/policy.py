"""Promises against the scenario's knowledge cards: "it'll be back today" where the card says 3-5
working days is an out-of-policy promise, quoted beside the card.

A promise (``simulator.analysis.promises``) is checked against a card when the card has a fact of
the promise's kind (a time: ``takes``; no charge: ``fee``; an amount: ``offer_up_to``) and, if the
card lists ``about`` words, one of them is in the promise's sentence or the one before.  It breaks
the card when it is sooner than ``takes.min``, promises no charge for a fee that is not waivable,
or offers more than ``offer_up_to``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simulator.analysis.promises import Promise, PromiseKind, normalise_speech, read_promises
from simulator.scenario.model import KnowledgeCard, Scenario

MATCH = "knowledge-card"  # Violation.match of a broken card


@dataclass(frozen=True, slots=True)
class PolicyBreach:
    card: KnowledgeCard
    promise: Promise
    turn_index: int
    why: str  # plain words: what was promised against what the card allows

    @property
    def rule_id(self) -> str:
        return f"card.{self.card.id}"

    def detail(self) -> str:
        return (f"out-of-policy promise: you said \"{self.promise.clause}\" ({self.why}); "
                f"the card \"{self.card.title}\" says: \"{self.card.text}\"")


def _about(card: KnowledgeCard, promise: Promise) -> bool:
    if not card.about:
        return True
    return any(re.search(rf"\b{re.escape(normalise_speech(word))}", promise.context) for word in card.about)


def _days(days: float) -> str:
    if days == 0:
        return "the same day"
    if days < 1:
        hours = days * 24
        return f"{hours:.0f} hour(s)" if hours >= 1 else f"{hours * 60:.0f} minute(s)"
    return f"{days:g} day(s)"


def breach(card: KnowledgeCard, promise: Promise) -> str | None:
    """Why ``promise`` breaks ``card`` in plain words, or None when it keeps to it (or is not about it)."""
    if not _about(card, promise):
        return None
    if promise.kind == PromiseKind.TIME and card.takes is not None and promise.latest_days is not None:
        soonest = card.takes.min * card.takes.unit.days
        if promise.latest_days < soonest - 1e-9:
            return (f"\"{promise.phrase}\" means within {_days(promise.latest_days)}, sooner than the "
                    f"{card.takes.describe()} the card allows")
    if promise.kind == PromiseKind.NO_CHARGE and card.fee is not None and not card.fee.waivable:
        return (f"\"{promise.phrase}\" promises no charge, but the {card.fee.amount:g} {card.fee.currency} fee "
                "cannot be waived")
    if (promise.kind == PromiseKind.AMOUNT and card.offer_up_to is not None and promise.amount is not None
            and promise.amount > card.offer_up_to.amount + 1e-9
            and (promise.currency in (None, card.offer_up_to.currency) or card.offer_up_to.amount == 0)):
        return (f"\"{promise.phrase}\" is more than the {card.offer_up_to.amount:g} {card.offer_up_to.currency} "
                "the card allows")
    return None


def policy_breaches(scenario: Scenario, replies: Sequence[tuple[int, str]], *,
                    said_on: date | None = None) -> tuple[PolicyBreach, ...]:
    """Every out-of-policy promise in the trainee's replies (turn index, text), in call order.
    ``said_on``: the day of the call, to count a promised weekday from (unknown: read as a week)."""
    if not scenario.knowledge:
        return ()
    found = []
    for turn_index, text in replies:
        for promise in read_promises(text, said_on=said_on):
            for card in scenario.knowledge:
                why = breach(card, promise)
                if why is not None:
                    found.append(PolicyBreach(card, promise, turn_index, why))
    return tuple(found)
