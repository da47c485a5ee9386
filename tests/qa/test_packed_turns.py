"""Short turns packed into one Whisper pass keep their words when they say the same thing.

Packed end to end, the same short answer given in several turns makes the window's text compress like a
repetition loop; faster-whisper gives that ratio to every segment of the window, so judging the window
threw away every turn in it.  Real tiny.en on a real recording (tests/data/asr).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber
from simulator.asr.guarded import FillerMode
from simulator.audio.clip import read_wav
from simulator.qa.external import WordsOnly, transcribe_clips
from simulator.qa.importer import LazyTranscriber

pytestmark = pytest.mark.models

CARDS = Path(__file__).resolve().parents[1] / "data" / "asr" / "pocketsphinx_cards_002.wav"  # "four queen of clubs"


@pytest.fixture(scope="module")
def whisper() -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(fillers=FillerMode.SEPARATE_PASS)


def _queens(texts) -> int:
    return sum(t.text.lower().count("queen") for t in texts)


def test_six_turns_of_one_answer_packed_in_one_pass_keep_their_words(whisper: FasterWhisperTranscriber) -> None:
    clip = read_wav(CARDS).samples
    texts = transcribe_clips([clip] * 6, WordsOnly(whisper))
    # heard as one recording, the window's text compresses past 2.4 and all six came back empty; the words'
    # times drift by a word or so across the repeats, so a turn may get a neighbour's first word
    assert _queens(texts) >= 5
    assert sum(bool(t.text) for t in texts) >= 5


def test_the_agent_side_with_its_filler_decode_keeps_them_too(whisper: FasterWhisperTranscriber) -> None:
    clip = read_wav(CARDS).samples
    texts = transcribe_clips([clip] * 6, whisper)
    assert _queens(texts) >= 5


def test_recorded_calls_are_heard_part_by_part_through_the_lazy_transcriber() -> None:
    from simulator.config import load_settings

    lazy = LazyTranscriber(load_settings().model_copy(update={"qa_asr_model": "tiny.en"}))
    clip = read_wav(CARDS).samples
    assert _queens(transcribe_clips([clip] * 6, WordsOnly(lazy))) >= 5
    assert _queens(transcribe_clips([clip] * 6, lazy)) >= 5
