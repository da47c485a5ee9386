"""Honours: every honour in the lab (first to each star level, streaks, most improved this month,
best team), the trainee's own and their team's first, each with the calls it rests on."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static


def honours_text(honours: tuple[tuple[bool, str], ...]) -> Text:
    if not honours:
        return Text("No honours yet: pass calls in a row, reach a star level, or improve over a month.",
                    style="dim")
    text = Text()
    for mine, line in sorted(honours, key=lambda honour: not honour[0]):
        text.append(("★ " if mine else "  ") + line + "\n", style="bold" if mine else "")
    return text


class HonoursScreen(Screen):
    CSS_PATH = "honours.tcss"
    TITLE = "Honours"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, honours: tuple[tuple[bool, str], ...]) -> None:
        super().__init__()
        self.honours = honours

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="honours-body"):
            yield Label("Honours, computed from the stored calls; ★ yours or your team's. "
                        "`callsim history` shows any call id named here.", classes="heading")
            yield Static(honours_text(self.honours), id="honours")
        yield Footer()
