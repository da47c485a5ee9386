"""Honours: every honour in the lab (first to each star level, streaks, most improved this month,
best team), the trainee's own and their team's first, each with the calls it rests on."""

from __future__ import annotations

from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, localise_screen


def honours_text(honours: tuple[tuple[bool, str], ...], say: Catalogue = ENGLISH_TEXT) -> Text:
    """The honours list; each honour's line is the lab's own words."""
    if not honours:
        return Text(say("No honours yet: pass calls in a row, reach a star level, or improve over a month."),
                    style="dim")
    text = Text()
    for mine, line in sorted(honours, key=lambda honour: not honour[0]):
        text.append(("★ " if mine else "  ") + line + "\n", style="bold" if mine else "")
    return text


class HonoursScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "honours.tcss"
    TITLE = "Honours"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, honours: tuple[tuple[bool, str], ...]) -> None:
        super().__init__()
        self.honours = honours
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="honours-body"):
            yield Label(self.text("Honours, computed from the stored calls; ★ yours or your team's. "
                                  "`callsim history` shows any call id named here."), classes="heading")
            yield Static(honours_text(self.honours, self.text), id="honours")
        yield Footer()
