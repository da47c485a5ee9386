"""In a packed Whisper pass the speech is looked for in each turn's own audio.

The Silero VAD carries its state from one stretch of audio into the next: run over a whole pass it found
speech in a quarter of a quiet turn that followed loud ones, and the guard that drops words where nobody
spoke dropped the rest.  Real VAD on real recordings (tests/data/asr); the decoder is replaced by one that
reports a word every 0.4 s of each turn, so only the speech finding is under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.asr.guarded import FillerMode, GuardedWhisper
from simulator.asr.guards import DecodedSegment
from simulator.audio.clip import read_wav
from simulator.contracts import Word
from simulator.qa.external import packed_clips

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"


class _WordsEverywhere(GuardedWhisper):
    """Decodes nothing: a word every 0.4 s of each packed part, so the guards alone decide what is kept."""

    def __init__(self, parts_s):
        super().__init__(fillers=FillerMode.OFF)
        self.parts_s = parts_s

    def _load_model(self):
        return object()

    def _decode(self, model, audio, initial_prompt, *, text_only=False):
        segments = []
        for number, (start_s, end_s) in enumerate(self.parts_s):
            times = np.arange(start_s, end_s - 0.4, 0.4)
            words = tuple(Word(f"t{number}w{i}", float(t), float(t) + 0.35, 0.9) for i, t in enumerate(times))
            segments.append(DecodedSegment(" ".join(w.text for w in words), start_s, end_s, words, 0.01, -0.2, 1.2))
        return segments


def test_a_quiet_turn_after_loud_ones_is_heard_as_speech_throughout() -> None:
    loud = [read_wav(DATA / name).samples for name in ("whisper_jfk.wav", "pocketsphinx_cards_005.wav")]
    quiet = read_wav(DATA / "pocketsphinx_goforward.wav").samples * 0.05  # 26 dB down
    audio, parts_s = packed_clips([*loud, quiet])  # as the importer packs a pass
    heard = _WordsEverywhere(parts_s).transcribe_parts(audio, parts_s, fillers=False)
    quiet_words = [w for w in heard.words if w.text.startswith("t2")]
    alone = _WordsEverywhere([(0.0, quiet.size / 16_000)]).transcribe(quiet)
    # alone, its speech spans about 2.3 of its 2.8 s; over the whole pass the detector found 0.7 s of it
    assert len(alone.words) >= 4
    assert len(quiet_words) >= len(alone.words) - 1
