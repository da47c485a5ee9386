"""Endpointing fed straight from arrays: no sound device, no PortAudio.

Real speech from tests/data through the real Silero VAD, whose turns must match the words'
energy; and tones with silence through a level detector (the endpointer's ``VoiceDetector``
protocol), where every boundary is an exact sample position the configuration predicts.
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.capture import BLOCK_SAMPLES
from simulator.audio.clip import CALL_RATE, read_wav
from simulator.audio.endpoint import (
    VAD_WINDOW,
    EndpointConfig,
    Endpointer,
    EndpointEvent,
    NoSpeech,
    SileroVad,
    SpeechPaused,
    SpeechStarted,
    TurnEnded,
)

SR = CALL_RATE
DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
ONE_TWO_THREE = DATA / "speechrecognition_english.wav"  # "one two three", half a second between words
LONG_SPEECH = DATA / "whisper_jfk.wav"  # eleven seconds of a speech
WORD_TOLERANCE_S = 0.1  # VAD windows are 32 ms; word edges by energy are fuzzy by a few frames


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SR), np.float32)


def tone(samples: int, level: float = 0.3) -> np.ndarray:
    return (level * np.sin(2 * np.pi * 220 * np.arange(samples) / SR)).astype(np.float32)


def run(endpointer: Endpointer, audio: np.ndarray, block: int = BLOCK_SAMPLES) -> list[tuple[EndpointEvent, float]]:
    """Every event with the stream position (seconds) at which it was reported."""
    events = []
    for start in range(0, len(audio), block):
        events += [(event, endpointer.position_s) for event in endpointer.feed(audio[start:start + block])]
    return events


def of_kind(events, kind) -> list:
    return [event for event, _at in events if isinstance(event, kind)]


def words_by_energy(samples: np.ndarray, below_peak_db: float = 30.0,
                    bridge_s: float = 0.2) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of 10 ms frames within ``below_peak_db`` of the loudest,
    stretches closer than ``bridge_s`` merged: the words, found without the VAD."""
    frame = SR // 100
    n = len(samples) // frame
    power = 10 * np.log10(np.mean(samples[:n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1) + 1e-12)
    spans: list[list[int]] = []
    for index in np.flatnonzero(power > power.max() - below_peak_db):
        if spans and index - spans[-1][1] <= bridge_s * 100:
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    return [(start / 100, end / 100) for start, end in spans]


# -- real speech, real VAD ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_two_three() -> np.ndarray:
    return read_wav(ONE_TWO_THREE).samples


def test_real_speech_is_cut_into_its_words_at_the_pauses_between_them(one_two_three):
    lead = 1.0
    audio = np.concatenate([silence(lead), one_two_three, silence(2.0)])
    config = EndpointConfig(end_silence_s=0.3)
    events = run(Endpointer(SileroVad(), config), audio)
    words = [(lead + start, lead + end) for start, end in words_by_energy(one_two_three)]
    assert len(words) == 3
    ended = [(event.utterance, at) for event, at in events if isinstance(event, TurnEnded)]
    assert len(ended) == 3 and len(of_kind(events, SpeechStarted)) == 3
    for (utterance, reported_at), (word_start, word_end) in zip(ended, words, strict=True):
        assert utterance.speech_start_s == pytest.approx(word_start, abs=WORD_TOLERANCE_S)
        assert utterance.end_s == pytest.approx(word_end, abs=WORD_TOLERANCE_S)
        assert not utterance.was_interrupted
        # Reported once the configured silence has run, counted in whole VAD windows.
        assert reported_at - utterance.end_s == pytest.approx(config.end_silence_s, abs=VAD_WINDOW / SR)
    for (before, _), (after, _) in pairwise(ended):
        assert before.end_s < after.start_s  # in order, no overlap


def test_a_longer_end_silence_keeps_the_words_in_one_turn_with_every_sample(one_two_three):
    lead = 1.0
    audio = np.concatenate([silence(lead), one_two_three, silence(2.0)])
    config = EndpointConfig(end_silence_s=1.0)
    events = run(Endpointer(SileroVad(), config), audio)
    words = [(lead + start, lead + end) for start, end in words_by_energy(one_two_three)]
    [turn] = [event.utterance for event in of_kind(events, TurnEnded)]
    assert turn.speech_start_s == pytest.approx(words[0][0], abs=WORD_TOLERANCE_S)
    assert turn.end_s == pytest.approx(words[-1][1], abs=WORD_TOLERANCE_S)
    # The pauses were reported (an early transcription may start) but did not end the turn.
    assert len(of_kind(events, SpeechPaused)) >= 2
    # The turn's audio is the input from the pre-roll to the tail, sample for sample.
    start = round(turn.start_s * SR)
    assert turn.start_s == pytest.approx(turn.speech_start_s - config.pre_roll_s, abs=1 / SR)
    assert np.array_equal(turn.audio.samples, audio[start:start + len(turn.audio.samples)])
    assert turn.start_s + turn.audio.duration_s == pytest.approx(turn.end_s + config.tail_s, abs=1 / SR)


@pytest.mark.parametrize("block", [160, 1000, 4096])
def test_the_same_audio_gives_the_same_turns_whatever_the_block_size(block):
    audio = np.concatenate([silence(0.5), read_wav(LONG_SPEECH).samples, silence(1.0)])
    config = EndpointConfig(end_silence_s=0.3)

    def summary(events):
        """Each event's times and audio (when it is reported depends on where the block ends)."""
        described = []
        for event, _at in events:
            if isinstance(event, TurnEnded):
                event = (event.utterance.audio.samples.tobytes(), event.utterance.start_s, event.utterance.end_s,
                         event.utterance.speech_start_s, event.utterance.was_interrupted)
            elif isinstance(event, SpeechPaused):
                event = (event.audio.samples.tobytes(), event.speech_end_s)
            described.append(event)
        return described

    reference = summary(run(Endpointer(SileroVad(), config), audio, BLOCK_SAMPLES))
    assert sum(isinstance(event, tuple) and len(event) == 5 for event in reference) >= 2  # turns
    assert summary(run(Endpointer(SileroVad(), config), audio, block)) == reference


# -- tones and silence, a level detector: exact sample positions ----------------------------------

class LevelDetector:
    """Speech is a window louder than -40 dBFS: on tones and digital silence the VAD's answer is known."""

    def probability(self, window: np.ndarray) -> float:
        return 1.0 if float(np.sqrt(np.mean(np.square(window, dtype=np.float64)))) > 0.01 else 0.0

    def reset(self) -> None:
        pass


def windows(seconds: float) -> int:
    """Samples in the whole VAD windows the endpointer needs to count ``seconds``."""
    return math.ceil(round(seconds * SR) / VAD_WINDOW) * VAD_WINDOW


def test_turn_boundaries_are_exact_sample_positions():
    onset, length = 40 * VAD_WINDOW, 60 * VAD_WINDOW  # on window edges, so the VAD sees them exactly
    audio = np.concatenate([np.zeros(onset, np.float32), tone(length), silence(2.0)])
    config = EndpointConfig(end_silence_s=0.4, pause_s=0.064, pre_roll_s=0.25, tail_s=0.15)
    events = run(Endpointer(LevelDetector(), config), audio)
    assert [type(event) for event, _ in events] == [SpeechStarted, SpeechPaused, TurnEnded]
    speech_end = onset + length
    (started, _), (paused, paused_at), (ended, ended_at) = events
    assert started.at_s == onset / SR
    assert paused.speech_end_s == speech_end / SR
    assert paused_at == (speech_end + windows(config.pause_s)) / SR
    assert ended_at == (speech_end + windows(config.end_silence_s)) / SR
    utterance = ended.utterance
    first, last = onset - round(config.pre_roll_s * SR), speech_end + round(config.tail_s * SR)
    assert (utterance.speech_start_s, utterance.start_s, utterance.end_s) == (onset / SR, first / SR, speech_end / SR)
    assert np.array_equal(utterance.audio.samples, audio[first:last])
    # The early-transcription audio is the same turn, cut at the pause.
    assert np.array_equal(paused.audio.samples, audio[first:speech_end + windows(config.pause_s)])


def test_saying_nothing_is_one_silence_event_after_the_configured_time():
    config = EndpointConfig(no_speech_s=3.0)
    endpointer = Endpointer(LevelDetector(), config)
    endpointer.listen()
    events = run(endpointer, silence(8.0))
    assert [type(event) for event, _ in events] == [NoSpeech]
    [(event, at)] = events
    assert at == event.silence_s == windows(config.no_speech_s) / SR


def test_a_sound_shorter_than_the_onset_is_not_a_turn():
    config = EndpointConfig(onset_s=0.1)  # four windows
    blip = tone(2 * VAD_WINDOW)
    audio = np.concatenate([np.zeros(10 * VAD_WINDOW, np.float32), blip, silence(1.0)])
    assert run(Endpointer(LevelDetector(), config), audio) == []


def test_a_long_turn_is_cut_at_the_limit_and_the_pieces_tile_the_audio():
    onset, length = 20 * VAD_WINDOW, 312 * VAD_WINDOW  # about ten seconds, on window edges
    audio = np.concatenate([np.zeros(onset, np.float32), tone(length), silence(1.0)])
    config = EndpointConfig(max_turn_s=3.0, end_silence_s=0.4)
    turns = [event.utterance for event in of_kind(run(Endpointer(LevelDetector(), config), audio), TurnEnded)]
    assert [turn.was_interrupted for turn in turns] == [True, True, True, False]
    for turn in turns[:-1]:
        assert turn.audio.duration_s == pytest.approx(windows(config.max_turn_s) / SR, abs=VAD_WINDOW / SR)
    for before, after in pairwise(turns):
        assert after.start_s == before.end_s
    first = round(turns[0].start_s * SR)
    joined = np.concatenate([turn.audio.samples for turn in turns])
    assert np.array_equal(joined, audio[first:first + len(joined)])
    assert turns[-1].end_s == (onset + length) / SR
