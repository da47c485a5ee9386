"""History: the trainee's scores over time per dimension, weakest steps, and star level."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from simulator.scoring.scorecard import Dimension
from simulator.ui.attempts import Attempt, weakest_steps
from simulator.ui.widgets.score_trend import ScoreTrend

SERIES = ("overall", *(d.value for d in Dimension))


def series(attempts: tuple[Attempt, ...], name: str) -> list[float]:
    if name == "overall":
        return [a.overall for a in attempts]
    values = (a.score(Dimension(name)) for a in attempts)
    return [v for v in values if v is not None]


def trend_label(name: str, values: list[float]) -> Text:
    text = Text(f"{name:<11}", style="bold")
    if not values:
        text.append("no scores yet", style="dim")
        return text
    text.append(f"last {values[-1]:3.0f}  best {max(values):3.0f}  ({len(values)} calls)")
    return text


def pass_mark(attempts: tuple[Attempt, ...], name: str) -> float | None:
    """The latest call's pass mark for this series (marks can differ per scenario)."""
    if not attempts:
        return None
    card = attempts[-1].scorecard
    return card.pass_mark if name == "overall" else card.dimension(Dimension(name)).pass_mark


class HistoryScreen(Screen):
    CSS_PATH = "history.tcss"
    TITLE = "History"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        trainee = self.app.context.trainee
        self.sub_title = trainee.name if trainee else ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="history-body"):
            yield Label("Scores over time, one bar per call (oldest → newest; red: below the pass mark)", classes="heading")
            for name in SERIES:
                with Horizontal(classes="trend"):
                    yield Static("", id=f"label-{name}", classes="trend-label")
                    yield ScoreTrend(id=f"trend-{name}")
            with Horizontal(id="history-lower"):
                with Vertical(id="weakest-box"):
                    yield Label("Weakest steps", classes="heading")
                    yield Static("", id="weakest")
                with Vertical(id="level-box"):
                    yield Label("Star level", classes="heading")
                    yield Static("", id="level")
        yield Footer()

    def on_mount(self) -> None:
        context = self.app.context
        attempts = context.attempts()
        for name in SERIES:
            values = series(attempts, name)
            self.query_one(f"#label-{name}", Static).update(trend_label(name, values))
            trend = self.query_one(f"#trend-{name}", ScoreTrend)
            trend.pass_mark = pass_mark(attempts, name)
            trend.scores = tuple(values)
        weakest = weakest_steps(attempts)
        self.query_one("#weakest", Static).update(
            "\n".join(f"• {desc}: missed {missed}/{asked}" for desc, missed, asked in weakest)
            if weakest else Text("No missed steps yet." if attempts else "Take a call to see your weak spots.",
                                 style="dim"))
        self.query_one("#level", Static).update(self._level_text(attempts))

    def _level_text(self, attempts: tuple[Attempt, ...]) -> Text:
        passed = sum(a.scorecard.passed for a in attempts)
        text = Text(f"{len(attempts)} calls, {passed} passed.\n")
        text.append("Star levels arrive with the service lab.", style="dim")
        return text
