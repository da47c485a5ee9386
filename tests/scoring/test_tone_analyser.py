"""ToneAnalyser: any turn analyser plus tone from the turn's WAV, with a running speaker baseline."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from simulator.analysis.base import TurnInput
from simulator.analysis.lexical import LexicalAnalyser
from simulator.analysis.tone import ToneAnalyser, with_tone
from simulator.contracts import ToneLabel, Transcript
from simulator.wavfile import read_wav

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"


def _scaled_copy(source: Path, target: Path, gain_db: float) -> Path:
    audio = read_wav(source)
    samples = np.clip(audio.mono() * 10 ** (gain_db / 20), -1, 1)
    with wave.open(str(target), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(audio.sample_rate)
        handle.writeframes((samples * 32767).astype("<i2").tobytes())
    return target


def _turn(index: int, text: str, audio: Path | None = None) -> TurnInput:
    return TurnInput(turn_index=index, transcript=Transcript(text), customer_line="You charged me twice!",
                     audio_path=audio)


def test_spoken_turns_get_tone_and_typed_turns_do_not(tmp_path):
    analyser = ToneAnalyser(LexicalAnalyser(None))
    typed = analyser.analyse(_turn(1, "I'm sorry about that."))
    assert typed.tone is None and typed.empathy.level > 0  # the inner analysis is kept
    spoken = analyser.analyse(_turn(2, "one two three", DATA / "speechrecognition_english.wav"))
    assert spoken.tone is not None
    assert spoken.tone.pitch_hz is not None and spoken.tone.loudness_db is not None
    assert spoken.analyser == "lexical"


def test_running_baseline_catches_a_louder_turn(tmp_path):
    analyser = with_tone(LexicalAnalyser)(None)
    cards = [DATA / f"pocketsphinx_cards_00{n}.wav" for n in (1, 2, 3)]
    calm = [analyser.analyse(_turn(i + 1, "ten of clubs", path)) for i, path in enumerate(cards)]
    loud = analyser.analyse(_turn(4, "ten of clubs", _scaled_copy(cards[0], tmp_path / "loud.wav", 12.0)))
    assert all(not t.tone.raised_voice for t in calm)
    assert loud.tone.raised_voice and loud.tone.level_rise_db > 8.0
    assert any(e.rule == "tone.raised_voice" for e in loud.tone.evidence)


def test_unreadable_audio_keeps_the_words_and_leaves_tone_unmeasured(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF but not really a wav")
    analysis = ToneAnalyser(LexicalAnalyser(None)).analyse(_turn(1, "I'm so sorry.", broken))
    assert analysis.tone is None and analysis.empathy.level > 0


def test_warm_wording_without_heat_is_positive():
    analysis = ToneAnalyser(LexicalAnalyser(None)).analyse(
        _turn(1, "Great news, I'm happy to help with that", DATA / "pocketsphinx_forever_2.wav"))
    assert analysis.tone.label == ToneLabel.POSITIVE


def test_a_heated_first_turn_is_caught_once_the_call_is_over(tmp_path):
    """Live, turn 1 has no baseline; re-judged against the whole call (stored measures only) it is hostile."""
    import subprocess

    from simulator.analysis.tone import rejudge_call
    from simulator.scenario.model import ToneThresholds

    heated = tmp_path / "heated.wav"
    subprocess.run(["sox", str(DATA / "pocketsphinx_cards_002.wav"), str(heated), "gain", "-12", "pitch", "300",
                    "treble", "+6", "2000", "gain", "22"], check=True, capture_output=True)
    analyser = ToneAnalyser(LexicalAnalyser(None))
    paths = [heated] + [DATA / f"pocketsphinx_cards_00{n}.wav" for n in (1, 3, 4, 5)]
    live = [analyser.analyse(_turn(i + 1, "four queen of clubs", path)) for i, path in enumerate(paths)]
    assert live[0].tone.label == ToneLabel.NEUTRAL and live[0].tone.arousal == 0.0  # compared with itself only
    after = rejudge_call([(a.transcript, a.tone) for a in live], ToneThresholds())
    assert after[0].label == ToneLabel.ANGRY and after[0].raised_voice
    assert any(e.rule == "tone.hostile" and e.start_s is not None for e in after[0].evidence)
    assert after[0].loudness_db == live[0].tone.loudness_db  # the measures themselves are kept
    assert rejudge_call([(a.transcript, a.tone) for a in live[:1]], ToneThresholds()) == [live[0].tone]


def test_fillers_counted_after_the_turn_reach_its_tone_without_feeding_the_baseline_twice():
    """A voiced call answers from the words and hands the turn its fillers later (``recount_fillers``)."""
    from simulator.analysis.base import FillerRecount

    analyser = ToneAnalyser(LexicalAnalyser(None))
    assert isinstance(analyser, FillerRecount)
    clip = DATA / "speechrecognition_english.wav"
    words = analyser.analyse(_turn(1, "I can check that for you today", clip))
    baseline = analyser.baseline
    with_fillers = analyser.recount_fillers(words, Transcript("Um, I can check, uh, that for you today"))
    assert words.tone.fillers == 0 and with_fillers.tone.fillers == 2
    assert with_fillers.tone.fillers_per_minute > 0
    assert with_fillers.transcript.text.startswith("Um,")
    assert analyser.baseline == baseline  # the voice was measured once
    # Everything that does not depend on the words is the same measurement.
    assert (with_fillers.tone.pitch_hz, with_fillers.tone.loudness_db, with_fillers.empathy) == \
           (words.tone.pitch_hz, words.tone.loudness_db, words.empathy)
