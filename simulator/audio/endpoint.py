"""Endpointing: where the trainee's turn starts and ends, from a streaming voice-activity detector.

Everything is counted in samples of the capture stream, never in wall-clock time, so the same
audio always gives the same turns (and tests on unclocked devices behave like real headsets).

The detector is Silero VAD v6 as shipped inside faster-whisper (``faster_whisper/assets``), run
one 512-sample window at a time with its recurrent state carried between windows: the same
probabilities as ``faster_whisper.vad`` computes for a whole file, available as audio arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioBlock, AudioClip, Utterance
from simulator.lazy import require

VAD_WINDOW = 512  # samples at 16 kHz: the window Silero v6 was trained on
_CONTEXT = 64  # samples of the previous window the model sees in front of each window


class VoiceDetector(Protocol):
    def probability(self, window: np.ndarray) -> float:
        """Speech probability of one ``VAD_WINDOW``-sample float32 window (call in order)."""

    def reset(self) -> None: ...


class SileroVad:
    """Silero VAD v6 (ONNX) with its LSTM state carried across windows."""

    def __init__(self):
        vad = require("faster_whisper.vad", "faster-whisper", feature="voice activity detection")
        self._session = vad.get_vad_model().session  # loads the ONNX file once per process
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros((1, _CONTEXT), np.float32)

    def probability(self, window: np.ndarray) -> float:
        frame = window.reshape(1, VAD_WINDOW).astype(np.float32, copy=False)
        inputs = np.concatenate([self._context, frame], axis=1)
        prob, self._h, self._c = self._session.run(None, {"input": inputs, "h": self._h, "c": self._c})
        self._context = frame[:, -_CONTEXT:]
        return float(np.asarray(prob).reshape(-1)[0])


DEFAULT_END_SILENCE_S = 0.4
# Mandarin answers pause longer between their sentences: the latency bench's Kokoro replies pause
# 0.38-0.51 s between the sentences of one answer, and 0.4 s ended those turns mid-answer (the
# customer cut in 3-6 s before the trainee finished).  docs/voice.md, "Mandarin" (turn latency).
END_SILENCE_BY_LANGUAGE_S = {"zh": 0.6}


def end_silence_for(language: str) -> float:
    """The silence that ends a trainee's turn in a scenario of this language."""
    return END_SILENCE_BY_LANGUAGE_S.get(language, DEFAULT_END_SILENCE_S)


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    threshold: float = 0.5  # speech probability that starts or continues speech
    neg_threshold: float = 0.35  # below this it is silence; between the two, the previous state holds
    onset_s: float = 0.03  # speech needed before a turn (or a barge-in) counts: one VAD window
    end_silence_s: float = DEFAULT_END_SILENCE_S  # silence that ends the turn
    # Silence after which the words so far are worth transcribing early: two VAD windows.  Whisper
    # takes ~0.4 s and cannot be stopped, so this is what the trainee waits on; a pass that speech
    # resumes over is wasted, but rarely (benchmarks/early_pass.py: 1 turn in 52 waited behind one).
    pause_s: float = 0.064
    max_turn_s: float = 60.0  # a longer turn is cut here and continues as the next turn
    no_speech_s: float = 6.0  # nothing said for this long after listening starts: a silence event
    pre_roll_s: float = 0.25  # audio kept before the detected onset (soft word starts)
    tail_s: float = 0.15  # audio kept after the last speech

    def __post_init__(self):
        if not 0 < self.neg_threshold <= self.threshold < 1:
            raise ValueError("VAD thresholds must satisfy 0 < neg_threshold <= threshold < 1")
        if self.end_silence_s < self.tail_s or self.end_silence_s <= 0:
            raise ValueError("end_silence_s must be positive and at least tail_s")
        if self.max_turn_s <= 1 or self.no_speech_s <= 0:
            raise ValueError("max_turn_s must exceed 1 s and no_speech_s must be positive")


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    at_s: float  # onset: start of the first speech window


@dataclass(frozen=True, slots=True)
class SpeechPaused:
    """Silence began after speech; the turn may be over.  ``audio`` is the turn so far."""

    audio: AudioClip
    speech_end_s: float
    heard_at_s: float = 0.0  # the end of the window that completed the pause (stream time)


@dataclass(frozen=True, slots=True)
class SpeechResumed:
    """Speech again after a ``SpeechPaused``: that pause was not the end of the turn."""

    at_s: float


@dataclass(frozen=True, slots=True)
class TurnEnded:
    utterance: Utterance
    heard_at_s: float = 0.0  # the end of the window that completed the turn (stream time)


@dataclass(frozen=True, slots=True)
class NoSpeech:
    silence_s: float  # how long the trainee has said nothing since listening started


EndpointEvent = SpeechStarted | SpeechPaused | SpeechResumed | TurnEnded | NoSpeech


class LevelOnset:
    """A sound starting on the mic, from block levels alone: quicker than the VAD (which needs a
    voiced window) but fooled by bumps and noise, so it only *holds* the customer's line until
    the VAD confirms speech.  The floor follows the quiet blocks, so steady noise is ignored."""

    def __init__(self, margin_db: float = 15.0, min_dbfs: float = -50.0, blocks: int = 1):
        self.margin_db = margin_db
        self.min_dbfs = min_dbfs
        self.blocks = blocks
        self.floor_dbfs = -90.0
        self._run = 0

    def update(self, samples: np.ndarray) -> bool:
        level = 20 * np.log10(max(float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))), 1e-6))
        loud = level > max(self.min_dbfs, self.floor_dbfs + self.margin_db)
        if loud:
            self._run += 1
        else:
            self._run = 0
            # Quick to fall, slow to rise: the floor is the quiet between words, not the words.
            rate = 0.5 if level < self.floor_dbfs else 0.02
            self.floor_dbfs += rate * (level - self.floor_dbfs)
        return self._run >= self.blocks


class Endpointer:
    """Feeds capture blocks through the VAD and reports turn boundaries as events."""

    def __init__(self, detector: VoiceDetector, config: EndpointConfig = EndpointConfig(),
                 sample_rate: int = CALL_RATE):
        if sample_rate != CALL_RATE:
            raise ValueError("the VAD runs at 16 kHz; resample the capture first")
        self.config = config
        self.rate = sample_rate
        self._detector = detector
        self._pending = np.zeros(0, np.float32)  # samples not yet in a full VAD window
        self._next_window_sample = 0  # absolute position of the first pending sample
        self._kept: list[np.ndarray] = []  # audio from ``_kept_start`` up to the last full window
        self._kept_start = 0
        self._kept_len = 0
        self.in_speech = False
        self._candidate_start: int | None = None
        self._candidate_samples = 0
        self._turn_start = 0  # first sample of the current turn's audio
        self._onset = 0
        self._last_speech_end = 0
        self._silence_run = 0
        self._paused_reported = False
        self._listen_from: int | None = None
        self._turn_limit_s: float | None = None
        self._to_samples = lambda seconds: round(seconds * self.rate)

    # -- control -------------------------------------------------------------------------------
    def listen(self, turn_limit_s: float | None = None, *, since_s: float | None = None) -> None:
        """Start waiting for a trainee turn: the no-speech timer starts now (or at ``since_s``).
        ``turn_limit_s`` (shorter than ``max_turn_s``) is where the customer cuts in on a long reply."""
        self._listen_from = self._next_window_sample if since_s is None else round(since_s * self.rate)
        if self.in_speech and turn_limit_s is not None:
            self._listen_from = None
        self._turn_limit_s = turn_limit_s

    def stop_listening(self) -> None:
        self._listen_from = None

    @property
    def position_s(self) -> float:
        return self._next_window_sample / self.rate

    @property
    def turn_start(self) -> int | None:
        """The first sample of the turn being spoken (pre-roll included), None between turns."""
        return self._turn_start if self.in_speech else None

    def audio_since(self, sample: int) -> np.ndarray:
        """The audio kept from ``sample`` to the last full VAD window (the current turn's, while one is
        spoken), without joining what came before it."""
        tail: list[np.ndarray] = []
        end = self._kept_start + self._kept_len
        for chunk in reversed(self._kept):
            if end <= sample:
                break
            start = end - len(chunk)
            tail.append(chunk[max(0, sample - start):])
            end = start
        return np.concatenate(tail[::-1]) if tail else np.zeros(0, np.float32)

    # -- feeding -------------------------------------------------------------------------------
    def feed(self, block: AudioBlock | np.ndarray) -> list[EndpointEvent]:
        samples = block.samples if isinstance(block, AudioBlock) else block
        self._pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        events: list[EndpointEvent] = []
        while len(self._pending) >= VAD_WINDOW:
            window, self._pending = self._pending[:VAD_WINDOW], self._pending[VAD_WINDOW:]
            start = self._next_window_sample
            self._keep(window)
            self._next_window_sample += VAD_WINDOW
            self._step(self._detector.probability(window), start, events)
        return events

    def _keep(self, window: np.ndarray) -> None:
        self._kept.append(window)
        self._kept_len += len(window)
        if not self.in_speech and self._candidate_start is None:
            # Idle: only the pre-roll is worth keeping.
            limit = self._to_samples(self.config.pre_roll_s) + VAD_WINDOW
            while self._kept and self._kept_len - len(self._kept[0]) >= limit:
                dropped = self._kept.pop(0)
                self._kept_len -= len(dropped)
                self._kept_start += len(dropped)

    def _audio(self, start: int, end: int) -> np.ndarray:
        whole = np.concatenate(self._kept) if len(self._kept) != 1 else self._kept[0]
        self._kept = [whole]
        return whole[max(0, start - self._kept_start):max(0, end - self._kept_start)].copy()

    def _drop_before(self, sample: int) -> None:
        if sample <= self._kept_start:
            return
        whole = np.concatenate(self._kept) if self._kept else np.zeros(0, np.float32)
        cut = min(len(whole), sample - self._kept_start)
        self._kept = [whole[cut:]]
        self._kept_len = len(whole) - cut
        self._kept_start += cut

    def _step(self, prob: float, start: int, events: list[EndpointEvent]) -> None:
        cfg = self.config
        end = start + VAD_WINDOW
        if not self.in_speech:
            if prob >= cfg.threshold:
                if self._candidate_start is None:
                    self._candidate_start = start
                    self._candidate_samples = 0
                self._candidate_samples += VAD_WINDOW
                if self._candidate_samples >= self._to_samples(cfg.onset_s):
                    self._begin_turn(self._candidate_start, events)
                    self._last_speech_end = end
                    return
            elif prob < cfg.neg_threshold:
                self._candidate_start = None
            if (self._listen_from is not None and self._candidate_start is None
                    and end - self._listen_from >= self._to_samples(cfg.no_speech_s)):
                events.append(NoSpeech((end - self._listen_from) / self.rate))
                self._listen_from = None
            return

        # Hysteresis: between the thresholds the state holds (speech until a pause is reported).
        if prob >= cfg.threshold or (prob >= cfg.neg_threshold and not self._paused_reported):
            if self._paused_reported:
                events.append(SpeechResumed(start / self.rate))
                self._paused_reported = False
            self._last_speech_end = end
            self._silence_run = 0
        else:
            self._silence_run += VAD_WINDOW
        if self._silence_run >= self._to_samples(cfg.end_silence_s):
            self._end_turn(self._last_speech_end + self._to_samples(cfg.tail_s), events, cut=False, heard_at=end)
            return
        if self._silence_run >= self._to_samples(cfg.pause_s) and not self._paused_reported:
            self._paused_reported = True
            stop = min(end, self._last_speech_end + self._to_samples(cfg.tail_s))
            events.append(SpeechPaused(AudioClip(self._audio(self._turn_start, stop), self.rate),
                                       self._last_speech_end / self.rate, end / self.rate))
        limit_s = cfg.max_turn_s if self._turn_limit_s is None else min(cfg.max_turn_s, self._turn_limit_s)
        if end - self._turn_start >= self._to_samples(limit_s):
            # Too long: cut here; whatever follows is the next turn, so no sample is lost.
            self._end_turn(end, events, cut=True, heard_at=end)
            self._begin_turn(end, events, pre_roll=False)

    def _begin_turn(self, onset: int, events: list[EndpointEvent], pre_roll: bool = True) -> None:
        self.in_speech = True
        self._candidate_start = None
        self._onset = onset
        first = onset - self._to_samples(self.config.pre_roll_s) if pre_roll else onset
        self._turn_start = max(first, self._kept_start)
        self._silence_run = 0
        self._paused_reported = False
        self._listen_from = None
        events.append(SpeechStarted(onset / self.rate))

    def _end_turn(self, stop: int, events: list[EndpointEvent], *, cut: bool, heard_at: int) -> None:
        audio = self._audio(self._turn_start, stop)
        speech_end = stop if cut else self._last_speech_end
        events.append(TurnEnded(Utterance(AudioClip(audio, self.rate), self._turn_start / self.rate,
                                          speech_end / self.rate, was_interrupted=cut,
                                          speech_start_s=self._onset / self.rate), heard_at / self.rate))
        self.in_speech = False
        self._turn_limit_s = None
        self._drop_before(stop)
