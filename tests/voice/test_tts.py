"""Voice profiles and the customer's speech: real espeak-ng through pyttsx3, the cache, rendering ahead."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading

import numpy as np
import pytest

from simulator.audio.clip import CALL_RATE, AudioClip, level_dbfs, read_wav
from simulator.call.render_plan import every_line_after_turn
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import load_scenario, scenario_files
from simulator.scenario.voices import SCHEMA_FILE, load_voice, load_voices, voice_schema
from simulator.tts.base import TtsError
from simulator.tts.cache import LineCache
from simulator.tts.registry import builtin_engines
from simulator.tts.worker import AHEAD, TtsWorker

LINE = "I have been waiting for forty minutes and nobody has called me back."


@pytest.fixture(scope="module")
def worker():
    worker = TtsWorker(lambda: builtin_engines().create("pyttsx3"))
    yield worker
    worker.close()


@pytest.fixture(scope="module")
def profiles(voices_dir):
    return {p.id: p for p in load_voices(voices_dir)}


def voiced_f0_hz(samples: np.ndarray, rate: int = CALL_RATE) -> float:
    """Median pitch of the loud frames by autocorrelation (good enough to tell voices apart)."""
    estimates = []
    for start in range(0, len(samples) - 1024, 512):
        frame = samples[start:start + 1024].astype(np.float64)
        if np.sqrt(np.mean(frame ** 2)) < 0.03:
            continue
        corr = np.correlate(frame, frame, "full")[1023:]
        low, high = rate // 400, rate // 60
        estimates.append(rate / (low + int(np.argmax(corr[low:high]))))
    return float(np.median(estimates))


def test_six_distinct_profiles_cover_gender_age_and_accent(profiles):
    assert {"older-woman-brisk", "middle-man-gruff", "young-woman-anxious", "older-man-slow",
            "young-man-fast", "middle-woman-caribbean"} <= set(profiles)
    assert {p.gender.value for p in profiles.values()} >= {"female", "male"}
    assert {p.age.value for p in profiles.values()} == {"young", "middle", "older"}
    assert len({p.accent for p in profiles.values()}) >= 5
    assert len({p.system_voice for p in profiles.values()}) == len(profiles)


def test_every_scenario_voice_exists(scenarios_dir, profiles):
    for path in scenario_files([scenarios_dir]):
        assert load_scenario(path).scenario.persona.voice in profiles, path


def test_schema_file_is_generated_from_the_model(voices_dir):
    assert json.loads((voices_dir / SCHEMA_FILE).read_text()) == json.loads(json.dumps(voice_schema()))
    for path in voices_dir.glob("*.yaml"):
        assert path.read_text().startswith(f"# yaml-language-server: $schema={SCHEMA_FILE}")


def test_angrier_is_faster_louder_and_higher(profiles):
    for profile in profiles.values():
        calm, neutral, furious = (profile.prosody(a) for a in (0, profile.mood.neutral_anger, 100))
        assert calm.rate_wpm < neutral.rate_wpm < furious.rate_wpm
        assert calm.pitch < neutral.pitch < furious.pitch
        assert calm.volume < neutral.volume < furious.volume
        assert profile.prosody(61) == profile.prosody(58)  # rounded: lines rendered ahead still match


def test_a_bad_profile_names_file_and_line(tmp_path):
    path = tmp_path / "shouty.yaml"
    path.write_text("id: shouty\nname: Shouty\nrate_wpm: 2000\n")
    with pytest.raises(FileProblems) as problems:
        load_voice(path)
    assert f"{path}:3:" in str(problems.value) and "rate_wpm" in str(problems.value)


def test_render_is_real_speech_at_16k_and_follows_the_mood(worker, profiles):
    profile = profiles["older-woman-brisk"]
    calm = worker.render(LINE, profile, profile.prosody(0))
    furious = worker.render(LINE, profile, profile.prosody(100))
    assert calm.sample_rate == CALL_RATE and calm.samples.dtype == np.float32
    assert 2.0 < calm.duration_s < 8.0
    assert furious.duration_s < calm.duration_s * 0.85  # faster
    assert level_dbfs(furious.samples) > level_dbfs(calm.samples) + 2  # louder
    assert voiced_f0_hz(furious.samples) > voiced_f0_hz(calm.samples)  # higher


def test_a_rendered_line_starts_with_its_first_sound_not_the_synthesisers_lead_in(worker, profiles):
    profile = profiles["older-woman-brisk"]
    threshold = 10 ** (-50 / 20)
    raw = builtin_engines().create("pyttsx3").render(LINE, profile, profile.prosody(50))
    lead_in = int(np.flatnonzero(np.abs(raw.samples) > threshold)[0])
    assert lead_in > 0.005 * CALL_RATE  # espeak-ng starts with a few ms of near-silence
    trimmed = raw.from_first_sound()
    assert np.array_equal(trimmed.samples, raw.samples[lead_in - int(0.005 * CALL_RATE):])
    played = worker.render(LINE, profile, profile.prosody(50))  # what the customer's line plays from
    assert int(np.flatnonzero(np.abs(played.samples) > threshold)[0]) <= 0.005 * CALL_RATE
    assert abs(played.duration_s - trimmed.duration_s) < 0.05


def test_from_first_sound_keeps_a_silent_clip_and_a_clip_that_starts_loud():
    silent = AudioClip(np.zeros(1600, np.float32))
    assert silent.from_first_sound() is silent
    loud = AudioClip(np.full(1600, 0.2, np.float32))
    assert loud.from_first_sound() is loud


def test_voices_sound_different(worker, profiles):
    woman = profiles["young-woman-anxious"]
    man = profiles["middle-man-gruff"]
    f0_woman = voiced_f0_hz(worker.render(LINE, woman, woman.prosody(40)).samples)
    f0_man = voiced_f0_hz(worker.render(LINE, man, man.prosody(40)).samples)
    assert f0_woman > 1.4 * f0_man


def test_cache_returns_the_same_render_and_keys_on_prosody(worker, profiles):
    profile = profiles["young-man-fast"]
    first = worker.render("Is this thing on?", profile, profile.prosody(50))
    hits = worker.cache.hits
    again = worker.render("Is  this thing on?", profile, profile.prosody(50))  # same words, same sound
    assert again is first and worker.cache.hits == hits + 1
    assert worker.render("Is this thing on?", profile, profile.prosody(90)) is not first


def test_lines_rendered_ahead_are_ready_without_rendering(worker, profiles, scenarios_dir):
    scenario = load_scenario(scenarios_dir / "billing-overcharge.yaml").scenario
    profile = profiles[scenario.persona.voice]
    candidates = every_line_after_turn(scenario, scenario.start)
    assert scenario.silence_prompt in candidates
    assert any(line in candidates for line in scenario.nodes["wants-refund"].lines)
    assert "Hello? Is anybody there?" in candidates
    prosody = profile.prosody(scenario.persona.mood)
    worker.prefetch(candidates, profile, [prosody])
    futures = [worker.submit(text, profile, prosody, priority=AHEAD) for text in candidates]
    for future in futures:
        future.result(60)
    misses = worker.cache.misses
    for text in candidates:
        assert worker.render(text, profile, prosody).duration_s > 0.3
    assert worker.cache.misses == misses


def test_pyttsx3_lives_on_one_thread(profiles):
    engine = builtin_engines().create("pyttsx3")
    profile = profiles["older-man-slow"]
    engine.render("Hello.", profile, profile.prosody(40))
    errors = []

    def elsewhere():
        try:
            engine.render("Hello.", profile, profile.prosody(40))
        except RuntimeError as err:
            errors.append(str(err))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert errors and "thread" in errors[0]


def test_an_engine_leaves_no_folder_behind_closed_or_dropped(profiles):
    engine = builtin_engines().create("pyttsx3")
    assert engine._dir is None  # listing voices or checking the engine makes no folder
    profile = profiles["older-man-slow"]
    engine.render("Hello.", profile, profile.prosody(40))
    folder = engine._dir
    assert folder is not None and folder.is_dir()
    engine.close()
    assert not folder.exists()

    dropped = builtin_engines().create("pyttsx3")
    dropped.render("Hello.", profile, profile.prosody(40))
    folder = dropped._dir
    assert folder is not None and folder.is_dir()
    del dropped  # a crashed call never reaches close()
    gc.collect()
    assert not folder.exists()


def test_unknown_system_voice_is_a_clear_error(worker, profiles):
    bad = profiles["older-man-slow"].model_copy(update={"system_voice": "xx/klingon"})
    with pytest.raises(TtsError, match="xx/klingon"):
        worker.render("Hello.", bad, bad.prosody(40))


def test_cache_is_bounded():
    from simulator.audio.clip import AudioClip
    from simulator.scenario.voices import Prosody
    from simulator.tts.cache import LineKey

    cache = LineCache(max_lines=3)
    keys = [LineKey("e", "v", "s", Prosody(160, 50, 0.8), f"line {i}") for i in range(5)]
    for key in keys:
        cache.put(key, AudioClip(np.zeros(10, np.float32)))
    assert len(cache) == 3 and cache.get(keys[0]) is None and cache.get(keys[4]) is not None


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_callsim_say_writes_the_line(tmp_path):
    out = tmp_path / "line.wav"
    result = run_cli("say", "middle-woman-caribbean", "Good morning, I need help with my account.",
                     "--mood", "80", "--out", str(out))
    assert result.returncode == 0, result.stderr
    clip = read_wav(out)
    assert clip.duration_s > 1.0 and level_dbfs(clip.samples) > -30


def test_callsim_say_unknown_voice_lists_the_known_ones():
    result = run_cli("say", "nobody", "Hello")
    assert result.returncode == 1
    assert "nobody" in result.stderr and "older-woman-brisk" in result.stderr


def test_callsim_voices_lists_profiles_and_engine_voices():
    result = run_cli("voices", "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert len(listing["profiles"]) >= 6
    assert all(p["installed"] for p in listing["profiles"])
    assert any(v["id"] == "gmw/en-gb-x-rp" for v in listing["engine_voices"])


def test_the_espeak_command_line_engine_speaks_like_pyttsx3(worker, profiles):
    profile = profiles["middle-woman-caribbean"]
    cli = builtin_engines().create("espeak-ng")
    prosody = profile.prosody(70)
    from_cli = cli.render(LINE, profile, prosody)
    from_pyttsx3 = worker.render(LINE, profile, prosody)
    assert from_cli.sample_rate == CALL_RATE
    assert abs(from_cli.duration_s - from_pyttsx3.duration_s) < 0.1 * from_pyttsx3.duration_s
    assert abs(voiced_f0_hz(from_cli.samples) - voiced_f0_hz(from_pyttsx3.samples)) < 20
    assert any(v.id == "gmw/en-029" for v in cli.system_voices())
    with pytest.raises(TtsError, match="xx/klingon"):
        cli.render("Hello.", profile.model_copy(update={"system_voice": "xx/klingon"}), prosody)


def test_a_half_written_wav_is_a_clean_value_error(tmp_path):
    """pyttsx3 under load can leave a cut-off file; the engine's retry relies on ValueError."""
    from simulator.audio.clip import AudioClip, read_wav, write_wav

    whole = write_wav(tmp_path / "whole.wav", AudioClip(np.zeros(1600, dtype=np.float32)))
    for keep in (10, 30):  # inside the RIFF header, inside the fmt chunk
        cut = tmp_path / f"cut{keep}.wav"
        cut.write_bytes(whole.read_bytes()[:keep])
        with pytest.raises(ValueError, match="not a PCM WAV"):
            read_wav(cut)
