"""Mandarin recognition on real speech: the packaged multilingual Whisper base, simplified characters.

The two clips are real Mandarin read speech (tests/data/ATTRIBUTION.md); their reference texts are
written in simplified characters, and Whisper base writes traditional ones for about half of such
clips, so the conversion is part of what is measured.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.asr.audio_file import read_audio
from simulator.asr.faster_whisper_backend import FasterWhisperTranscriber, resolve_model
from simulator.asr.packaged_models import base_model_path
from simulator.asr.registry import transcriber_from_settings
from simulator.asr.wer import corpus_cer
from simulator.cli import main
from simulator.config import Settings

pytestmark = pytest.mark.models

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
CLIPS = {
    "aishell_BAC009S0724W0121.wav": "广州市房地产中介协会分析",
    "paddlespeech_zh.wav": "我认为跑步最重要的就是给我带来了身体健康",
}


@pytest.fixture(scope="module")
def transcriber() -> FasterWhisperTranscriber:
    chosen = transcriber_from_settings(Settings(), language="zh")
    assert isinstance(chosen, FasterWhisperTranscriber)
    chosen.load()
    return chosen


def test_zh_uses_the_packaged_multilingual_model_joined_once(tmp_path):
    assert transcriber_from_settings(Settings(), language="zh").model_name == "base"
    assert resolve_model("base") == str(base_model_path())
    folder = base_model_path(cache_root=tmp_path)
    assert folder is not None and (folder / "model.bin").stat().st_size > 140_000_000
    written = (folder / "model.bin").stat().st_mtime_ns
    assert base_model_path(cache_root=tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == written  # the second call reuses the joined file
    (folder / "model.bin").write_bytes(b"cut short")  # an interrupted or damaged join is redone
    assert (base_model_path(cache_root=tmp_path) / "model.bin").stat().st_size > 140_000_000


def test_real_mandarin_is_written_in_simplified_characters(transcriber):
    heard = {name: transcriber.transcribe(read_audio(DATA / name)) for name in CLIPS}
    texts = {name: transcript.text for name, transcript in heard.items()}
    # "认为", "带来", "身体": the traditional forms Whisper base writes for this clip are converted
    assert "认为" in texts["paddlespeech_zh.wav"] and "認為" not in texts["paddlespeech_zh.wav"]
    assert " " not in "".join(texts.values())  # Chinese words are joined without spaces
    cer = corpus_cer((CLIPS[name], text) for name, text in texts.items()).wer
    assert cer <= 0.15, texts
    for transcript in heard.values():  # word timings survive, in order
        starts = [w.start_s for w in transcript.words]
        assert starts and starts == sorted(starts)


def test_transcribe_command_takes_the_language(capsys):
    assert main(["transcribe", "--language", "zh", "--json", str(DATA / "paddlespeech_zh.wav")]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert "跑步" in line["text"] and "身体健康" in line["text"]
    assert "".join(w["word"] for w in line["words"]) == line["text"]


def test_a_recorded_call_is_heard_in_its_scenarios_language(capsys):
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "zh-parcel-lost.yaml"
    clip = DATA / "paddlespeech_zh.wav"
    assert main(["score", str(clip), "--scenario", str(scenario), "--json", "--analyser", "lexical"]) in (0, 1)
    scored = json.loads(capsys.readouterr().out)
    heard = "".join(turn["text"] for turn in scored["turns"])
    assert "跑步最重要" in heard and "身体健康" in heard  # Mandarin, not tiny.en's English guesses
