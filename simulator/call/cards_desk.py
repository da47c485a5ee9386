"""Knowledge cards in a typed call (``callsim play --text``, ``callsim exam --text``): the trainee types
``/cards`` instead of pressing F8.  In practice the cards are shown and the opening is counted in the
call record (counted, never penalised), as in the app; in an exam they are refused, since the
policy facts are part of what is examined."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.record import LookupLog
from simulator.scenario.model import KnowledgeCard

EXAM_REFUSAL = "Knowledge cards are off in exams: the policy facts are part of what is examined."
NO_CARDS = "This scenario has no knowledge cards."


def cards_text(cards: Sequence[KnowledgeCard]) -> str:
    """The cards as plain lines: title, text, then the facts the scorecard checks promises against."""
    blocks = []
    for card in cards:
        facts = card.facts()
        shown_facts = [f"  ({'; '.join(facts)})"] if facts else []
        blocks.append("\n".join([f"  [{card.title}]", f"  {card.text}", *shown_facts]))
    return "--- knowledge cards ---\n" + "\n".join(blocks) + "\n--- back to the call ---"


class CardDesk:
    """Opens a scenario's cards in a practice call, logging each opening into ``lookups`` (which the
    call writes into its record at the end, exactly like the app's F8)."""

    def __init__(self, cards: Sequence[KnowledgeCard], lookups: LookupLog):
        self._cards = tuple(cards)
        self._lookups = lookups

    def __call__(self, answered: int) -> str:
        if not self._cards:
            return NO_CARDS
        self._lookups.add(after_turn=answered)
        return cards_text(self._cards)


def refuse_in_exam(answered: int) -> str:
    return EXAM_REFUSAL
