"""Voice measures on real speech: louder, higher, faster and tenser variants move the right measure.

Variants are made from the copied clips in tests/data/asr with numpy (gain) and sox (pitch,
tempo, treble); the originals are human recordings (see tests/data/ATTRIBUTION.md).
"""

from __future__ import annotations

import math
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.acoustics import PitchTracker, voice_features, yin_difference, yin_pitch
from simulator.analysis.tone import SpeakerBaseline, call_tone, count_fillers, measure_tone, words_per_minute
from simulator.contracts import ToneLabel, Transcript, Word
from simulator.scenario.model import ToneThresholds
from simulator.wavfile import read_wav

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
CLIPS = ("pocketsphinx_goforward", "pocketsphinx_forever_2", "speechrecognition_english", "whisper_jfk")
RATE = 16_000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def sox(source: Path, target: Path, *effect: str) -> Path:
    subprocess.run(["sox", str(source), str(target), *effect], check=True, capture_output=True)
    return target


def features(path: Path):
    audio = read_wav(path)
    return voice_features(audio.mono(), audio.sample_rate)


@pytest.fixture(scope="module")
def clip() -> Path:
    return DATA / "pocketsphinx_forever_2.wav"


def test_yin_finds_the_pitch_of_a_voiced_tone():
    t = np.arange(RATE) / RATE
    for f0 in (90.0, 140.0, 220.0, 330.0):
        buzz = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6)).astype(np.float32) * 0.2
        hz, _ = yin_pitch(buzz, RATE)
        assert np.median(hz[hz > 0]) == pytest.approx(f0, rel=0.01)


def test_yin_difference_is_the_sum_of_squared_differences_on_real_speech(clip):
    """The FFT shortcut (sized to the frame, the turn path's cost) equals YIN's definition, lag by lag."""
    samples = read_wav(clip).mono().astype(np.float64)
    window, tau_max = 400, 246  # 25 ms and the 65 Hz lowest pitch at 16 kHz, as yin_pitch uses
    starts = range(8000, 8000 + 40 * 160, 160)  # 40 frames of speech, 10 ms apart
    frames = np.stack([samples[s: s + window + tau_max] for s in starts])
    direct = np.array([[np.sum((f[:window] - f[tau: tau + window]) ** 2) for tau in range(tau_max + 1)]
                       for f in frames])
    assert direct.max() > 1.0  # speech, not silence
    np.testing.assert_allclose(yin_difference(frames, window, tau_max), direct, rtol=1e-9, atol=1e-9)


def test_pitch_tracked_as_audio_arrives_is_the_pitch_of_the_whole_clip(clip):
    """A live turn's pitch is worked out block by block as it is spoken; the tone must not change for it."""
    samples = read_wav(clip).mono()
    tracker = PitchTracker(RATE)
    sizes = np.random.default_rng(3).integers(1, 1200, size=len(samples) // 300)
    for piece in np.split(samples, np.cumsum(sizes)[np.cumsum(sizes) < len(samples)]):
        tracker.extend(piece)
    assert tracker.fed == len(samples)
    for length in (len(samples), len(samples) - 2400, 20_000):
        track = tracker.track(length)
        assert track is not None
        hz, aperiodicity = yin_pitch(samples[:length], RATE)
        np.testing.assert_array_equal(track.hz, hz)
        np.testing.assert_array_equal(track.aperiodicity, aperiodicity)
        assert voice_features(samples[:length], RATE, track) == voice_features(samples[:length], RATE)
    assert tracker.track(len(samples) + 1) is None  # not fed yet: the caller measures the clip itself


def test_yin_calls_noise_unvoiced():
    noise = np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32)
    hz, _ = yin_pitch(noise, RATE)
    assert (hz > 0).mean() < 0.2


def test_louder_copy_reads_louder_by_the_gain(clip, tmp_path):
    samples = read_wav(clip).mono()
    quiet = features(write_wav(tmp_path / "quiet.wav", samples * 0.25))
    loud = features(write_wav(tmp_path / "loud.wav", samples))
    assert loud.level_db - quiet.level_db == pytest.approx(20 * math.log10(4), abs=0.5)
    # level and gain do not change the voice's pitch or spectral balance
    assert loud.pitch_hz == pytest.approx(quiet.pitch_hz, rel=0.03)
    assert loud.tilt_db == pytest.approx(quiet.tilt_db, abs=0.5)


def test_higher_copy_reads_higher_by_the_shift(clip, tmp_path):
    normal = features(clip)
    higher = features(sox(clip, tmp_path / "higher.wav", "pitch", "400"))  # +4 semitones
    rise = 12 * math.log2(higher.pitch_hz / normal.pitch_hz)
    assert 3.0 < rise < 5.0


def test_faster_copy_reads_faster(clip, tmp_path):
    text = Transcript("feels like these days go on forever")
    normal = words_per_minute(text, features(clip))
    faster = words_per_minute(text, features(sox(clip, tmp_path / "fast.wav", "tempo", "1.4")))
    assert normal is not None and faster is not None
    assert faster / normal == pytest.approx(1.4, rel=0.15)
    assert 100 < normal < 260  # a read sentence at a plausible pace


def test_word_timings_give_the_pace():
    words = tuple(Word(w, 0.4 * i, 0.4 * i + 0.3) for i, w in enumerate(["one", "two", "three", "four", "five", "six"]))
    wpm = words_per_minute(Transcript(" ".join(w.text for w in words), words), None)
    assert wpm == pytest.approx(60 * 6 / (0.4 * 5 + 0.3))


def test_brighter_copy_has_more_high_band_energy(clip, tmp_path):
    normal = features(clip)
    tense = features(sox(clip, tmp_path / "tense.wav", "treble", "+9", "2000"))
    assert tense.tilt_db - normal.tilt_db > 3.0
    assert tense.centroid_hz > normal.centroid_hz


def test_fillers_are_counted():
    assert count_fillers("Um, so, uh, I mean the refund is, erm, on its way, you know.") == 5
    assert count_fillers("The refund is on its way.") == 0


CARDS = tuple(f"pocketsphinx_cards_00{n}" for n in range(1, 6))  # one speaker reading card names


def test_raised_voice_is_relative_to_the_speakers_own_baseline(tmp_path):
    """One speaker's five read turns, then a copy of one made louder, higher and brighter."""
    thresholds = ToneThresholds()
    turns = [(Transcript(name), features(DATA / f"{name}.wav")) for name in CARDS]
    pressed = sox(DATA / f"{CARDS[1]}.wav", tmp_path / "pressed.wav", "gain", "-12", "pitch", "300",
                  "treble", "+6", "2000", "gain", "22")
    turns.append((Transcript("four queen of clubs"), features(pressed)))
    tones = call_tone(turns, thresholds)
    heated = tones[-1]
    assert heated.label == ToneLabel.ANGRY and heated.raised_voice
    assert heated.level_rise_db >= thresholds.raised_voice_db
    assert heated.pitch_rise_semitones > 1.5
    assert heated.arousal > max(t.arousal for t in tones[:-1]) + 1.0
    assert any(e.rule == "tone.hostile" and e.start_s is not None for e in heated.evidence)
    # the same words in the speaker's normal voice are not hostile
    assert tones[1].label == ToneLabel.NEUTRAL and not tones[1].raised_voice


def test_the_same_call_at_a_different_headset_gain_gets_the_same_labels(tmp_path):
    """Speaker normalisation: turning the whole call down 15 dB changes no judgement."""
    thresholds = ToneThresholds()
    originals, quieter = [], []
    for name in CLIPS:
        samples = read_wav(DATA / f"{name}.wav").mono()
        originals.append((Transcript(name), features(DATA / f"{name}.wav")))
        quieter.append((Transcript(name), features(write_wav(tmp_path / f"{name}.wav", samples * 10 ** (-15 / 20)))))
    loud = call_tone(originals, thresholds)
    soft = call_tone(quieter, thresholds)
    assert [t.label for t in loud] == [t.label for t in soft]
    for a, b in zip(loud, soft, strict=True):
        assert a.level_rise_db == pytest.approx(b.level_rise_db, abs=0.3)


def test_a_single_turn_has_no_baseline_so_no_hostile_call(clip):
    tone = measure_tone(Transcript("feels like these days go on forever"), features(clip),
                        SpeakerBaseline().reference(), ToneThresholds())
    assert tone.angry_probability is None and tone.label == ToneLabel.NEUTRAL
    assert tone.loudness_db is not None and tone.pitch_hz is not None and tone.speech_s > 1.0


def test_silence_is_not_measurable(tmp_path):
    quiet = features(write_wav(tmp_path / "silence.wav", np.zeros(RATE, np.float32)))
    assert not quiet.measurable
    assert SpeakerBaseline().add(quiet).turns == ()


def test_a_short_reply_is_measured_but_not_judged(tmp_path):
    """A loud half-second "okay" has too little speech for a stable level: no raised/hostile call."""
    samples = read_wav(DATA / "pocketsphinx_cards_002.wav").mono()
    levels = np.abs(samples)
    start = int(np.argmax(levels > 0.05 * levels.max()))
    short = write_wav(tmp_path / "short.wav", samples[start: start + int(0.5 * RATE)] * 4.0)
    turns = [(Transcript(name), features(DATA / f"{name}.wav")) for name in CARDS]
    turns.append((Transcript("okay"), features(short)))
    tones = call_tone(turns, ToneThresholds())
    assert tones[-1].loudness_db is not None and tones[-1].speech_s < 0.8
    assert tones[-1].angry_probability is None and not tones[-1].raised_voice
