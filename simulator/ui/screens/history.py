"""History: the trainee's scores over time per dimension, weakest steps, star level and the next."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from simulator.ui.evidence import dimension_name
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, bullet, localise_screen, message_id
from simulator.ui.progress import SERIES, Progress
from simulator.ui.widgets.score_trend import ScoreTrend

OVERALL = message_id("overall")
NAME_CELLS = 11  # the bars start in one column whatever the language (a Chinese character is 2 cells)


def series_name(name: str, say: Catalogue = ENGLISH_TEXT) -> str:
    return say(OVERALL) if name == OVERALL else dimension_name(name, say)


def trend_label(name: str, values: tuple[float, ...], best_passed: float | None,
                say: Catalogue = ENGLISH_TEXT) -> Text:
    """Last score and the best among *passed* calls ("-" until one passes): the bars show every call."""
    shown = series_name(name, say)
    text = Text(shown + " " * max(0, NAME_CELLS - cell_len(shown)), style="bold")
    if not values:
        text.append(say("no scores yet"), style="dim")
        return text
    calls = say("1 call") if len(values) == 1 else say("{count} calls", count=len(values))
    best = "  -" if best_passed is None else f"{best_passed:3.0f}"
    text.append(say("last {score}  best passed {best}  ({calls})", score=f"{values[-1]:3.0f}", best=best,
                    calls=calls))
    return text


def level_text(progress: Progress, say: Catalogue = ENGLISH_TEXT) -> Text:
    calls = say("1 call") if progress.calls == 1 else say("{count} calls", count=progress.calls)
    text = Text(say("{calls}, {passed} passed.", calls=calls, passed=progress.passed) + "\n")
    stars = progress.stars
    if stars is not None:  # the ladder's titles and needs are the lab's own words
        text.append("★" * stars.stars + "☆" * (5 - stars.stars), style="bold yellow")
        text.append(say("  {stars}/5 stars", stars=stars.stars))
        if stars.certified_stars:
            text.append(say(", certified to {stars}", stars=stars.certified_stars))
        text.append("\n")
        if stars.next_title is None:
            text.append(say("Top of the ladder.") + "\n", style="green")
        else:
            text.append(say("Next: {title}", title=stars.next_title) + "\n", style="bold")
            for need in stars.next_needs:
                text.append(bullet(need, " ") + "\n")
        if stars.exam_available:
            text.append(say("An exam is open to you: callsim exam STARS --trainee NAME") + "\n", style="italic")
    if progress.recommendation:
        text.append(say("Practise next: "), style="bold")
        text.append(say.message(progress.recommendation) + "\n")
    for note in progress.notes:
        text.append(say.message(note) + "\n", style="dim")
    return text


def honours_summary(progress: Progress, say: Catalogue = ENGLISH_TEXT) -> Text:
    if not progress.honours:
        return Text(say("No honours in the lab yet."), style="dim")
    mine = sum(held for held, _ in progress.honours)
    return Text(say("{count} honour(s) in the lab, {mine} yours or your team's: press h to see them.",
                    count=len(progress.honours), mine=mine))


class HistoryScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "history.tcss"
    TITLE = "History"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("h", "honours", "Honours")]

    def __init__(self) -> None:
        super().__init__()
        trainee = self.app.context.trainee
        self.sub_title = trainee.name if trainee else ""
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="history-body"):
            yield Label(self.text("Scores over time, one bar per call (oldest → newest; red: below the pass mark)"),
                        classes="heading")
            for name in SERIES:
                with Horizontal(classes="trend"):
                    yield Static("", id=f"label-{name}", classes="trend-label")
                    yield ScoreTrend(id=f"trend-{name}")
            with Horizontal(id="history-lower"):
                with Vertical(id="weakest-box"):
                    yield Label(self.text("Weakest steps"), classes="heading")
                    yield Static("", id="weakest")
                with Vertical(id="level-box"):
                    yield Label(self.text("Star level"), classes="heading")
                    yield Static("", id="level")
            yield Static("", id="honours-summary")
            yield Label(self.text("Calls a trainer reviewed (Enter: results with their notes)"), classes="heading")
            yield OptionList(id="reviewed-calls")
        yield Footer()

    def on_mount(self) -> None:
        say = self.text
        progress = self.progress = self.app.context.progress()
        for name in SERIES:
            values = progress.series.get(name, ())
            self.query_one(f"#label-{name}", Static).update(
                trend_label(name, values, progress.best_passed.get(name), say))
            trend = self.query_one(f"#trend-{name}", ScoreTrend)
            trend.pass_mark = progress.pass_marks.get(name)
            trend.scores = values
        self.query_one("#weakest", Static).update(
            "\n".join(bullet(say("{step}: missed {missed}/{offered}", step=desc, missed=missed, offered=offered))
                      for desc, missed, offered in progress.weakest)
            if progress.weakest else Text(say("No missed steps yet.") if progress.calls
                                          else say("Take a call to see your weak spots."), style="dim"))
        self.query_one("#level", Static).update(level_text(progress, say))
        self.query_one("#honours-summary", Static).update(honours_summary(progress, say))
        reviewed = self.query_one("#reviewed-calls", OptionList)
        for call in self.app.context.reviewed_calls():
            by = say("reviewed by {names}", names=", ".join(call.reviewed_by)) if call.reviewed_by \
                else say("not rescored")
            score = "-" if call.overall is None else f"{call.overall:.1f}"
            reviewed.add_option(Option(f"{call.started_at[:16]}  {call.scenario_id}  {score}  {by}"
                                       + say(", {count} note(s)", count=call.notes), id=call.call_id))
        if not reviewed.option_count:
            reviewed.add_option(Option(Text(say("No reviewed calls yet."), style="dim"), disabled=True))

    @on(OptionList.OptionSelected, "#reviewed-calls")
    def _open_call(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.show_stored_call(event.option.id)

    def action_honours(self) -> None:
        from simulator.ui.screens.honours import HonoursScreen

        self.app.push_screen(HonoursScreen(self.progress.honours))
