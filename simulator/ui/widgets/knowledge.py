"""The scenario's knowledge cards, opened beside the transcript during a call (F8): the call goes
on while it is open, and the reply box keeps the focus."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from simulator.scenario.model import KnowledgeCard
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

    def __init__(self, cards: tuple[KnowledgeCard, ...], **kwargs) -> None:
        super().__init__(card_text(cards), **kwargs)
        self.border_title = "Knowledge cards (F8 closes)"
