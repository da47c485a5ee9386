"""Scores over time as one bar per call on a fixed 0-100 scale, coloured against the pass mark."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from simulator.ui.widgets._css import css_beside

BARS = "▁▂▃▄▅▆▇█"


def bar_for(score: float) -> str:
    return BARS[min(len(BARS) - 1, max(0, int(score / 100 * len(BARS))))]


class ScoreTrend(Widget):
    DEFAULT_CSS = css_beside(__file__)

    scores: reactive[tuple[float, ...]] = reactive(())
    pass_mark: reactive[float | None] = reactive(None)

    def render(self) -> Text:
        if not self.scores:
            return Text("—", style="dim")
        shown = self.scores[-max(1, self.size.width):]
        text = Text()
        for score in shown:
            passed = self.pass_mark is None or score >= self.pass_mark
            text.append(bar_for(score), style="green" if passed else "red")
        return text
