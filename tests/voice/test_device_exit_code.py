"""A missing or unusable sound device is a settings problem: exit code 2 (the README's "bad settings"),
not 4 ("the call record could not be written"), with a message naming the device and what to change.

No sound card or test device is needed: a device name no machine has is missing everywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.call.exit_codes import ExitCode

REPO = Path(__file__).resolve().parents[2]
NO_SUCH_DEVICE = "no-such-headset-7f3a"


def callsim(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CALLSIM_CONFIG": str(tmp_path / "no-config.toml"),
                   "CALLSIM_DATA_DIR": str(tmp_path / "data"), "CALLSIM_ANALYSER": "lexical", **env}
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          timeout=180, env=environment, cwd=REPO)


def assert_device_problem(result: subprocess.CompletedProcess, device_words: str, flag: str) -> None:
    assert result.returncode == ExitCode.BAD_SETTINGS == 2, result.stderr
    assert device_words in result.stderr
    assert flag in result.stderr and "callsim devices" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("device, device_words", [(NO_SUCH_DEVICE, f"named {NO_SUCH_DEVICE!r}"),
                                                   ("987", "index 987")])
def test_play_with_a_missing_device_exits_with_the_settings_code(tmp_path, device, device_words):
    record_to = tmp_path / "calls"

    result = callsim("play", "billing-overcharge", "--output", device, "--record-to", str(record_to),
                     tmp_path=tmp_path)

    assert_device_problem(result, device_words, "--output")
    assert not record_to.exists() or not any(record_to.iterdir())  # nothing half-made is left behind


def test_a_drill_with_a_missing_device_exits_with_the_settings_code(tmp_path):
    result = callsim("drill", "rising-heat", "--keep-going", tmp_path=tmp_path,
                     CALLSIM_OUTPUT_DEVICE=NO_SUCH_DEVICE)

    assert_device_problem(result, NO_SUCH_DEVICE, "output_device")
