"""A voiced Mandarin call with no sound device: a ``language: zh`` scenario built by ``open_voiced_call``
as the app and ``callsim play`` build it, real Mandarin speech from tests/data as the microphone.

The scenario's language must reach Whisper (the multilingual model, ``language="zh"``, simplified
characters) and the customer's voice (a profile that speaks Mandarin)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.audio.capture import ReplayPace, WavMic
from simulator.audio.endpoint import EndpointConfig, end_silence_for
from simulator.call.textcall import run_call
from simulator.call.voiced import VoiceOptions
from simulator.call.voiced_setup import open_voiced_call
from simulator.config import Settings
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Language
from tests.helpers.audio import CollectingSpeaker

pytestmark = pytest.mark.models
REPO = Path(__file__).resolve().parents[2]
CLIPS = [REPO / "tests" / "data" / "asr" / name for name in ("paddlespeech_zh.wav", "aishell_BAC009S0724W0121.wav")]


class KeepingAnalyser:
    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.inputs = []

    def analyse(self, turn):
        self.inputs.append(turn)
        return self.inner.analyse(turn)


def test_a_mandarin_scenario_hears_mandarin_and_speaks_with_a_mandarin_voice(tmp_path):
    loaded = load_scenario(REPO / "scenarios" / "zh-parcel-lost.yaml")
    settings = Settings(analyser="lexical", data_dir=tmp_path / "data")
    mic = WavMic(CLIPS, pace=ReplayPace.FAST, lead_s=0.3)
    options = VoiceOptions(endpoint=EndpointConfig(end_silence_s=1.0))
    call = open_voiced_call(loaded, settings, tmp_path / "call", options, mic=mic, speaker=CollectingSpeaker())
    analyser = KeepingAnalyser(builtin_analysers().create("lexical", loaded.scenario))
    try:
        assert call.transcriber.language == "zh" and call.transcriber.model_name == "base"
        assert call.profile.language is Language.ZH
        run_call(loaded, analyser, call, call, tmp_path / "call", mode="voice")
    finally:
        call.close()
    heard = [turn.transcript.text for turn in analyser.inputs]
    assert len(heard) == len(CLIPS)
    assert "认为跑步最重要" in heard[0] and "身体健康" in heard[0]  # simplified, no spaces between words
    assert "广州市" in heard[1]


def test_a_mandarin_call_waits_longer_for_the_end_of_a_turn_than_an_english_one(tmp_path):
    settings = Settings(analyser="lexical", data_dir=tmp_path / "data")
    waits = {}
    for name in ("zh-parcel-lost", "billing-overcharge"):
        loaded = load_scenario(REPO / "scenarios" / f"{name}.yaml")
        mic = WavMic(CLIPS, pace=ReplayPace.FAST, lead_s=0.3)
        call = open_voiced_call(loaded, settings, tmp_path / name, VoiceOptions(), mic=mic, speaker=CollectingSpeaker())
        try:
            waits[loaded.scenario.language] = call.endpointer().config.end_silence_s
        finally:
            call.close()
    assert waits == {"zh": end_silence_for("zh"), "en": end_silence_for("en")}
    assert waits["zh"] > waits["en"]
