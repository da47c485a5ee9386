"""History: the trainee's scores over time per dimension, weakest steps, star level and the next."""

from __future__ import annotations

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from simulator.ui.host import CallsimHost
from simulator.ui.progress import SERIES, Progress
from simulator.ui.widgets.score_trend import ScoreTrend


def trend_label(name: str, values: tuple[float, ...], best_passed: float | None) -> Text:
    """Last score and the best among *passed* calls ("-" until one passes): the bars show every call."""
    text = Text(f"{name:<11}", style="bold")
    if not values:
        text.append("no scores yet", style="dim")
        return text
    calls = f"{len(values)} call" + ("" if len(values) == 1 else "s")
    best = "  -" if best_passed is None else f"{best_passed:3.0f}"
    text.append(f"last {values[-1]:3.0f}  best passed {best}  ({calls})")
    return text


def level_text(progress: Progress) -> Text:
    text = Text(f"{progress.calls} call{'' if progress.calls == 1 else 's'}, {progress.passed} passed.\n")
    stars = progress.stars
    if stars is not None:
        text.append("★" * stars.stars + "☆" * (5 - stars.stars), style="bold yellow")
        text.append(f"  {stars.stars}/5 stars")
        if stars.certified_stars:
            text.append(f", certified to {stars.certified_stars}")
        text.append("\n")
        if stars.next_title is None:
            text.append("Top of the ladder.\n", style="green")
        else:
            text.append(f"Next: {stars.next_title}\n", style="bold")
            for need in stars.next_needs:
                text.append(f" • {need}\n")
        if stars.exam_available:
            text.append("An exam is open to you: callsim exam STARS --trainee NAME\n", style="italic")
    if progress.recommendation:
        text.append("Practise next: ", style="bold")
        text.append(progress.recommendation + "\n")
    for note in progress.notes:
        text.append(note + "\n", style="dim")
    return text


def honours_summary(progress: Progress) -> Text:
    if not progress.honours:
        return Text("No honours in the lab yet.", style="dim")
    mine = sum(held for held, _ in progress.honours)
    return Text(f"{len(progress.honours)} honour(s) in the lab, {mine} yours or your team's: press h to see them.")


class HistoryScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "history.tcss"
    TITLE = "History"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("h", "honours", "Honours")]

    def __init__(self) -> None:
        super().__init__()
        trainee = self.app.context.trainee
        self.sub_title = trainee.name if trainee else ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="history-body"):
            yield Label("Scores over time, one bar per call (oldest → newest; red: below the pass mark)",
                        classes="heading")
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
            yield Static("", id="honours-summary")
            yield Label("Calls a trainer reviewed (Enter: results with their notes)", classes="heading")
            yield OptionList(id="reviewed-calls")
        yield Footer()

    def on_mount(self) -> None:
        progress = self.progress = self.app.context.progress()
        for name in SERIES:
            values = progress.series.get(name, ())
            self.query_one(f"#label-{name}", Static).update(trend_label(name, values, progress.best_passed.get(name)))
            trend = self.query_one(f"#trend-{name}", ScoreTrend)
            trend.pass_mark = progress.pass_marks.get(name)
            trend.scores = values
        self.query_one("#weakest", Static).update(
            "\n".join(f"• {desc}: missed {missed}/{offered}" for desc, missed, offered in progress.weakest)
            if progress.weakest else Text("No missed steps yet." if progress.calls
                                          else "Take a call to see your weak spots.", style="dim"))
        self.query_one("#level", Static).update(level_text(progress))
        self.query_one("#honours-summary", Static).update(honours_summary(progress))
        reviewed = self.query_one("#reviewed-calls", OptionList)
        for call in self.app.context.reviewed_calls():
            by = f"reviewed by {', '.join(call.reviewed_by)}" if call.reviewed_by else "not rescored"
            score = "-" if call.overall is None else f"{call.overall:.1f}"
            reviewed.add_option(Option(f"{call.started_at[:16]}  {call.scenario_id}  {score}  {by}, "
                                       f"{call.notes} note(s)", id=call.call_id))
        if not reviewed.option_count:
            reviewed.add_option(Option(Text("No reviewed calls yet.", style="dim"), disabled=True))

    @on(OptionList.OptionSelected, "#reviewed-calls")
    def _open_call(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.show_stored_call(event.option.id)

    def action_honours(self) -> None:
        from simulator.ui.screens.honours import HonoursScreen

        self.app.push_screen(HonoursScreen(self.progress.honours))
