"""Review: a trainer replays a stored call with its synced transcript, overrides the machine's
judgements of a turn (with a reason) and leaves notes at moments the trainee will see."""

from __future__ import annotations

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from simulator.contracts import Speaker
from simulator.lab.review import (
    CallReviewView,
    Change,
    ReviewError,
    accept,
    add_note,
    override,
    parse_change,
    scenario_changed,
    view_call,
)
from simulator.lazy import MissingPackage
from simulator.record import CallRecord, TurnRecord
from simulator.store.types import StoreError
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import ENGLISH_TEXT, Catalogue, localise_screen
from simulator.ui.playback import PlaybackError, play_turn
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.transcript import EMPATHY_LEVELS


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def summary(view: CallReviewView, say: Catalogue = ENGLISH_TEXT) -> Text:
    stored = view.stored
    text = Text(f"{stored.attempt.scenario_id} · {stored.attempt.trainee or say('no trainee')} · "
                f"{stored.attempt.started_at[:16]}\n")

    def verdict(passed: bool) -> str:
        return say("PASSED") if passed else say("NOT PASSED")

    if stored.scorecard is not None:
        text.append(say("Machine {score} {verdict}", score=f"{stored.scorecard.overall:.1f}",
                        verdict=verdict(stored.scorecard.passed)))
    if stored.reviewed is not None:
        text.append(say("   Reviewed {score} {verdict} (reviewed by {names})", score=f"{stored.reviewed.overall:.1f}",
                        verdict=verdict(stored.reviewed.passed), names=", ".join(view.reviewed_by)),
                    style="bold magenta")
    return text


def timeline(view: CallReviewView, say: Catalogue = ENGLISH_TEXT) -> list[tuple[str | None, Text]]:
    """(option id, line) for each turn, override and note, in call-clock order."""
    lines: list[tuple[str | None, Text]] = []
    notes = list(view.notes)
    for position, turn in enumerate(view.stored.record.turns):
        while notes and turn.start_s is not None and notes[0].at_s < turn.start_s:
            note = notes.pop(0)
            lines.append((None, Text(f"  ✎ {clock(note.at_s)} {note.author}: {note.text}", style="magenta")))
        who = say("Customer") if turn.speaker == Speaker.CUSTOMER else say(
            "Trainee (turn {number})", number=turn.analysis.turn_index) if turn.analysis else say("Trainee")
        said = turn.text or say("(silence)")
        heard = " ♪" if view.stored.record.audible(turn) else ""
        line = Text(f"{clock(turn.start_s)} {say('{name}: ', name=who)}{said}{heard}")
        lines.append((str(position), line))
        if turn.analysis is None:
            continue
        number = turn.analysis.turn_index
        for o in view.overrides:
            if o.turn_index == number:
                lines.append((None, Text(f"    {o.reviewer}: {o.target.value} {o.item} {o.machine} → {o.reviewed} "
                                         f"({o.reason})", style="yellow")))
        for note in [n for n in notes if n.turn_index == number]:
            notes.remove(note)
            lines.append((None, Text(f"  ✎ {clock(note.at_s)} {note.author}: {note.text}", style="magenta")))
    lines += [(None, Text(f"  ✎ {clock(n.at_s)} {n.author}: {n.text}", style="magenta")) for n in notes]
    lines += [(None, Text(f"  {o.reviewer}: {o.item} {o.machine} → {o.reviewed} ({o.reason})", style="yellow"))
              for o in view.overrides if o.turn_index == 0]
    return lines


class ReviewScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "review.tcss"
    TITLE = "Review"
    BINDINGS = [
        Binding("p", "play", "Play turn"),
        Binding("ctrl+a", "accept", "Sign off"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, call_id: str, reviewer: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.reviewer = reviewer
        self.view: CallReviewView | None = None
        self.text = self.app.context.text
        self.sub_title = self.text("call {call} · reviewer {name}", call=call_id[:8], name=reviewer)
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        yield Static("", id="review-summary")
        with Horizontal(id="review-body"):
            yield OptionList(id="timeline")
            with Vertical(id="review-side"):
                yield Static("", id="judgements")
                # The change is typed in the review language (parse_change), so its example stays as it is.
                yield Input(placeholder="empathy strong | step verify no | forbidden calm-down yes | tone 72",
                            id="change")
                yield Input(placeholder=self.text("reason (required): what the machine got wrong"), id="reason")
                yield Input(placeholder=self.text("note at this turn's time, for the trainee"), id="note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline", OptionList).border_title = self.text("Call (p: replay a turn)")
        self.query_one("#judgements", Static).border_title = self.text("Machine's judgement")
        self.refresh_view()
        self.query_one("#timeline", OptionList).focus()
        self._check_scenario()

    def _check_scenario(self) -> None:
        """Say up front when the call's scenario is gone or changed: turn overrides rescore against it."""
        store = self.app.context.store
        if store is None:
            return
        try:
            warning = scenario_changed(store, self.call_id, self.app.context.settings.scenarios_dir)
        except ReviewError as err:
            warning = str(err)
        if warning:
            self.query_one("#banner", Banner).show(warning, "warning")

    # -- reading -----------------------------------------------------------------------------
    def refresh_view(self) -> None:
        store = self.app.context.store
        if store is None:
            self.query_one("#banner", Banner).show(self.text("Reviewing needs the training store."), "error")
            return
        self.view = view_call(store, self.call_id)
        self.query_one("#review-summary", Static).update(summary(self.view, self.text))
        options = self.query_one("#timeline", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for option_id, line in timeline(self.view, self.text):
            options.add_option(Option(line, id=option_id, disabled=option_id is None))
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted
        self._show_judgement()

    def selected_turn(self):
        options = self.query_one("#timeline", OptionList)
        if self.view is None or options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return None if option_id is None else self.view.stored.record.turns[int(option_id)]

    @on(OptionList.OptionHighlighted, "#timeline")
    def _show_judgement(self) -> None:
        turn = self.selected_turn()
        box = self.query_one("#judgements", Static)
        if turn is None or turn.analysis is None:
            box.update(Text(self.text("Pick a trainee turn to judge it; a dimension score (e.g. 'tone 72') is for "
                                      "the whole call."), style="dim"))
            return
        analysis, say = turn.analysis, self.text
        box.update(say("turn {number}", number=analysis.turn_index) + ": "
                   + say("empathy {level}", level=say(EMPATHY_LEVELS[analysis.empathy.level])) + "\n"
                   + say("steps: {ids}", ids=", ".join(analysis.step_ids) or say("none")) + "\n"
                   + say("forbidden: {ids}", ids=", ".join(analysis.forbidden_ids) or say("none")))

    # -- changing ------------------------------------------------------------------------------
    @on(Input.Submitted, "#change")
    def _to_reason(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _apply_override(self) -> None:
        change = self.query_one("#change", Input).value
        reason = self.query_one("#reason", Input).value
        turn = self.selected_turn()
        try:
            target, item, value = parse_change(change)
        except ReviewError as err:
            self.query_one("#banner", Banner).show(str(err), "error")
            return
        number = turn.analysis.turn_index if turn is not None and turn.analysis is not None else 0
        self._override(Change(target, number, item, value, reason))

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _override(self, change: Change) -> None:
        store = self.app.context.store
        try:
            kept, card = override(store, self.call_id, self.reviewer, change, self.app.context.settings.scenarios_dir)
        except StoreError as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")
            return
        self.app.call_from_thread(self._changed, f"{kept.what}: {kept.machine} → {kept.reviewed}; "
                                  + self.text("reviewed score {score}", score=f"{card.overall:.1f}"))

    def _changed(self, message: str) -> None:
        for field in ("#change", "#reason", "#note"):
            self.query_one(field, Input).value = ""
        self.app.context.forget_attempts()
        self.refresh_view()
        self.notify(message, timeout=3)

    @on(Input.Submitted, "#note")
    def _add_note(self, event: Input.Submitted) -> None:
        turn = self.selected_turn()
        at_s = turn.start_s if turn is not None else None
        number = turn.analysis.turn_index if turn is not None and turn.analysis is not None else None
        if at_s is None and number is None:
            at_s = 0.0
        self._note(event.value, at_s, number)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _note(self, text: str, at_s: float | None, turn_index: int | None) -> None:
        try:
            note = add_note(self.app.context.store, self.call_id, self.reviewer, text, at_s=at_s,
                            turn_index=turn_index)
        except StoreError as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")
            return
        self.app.call_from_thread(self._changed, self.text("note added at {time}", time=clock(note.at_s)))

    def action_accept(self) -> None:
        self._accept()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _accept(self) -> None:
        try:
            card = accept(self.app.context.store, self.call_id, self.reviewer, self.app.context.settings.scenarios_dir)
        except StoreError as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")
            return
        self.app.call_from_thread(self._changed, self.text("signed off: reviewed score {score}",
                                                           score=f"{card.overall:.1f}"))

    # -- replay ----------------------------------------------------------------------------------
    def action_play(self) -> None:
        turn = self.selected_turn()
        if turn is None or self.view is None or not self.view.stored.record.audible(turn):
            self.notify(self.text("Pick a turn with a recording (♪)."), severity="warning", timeout=3)
            return
        self._play(self.view.stored.record, turn)

    @work(thread=True, exclusive=True, group="replay", exit_on_error=False)
    def _play(self, record: CallRecord, turn: TurnRecord) -> None:
        try:
            play_turn(record, turn, self.app.context.output_device)
        except (PlaybackError, MissingPackage) as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
