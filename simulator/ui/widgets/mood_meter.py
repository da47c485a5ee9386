"""The customer's anger 0..100 as a bar that changes colour as they calm down or boil over."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, message_id
from simulator.ui.widgets._css import css_beside

BAR_CELLS = 20


def mood_word(anger: int) -> str:
    if anger >= 70:
        return message_id("furious")
    if anger >= 45:
        return message_id("angry")
    if anger > 25:
        return message_id("tense")
    return message_id("calm")


class MoodMeter(Widget):
    DEFAULT_CSS = css_beside(__file__)

    anger: reactive[int] = reactive(0)
    change: reactive[int] = reactive(0)

    def __init__(self, say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.say = say

    def render(self) -> Text:
        filled = round(self.anger / 100 * BAR_CELLS)
        word = mood_word(self.anger)
        style = {"calm": "green", "tense": "yellow", "angry": "dark_orange", "furious": "bold red"}[word]
        text = Text(self.say("Mood "))
        text.append("█" * filled, style=style)
        text.append("░" * (BAR_CELLS - filled), style="dim")
        text.append(f" {self.anger:3d} {self.say(word)}", style=style)
        if self.change:
            text.append(f" ({self.change:+d})", style="red" if self.change > 0 else "green")
        return text

    def set_mood(self, anger: int, change: int = 0) -> None:
        self.anger = max(0, min(100, anger))
        self.change = change
