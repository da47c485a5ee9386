"""The scenario language reaching recognition, the customer's voice and the linter (no model loads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.asr.guarded import FillerMode
from simulator.asr.languages import missing_for_language
from simulator.asr.registry import model_for_language, transcriber_from_settings
from simulator.asr.script import SimplifiedChinese
from simulator.asr.wer import character_errors, corpus_cer
from simulator.config import Settings, load_settings
from simulator.scenario.model import Language
from simulator.scenario.voices import load_voice, voice_for_language
from simulator.text import join_words

VOICES = Path(__file__).resolve().parents[2] / "voices"


def test_each_language_gets_its_model_english_unchanged(monkeypatch):
    settings = Settings()
    assert model_for_language(settings, "en") == "tiny.en"
    assert model_for_language(settings, "zh") == "base"
    english = transcriber_from_settings(settings)
    assert (english.model_name, english.language, english.fillers) == ("tiny.en", "en", FillerMode.SEPARATE_PASS)
    mandarin = transcriber_from_settings(settings, language="zh")
    # the English filler prompt would bend Mandarin: one decode without it
    assert (mandarin.model_name, mandarin.language, mandarin.fillers) == ("base", "zh", FillerMode.OFF)
    monkeypatch.setenv("CALLSIM_ASR_MODELS", "zh=/models/whisper-small")
    assert model_for_language(load_settings(), "zh") == "/models/whisper-small"
    assert model_for_language(load_settings(), "en") == "tiny.en"


def test_bad_per_language_setting_names_the_form(monkeypatch):
    monkeypatch.setenv("CALLSIM_ASR_MODELS", "base")
    with pytest.raises(ValueError, match="language=model"):
        load_settings()


def test_traditional_characters_become_simplified_and_words_join_without_spaces():
    simplified = SimplifiedChinese()
    assert simplified("我認為跑步最重要的就是給我帶來了身體健康") == "我认为跑步最重要的就是给我带来了身体健康"
    assert simplified("頭髮 乾淨") == "头发 干净"  # one-to-many characters resolved by phrase
    assert simplified("Hello there") == "Hello there"
    assert join_words(["广", "州市", "人,", "正"]) == "广州市人,正"
    assert join_words(["Hello,", "world."]) == "Hello, world."


def test_character_error_rate_ignores_punctuation_and_width():
    assert character_errors("广州市房地产中介协会分析", "广州市佛地产中间协会分析。").wer == pytest.approx(2 / 12)
    assert character_errors("１２３，好", "123好").errors == 0
    total = corpus_cer([("你好", "你好"), ("谢谢您", "谢谢")])
    assert (total.errors, total.reference_words) == (1, 5)


def test_missing_recognition_pieces_are_named(tmp_path):
    assert missing_for_language(Settings(), "zh") == []  # the packages in requirements/base.txt
    missing = missing_for_language(Settings(asr_models={"zh": str(tmp_path / "absent")}), "zh")
    assert len(missing) == 1 and "asr_models.zh" in missing[0]
    assert "no setting for language 'fr'" in missing_for_language(Settings(), "fr")[0]


def test_a_mandarin_call_gets_a_voice_that_speaks_mandarin(tmp_path):
    english = load_voice(VOICES / "older-woman-brisk.yaml")
    assert voice_for_language(english, Language.EN, VOICES) is english
    chosen = voice_for_language(english, Language.ZH, VOICES)
    assert chosen.language is Language.ZH and chosen.gender == english.gender
    (tmp_path / "only.yaml").write_text((VOICES / "older-woman-brisk.yaml").read_text().replace(
        "id: older-woman-brisk", "id: only"), encoding="utf-8")
    fallback = voice_for_language(load_voice(tmp_path / "only.yaml"), Language.ZH, tmp_path)
    assert fallback.system_voice == "sit/cmn+f3" and fallback.rate_wpm == english.rate_wpm
    from simulator.tts.registry import builtin_engines

    clip = builtin_engines().create(fallback.engine).render("您好，请问有什么可以帮您", fallback, fallback.prosody(40))
    assert clip.duration_s > 0.5  # the engine knows the voice: espeak-ng's Mandarin speaks the line


def test_check_warns_when_a_language_lacks_its_recogniser(tmp_path, monkeypatch, capsys):
    import json

    from simulator.cli import main

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "zh-parcel-lost.yaml"
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("CALLSIM_ASR_MODELS", f"zh={tmp_path / 'no-model-here'}")
    assert main(["check", str(scenario), "--json"]) == 0  # warnings only
    found = {d["code"]: d for d in json.loads(capsys.readouterr().out)}
    assert "asr_models.zh" in found["language.component-missing"]["message"]
    language_line = scenario.read_text(encoding="utf-8").splitlines().index("language: zh") + 1
    assert found["language.component-missing"]["line"] == language_line
    assert "voice.unintelligible" not in found  # the shipped Mandarin profiles speak with Kokoro
    monkeypatch.delenv("CALLSIM_ASR_MODELS")
    main(["check", str(scenario), "--json"])
    assert "language.component-missing" not in {d["code"] for d in json.loads(capsys.readouterr().out)}


def test_check_warns_when_a_mandarin_scenario_speaks_with_espeak(tmp_path, monkeypatch, capsys):
    import json

    from simulator.cli import main

    shipped = Path(__file__).resolve().parents[2]
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "voices").mkdir()
    scenario = tmp_path / "scenarios" / "zh-parcel-lost.yaml"
    scenario.write_text((shipped / "scenarios" / "zh-parcel-lost.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    voice = load_voice(VOICES / "middle-woman-mandarin.yaml").model_copy(
        update={"engine": "pyttsx3", "system_voice": "sit/cmn+f3"})
    (tmp_path / "voices" / "middle-woman-mandarin.yaml").write_text(
        json.dumps(voice.model_dump(mode="json"), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "none.toml"))
    main(["check", str(scenario), "--json"])
    assert "voice.unintelligible" in {d["code"] for d in json.loads(capsys.readouterr().out)}
