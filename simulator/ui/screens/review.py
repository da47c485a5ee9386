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
from simulator.store.types import StoreError
from simulator.ui.host import CallsimHost
from simulator.ui.playback import PlaybackError, play_wav
from simulator.ui.widgets.banner import Banner


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def summary(view: CallReviewView) -> Text:
    stored = view.stored
    text = Text(f"{stored.attempt.scenario_id} · {stored.attempt.trainee or 'no trainee'} · "
                f"{stored.attempt.started_at[:16]}\n")
    if stored.scorecard is not None:
        text.append(f"Machine {stored.scorecard.overall:.1f} {'PASSED' if stored.scorecard.passed else 'NOT PASSED'}")
    if stored.reviewed is not None:
        text.append(f"   Reviewed {stored.reviewed.overall:.1f} "
                    f"{'PASSED' if stored.reviewed.passed else 'NOT PASSED'} (reviewed by "
                    f"{', '.join(view.reviewed_by)})", style="bold magenta")
    return text


def timeline(view: CallReviewView) -> list[tuple[str | None, Text]]:
    """(option id, line) for each turn, override and note, in call-clock order."""
    lines: list[tuple[str | None, Text]] = []
    notes = list(view.notes)
    for position, turn in enumerate(view.stored.record.turns):
        while notes and turn.start_s is not None and notes[0].at_s < turn.start_s:
            note = notes.pop(0)
            lines.append((None, Text(f"  ✎ {clock(note.at_s)} {note.author}: {note.text}", style="magenta")))
        who = "Customer" if turn.speaker == Speaker.CUSTOMER else f"Trainee (turn {turn.analysis.turn_index})" \
            if turn.analysis else "Trainee"
        line = Text(f"{clock(turn.start_s)} {who}: {turn.text or '(silence)'}{' ♪' if turn.audio_path else ''}")
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
        self.sub_title = f"call {call_id[:8]} · reviewer {reviewer}"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        yield Static("", id="review-summary")
        with Horizontal(id="review-body"):
            yield OptionList(id="timeline")
            with Vertical(id="review-side"):
                yield Static("", id="judgements")
                yield Input(placeholder="empathy strong | step verify no | forbidden calm-down yes | tone 72",
                            id="change")
                yield Input(placeholder="reason (required): what the machine got wrong", id="reason")
                yield Input(placeholder="note at this turn's time, for the trainee", id="note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline", OptionList).border_title = "Call (p: replay a turn)"
        self.query_one("#judgements", Static).border_title = "Machine's judgement"
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
            self.query_one("#banner", Banner).show("Reviewing needs the training store.", "error")
            return
        self.view = view_call(store, self.call_id)
        self.query_one("#review-summary", Static).update(summary(self.view))
        options = self.query_one("#timeline", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for option_id, line in timeline(self.view):
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
            box.update(Text("Pick a trainee turn to judge it; a dimension score (e.g. 'tone 72') is for the "
                            "whole call.", style="dim"))
            return
        analysis = turn.analysis
        box.update(f"turn {analysis.turn_index}: empathy {analysis.empathy.level.name.lower()}\n"
                   f"steps: {', '.join(analysis.step_ids) or 'none'}\n"
                   f"forbidden: {', '.join(analysis.forbidden_ids) or 'none'}")

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
                                                 f"reviewed score {card.overall:.1f}")

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
        self.app.call_from_thread(self._changed, f"note added at {clock(note.at_s)}")

    def action_accept(self) -> None:
        self._accept()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _accept(self) -> None:
        try:
            card = accept(self.app.context.store, self.call_id, self.reviewer, self.app.context.settings.scenarios_dir)
        except StoreError as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")
            return
        self.app.call_from_thread(self._changed, f"signed off: reviewed score {card.overall:.1f}")

    # -- replay ----------------------------------------------------------------------------------
    def action_play(self) -> None:
        turn = self.selected_turn()
        path = self.view.stored.record.audio(turn) if turn is not None and self.view is not None else None
        if path is None:
            self.notify("Pick a turn with a recording (♪).", severity="warning", timeout=3)
            return
        self._play(path)

    @work(thread=True, exclusive=True, group="replay", exit_on_error=False)
    def _play(self, path) -> None:
        try:
            play_wav(path, self.app.context.output_device)
        except (PlaybackError, MissingPackage) as err:
            self.app.call_from_thread(self.query_one("#banner", Banner).show, str(err), "error")

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
