"""The scenario's knowledge cards, opened beside the transcript during a call (F8): the call goes
on while it is open, and the reply box keeps the focus."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.scenario.model import KnowledgeCard
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue
from simulator.ui.widgets._css import css_beside


def card_text(cards: tuple[KnowledgeCard, ...]) -> Text:
    text = Text()
    for card in cards:
        text.append(card.title + "\n", style="bold")
        text.append(card.text + "\n")
        facts = card.facts()
        if facts:
            text.append("; ".join(facts) + "\n", style="italic")
        text.append("\n")
    return text


class KnowledgePanel(Static):
    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, cards: tuple[KnowledgeCard, ...], say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(card_text(cards), **kwargs)  # the cards are the scenario's own words
        self.border_title = say("Knowledge cards (F8 closes)")
