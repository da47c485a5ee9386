"""Mandarin turns: lexical tones move pitch, so pitch alone never makes a turn heated, and pace is
counted in characters a minute.  English turns are judged exactly as before."""

from __future__ import annotations

from simulator.analysis.acoustics import VoiceFeatures
from simulator.analysis.tone import SpeakerBaseline, VoicePoint, arousal, measure_tone
from simulator.contracts import ToneLabel, Transcript, Word
from simulator.scenario.model import ToneThresholds
from simulator.text import is_mostly_chinese

MANDARIN = "您好，请问有什么可以帮您"
ENGLISH = "Hello, how can I help you today"


def features(pitch_hz: float, level_db: float = -20.0) -> VoiceFeatures:
    return VoiceFeatures(duration_s=2.0, speech_s=1.8, speech_span_s=1.9, loudest_s=0.5, level_db=level_db,
                         level_swing_db=8.0, loud_level_db=level_db + 4, pitch_hz=pitch_hz,
                         pitch_range_semitones=6.0, pitch_high_hz=pitch_hz * 1.3, voiced_fraction=0.7,
                         tilt_db=-20.0, centroid_hz=900.0)


def timed(text: str, seconds: float) -> Transcript:
    return Transcript(text, (Word(text, 0.0, seconds, 0.9),))


def test_language_is_read_from_the_words():
    assert is_mostly_chinese(MANDARIN) and is_mostly_chinese("好的，VIP 会员")
    assert not is_mostly_chinese(ENGLISH) and not is_mostly_chinese("")


def test_a_pitch_rise_alone_heats_english_but_not_mandarin():
    reference = SpeakerBaseline().add(features(120.0)).add(features(121.0)).reference()
    assert reference is not None
    higher = features(120.0 * 2 ** (6 / 12))  # six semitones up, no louder: one Mandarin tone's swing
    english = measure_tone(timed(ENGLISH, 1.8), higher, reference, ToneThresholds())
    mandarin = measure_tone(timed(MANDARIN, 1.8), higher, reference, ToneThresholds())
    assert english.label == ToneLabel.ANGRY  # unchanged: the RAVDESS-chosen steps
    assert mandarin.label != ToneLabel.ANGRY and not mandarin.raised_voice
    louder_and_higher = features(120.0 * 2 ** (6 / 12), level_db=-12.0)  # 8 dB louder as well
    words = tuple(Word(c, 0.1 * i, 0.1 * i + 0.1, 0.9) for i, c in enumerate("您好请问"))
    heated = measure_tone(Transcript("您好请问", words), louder_and_higher, reference, ToneThresholds())
    assert heated.label == ToneLabel.ANGRY
    hostile = next(e for e in heated.evidence if e.rule == "tone.hostile")
    assert hostile.quote and hostile.quote in "您好请问"  # quoted as written: no spaces between characters


def test_tonal_pitch_never_adds_more_than_the_level_and_falls_still_count():
    reference = VoicePoint(-20.0, 120.0, -20.0)
    rise = arousal(VoicePoint(-17.0, 120.0 * 2 ** (8 / 12), -20.0), reference, tonal=True)
    assert rise.score == 2 * 3.0 / 6.0  # level 0.5 + pitch capped at 0.5
    fall = arousal(VoicePoint(-20.0, 120.0 * 2 ** (-4 / 12), -20.0), reference, tonal=True)
    assert fall.score < 0


def test_pace_band_follows_the_language():
    limits = ToneThresholds()
    assert limits.pace_band(ENGLISH).unit == "words" and limits.pace_band(ENGLISH).high == 175
    band = limits.pace_band(MANDARIN)
    assert (band.unit, band.low, band.high) == ("characters", 180, 245)
    # 12 characters in 3.4 s is ~212 a minute: a comfortable Mandarin pace, which as words would be "too fast"
    measured = measure_tone(timed(MANDARIN, 3.4), features(200.0), None, limits)
    assert measured.words_per_minute is not None
    assert band.low <= measured.words_per_minute <= band.high
    assert measured.words_per_minute > limits.pace_max_wpm


def test_the_scorecard_times_mandarin_replies_in_characters():
    from pathlib import Path

    from simulator.contracts import ToneMeasures
    from simulator.scenario.loader import load_scenario
    from simulator.scenario.model import Rubric
    from simulator.scoring.call_scorer import score_call
    from simulator.scoring.scorecard import Dimension
    from tests.scoring.test_scorecard_scoring import build_record

    scenario = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "zh-parcel-lost.yaml").scenario
    exchanges = [("您好，我的快递没收到。", 0, "您好，很高兴为您服务，请问有什么可以帮您？"),
                 ("订单号是二零二四。", 0, "Hello, how can I help you today with your order?")]
    times = [(0.0, 2.0, 2.5, 6.0), (6.5, 7.0, 7.5, 10.0)]
    same_rate = ToneMeasures(ToneLabel.NEUTRAL, words_per_minute=215, pitch_range_semitones=5, speech_s=3.0)
    card = score_call(build_record(scenario, exchanges, times=times, tones=[same_rate, same_rate]), scenario,
                      Rubric())
    assert card.dimension(Dimension.TONE).score is not None
    mandarin, english = (turn.evidence for turn in card.turns)
    assert not any(e.rule == "tone.pace" for e in mandarin)  # 215 characters a minute: comfortable
    pace = next(e for e in english if e.rule == "tone.pace")  # 215 words a minute: too fast
    assert "每分钟 215 词" in pace.detail  # a Mandarin call's scorecard is in Chinese; English is timed in words
