"""Voiced lab calls through the real voiced call (TTS, PortAudio on the ALSA file device, VAD,
Whisper): a drill stage's noise is mixed under the customer's voice; an exam certifies by voice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.clip import CALL_RATE, read_wav
from simulator.contracts import Speaker
from simulator.store import open_store
from tests.conftest import absent

pytestmark = [pytest.mark.audio, pytest.mark.models]

REPO = Path(__file__).resolve().parents[2]
AUDIO_TEMPLATE = REPO.parent / "shared" / "audio" / "asound.conf.template"
REPLIES = (
    "Thank you for calling, my name is Sam. I am so sorry you have been charged twice, that must be worrying.",
    "Can you confirm your date of birth for security please?",
    "I have refunded the second payment, it will be back in your account within three working days.",
)
DRILL = """\
id: noisy
title: Noisy line
stages:
  - {scenario: billing-overcharge, seed: 1, start_mood: 70, turn_time_limit_s: 30,
     noise: {kind: office, level_db: -30}, interrupt_rate: 0.0}
"""


def _quietest_window_db(samples: np.ndarray, window_s: float = 0.1) -> float:
    size = int(window_s * CALL_RATE)
    windows = [samples[i:i + size] for i in range(0, len(samples) - size, size)]
    rms = min(float(np.sqrt(np.mean(w.astype(np.float64) ** 2))) for w in windows)
    return 20 * np.log10(max(rms, 1e-9))


@pytest.fixture(scope="module")
def voiced_env(tmp_path_factory) -> tuple[dict[str, str], Path]:
    """The ALSA file device's environment, and the trainee's replies spoken by espeak-ng (16 kHz)."""
    if not AUDIO_TEMPLATE.is_file():
        absent(f"{AUDIO_TEMPLATE} is absent (the shared test devices are not mounted)")
    assert shutil.which("espeak-ng") and shutil.which("sox")
    base = tmp_path_factory.mktemp("voiced-lab")
    device = base / "alsa"
    device.mkdir()
    (device / "asound.conf").write_text(AUDIO_TEMPLATE.read_text().replace("@DIR@", str(device)))
    np.zeros(CALL_RATE, "<f4").tofile(device / "capture.raw")  # must exist before PortAudio enumerates
    replies = base / "replies"
    replies.mkdir()
    for number, text in enumerate(REPLIES, start=1):
        raw = base / f"raw{number}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(raw), text], check=True, capture_output=True)
        subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(replies / f"{number}.wav")],
                       check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env["ALSA_CONFIG_PATH"] = str(device / "asound.conf")
    return env, replies


def callsim(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=400,
                          env=env, cwd=REPO)


def test_voiced_drill_mixes_stage_noise_and_stores_the_call(voiced_env, tmp_path: Path, lab_env: Path) -> None:
    env, replies = voiced_env
    env = {**env, "CALLSIM_DATA_DIR": str(lab_env), "CALLSIM_CONFIG": str(tmp_path / "none.toml")}
    stage_dir = tmp_path / "mic" / "1-billing-overcharge"
    shutil.copytree(replies, stage_dir)
    drill = tmp_path / "noisy.yaml"
    drill.write_text(DRILL, encoding="utf-8")
    db = tmp_path / "lab.db"
    result = callsim(env, "drill", str(drill), "--mic-from", str(tmp_path / "mic"), "--mic-pace", "fast",
                     "--trainee", "ana", "--db", str(db), "--record-to", str(tmp_path / "calls"),
                     "--analyser", "lexical", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    [stage] = json.loads(result.stdout)["stages"]
    assert stage["noise"] == "office -30 dB"
    with open_store(db) as store:
        call = store.get_call(stage["call_id"])
        recordings = store.recordings(stage["call_id"])
        assert store.verify_recordings(stage["call_id"]) == []
    assert call.record.header.mode == "voice" and call.record.header.drill == "noisy"
    assert call.record.turns[0].mood == 70
    said = " ".join(t.text.lower() for t in call.record.trainee_turns)
    assert "security" in said and "refund" in said  # Whisper heard the recorded replies
    customer = [t for t in call.record.turns if t.speaker == Speaker.CUSTOMER]
    floor = _quietest_window_db(read_wav(call.record.audio(customer[0])).samples)
    assert -40 < floor < -20, floor  # office noise at -30 dBFS under the voice, even in its pauses
    assert [r.turn_index for r in recordings] == [t.index for t in call.record.turns if t.audio_path]
    assert len(recordings) == len(call.record.turns)  # every turn of a voiced call has its WAV, checksummed


def test_voiced_exam_certifies_a_level(voiced_env, tmp_path: Path, lab_env: Path) -> None:
    env, replies = voiced_env
    env = {**env, "CALLSIM_DATA_DIR": str(lab_env), "CALLSIM_CONFIG": str(tmp_path / "none.toml")}
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text("levels:\n  - stars: 1\n    title: One\n    require: [{passed: 1}]\n"
                      "    exam: {scenarios: [billing-overcharge], seed: 1, min_overall: 50}\n", encoding="utf-8")
    shutil.copytree(replies, tmp_path / "mic" / "billing-overcharge")
    db = tmp_path / "lab.db"
    result = callsim(env, "exam", "1", "--trainee", "ana", "--ladder", str(ladder), "--mic-from",
                     str(tmp_path / "mic"), "--mic-pace", "fast", "--db", str(db), "--analyser", "lexical",
                     "--record-to", str(tmp_path / "calls"), "--json")
    assert result.returncode in (0, 1), result.stderr[-3000:]  # 0 certified, 1 not (the scorer decides)
    shown = json.loads(result.stdout)
    [call] = shown["calls"]
    with open_store(db) as store:
        stored = store.get_call(call["call_id"])
        certificates = store.certifications("ana")
    assert stored.record.header.mode == "voice" and stored.attempt.kind.value == "exam"
    assert stored.attempt.seed == 1 and stored.scorecard.overall == call["overall"]
    # certified exactly when the stored scorecard passed with the exam's minimum, and traceable to it
    certified = stored.scorecard.passed and stored.scorecard.overall >= 50
    assert shown["passed"] == certified and result.returncode == (0 if certified else 1)
    assert [c.call_ids for c in certificates] == ([(call["call_id"],)] if certified else [])
