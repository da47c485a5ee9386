"""Turns and timing of an outside recording from its two channels' speech spans (pure)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.lexical import LexicalAnalyser
from simulator.contracts import CustomerLineSource, Speaker, Transcript, Word
from simulator.qa.external import (
    RecordingReaders,
    Span,
    agent_timing,
    analyse_external,
    build_turns,
    channels_of,
    overlap_s,
    transcribe_clips,
)
from simulator.qa.importer import generic_scenario
from simulator.scenario.model import Rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.scorecard import Dimension
from simulator.wavfile import Audio, read_wav

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"


def spans(*pairs: tuple[float, float]) -> list[Span]:
    return [Span(a, b) for a, b in pairs]


def test_alternating_speech_makes_alternating_turns_and_merges_short_pauses():
    customer = spans((0.0, 2.0), (6.0, 7.0))
    agent = spans((2.5, 3.5), (3.9, 5.5), (8.0, 9.0))  # a 0.4 s pause inside the first reply
    turns = build_turns(agent, customer)
    assert [t.speaker for t in turns] == [Speaker.CUSTOMER, Speaker.TRAINEE, Speaker.CUSTOMER, Speaker.TRAINEE]
    assert (turns[1].start_s, turns[1].end_s) == (2.5, 5.5)


def test_a_long_pause_splits_one_speakers_turns():
    turns = build_turns(spans((0.0, 2.0), (6.0, 8.0)), [], turn_gap_s=2.0)
    assert len(turns) == 2


def test_a_backchannel_inside_agent_speech_does_not_split_the_agents_turn():
    agent = spans((0.0, 6.0))
    customer = spans((2.0, 2.4))  # "mm-hm"
    turns = build_turns(agent, customer)
    assert [t.speaker for t in turns] == [Speaker.TRAINEE]
    timing, barged_in = agent_timing(turns[0], None, customer)
    assert timing.overlap_s == pytest.approx(0.4)
    assert not barged_in  # the agent was already talking


def test_starting_while_the_customer_talks_is_a_barge_in_with_overlap():
    customer = spans((0.0, 4.0))
    agent = spans((3.0, 6.0))
    turns = build_turns(agent, customer)
    timing, barged_in = agent_timing(turns[1], turns[0], customer)
    assert barged_in
    assert timing.overlap_s == pytest.approx(1.0)
    assert timing.response_delay_s == 0.0


def test_response_delay_is_the_gap_after_the_customer_stops():
    customer = spans((0.0, 2.0))
    agent = spans((5.2, 7.0))
    turns = build_turns(agent, customer)
    timing, barged_in = agent_timing(turns[1], turns[0], customer)
    assert timing.response_delay_s == pytest.approx(3.2)
    assert timing.start_s == 5.2 and timing.end_s == 7.0
    assert not barged_in and timing.overlap_s == 0.0


def test_overlap_adds_every_intersection():
    assert overlap_s(spans((0, 2), (3, 5)), spans((1, 4))) == pytest.approx(2.0)


class _TimedTranscriber:
    """Reports one word per second of non-silent audio, with true times: checks the word mapping."""

    name = "timed"

    def __init__(self):
        self.calls = 0

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        self.calls += 1
        words = []
        for second in range(int(len(audio) / 16_000)):
            chunk = audio[second * 16_000:(second + 1) * 16_000]
            if np.abs(chunk).max() > 0:
                words.append(Word(f"w{round(chunk.max() * 100)}", second + 0.1, second + 0.9))
        return Transcript(" ".join(w.text for w in words), tuple(words))


def test_packed_clips_get_back_their_own_words_in_one_pass():
    clips = [np.full(16_000 * n, level, np.float32) for n, level in ((2, 0.11), (1, 0.22), (3, 0.33))]
    transcriber = _TimedTranscriber()
    texts = transcribe_clips(clips, transcriber)
    assert transcriber.calls == 1
    assert [t.text.split()[0] for t in texts] == ["w11", "w22", "w33"]
    assert all(w.start_s >= 0 for t in texts for w in t.words)
    assert len(texts[2].words) >= 2


def test_a_pass_holds_no_more_than_one_whisper_window_of_packed_turns():
    # 20 s + gap fits, 15 s more would not: a second pass, which the 5-s clip joins
    clips = [np.full(16_000 * n, level, np.float32) for n, level in ((20, 0.11), (15, 0.22), (5, 0.33))]
    transcriber = _TimedTranscriber()
    texts = transcribe_clips(clips, transcriber)
    assert transcriber.calls == 2
    assert [t.words[0].text for t in texts] == ["w11", "w22", "w33"]
    assert len(texts[0].words) == 20 and texts[0].words[-1].end_s < 20  # every second, times within the clip
    longer = _TimedTranscriber()
    assert [t.words[0].text for t in transcribe_clips(clips, longer, pass_s=600)] == ["w11", "w22", "w33"]
    assert longer.calls == 1


def test_the_agent_channel_can_be_either_side():
    left, right = np.full(8_000, 0.1, np.float32), np.full(8_000, 0.2, np.float32)
    audio = Audio(np.stack([left, right], axis=1), 8_000)
    agent, customer = channels_of(audio, 1)
    assert agent.size == 16_000 and np.median(agent) == pytest.approx(0.2, abs=0.01)  # resampled to 16 kHz
    assert np.median(customer) == pytest.approx(0.1, abs=0.01)
    mono_agent, nobody = channels_of(Audio(left[:, None], 8_000), 0)
    assert nobody is None and mono_agent.size == 16_000
    with pytest.raises(ValueError, match="channel 2"):
        channels_of(audio, 2)


def test_a_customer_who_sounds_angry_makes_the_next_reply_call_for_empathy(tmp_path):
    """Customer anger heard in their voice (no words needed) marks the agent's answer as needing empathy."""
    heated = tmp_path / "heated.wav"
    subprocess.run(["sox", str(DATA / "pocketsphinx_cards_002.wav"), str(heated), "gain", "-12", "pitch", "300",
                    "treble", "+6", "2000", "gain", "22"], check=True, capture_output=True)
    customer = [DATA / "pocketsphinx_cards_001.wav", heated, DATA / "pocketsphinx_cards_003.wav",
                DATA / "pocketsphinx_cards_005.wav"]
    agent = [DATA / "pocketsphinx_forever_2.wav", DATA / "pocketsphinx_goforward.wav",
             DATA / "speechrecognition_english.wav", DATA / "pocketsphinx_forever_2.wav"]
    clock, placed = 0, []
    for c, a in zip(customer, agent, strict=True):
        for channel, path in ((1, c), (0, a)):
            samples = read_wav(path).mono()
            placed.append((channel, clock, samples))
            clock += samples.size + 8_000  # half a second between turns
    stereo = np.zeros((clock + 16_000, 2), np.float32)
    for channel, start, samples in placed:
        stereo[start: start + samples.size, channel] = samples

    def find_spans(samples: np.ndarray) -> list[Span]:
        return [Span(start / 16_000, (start + s.size) / 16_000) for ch, start, s in placed
                if np.array_equal(samples[start: start + s.size], s)]

    readers = RecordingReaders(find_spans, _TimedTranscriber(), LexicalAnalyser(None))
    call = analyse_external(Audio(stereo, 16_000), readers, thresholds=Rubric().tone, scenario_id="external-call")
    moods = [t.mood for t in call.record.turns if t.speaker == Speaker.CUSTOMER]
    assert moods[1] >= 70 and all(m < 50 for i, m in enumerate(moods) if i != 1)
    card = score_call(call.record, generic_scenario(), Rubric())
    # only the reply to the turn that sounded angry: the opening reply answered a calm customer
    assert card.dimension(Dimension.EMPATHY).judged_turns == (2,)


def _spans_of(samples: np.ndarray) -> list[Span]:
    """The one stretch of non-silent audio a test channel holds."""
    loud = np.flatnonzero(np.abs(samples) > 1e-3)
    return [Span(loud[0] / 16_000, (loud[-1] + 1) / 16_000)] if loud.size else []


class _FillerTranscriber(_TimedTranscriber):
    """Words as ``_TimedTranscriber``; ``transcribe`` adds a filler, ``transcribe_words`` does not."""

    def __init__(self):
        super().__init__()
        self.word_passes = 0

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        words = super().transcribe(audio, prompt=prompt)
        return Transcript(f"um {words.text}", (Word("um", 0.0, 0.05), *words.words))

    def transcribe_words(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        self.word_passes += 1
        return super().transcribe(audio, prompt=prompt)


def test_the_customer_is_transcribed_without_the_filler_decode_the_agent_with_it():
    # only the agent's fillers are scored (tone), so the customer's side skips that decode
    left = np.zeros(16_000 * 9, np.float32)
    right = np.zeros_like(left)
    right[16_000:16_000 * 3] = 0.22  # customer 1-3 s
    left[16_000 * 4:16_000 * 6] = 0.11  # agent 4-6 s
    transcriber = _FillerTranscriber()
    readers = RecordingReaders(_spans_of, transcriber, LexicalAnalyser(None))
    call = analyse_external(Audio(np.stack([left, right], axis=1), 16_000), readers, thresholds=Rubric().tone,
                            scenario_id="external-call")
    texts = {t.speaker: t.text for t in call.record.turns}
    assert texts[Speaker.TRAINEE].startswith("um w11")
    assert texts[Speaker.CUSTOMER].startswith("w22") and "um" not in texts[Speaker.CUSTOMER].split()
    assert transcriber.word_passes == 1


class _NotingAnalyser(LexicalAnalyser):
    """The lexical analyser, keeping what it was asked to read."""

    def __init__(self):
        super().__init__(None)
        self.inputs: list[TurnInput] = []

    def analyse(self, turn: TurnInput):
        self.inputs.append(turn)
        return super().analyse(turn)


def test_an_outside_calls_customer_lines_reach_the_analyser_as_a_recognisers_words():
    # read by the distress regression also taught phone turns, not by the one of scenarios' written lines
    left = np.zeros(16_000 * 9, np.float32)
    right = np.zeros_like(left)
    right[16_000:16_000 * 3] = 0.22
    left[16_000 * 4:16_000 * 6] = 0.11
    analyser = _NotingAnalyser()
    readers = RecordingReaders(_spans_of, _TimedTranscriber(), analyser)
    analyse_external(Audio(np.stack([left, right], axis=1), 16_000), readers, thresholds=Rubric().tone,
                     scenario_id="external-call")
    assert [(t.customer_line, t.customer_line_source) for t in analyser.inputs] == [
        ("w22 w22", CustomerLineSource.HEARD)]
