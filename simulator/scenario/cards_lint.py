"""Linter checks for a scenario's knowledge cards: ranges that make no sense, cards no promise could
break, and cards whose promises cannot be told apart."""

from __future__ import annotations

from collections.abc import Callable

from simulator.scenario.diagnostics import Level
from simulator.scenario.model import KnowledgeCard, Scenario
from simulator.scenario.yamlsource import PathKey

Report = Callable[[Level, str, PathKey, str, str | None], None]
LONGEST_DAYS = 366  # a timescale longer than a year is almost surely the wrong unit


def _facts(card: KnowledgeCard) -> dict[str, bool]:
    """The card's checkable facts and whether a promise could break each."""
    facts = {}
    if card.takes is not None:
        facts["takes"] = card.takes.min > 0
    if card.fee is not None:
        facts["fee"] = not card.fee.waivable
    if card.offer_up_to is not None:
        facts["offer_up_to"] = True
    return facts


def _check_timescale(card: KnowledgeCard, path: PathKey, report: Report) -> None:
    takes = card.takes
    if takes is None:
        return
    if takes.max is not None and takes.max < takes.min:
        report(Level.ERROR, "card.range", (*path, "takes", "max"),
               f"card {card.id!r}: takes max {takes.max:g} is below min {takes.min:g}",
               "write the range as min: SOONEST, max: LATEST")
    longest = (takes.max if takes.max is not None else takes.min) * takes.unit.days
    if longest > LONGEST_DAYS:
        report(Level.WARNING, "card.range", (*path, "takes"),
               f"card {card.id!r}: {takes.describe()} is longer than a year", "check the unit")


def check_cards(scenario: Scenario, report: Report) -> None:
    for index, card in enumerate(scenario.knowledge):
        path: PathKey = ("knowledge", index)
        _check_timescale(card, path, report)
        facts = _facts(card)
        if not any(facts.values()):
            why = ("it has no takes, fee or offer_up_to" if not facts else
                   "; ".join({"takes": "takes.min is 0, so no time is too soon",
                              "fee": "its fee is waivable, so promising no charge is allowed"}[f] for f in facts))
            report(Level.WARNING, "card.unbreakable", path,
                   f"no promise can break card {card.id!r}: {why}",
                   "give takes.min above 0, a fee with waivable: false, or offer_up_to; a card meant as reference "
                   "text only can stay")
    for fact in ("takes", "fee", "offer_up_to"):
        sharing = [(i, c) for i, c in enumerate(scenario.knowledge) if getattr(c, fact) is not None]
        if len(sharing) < 2:
            continue
        for index, card in sharing:
            if not card.about:
                others = ", ".join(repr(c.id) for _, c in sharing if c is not card)
                report(Level.WARNING, "card.catch-all", ("knowledge", index),
                       f"card {card.id!r} has no 'about' words, so every {fact} promise is checked against it, "
                       f"including those meant for {others}", "list the words that tie a promise to this card")
