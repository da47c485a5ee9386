"""Live coaching from the scorers' turn analysis (hidden in exam mode)."""

from __future__ import annotations

from textual.widgets import Static

from simulator.ui.i18n import ENGLISH_TEXT, Catalogue
from simulator.ui.widgets._css import css_beside


class HintsPanel(Static):
    DEFAULT_CSS = css_beside(__file__)

    def __init__(self, say: Catalogue = ENGLISH_TEXT, **kwargs) -> None:
        super().__init__(say("Hints appear after your first reply."), markup=False, **kwargs)
        self.say = say
        self.border_title = say("Coaching")
        self.lines: list[str] = []

    def show_lines(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.update("\n".join(lines) if lines else self.say("No hints."))
