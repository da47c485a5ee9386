"""One call, headless: wires customer voice, trainee input, analyser, engine and recorder.

The session knows nothing about terminals, microphones or Textual.  It takes a ``CustomerVoice``
(print a line, or synthesise and play it) and a ``TraineeInput`` (typed replies, a reply file, or
the microphone with endpointing and Whisper) and yields ``CallEvent`` values as the call goes; the
CLI prints them, the UI posts them as messages, the store persists the finished record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from simulator.analysis.acoustics import PitchTrack
from simulator.analysis.base import AfterCallReread, FillerRecount, TurnAnalyser, TurnInput
from simulator.contracts import CustomerTurn, Outcome, Speaker, Transcript, TurnAnalysis, TurnTiming
from simulator.record import (
    CallEnded,
    CallEvent,
    CallHeader,
    CallMode,
    CallRecorder,
    CustomerSpoke,
    LookupLog,
    TraineeAnswered,
    TurnRecord,
    now_iso,
)
from simulator.scenario.engine import DialogueEngine
from simulator.scenario.loader import LoadedScenario

log = logging.getLogger("callsim.call")


@dataclass(frozen=True, slots=True)
class SpokenLine:
    """How a customer line was delivered (times on the call clock; all None in text mode)."""

    start_s: float | None = None
    end_s: float | None = None
    audio_path: Path | None = None
    cut_off_at_s: float | None = None  # the trainee barged in at this time


@dataclass(frozen=True, slots=True)
class TraineeReply:
    transcript: Transcript
    silence: bool = False
    silence_s: float = 0.0
    timing: TurnTiming = TurnTiming()
    interrupted_customer: bool = False
    audio_path: Path | None = None
    cut_off: bool = False  # the customer cut in on this reply (a talk-over drill)
    # Words first, fillers later: returns ``transcript`` with the fillers, once the customer's answer
    # has started (it may wait for their decode).  None: ``transcript`` is already complete.
    with_fillers: Callable[[], Transcript] | None = None
    pitch: PitchTrack | None = None  # the pitch of ``audio_path``, tracked while the turn was spoken


class CustomerVoice(Protocol):
    def speak(self, turn: CustomerTurn, turn_index: int) -> SpokenLine: ...


@dataclass(frozen=True, slots=True)
class CallSetup:
    """How one call is played and labelled: the dialogue's seed and starting mood, and what its
    record's header says of it (text or voice, whose call, which drill)."""

    seed: int = 0
    mode: CallMode | str = CallMode.TEXT
    trainee_name: str | None = None
    drill: str | None = None
    start_mood: int | None = None  # None: the persona's own starting mood
    card_lookups: LookupLog | None = None  # knowledge cards opened (the app adds to it during the call)


class TraineeInput(Protocol):
    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        """The trainee's answer, or ``None`` when the trainee hangs up or the input ends."""




def _relative(path: Path | None, folder: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path)


class CallSession:
    def __init__(self, loaded: LoadedScenario, analyser: TurnAnalyser, voice: CustomerVoice,
                 trainee: TraineeInput, folder: Path, setup: CallSetup = CallSetup()):
        self.loaded = loaded
        self.analyser = analyser
        self.voice = voice
        self.trainee = trainee
        self.engine = DialogueEngine(loaded.scenario, setup.seed, start_mood=setup.start_mood)
        header = CallHeader(loaded.scenario.id, loaded.sha256, setup.seed, CallMode(setup.mode), analyser.name,
                            now_iso(), str(loaded.path), setup.trainee_name, setup.drill)
        self.recorder = CallRecorder(folder, header)
        self.card_lookups = setup.card_lookups

    def run(self) -> Iterator[CallEvent]:
        outcome = Outcome.UNRESOLVED
        try:
            customer = self.engine.opening()
            spoken = self.voice.speak(customer, 0)
            yield self._customer(customer, spoken)
            turn_index = 0
            while not customer.ends_call:
                turn_index += 1
                reply = self.trainee.next_reply(customer, spoken, turn_index)
                if reply is None:
                    break
                analysis = self.analyser.analyse(TurnInput(
                    turn_index=turn_index, transcript=reply.transcript, customer_line=customer.text,
                    steps_done=frozenset(self.engine.state.steps_done), timing=reply.timing,
                    silence=reply.silence, silence_s=reply.silence_s,
                    interrupted_customer=reply.interrupted_customer, audio_path=reply.audio_path,
                    customer_audio_path=spoken.audio_path, pitch=reply.pitch))
                customer = self.engine.respond(analysis)  # from the words: fillers change no answer
                if reply.with_fillers is None:
                    yield self._trainee(analysis, reply)
                    spoken = self.voice.speak(customer, turn_index)
                else:
                    # The fillers are decoded while the answer plays; the turn is recorded with them
                    # after it, and also if the call stops during it (a hang-up keeps finished turns).
                    try:
                        spoken = self.voice.speak(customer, turn_index)
                    finally:
                        answered = self._trainee(*self._with_fillers(analysis, reply))
                    yield answered
                yield self._customer(customer, spoken)
            if customer.outcome is not None:
                outcome = customer.outcome
            lookups = self.card_lookups.snapshot() if self.card_lookups is not None else ()
            self._reread_after_call()
            yield CallEnded(self.recorder.finish(outcome, lookups))
        finally:
            self.recorder.close()

    def _reread_after_call(self) -> None:
        """Each trainee turn read again now that no one waits (the post-call forbidden-move reader);
        the scorecard is made from these readings, the customer reacted to the live ones."""
        if not isinstance(self.analyser, AfterCallReread):
            return
        for turn in list(self.recorder.turns):
            if turn.speaker == Speaker.TRAINEE and turn.analysis is not None:
                try:
                    again = self.analyser.reread(turn.analysis)
                except Exception as err:  # a failed re-read costs the better reading, never the call's end
                    log.warning("the call's turns were not read again after it (%s: %s); the scorecard uses the "
                                "readings made during the call", type(err).__name__, err)
                    return
                if again != turn.analysis:
                    self.recorder.reread(turn.index, again)

    def _with_fillers(self, analysis: TurnAnalysis, reply: TraineeReply) -> tuple[TurnAnalysis, TraineeReply]:
        assert reply.with_fillers is not None
        transcript = reply.with_fillers()
        if transcript == reply.transcript:
            return analysis, reply
        if isinstance(self.analyser, FillerRecount):
            analysis = self.analyser.recount_fillers(analysis, transcript)
        else:
            analysis = replace(analysis, transcript=transcript)
        return analysis, replace(reply, transcript=transcript, with_fillers=None)

    def _customer(self, turn: CustomerTurn, spoken: SpokenLine) -> CustomerSpoke:
        record = self.recorder.add(TurnRecord(
            index=0, speaker=Speaker.CUSTOMER, text=turn.text, start_s=spoken.start_s, end_s=spoken.end_s,
            audio_path=_relative(spoken.audio_path, self.recorder.folder), node_id=turn.node_id, mood=turn.mood,
            mood_delta=turn.mood_delta, events=turn.events, interrupted=spoken.cut_off_at_s is not None))
        return CustomerSpoke(turn, record)

    def _trainee(self, analysis: TurnAnalysis, reply: TraineeReply) -> TraineeAnswered:
        record = self.recorder.add(TurnRecord(
            index=0, speaker=Speaker.TRAINEE, text=reply.transcript.text, start_s=reply.timing.start_s,
            end_s=reply.timing.end_s, audio_path=_relative(reply.audio_path, self.recorder.folder),
            words=reply.transcript.words, interrupted=reply.cut_off, analysis=analysis))
        return TraineeAnswered(analysis, record)
