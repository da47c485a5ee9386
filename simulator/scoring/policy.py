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
from simulator.scenario.model import KnowledgeCard, Scenario, Timescale
from simulator.scoring.wording import ENGLISH, Wording

MATCH = "knowledge-card"  # Violation.match of a broken card


@dataclass(frozen=True, slots=True)
class PolicyBreach:
    card: KnowledgeCard
    promise: Promise
    turn_index: int
    why: str  # plain words, in the call's language: what was promised against what the card allows

    @property
    def rule_id(self) -> str:
        return f"card.{self.card.id}"

    def detail(self, words: Wording = ENGLISH) -> str:
        return words("policy.detail", clause=self.promise.clause, why=self.why, title=self.card.title,
                     text=self.card.text)


def _about(card: KnowledgeCard, promise: Promise) -> bool:
    if not card.about:
        return True
    return any(re.search(rf"\b{re.escape(normalise_speech(word))}", promise.context) for word in card.about)


def _days(days: float, words: Wording) -> str:
    if days == 0:
        return words("days.same_day")
    if days < 1:
        hours = days * 24
        return words("days.hours", hours=hours) if hours >= 1 else words("days.minutes", minutes=hours * 60)
    return words("days.days", days=days)


def describe_takes(takes: Timescale, words: Wording) -> str:
    """How long the card says it takes (``Timescale.describe`` in the call's language)."""
    unit = words(f"unit.{takes.unit.value}")
    if takes.max is None:
        return words("takes.at_least", min=takes.min, unit=unit)
    if takes.max == takes.min:
        return words("takes.exactly", min=takes.min, unit=unit)
    return words("takes.range", min=takes.min, max=takes.max, unit=unit)


def breach(card: KnowledgeCard, promise: Promise, words: Wording = ENGLISH) -> str | None:
    """Why ``promise`` breaks ``card`` in plain words, or None when it keeps to it (or is not about it)."""
    if not _about(card, promise):
        return None
    if promise.kind == PromiseKind.TIME and card.takes is not None and promise.latest_days is not None:
        soonest = card.takes.min * card.takes.unit.days
        if promise.latest_days < soonest - 1e-9:
            return words("policy.sooner", phrase=promise.phrase, within=_days(promise.latest_days, words),
                         allowed=describe_takes(card.takes, words))
    if promise.kind == PromiseKind.NO_CHARGE and card.fee is not None and not card.fee.waivable:
        return words("policy.no_charge", phrase=promise.phrase, amount=card.fee.amount, currency=card.fee.currency)
    if (promise.kind == PromiseKind.AMOUNT and card.offer_up_to is not None and promise.amount is not None
            and promise.amount > card.offer_up_to.amount + 1e-9
            and (promise.currency in (None, card.offer_up_to.currency) or card.offer_up_to.amount == 0)):
        return words("policy.too_much", phrase=promise.phrase, amount=card.offer_up_to.amount,
                     currency=card.offer_up_to.currency)
    return None


def policy_breaches(scenario: Scenario, replies: Sequence[tuple[int, str]], *,
                    said_on: date | None = None, words: Wording = ENGLISH) -> tuple[PolicyBreach, ...]:
    """Every out-of-policy promise in the trainee's replies (turn index, text), in call order.
    ``said_on``: the day of the call, to count a promised weekday from (unknown: read as a week);
    ``words``: the language the reasons are written in."""
    if not scenario.knowledge:
        return ()
    found = []
    for turn_index, text in replies:
        for promise in read_promises(text, said_on=said_on):
            for card in scenario.knowledge:
                why = breach(card, promise, words)
                if why is not None:
                    found.append(PolicyBreach(card, promise, turn_index, why))
    return tuple(found)
