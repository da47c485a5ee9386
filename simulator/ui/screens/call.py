"""The call: customer card with a live mood meter, transcript, coaching, timers and the reply box.

The call itself (``run_call`` -> ``CallSession.run``) runs in a worker thread; every session event
comes back as a message, so the screen never blocks on speech, transcription or scoring.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from simulator.call.session import CallEnded, CallEvent, CustomerSpoke, TraineeAnswered
from simulator.call.textcall import new_call_folder, run_call
from simulator.contracts import TurnAnalysis
from simulator.record import LookupLog, TurnRecord
from simulator.scenario.loader import LoadedScenario
from simulator.ui.call_io import CallIO, CallScreenHooks, VoiceRequest, open_call_io
from simulator.ui.call_modes import TrainingMode
from simulator.ui.coaching import coach
from simulator.ui.errorlog import write_error_log
from simulator.ui.evidence import outcome_name
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import Phrase, localise_screen
from simulator.ui.screens.call_messages import (
    CallConnected,
    CallFailed,
    CallScored,
    MicLevel,
    PartialTranscript,
    SessionEvent,
    WentTyping,
)
from simulator.ui.typed_input import QueuedTypedReplies
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.call_clock import CallClock
from simulator.ui.widgets.hints import HintsPanel
from simulator.ui.widgets.knowledge import KnowledgePanel
from simulator.ui.widgets.level_meter import LevelMeter
from simulator.ui.widgets.mood_meter import MoodMeter
from simulator.ui.widgets.transcript import TranscriptView, analysis_notes


def warm_up(analyser, scenario) -> None:
    """Load a lazily loaded analyser model (MiniLM) while the trainee reads the first line."""
    from simulator.call.voiced_setup import warm_up_analyser

    warm_up_analyser(analyser, scenario)


class CallScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "call.tcss"
    TITLE = "Call"
    BINDINGS = [
        Binding("ctrl+e", "hang_up", "Hang up", priority=True),
        Binding("f6", "mute", "Mute"),
        Binding("f7", "typing", "Type instead"),
        Binding("f8", "cards", "Cards", priority=True),
    ]

    def __init__(self, loaded: LoadedScenario, mode: TrainingMode = TrainingMode.PRACTICE) -> None:
        super().__init__()
        self.loaded = loaded
        self.mode = mode
        self.io: CallIO | None = None
        self.analyses: list[TurnAnalysis] = []
        self.turns: list[TurnRecord] = []  # both sides so far, as recorded
        self.ended = False
        self.muted = False
        self._timed_out_turn = False
        self._hang_up_requested = False
        self._typed = QueuedTypedReplies()  # typed replies: the whole call, or after going over to typing
        self.card_lookups = LookupLog()  # knowledge cards opened; written into the call record at its end
        self.sub_title = loaded.scenario.title
        self.text = self.app.context.text
        localise_screen(self, self.text)

    @property
    def scenario(self):
        return self.loaded.scenario

    def compose(self) -> ComposeResult:
        persona = self.scenario.persona
        limit = self.scenario.drill.turn_time_limit_s if self.mode.times_turns else None
        yield Header()
        yield Banner(id="banner")
        with Horizontal(id="call-top"):
            with Vertical(id="customer-card"):
                yield Label(persona.name, id="customer-name", classes="heading")
                yield Static(persona.situation, id="situation", classes="muted")
                yield MoodMeter(id="mood", say=self.text)
            with Vertical(id="call-status"):
                yield CallClock(self.app.context.clock, limit, id="clock", say=self.text)
                yield LevelMeter(id="level", say=self.text)
                yield Label(f"{self.text(self.mode.label)} · {self.scenario.title}", id="call-mode", classes="muted")
        with Horizontal(id="call-body"):
            yield TranscriptView(persona.name, self.text, id="transcript")
            yield KnowledgePanel(self.scenario.knowledge, id="cards", say=self.text)
            yield HintsPanel(id="hints", say=self.text)
        yield Input(placeholder=self.text("type your reply, Enter to send ([silence] for dead air)"), id="reply",
                    max_length=2000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mood", MoodMeter).set_mood(self.scenario.persona.mood)
        self.query_one("#transcript", TranscriptView).border_title = self.text("Transcript")
        if not self.mode.shows_coaching:
            self.query_one("#hints", HintsPanel).display = False
        self.query_one("#cards", KnowledgePanel).display = False
        self.query_one("#level", LevelMeter).state = "off"
        self.query_one("#reply", Input).display = False
        self.query_one("#banner", Banner).show(self.text("Connecting the call…"), "information")
        self.run_session(self._typed)

    def _show_io(self) -> None:
        io = self.io
        if io is None:
            return
        banner = self.query_one("#banner", Banner)
        if io.banner:
            banner.show(self.text.message(io.banner), "warning")
        else:
            banner.clear()
        self.query_one("#level", LevelMeter).state = "typing" if not io.voiced else ("muted" if self.muted else "live")
        reply = self.query_one("#reply", Input)
        reply.display = not io.voiced
        if not io.voiced and not self.ended:
            reply.focus()
        self.refresh_bindings()

    # Called on the call's worker thread: each becomes a message for the screen.
    def _post_partial(self, text: str) -> None:
        self.post_message(PartialTranscript(text))

    def _post_level(self, db: float) -> None:
        self.post_message(MicLevel(db))

    def _post_went_typing(self, reason: Phrase) -> None:
        self.post_message(WentTyping(reason))

    def _post_store_warning(self, text: str) -> None:
        self.post_message(CallFailed(text, fatal=False))

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def run_session(self, typed: QueuedTypedReplies) -> None:
        context = self.app.context
        trainee = context.trainee
        io = keeper = None
        try:
            folder = new_call_folder(context.recordings_dir, self.scenario.id)
            analyser = context.analyser(self.scenario)
            request = VoiceRequest(want_voice=context.voice_enabled, input_device=context.input_device,
                                   output_device=context.output_device, mic_from=context.mic_from,
                                   fast_replies=context.fast_replies, drill_noise=self.mode is TrainingMode.DRILL)
            hooks = CallScreenHooks(on_partial=self._post_partial, on_level=self._post_level,
                                    on_typing=self._post_went_typing)
            io = open_call_io(self.loaded, context.settings, folder, typed, request, analyser=analyser, hooks=hooks)
            if not io.voiced:
                typed.warm_up = partial(warm_up, analyser, self.scenario)
            self.post_message(CallConnected(io))
            keeper = context.records.keeper(
                folder, trainee, self.mode.record_kind,
                warn=self._post_store_warning) if trainee else None

            def on_event(event: CallEvent) -> None:
                if keeper is not None:
                    keeper.on_event(event)
                self.post_message(SessionEvent(event))

            finished = run_call(self.loaded, analyser, io.voice, io.trainee, folder,
                                seed=context.seed, mode=io.mode, on_event=on_event,
                                trainee_name=trainee.name if trainee else None, card_lookups=self.card_lookups)
        except Exception as err:  # the screen shows it in a banner; the record on disk keeps every turn
            log = write_error_log(context.settings.data_dir, err)
            self.post_message(CallFailed(f"{type(err).__name__}: {err}"
                                         + (self.text(" (details: {log})", log=log) if log else "")))
            return
        finally:
            if io is not None:
                io.close()
        call_id = None
        if keeper is not None:
            try:
                call_id = keeper.finish(finished)
            except Exception as err:  # the scorecard is still shown; call.jsonl keeps the call
                self.post_message(CallFailed(self.text("not saved to the training store: {error}", error=err),
                                             fatal=False))
        self.post_message(CallScored(finished, call_id))

    @on(CallConnected)
    def _connected(self, message: CallConnected) -> None:
        self.io = message.io
        self.query_one("#clock", CallClock).start_call()
        self.set_interval(0.5, self._check_turn_time)
        self._show_io()
        if self._hang_up_requested:
            self.io.hang_up()

    @on(WentTyping)
    def _went_typing(self, message: WentTyping) -> None:
        if self.io is not None:
            self.io.banner = message.reason
        self._show_io()
        self.notify(self.text.message(message.reason), severity="warning", timeout=6)

    @on(SessionEvent)
    def _session_event(self, message: SessionEvent) -> None:
        event = message.event
        transcript = self.query_one("#transcript", TranscriptView)
        clock = self.query_one("#clock", CallClock)
        if isinstance(event, (CustomerSpoke, TraineeAnswered)):
            self.turns.append(event.record)
        if isinstance(event, CustomerSpoke):
            turn = event.turn
            note = self.text("— call ended: {outcome} —", outcome=outcome_name(turn.outcome, self.text)) \
                if turn.outcome else ""
            transcript.add_customer(turn.text, turn.mood_delta, note)
            self.query_one("#mood", MoodMeter).set_mood(turn.mood, turn.mood_delta)
            if not turn.ends_call:
                clock.start_turn()
                self._timed_out_turn = False
        elif isinstance(event, TraineeAnswered):
            analysis = event.analysis
            transcript.add_trainee(analysis.transcript.text, analysis_notes(analysis, self.text), analysis.silence)
            clock.stop_turn()
            self.analyses.append(analysis)
            if self.mode.shows_coaching:
                today = datetime.now(UTC).date()  # a promised weekday counts from the call's day
                self.query_one("#hints", HintsPanel).show_lines(
                    coach(self.scenario, self.turns, today).lines(self.text))
        elif isinstance(event, CallEnded):
            self._call_over()
            transcript.add_system(self.text("Scoring the call…"))

    def _call_over(self) -> None:
        self.ended = True
        self.query_one("#clock", CallClock).stop()
        reply = self.query_one("#reply", Input)
        reply.disabled = True
        self.refresh_bindings()

    @on(CallScored)
    def _scored(self, message: CallScored) -> None:
        self.app.context.forget_attempts()
        self.app.show_results(message.finished, self.loaded, self.mode, message.call_id)

    @on(CallFailed)
    def _failed(self, message: CallFailed) -> None:
        if not message.fatal:
            self.notify(message.error, severity="warning", timeout=8)
            return
        self._call_over()
        self.query_one("#banner", Banner).show(self.text("The call stopped: {error}", error=message.error), "error")
        self.notify(message.error, title=self.text("Call stopped"), severity="error", timeout=10)

    @on(PartialTranscript)
    def _partial(self, message: PartialTranscript) -> None:
        self.query_one("#transcript", TranscriptView).set_partial(message.text)

    @on(MicLevel)
    def _level(self, message: MicLevel) -> None:
        self.query_one("#level", LevelMeter).level_db = message.level_db

    @on(Input.Submitted, "#reply")
    def _send(self, event: Input.Submitted) -> None:
        if self.io is None or self.io.voiced or self.ended:
            return
        if not event.value.strip():  # Enters typed ahead on the picker were sent as dead air: the customer hung up
            self.notify(self.text("Type a reply first, or [silence] to say nothing."), timeout=3)
            return
        self.io.typed.submit(event.value)
        if event.value.strip():
            # Shown at once; replaced by the analysed turn (the first may wait for the language model).
            self.query_one("#transcript", TranscriptView).set_partial(event.value.strip())
        event.input.clear()

    def _check_turn_time(self) -> None:
        # A drill's turn timer running out counts as dead air for that turn.
        left = self.query_one("#clock", CallClock).turn_left_s
        if left is None or left > 0 or self._timed_out_turn or self.ended:
            return
        self._timed_out_turn = True
        if self.io is not None and not self.io.voiced:
            self.io.typed.submit(f"[silence {self.scenario.drill.turn_time_limit_s:g}]")
            self.notify(self.text("Time is up for this reply."), severity="warning", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("mute", "typing"):
            return self.io is not None and self.io.voiced and not self.ended
        if action == "hang_up":
            return not self.ended
        return True

    def action_hang_up(self) -> None:
        if self.ended:
            return
        self._hang_up_requested = True
        if self.io is not None:
            self.io.hang_up()
        self.query_one("#transcript", TranscriptView).add_system(self.text("You hung up."))

    def action_cards(self) -> None:
        """Open or close the knowledge cards; each opening is counted in the call record (practice and
        drills: counted, never penalised; exams: refused, the cards are part of what is examined)."""
        if not self.mode.allows_cards:
            self.notify(self.text("Knowledge cards are off in exams."), severity="warning", timeout=3)
            return
        if not self.scenario.knowledge:
            self.notify(self.text("This scenario has no knowledge cards."), timeout=3)
            return
        panel = self.query_one("#cards", KnowledgePanel)
        panel.display = not panel.display
        if panel.display:
            self.card_lookups.add(after_turn=len(self.analyses))
        reply = self.query_one("#reply", Input)
        if reply.display and not self.ended:
            reply.focus()  # the call goes on: keep typing while reading

    def action_mute(self) -> None:
        if self.io is None or not self.io.voiced:
            return
        self.muted = not self.muted
        self.io.set_muted(self.muted)
        self._show_io()
        self.notify(self.text("Microphone muted") if self.muted else self.text("Microphone on"), timeout=2)

    def action_typing(self) -> None:
        if self.io is None or not self.io.voiced:
            return
        self.io.switch_to_typing()
        self.io.banner = Phrase("typing mode (you switched): the customer still speaks")
        self._show_io()

    def on_unmount(self) -> None:
        # Leaving the screen mid-call hangs up, so the worker thread never waits forever.
        self._hang_up_requested = True
        self._typed.hang_up()
        if self.io is not None and not self.ended:
            self.io.hang_up()
