"""Fillers off the turn path: the customer answers from the words, and the fillers, decoded while
the answer plays, still reach the call's record and the tone score."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.analysis.tone import count_fillers
from simulator.asr.wer import normalise
from simulator.audio.capture import ReplayPace
from simulator.call.textcall import run_call
from simulator.call.voiced import VoiceOptions
from simulator.call.voiced_setup import open_voiced_call
from simulator.config import Settings
from simulator.contracts import Speaker
from simulator.record import read_call
from simulator.scenario.loader import load_scenario
from tests.voice.conftest import speak_with_espeak

pytestmark = [pytest.mark.audio, pytest.mark.models]
REPO = Path(__file__).resolve().parents[2]
# Fillers espeak-ng says clearly enough for the filler decode to hear (see test_asr_faster_whisper).
REPLIES_WITH_FILLERS = (
    "Um, let me just, uh, pull up your account.",
    "I am, um, really sorry about that.",
    "Uh, I understand, um, that must be frustrating.",
)


class WatchingAnalyser:
    """The call's real analyser, noting the words each turn was analysed from (what the customer answers)."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.analysed_texts: list[str] = []

    def analyse(self, turn):
        if turn.audio_path is not None:  # a spoken turn (not the warm-up analysis)
            self.analysed_texts.append(turn.transcript.text)
        return self.inner.analyse(turn)

    def recount_fillers(self, analysis, transcript):
        return self.inner.recount_fillers(analysis, transcript)


def test_fillers_are_counted_after_the_answer_starts_and_reach_the_record_and_tone(file_device, tmp_path):
    from simulator.analysis.registry import builtin_analysers

    folder = tmp_path / "replies"
    folder.mkdir()
    for number, text in enumerate(REPLIES_WITH_FILLERS, start=1):
        speak_with_espeak(text, folder / f"reply_{number}.wav")
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    settings = Settings(analyser="lexical", data_dir=tmp_path / "data")
    analyser = WatchingAnalyser(builtin_analysers().create("lexical", loaded.scenario))
    call = open_voiced_call(loaded, settings, tmp_path / "call",
                            VoiceOptions(mic_from=folder, mic_pace=ReplayPace.FAST), analyser=analyser)
    try:
        run_call(loaded, analyser, call, call, tmp_path / "call", mode="voice")
    finally:
        call.close()

    record = read_call(tmp_path / "call")
    trainee = [t for t in record.turns if t.speaker == Speaker.TRAINEE]
    assert len(trainee) == len(analyser.analysed_texts)
    # The customer answered from the words (Whisper keeps the odd filler even without the filler
    # prompt); the record holds the fillers the filler decode found later, and the tone counted them.
    recorded = sum(count_fillers(turn.text) for turn in trainee)
    assert recorded > sum(count_fillers(text) for text in analyser.analysed_texts), \
        ([t.text for t in trainee], analyser.analysed_texts)
    for turn, words_only in zip(trainee, analyser.analysed_texts, strict=True):
        assert turn.analysis is not None and turn.analysis.tone is not None
        assert turn.analysis.tone.fillers == count_fillers(turn.text)
        assert turn.analysis.transcript.text == turn.text
        # The words are those the customer answered to; only fillers were added.
        assert normalise(turn.text, drop_fillers=True) == normalise(words_only, drop_fillers=True)
