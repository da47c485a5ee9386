"""A voiced drill stage through the real voiced call (TTS, PortAudio on the ALSA file device, VAD,
Whisper): the stage's noise is mixed under the customer's voice and the calls are stored."""

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


def test_voiced_drill_mixes_stage_noise_and_stores_the_call(tmp_path: Path, lab_env: Path) -> None:
    if not AUDIO_TEMPLATE.is_file():
        pytest.skip(f"{AUDIO_TEMPLATE} is absent (the shared test devices are not mounted)")
    device = tmp_path / "alsa"
    device.mkdir()
    (device / "asound.conf").write_text(AUDIO_TEMPLATE.read_text().replace("@DIR@", str(device)))
    np.zeros(CALL_RATE, "<f4").tofile(device / "capture.raw")  # must exist before PortAudio enumerates
    stage_dir = tmp_path / "mic" / "1-billing-overcharge"
    stage_dir.mkdir(parents=True)
    for number, text in enumerate(REPLIES, start=1):
        raw = tmp_path / f"raw{number}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(raw), text], check=True, capture_output=True)
        subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(stage_dir / f"{number}.wav")],
                       check=True, capture_output=True)
    drill = tmp_path / "noisy.yaml"
    drill.write_text(DRILL, encoding="utf-8")
    db = tmp_path / "lab.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env["ALSA_CONFIG_PATH"] = str(device / "asound.conf")
    assert shutil.which("espeak-ng")
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "drill", str(drill), "--mic-from", str(tmp_path / "mic"),
         "--mic-pace", "fast", "--trainee", "ana", "--db", str(db), "--record-to", str(tmp_path / "calls"),
         "--analyser", "lexical", "--json"], capture_output=True, text=True, timeout=400, env=env, cwd=REPO)
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
