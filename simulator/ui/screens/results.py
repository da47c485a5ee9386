"""Results: the scorecard per dimension, evidence that jumps to its turn, replay, tips and retry."""

from __future__ import annotations

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from simulator.call.textcall import FinishedCall
from simulator.contracts import Speaker
from simulator.lazy import MissingPackage
from simulator.scenario.loader import LoadedScenario
from simulator.ui.call_modes import TrainingMode
from simulator.ui.context import CallReviewShown
from simulator.ui.evidence import EvidenceRow, dimension_name, evidence_rows, outcome_name, record_position
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, bullet, localise_screen
from simulator.ui.playback import PlaybackError, play_wav
from simulator.ui.roster import RosterError
from simulator.ui.widgets.banner import Banner


def summary_text(finished: FinishedCall, review: CallReviewShown | None = None,
                 say: Catalogue = ENGLISH_TEXT) -> Text:
    """The score line; why a call failed (``fail_reasons``) is the scoring code's own words, in the
    scenario's language."""
    card = finished.scorecard
    text = Text()
    text.append(say("Overall {score}/100", score=f"{card.overall:.1f}"), style="bold")
    if review is not None and review.reviewed_by:
        machine = "" if review.machine_overall is None else say(", machine {score}",
                                                                score=f"{review.machine_overall:.1f}")
        text.append(say(" (reviewed by {names}{machine})", names=", ".join(review.reviewed_by), machine=machine),
                    style="bold magenta")
    text.append(say(" (pass mark {mark})  ", mark=f"{card.pass_mark:.0f}"))
    text.append(say("PASSED") if card.passed else say("NOT PASSED"),
                style="bold green" if card.passed else "bold red")
    text.append(say("  ·  outcome: {outcome}", outcome=outcome_name(card.outcome, say)), style="dim")
    reasons = getattr(card, "fail_reasons", ())
    if reasons and not card.passed:
        text.append("\n" + say("; ").join(reasons), style="red")
    voice = getattr(card, "voice", None)
    if voice is not None and voice.talk_ratio is not None:
        parts = [say("you talked {share} of the time", share=f"{voice.talk_ratio:.0%}")]
        if voice.mean_words_per_minute is not None:
            parts.append(say("{rate} words/min", rate=f"{voice.mean_words_per_minute:.0f}"))
        if voice.longest_response_delay_s is not None:
            parts.append(say("longest pause before answering {seconds} s",
                             seconds=f"{voice.longest_response_delay_s:.1f}"))
        if voice.interruptions:
            parts.append(say("{count} interruption(s)", count=voice.interruptions))
        text.append("\n" + say("Voice: ") + say(", ").join(parts), style="dim")
    if card.cards_opened:
        text.append("\n" + say("Knowledge cards opened {count} time(s): counted, not penalised",
                                count=card.cards_opened), style="dim")
    return text


def note_clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def notes_text(review: CallReviewShown, say: Catalogue = ENGLISH_TEXT) -> Text:
    text = Text()
    for number, note in enumerate(review.notes):
        turn = " " + say("turn {number}", number=note.turn_index) if note.turn_index is not None else ""
        text.append(("\n" if number else "") + f"✎ {note_clock(note.at_s)}{turn} ", style="bold magenta")
        text.append(f"{note.author}: {note.text}")
    return text


class ResultsScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "results.tcss"
    TITLE = "Results"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("r", "retry", "Retry"),
        Binding("p", "play", "Play turn"),
        Binding("f2", "app.open_history", "History"),
        Binding("escape", "back", "Scenarios"),
        Binding("1", "rate(1)", "Rate 1-5"),
        *(Binding(str(n), f"rate({n})", "Rate 1-5", show=False) for n in range(2, 6)),
    ]

    def __init__(self, finished: FinishedCall, loaded: LoadedScenario, mode: TrainingMode = TrainingMode.PRACTICE,
                 call_id: str | None = None) -> None:
        super().__init__()
        self.call_id = call_id  # in the training store; None when the call is only in its folder
        self.rating: int | None = None
        self.finished = finished
        self.loaded = loaded
        self.mode = mode
        self.rows: list[EvidenceRow] = evidence_rows(finished.scorecard, finished.record)
        self.sub_title = loaded.scenario.title
        self.review = CallReviewShown()  # a trainer's notes and review, read on mount
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        yield Static(summary_text(self.finished, say=self.text), id="summary")
        yield Static("", id="notes")
        yield DataTable(id="dimensions", cursor_type="row", show_cursor=False)
        with Horizontal(id="results-body"):
            yield OptionList(id="evidence")
            yield OptionList(id="turns")
        yield Static("", id="tips")
        yield Footer()

    def on_mount(self) -> None:
        card = self.finished.scorecard
        self._show_review()
        table = self.query_one("#dimensions", DataTable)
        say = self.text
        table.add_columns(say("Dimension"), say("Score"), say("Pass mark"), say("Result"))
        for dim in card.dimensions:
            score = say("n/a") if dim.score is None else f"{dim.score:.1f}"
            if dim.passed is None:
                verdict = Text(say("not measured (typed)") if dim.score is None else "-", style="dim")
            elif not dim.pass_mark:  # a recording's compliance against the library: its steps are weighted items
                verdict = Text(say("weighted, no mark"), style="dim")
            else:
                verdict = Text(say("pass") if dim.passed else say("fail"),
                               style="bold green" if dim.passed else "bold red")
            table.add_row(dimension_name(dim.dimension.value, say), score, f"{dim.pass_mark:.0f}", verdict,
                          key=dim.dimension.value)
        evidence = self.query_one("#evidence", OptionList)
        evidence.border_title = say("Evidence (Enter: go to turn)")
        for number, row in enumerate(self.rows):
            evidence.add_option(Option(Text(row.label(say), style="green" if row.positive else "red"),
                                       id=str(number)))
        if not self.rows:
            evidence.add_option(Option(Text(say("No evidence recorded."), style="dim"), disabled=True))
        turns = self.query_one("#turns", OptionList)
        turns.border_title = say("Turns (Enter/p: replay)")
        name = self.loaded.scenario.persona.name.split()[0]
        for position, turn in enumerate(self.finished.record.turns):
            who = name if turn.speaker == Speaker.CUSTOMER else say("You")
            audio = " ♪" if turn.audio_path else ""
            said = turn.text or say("(silence)")
            noted = " ✎" if turn.analysis is not None and any(
                n.turn_index == turn.analysis.turn_index for n in self.review.notes) else ""
            turns.add_option(Option(f"{say('{name}: ', name=who)}{said}{audio}{noted}", id=str(position)))
        tips = self.query_one("#tips", Static)
        tips.border_title = say("Tips")  # the tips themselves are the scoring code's words (the scenario's language)
        tips.update("\n".join(bullet(tip) for tip in card.tips) if card.tips else say("No tips: well done."))
        evidence.focus()

    def _show_review(self) -> None:
        """A trainer's review of a stored call: the reviewed score says so, notes show by their time."""
        try:
            self.review = self.app.context.review_of(self.call_id)
        except Exception as err:  # the store's own error: the results stand without the review
            self.query_one("#banner", Banner).show(self.text("Trainer notes unavailable: {error}", error=err), "error")
            return
        self.query_one("#summary", Static).update(summary_text(self.finished, self.review, self.text))
        notes = self.query_one("#notes", Static)
        notes.border_title = self.text("Trainer notes")
        notes.display = bool(self.review.notes)
        notes.update(notes_text(self.review, self.text))

    @on(OptionList.OptionSelected, "#evidence")
    def _jump_to_turn(self, event: OptionList.OptionSelected) -> None:
        row = self.rows[int(event.option.id or 0)]
        if row.turn_index is None:
            self.notify(self.text("This evidence is about the whole call, not one turn."), timeout=3)
            return
        position = record_position(self.finished.record, row.turn_index)
        if position is None:
            return
        turns = self.query_one("#turns", OptionList)
        turns.highlighted = position
        turns.focus()

    @on(OptionList.OptionSelected, "#turns")
    def _turn_chosen(self) -> None:
        self.action_play()

    def action_play(self) -> None:
        turns = self.query_one("#turns", OptionList)
        if turns.highlighted is None:
            self.notify(self.text("Pick a turn first."), severity="warning", timeout=3)
            return
        turn = self.finished.record.turns[turns.highlighted]
        path = self.finished.record.audio(turn)
        if path is None:
            self.notify(self.text("This turn has no recording (typed call)."), severity="warning", timeout=3)
            return
        self.notify(self.text("Playing {file}", file=path.name), timeout=2)
        self._play(path)

    @work(thread=True, exclusive=True, group="replay", exit_on_error=False)
    def _play(self, path) -> None:
        try:
            play_wav(path, self.app.context.output_device)
        except (PlaybackError, MissingPackage) as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.call_id is not None
        return True

    def action_rate(self, stars: int) -> None:
        """How useful was this call, 1-5 stars (kept with the call; trainers read it in reports)."""
        if self.call_id is None:
            return
        try:
            self.app.context.records.rate(self.call_id, stars)
        except RosterError as err:
            why = self.text.message(err.phrase)
            self.query_one("#banner", Banner).show(self.text("Rating not kept: {error}", error=why), "error")
            return
        self.rating = stars
        self.notify(self.text("Thanks: you rated this call {stars}", stars='★' * stars + '☆' * (5 - stars)), timeout=3)

    def action_retry(self) -> None:
        self.app.start_call(self.loaded, self.mode, in_place_of_current=True)

    def action_back(self) -> None:
        self.app.pop_screen()
