"""The neural customer voice (hibari), its reshaped profiles, the disk cache and the espeak-ng fallback.

Real synthesis throughout: the engine renders a short line in well under a second.
"""

from __future__ import annotations

import logging
import os
import stat
import sys

import numpy as np
import pytest

from simulator.analysis.acoustics import yin_pitch
from simulator.audio.clip import CALL_RATE, level_dbfs, read_wav
from simulator.call.render_plan import render_plan, scenario_lines
from simulator.cli import main
from simulator.lazy import MissingPackage
from simulator.scenario.loader import load_scenario
from simulator.scenario.voices import load_voices, mood_bucket
from simulator.tts.cache import LineCache, LineKey
from simulator.tts.hibari_engine import HibariEngine
from simulator.tts.pyttsx3_engine import Pyttsx3Engine
from simulator.tts.registry import builtin_engines
from simulator.tts.worker import LATER, TtsWorker

LINE = "I was charged twice this month."


@pytest.fixture(scope="module")
def engine() -> HibariEngine:
    return HibariEngine()


@pytest.fixture(scope="module")
def profiles(voices_dir):
    return {p.id: p for p in load_voices(voices_dir)}


def median_pitch_hz(samples: np.ndarray) -> float:
    hz, _aperiodicity = yin_pitch(samples, CALL_RATE)
    return float(np.median(hz[hz > 0]))


def semitones(high_hz: float, low_hz: float) -> float:
    return 12.0 * float(np.log2(high_hz / low_hz))


def test_the_default_engine_is_the_neural_voice_and_speaks_a_line(engine, profiles):
    assert isinstance(builtin_engines().create(), HibariEngine)
    profile = profiles["older-woman-brisk"]
    clip = engine.render(LINE, profile, profile.prosody(profile.mood.neutral_anger))
    assert clip.sample_rate == CALL_RATE and clip.samples.dtype == np.float32
    assert 1.0 < clip.duration_s < 4.0
    assert -26 < level_dbfs(clip.samples) < -12
    assert 150 < median_pitch_hz(clip.samples) < 260  # a woman's voice


def test_the_engine_never_reaches_for_the_network(monkeypatch, profiles):
    """Only the voice inside the wheel is used: hibari downloads its other voices with urllib."""
    import urllib.request

    def no_network(*_args, **_kwargs):
        raise AssertionError("hibari tried to download something")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    profile = profiles["young-man-fast"]
    assert HibariEngine().render("Hello.", profile, profile.prosody(40)).duration_s > 0.2


def test_profiles_sound_measurably_different(engine, profiles):
    pitch = {vid: median_pitch_hz(engine.render(LINE, profiles[vid], profiles[vid].prosody(40)).samples)
             for vid in ("middle-man-gruff", "older-man-slow", "young-woman-anxious", "older-woman-brisk")}
    assert semitones(pitch["young-woman-anxious"], pitch["middle-man-gruff"]) > 8
    assert semitones(pitch["older-woman-brisk"], pitch["older-man-slow"]) > 4
    assert semitones(pitch["young-woman-anxious"], pitch["older-woman-brisk"]) > 2


def test_an_angry_customer_is_faster_and_higher_than_a_calm_one(engine, profiles):
    profile = profiles["young-man-fast"]
    calm, angry = (engine.render(LINE, profile, profile.prosody(anger)) for anger in (0, 100))
    assert angry.duration_s < 0.85 * calm.duration_s
    assert semitones(median_pitch_hz(angry.samples), median_pitch_hz(calm.samples)) > 2
    assert level_dbfs(angry.samples) > level_dbfs(calm.samples) + 1


def test_chinese_text_is_refused_with_what_to_do(engine, profiles):
    from simulator.tts.base import TtsError
    with pytest.raises(TtsError, match=r"English only.*kokoro-zh"):
        engine.render("我被扣了两次钱。", profiles["older-woman-brisk"], profiles["older-woman-brisk"].prosody(40))


def test_disk_cache_hits_across_workers_misses_on_a_new_mood_and_files_are_private(tmp_path, profiles):
    profile = profiles["middle-man-gruff"]
    folder = tmp_path / "voice-cache"
    first = TtsWorker(HibariEngine, LineCache(folder=folder))
    try:
        clip = first.render(LINE, profile, profile.prosody(40))
    finally:
        first.close()
    files = list(folder.rglob("*.wav"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert first.cache.misses == 1 and first.cache.disk_hits == 0

    second = TtsWorker(HibariEngine, LineCache(folder=folder))  # a later call: a new process's cache
    try:
        again = second.render(LINE, profile, profile.prosody(40))
        assert second.cache.disk_hits == 1 and second.cache.misses == 0
        assert np.max(np.abs(again.samples - clip.samples)) < 1e-3  # the same line, as 16-bit PCM
        second.render(LINE, profile, profile.prosody(100))  # a new mood: rendered, not read
        assert second.cache.misses == 1
        assert len(list(folder.rglob("*.wav"))) == 2
    finally:
        second.close()


def test_an_edited_profile_is_a_new_voice_in_the_cache(profiles):
    profile = profiles["middle-man-gruff"]
    edited = profile.model_copy(update={"neural": profile.neural.model_copy(update={"pitch_semitones": -4})})
    prosody = profile.prosody(40)
    assert LineKey.of("hibari", profile, prosody, LINE).file_name() != \
        LineKey.of("hibari", edited, prosody, LINE).file_name()


def test_a_damaged_cache_file_is_rendered_again(tmp_path, profiles, engine, caplog):
    profile = profiles["older-man-slow"]
    cache = LineCache(folder=tmp_path)
    key = LineKey.of("hibari", profile, profile.prosody(40), LINE)
    cache.put(key, engine.render(LINE, profile, profile.prosody(40)))
    path = next(tmp_path.rglob("*.wav"))
    path.write_bytes(b"RIFF\x00\x00")
    with caplog.at_level(logging.WARNING, "callsim.voice"):
        assert LineCache(folder=tmp_path).get(key) is None
    assert not path.exists() and "unreadable" in caplog.text


def test_a_scenario_is_rendered_ahead_into_the_cache(tmp_path, scenarios_dir, profiles):
    scenario = load_scenario(scenarios_dir / "billing-overcharge.yaml").scenario
    lines = scenario_lines(scenario)
    assert lines[0] == scenario.nodes[scenario.start].lines[0]
    assert scenario.silence_prompt in lines and len(lines) == len(set(lines)) > 5
    profile = profiles[scenario.persona.voice]
    worker = TtsWorker(HibariEngine, LineCache(folder=tmp_path))
    try:
        prosody = profile.prosody(mood_bucket(scenario.persona.mood))
        queued = worker.prefetch(lines, profile, [prosody], priority=LATER)
        assert queued == len(lines)
        worker.render(lines[0], profile, prosody)  # jumps the queue
        worker.submit("end of queue", profile, prosody, priority=LATER).result(120)
        assert all(worker.cache.peek(worker.key(text, profile, prosody)) for text in lines)
        assert len(list(tmp_path.rglob("*.wav"))) == len(lines) + 1
    finally:
        worker.close()


@pytest.fixture
def without_hibari(monkeypatch):
    for name in [m for m in sys.modules if m == "hibari" or m.startswith("hibari.")] + ["hibari"]:
        monkeypatch.setitem(sys.modules, name, None)  # import then fails as if not installed


def test_without_the_package_the_default_falls_back_to_espeak_with_a_message(without_hibari, caplog):
    with caplog.at_level(logging.WARNING, "callsim.voice"):
        engine = builtin_engines().create()
    assert isinstance(engine, Pyttsx3Engine)
    assert "hibari-tts" in caplog.text and "espeak-ng" in caplog.text
    with pytest.raises(MissingPackage, match=r"pip install hibari-tts\[fast\]"):
        builtin_engines().create("hibari")


def test_callsim_say_still_speaks_without_the_package(without_hibari, tmp_path, capsys):
    out = tmp_path / "line.wav"
    assert main(["say", "middle-man-gruff", "Hello, is anyone there?", "--out", str(out)]) == 0
    clip = read_wav(out)
    assert clip.duration_s > 0.5 and level_dbfs(clip.samples) > -35
    assert os.path.getsize(out) > 1000


def test_callsim_voices_render_fills_the_cache_and_a_second_run_renders_nothing(tmp_path, monkeypatch, capsys,
                                                                              scenarios_dir):
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(tmp_path))
    assert main(["voices", "--render", "missed-delivery", "--moods", "20", "90"]) == 0
    first = capsys.readouterr().out
    plan = [item for item in render_plan(load_scenario(scenarios_dir / "missed-delivery.yaml").scenario)
            if item.mood_bucket in (20, 90)]
    assert f"{len(plan)} renders (" in first and "2 moods" in first
    assert f"{len(plan)} rendered, 0 already cached" in first
    assert len(list((tmp_path / "voice-cache").rglob("*.wav"))) == len(plan)
    assert main(["voices", "--render", "missed-delivery", "--moods", "20", "90"]) == 0
    assert f"0 rendered, {len(plan)} already cached" in capsys.readouterr().out


def test_callsim_voices_render_of_an_unknown_scenario_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(tmp_path))
    assert main(["voices", "--render", "no-such-scenario"]) == 1
    assert "no-such-scenario" in capsys.readouterr().err
