"""The voiced call: the customer speaks through the headset, the trainee answers aloud.

``VoicedCall`` is both halves the session needs: a ``CustomerVoice`` (TTS, playback, barge-in)
and a ``TraineeInput`` (microphone, endpointing, Whisper).  ``CallSession`` drives it exactly as
it drives text mode, so analysis, the dialogue engine, recording and scoring are shared.

Threads: the call's own thread reads the microphone and feeds the endpointer; the TTS engine
and the Whisper model each have one owner thread; the audio callbacks only copy blocks.

Latency: lines the customer may say next are rendered while the current one plays; Whisper
loads while the opening line plays; the words so far are transcribed as soon as the trainee
pauses (``SpeechPaused``), so at the end of the turn the transcript is usually ready.  Only the
words are on the turn path: the fillers' own decode runs once the customer's answer has started
(``late_fillers``), and the session puts them into the turn's record and tone.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.analysis.acoustics import PitchTrack, PitchTracker
from simulator.asr.base import FillersApart, Transcriber, fillers_decoded_apart
from simulator.asr.worker import AsrWorker
from simulator.audio.capture import MicSource, ReplayPace
from simulator.audio.clip import AudioClip, Utterance, level_dbfs, to_int16, write_wav
from simulator.audio.devices import AudioDeviceError
from simulator.audio.endpoint import (
    EndpointConfig,
    Endpointer,
    LevelOnset,
    NoSpeech,
    SileroVad,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    TurnEnded,
    end_silence_for,
)
from simulator.audio.noise import mix_noise
from simulator.audio.playback import Speaker
from simulator.call.late_fillers import LateFillers
from simulator.call.render_plan import lines_after_turn, render_plan
from simulator.call.session import SpokenLine, TraineeReply
from simulator.call.turn_breakdown import DecodeTimes, TurnBreakdown, TurnClock
from simulator.contracts import CustomerTurn, Transcript, TurnTiming
from simulator.lazy import MissingPackage
from simulator.private_files import make_owner_only, make_private_dir
from simulator.scenario.model import Noise, NoiseKind, Scenario
from simulator.scenario.voices import MOOD_STEP, VoiceProfile, mood_bucket
from simulator.tts.worker import LATER, TtsWorker

log = logging.getLogger("callsim.voice")
DEFAULT_TALK_OVER_S = 20.0  # a reply this long invites a customer who talks over people to cut in
HOLD_S = 0.3  # a sound on the mic holds the customer's line this long while the VAD decides
STUCK_MARGIN_S = 3.0  # a line not finished this long after its length: the output device is gone
READ_TIMEOUT_S = 0.05


@dataclass(frozen=True, slots=True)
class VoiceOptions:
    input_device: str | None = None
    output_device: str | None = None
    mic_from: Path | None = None  # recorded replies instead of the microphone
    mic_pace: ReplayPace = ReplayPace.REALTIME
    endpoint: EndpointConfig | None = None  # None: the defaults, with the scenario language's end silence
    headset: bool = True  # False: open speakers, the mic is ignored while the customer talks
    noise: Noise | None = None  # drills: background noise under the customer's voice
    talk_over_s: float | None = None  # None: the scenario's drill turn limit, else DEFAULT_TALK_OVER_S
    # Word timings cost Whisper about half as much again per turn; without them the customer
    # answers sooner, and tone falls back to the measured speech span for the speaking rate.
    word_timings: bool = False


@dataclass(frozen=True, slots=True)
class CallAudio:
    """The audio side of a voiced call: the trainee's mic, the customer's speaker, the TTS engine, Whisper."""

    mic: MicSource
    player: Speaker
    tts: TtsWorker
    transcriber: Transcriber


@dataclass(frozen=True, slots=True)
class VoiceFeedback:
    """What a voiced call tells the screen as it goes (on the call's threads): the trainee's words
    so far, and the mic level in dBFS."""

    on_partial: Callable[[str], None] | None = None
    on_level: Callable[[float], None] | None = None


@dataclass(frozen=True, slots=True)
class _EarlyPass:
    """The Whisper pass queued when the trainee paused: the turn's transcript if the pause was its end."""

    speech_end_s: float
    result: Future[tuple[Transcript, DecodeTimes]]
    audio: AudioClip
    queued: float  # wall clock
    pause_heard_s: float  # stream time from the last speech to the pause being heard


class VoicedCall:
    """One voiced call's audio side.  Use as ``voice`` and ``trainee`` of a ``CallSession``."""

    def __init__(self, scenario: Scenario, voice: VoiceProfile, folder: Path, audio: CallAudio, *,
                 options: VoiceOptions = VoiceOptions(), feedback: VoiceFeedback = VoiceFeedback(),
                 warm_up: Callable[[], object] | None = None,
                 prepare: Callable[[str], object] | None = None):
        """``warm_up`` runs once on a side thread while the first line plays (e.g. a first
        analysis, so the analyser's model is loaded before the trainee's first turn); ``prepare``
        runs there with each customer line as it starts (work the reply's analysis can do early)."""
        self.scenario = scenario
        self.profile = voice
        self.folder = make_private_dir(folder)
        self.mic = audio.mic  # replaceable: the app wraps it to mute
        self.player = audio.player
        self.tts = audio.tts
        self.transcriber = audio.transcriber
        self.options = options
        self.on_partial = feedback.on_partial
        self.on_level = feedback.on_level
        self._asr = AsrWorker(audio.transcriber, thread_name="callsim-asr")
        self._asr_loading: Future | None = None
        self._warm_up = warm_up
        self._prepare = prepare
        self._warming: Future | None = None
        self._side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callsim-warm")
        self._endpointer: Endpointer | None = None
        self._carried: deque = deque()  # endpoint events seen while the customer spoke
        self._level_onset = LevelOnset()
        self._files = 0
        self._barged_in_at_s: float | None = None
        self._started = False
        self._failure: Exception | None = None
        self._muted = False
        self._late_fillers: LateFillers | None = None  # the last reply's filler pass, started with the next line
        self._answering: TurnClock | None = None  # the reply being answered, for its latency breakdown
        self._pitch: tuple[int, PitchTracker] | None = None  # the turn being spoken: its first sample, its pitch
        self._plan_queued = False  # the whole scenario is queued once the opening line has rendered
        self.stats = CallStats()

    # -- set-up --------------------------------------------------------------------------------
    def start(self) -> None:
        self.mic.start()
        self._started = True

    def _load_in_background(self) -> None:
        if self._asr_loading is None:
            self._asr_loading = self._asr.load()
        if self._warming is None and self._warm_up is not None:
            self._warming = self._side.submit(self._warm_up)

    def endpointer(self) -> Endpointer:
        if self._endpointer is None:
            config = self.options.endpoint or EndpointConfig(end_silence_s=end_silence_for(self.scenario.language))
            self._endpointer = Endpointer(SileroVad(), config, self.mic.sample_rate)
        return self._endpointer

    def mute(self, muted: bool) -> None:
        """Muted, the mic is treated as silence (the trainee's turn goes on; a long mute is silence)."""
        self._muted = muted

    def close(self) -> None:
        self.player.close()
        self.mic.close()
        self._asr.close(wait=False)
        self._side.shutdown(wait=False, cancel_futures=True)
        self.tts.close()

    # -- the customer ---------------------------------------------------------------------------
    def speak(self, turn: CustomerTurn, turn_index: int) -> SpokenLine:
        if not self._started:
            self.start()
        log.debug("speak %d: render", turn_index)
        speak_called = TurnClock.now()
        clip = self.tts.render(turn.text, self.profile, self.profile.prosody(turn.mood))
        line_ready = TurnClock.now()
        log.debug("speak %d: rendered %.2f s", turn_index, clip.duration_s)
        noise = self.options.noise
        if noise is not None and noise.kind != NoiseKind.NONE:
            clip = mix_noise(clip, noise.kind.value, noise.level_db, seed=turn_index)
        endpointer = self._endpointer
        start_s = endpointer.position_s if endpointer else 0.0
        self.player.play(clip)
        log.debug("speak %d: playing", turn_index)
        self._note_breakdown(turn_index, speak_called, line_ready, TurnClock.now())
        if not self._plan_queued:
            # while the opening line plays, not before: a slow voice busy with a line the engine
            # did not pick would hold the opening line up by a whole render
            self._plan_queued = True
            self.render_scenario_ahead()
        self._start_late_fillers()
        self.stats.lines_played += 1
        self._load_in_background()
        if not turn.ends_call:
            if self._prepare is not None:
                self._side.submit(self._prepare, turn.text)
            self._render_ahead(turn)
        try:
            endpointer = self.endpointer()
        except MissingPackage as err:
            # Let the line finish and be recorded; the call stops when the trainee's turn starts.
            self._failure = err
            self.player.wait_to_end()
            return self._spoken(clip, start_s, start_s + clip.duration_s, len(clip.samples), None)
        try:
            cut_at_s = self._listen_while_playing(clip, endpointer, start_s, turn_index)
        except AudioDeviceError as err:
            # The headset went away mid-line: keep what was played, stop at the trainee's turn.
            self._failure = err
            played = self.player.cut()
            return self._spoken(clip, start_s, start_s + played / clip.sample_rate, played, None)
        played_samples = self.player.played_samples if cut_at_s is not None else len(clip.samples)
        end_s = max(endpointer.position_s, start_s + played_samples / clip.sample_rate)
        return self._spoken(clip, start_s, cut_at_s if cut_at_s is not None else end_s, played_samples, cut_at_s)

    def _note_breakdown(self, turn_index: int, speak_called: float, line_ready: float, playing: float) -> None:
        clock, self._answering = self._answering, None
        breakdown = clock.finish(speak_called, line_ready, playing) if clock is not None else None
        if breakdown is not None:
            self.stats.breakdowns.append(breakdown)
            log.debug("%s", breakdown.log_line(turn_index))

    def _spoken(self, clip: AudioClip, start_s: float, end_s: float, played: int, cut_at_s: float | None) -> SpokenLine:
        path = self._save("customer", clip.head(played))
        return SpokenLine(start_s=round(start_s, 3), end_s=round(end_s, 3), audio_path=path,
                          cut_off_at_s=None if cut_at_s is None else round(cut_at_s, 3))

    def _listen_while_playing(self, clip: AudioClip, endpointer: Endpointer, start_s: float,
                              turn_index: int) -> float | None:
        """Feed the mic to the endpointer until the line ends; returns the cut time on a barge-in."""
        held_at_s: float | None = None  # the line is on hold: a sound started on the mic
        started = time.monotonic()
        allowance_s = clip.duration_s + STUCK_MARGIN_S
        while self.player.playing:
            if time.monotonic() - started > allowance_s:
                raise self.player.stuck_error()
            block = self.mic.read(READ_TIMEOUT_S)
            if block is None:
                continue
            if self.on_level is not None:
                self.on_level(level_dbfs(block.samples))
            if not self.options.headset or self._muted:
                # Open speakers: the mic hears the customer, so it cannot hear a barge-in.
                endpointer.feed(np.zeros_like(block.samples))
                continue
            loud = self._level_onset.update(block.samples)
            events = endpointer.feed(block)
            onset = next((e for e in events if isinstance(e, SpeechStarted)), None)
            self._carried.extend(e for e in events if not isinstance(e, SpeechStarted))
            if onset is not None and self.player.playing:
                played = self.player.cut()
                log.debug("speak %d: barge-in at %.3f s, cut after %d samples", turn_index, onset.at_s, played)
                self._barged_in_at_s = onset.at_s
                self.stats.barge_ins += 1
                return start_s + played / clip.sample_rate
            if held_at_s is None and loud and not endpointer.in_speech:
                self.player.pause()  # quicker than the VAD; the VAD decides within HOLD_S
                held_at_s = endpointer.position_s
            elif held_at_s is not None and endpointer.position_s - held_at_s >= HOLD_S:
                self.player.resume()  # a bump or a cough, not speech: carry on talking
                allowance_s += HOLD_S + 0.1  # the hold is not the device being stuck
                held_at_s = None
                self.stats.holds_released += 1
        return None

    def render_scenario_ahead(self) -> int:
        """Queue every line the customer can say at every mood it can be said at (``render_plan``),
        nearest the starting mood first, behind the lines needed now and the next turn's candidates;
        returns how many were queued.  Lines already in the disk cache (an earlier call,
        ``callsim voices --render``) are skipped, so from the second call of a scenario on no
        render is left for the turn path."""
        return sum(self.tts.prefetch([item.text], self.profile, [self.profile.prosody(item.mood_bucket)],
                                     priority=LATER) for item in render_plan(self.scenario))

    def _render_ahead(self, turn: CustomerTurn) -> None:
        # The next line's mood is this one's plus the reaction to the reply: same bucket first.
        bucket = mood_bucket(turn.mood)
        for mood in (bucket, bucket + MOOD_STEP, bucket - MOOD_STEP):
            if 0 <= mood <= 100:
                self.tts.prefetch(lines_after_turn(self.scenario, turn.node_id, mood), self.profile,
                                  [self.profile.prosody(mood)])

    # -- the trainee ----------------------------------------------------------------------------
    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        if self._failure is not None:
            raise self._failure
        endpointer = self.endpointer()
        # Still speaking, or a turn that ended while the customer talked: that is this reply.
        pending = endpointer.in_speech or any(isinstance(e, TurnEnded) for e in self._carried)
        if not self.mic.expect_reply(turn_index, continuing=pending) and not pending:
            return None
        talk_over = self.options.talk_over_s or self.scenario.drill.turn_time_limit_s or DEFAULT_TALK_OVER_S
        listen_from = endpointer.position_s
        limit = talk_over if customer.may_interrupt else None
        endpointer.listen(turn_limit_s=limit)
        early: _EarlyPass | None = None
        while True:
            if not self._carried:
                block = self.mic.read(0.5)
                if block is None:
                    continue
                if self.on_level is not None:
                    self.on_level(level_dbfs(block.samples))
                self._carried.extend(endpointer.feed(np.zeros_like(block.samples) if self._muted else block))
                self._follow_pitch(endpointer)
                continue
            event = self._carried.popleft()
            log.debug("listen %d: %s at %.3f s", turn_index, type(event).__name__, endpointer.position_s)
            if isinstance(event, SpeechPaused):
                queued = TurnClock.now()
                early = _EarlyPass(event.speech_end_s, self._asr.submit(self._transcribe, event.audio), event.audio,
                                   queued, event.heard_at_s - event.speech_end_s)
            elif isinstance(event, SpeechResumed) and early is not None:
                # Not the end after all: drop that pass unless it has started (Whisper cannot stop).
                early.result.cancel()
            elif isinstance(event, NoSpeech):
                return TraineeReply(Transcript(""), silence=True, silence_s=round(event.silence_s, 2))
            elif isinstance(event, TurnEnded):
                clock = TurnClock()
                clock.turn_ended = TurnClock.now()
                clock.turn_end_heard_s = event.heard_at_s - event.utterance.end_s
                reply = self._reply(event.utterance, early, spoken, clock)
                if reply is not None:
                    return reply
                # Speech to the VAD but no words to Whisper (a cough, a bump): keep waiting.
                endpointer.listen(turn_limit_s=limit, since_s=listen_from)
                early = None

    def _follow_pitch(self, endpointer: Endpointer) -> None:
        """Work out the tone's pitch track while the trainee speaks (the call thread is idle between
        mic blocks), so the analysis after the turn has only the last frames left to do."""
        start = endpointer.turn_start
        if start is None:
            return  # between turns: keep the finished turn's track until its reply is made
        if self._pitch is None or self._pitch[0] != start:
            self._pitch = (start, PitchTracker(endpointer.rate))
        tracker = self._pitch[1]
        audio = endpointer.audio_since(start + tracker.fed)
        if len(audio):
            # the samples the analyser will read back from the turn's 16-bit WAV
            tracker.extend(to_int16(audio).astype(np.float32) / 32768.0)

    def _turn_pitch(self, utterance: Utterance) -> PitchTrack | None:
        tracked, self._pitch = self._pitch, None
        clip = utterance.audio
        if tracked is None or tracked[0] != round(utterance.start_s * clip.sample_rate):
            return None
        return tracked[1].track(len(clip.samples))

    def _fillers_apart(self) -> FillersApart | None:
        return fillers_decoded_apart(self.transcriber)

    def _start_late_fillers(self) -> None:
        """The customer's line has started: the last reply's filler pass may run now, off the turn path."""
        if self._late_fillers is not None:
            self._late_fillers.start()
            self._late_fillers = None

    def _transcribe(self, audio: AudioClip) -> tuple[Transcript, DecodeTimes]:
        if self._asr_loading is not None:
            self._asr_loading.result()  # re-raises a load failure (missing model package...)
        started = TurnClock.now()
        # The customer's answer needs only the words: their fillers are decoded while it plays.
        apart = self._fillers_apart()
        transcript = apart.transcribe_words(audio.samples) if apart else self.transcriber.transcribe(audio.samples)
        finished = TurnClock.now()
        if self.on_partial is not None and not transcript.is_empty:
            self.on_partial(transcript.text)
        return transcript, DecodeTimes(started, finished)

    def _reply(self, utterance: Utterance, early: _EarlyPass | None, spoken: SpokenLine,
               clock: TurnClock) -> TraineeReply | None:
        if early is not None and abs(early.speech_end_s - utterance.end_s) < 1e-6 and not utterance.was_interrupted:
            transcript, clock.decode = early.result.result()
            clock.queued, clock.pause_heard_s, clock.early = early.queued, early.pause_heard_s, True
            heard = early.audio  # the audio the words came from (the filler decode reuses its encoding)
            self.stats.early_transcripts += 1
        else:
            if early is not None:
                early.result.cancel()
            clock.queued = TurnClock.now()
            transcript, clock.decode = self._asr.submit(self._transcribe, utterance.audio).result()
            heard = utterance.audio
        clock.transcript = TurnClock.now()
        log.debug("transcript ready (%s): %r", "early" if clock.early else "late", transcript.text)
        if transcript.is_empty and not utterance.was_interrupted:
            return None
        if self._warming is not None:
            self._warming.result()  # the analyser must not load on two threads at once
        path = self._save("trainee", utterance.audio)
        speech_start = utterance.speech_start_s if utterance.speech_start_s is not None else utterance.start_s
        barged_at = self._barged_in_at_s
        barged = barged_at is not None
        customer_end = spoken.cut_off_at_s if spoken.cut_off_at_s is not None else spoken.end_s
        overlap = 0.0
        if barged_at is not None and spoken.end_s is not None:
            overlap = max(0.0, (spoken.cut_off_at_s or spoken.end_s) - barged_at)
        delay = None if barged or customer_end is None else round(max(0.0, speech_start - customer_end), 3)
        self._barged_in_at_s = None
        apart = self._fillers_apart()
        late = None
        if apart is not None and not transcript.is_empty:
            late = self._late_fillers = LateFillers(self._asr, apart, heard.samples, transcript)
        pitch = self._turn_pitch(utterance)
        clock.reply = TurnClock.now()
        self._answering = clock
        return TraineeReply(pitch=pitch, transcript=transcript, timing=TurnTiming(
            start_s=round(speech_start, 3), end_s=round(utterance.end_s, 3), response_delay_s=delay,
            overlap_s=round(overlap, 3)), interrupted_customer=barged, audio_path=path,
            cut_off=utterance.was_interrupted, with_fillers=None if late is None else late.result)

    def _save(self, speaker: str, clip: AudioClip) -> Path:
        self._files += 1
        return make_owner_only(write_wav(self.folder / f"{self._files:02d}-{speaker}.wav", clip))


@dataclass
class CallStats:
    lines_played: int = 0
    barge_ins: int = 0
    early_transcripts: int = 0
    holds_released: int = 0  # the line was held for a sound that was not speech
    breakdowns: list[TurnBreakdown] = field(default_factory=list)  # per answered turn, where the latency went
