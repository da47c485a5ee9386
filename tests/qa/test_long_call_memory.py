"""A long recording is read and searched for speech without holding copies of it beside its audio."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
MINUTES = 12

# run in a fresh process, so its peak memory is this reading's alone
PROBE = """
import json, sys
from simulator.asr.channels import read_channels
from simulator.qa.silent_channel import quieter_side
def status_mb(field):
    return next(int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith(field))
import av  # noqa: F401  (its libraries are not the reading's memory)
before = status_mb("VmRSS")
compact = sys.argv[2] == "compact"
# compact: past its first minute the call is kept at 16 bits (the minute before is rounded when it passes)
audio = read_channels(sys.argv[1], 16000, compact_after_s=60.0 if compact else None)
after_read = status_mb("VmRSS")
quieter_side([audio.channel(0), audio.channel(1)], [[], []])
held = audio.samples.pcm.nbytes if compact else audio.samples.nbytes
# VmHWM, not ru_maxrss: getrusage keeps the high-water mark of the process that forked this one (pytest's)
print(json.dumps({"before": before, "after_read": after_read, "audio": held // 2**20, "peak": status_mb("VmHWM")}))
"""


@pytest.mark.parametrize(("kept_as", "sample_bytes"), [("float32", 4), ("compact", 2)])
def test_a_long_call_is_read_holding_little_more_than_its_audio(tmp_path, kept_as, sample_bytes):
    """A 90-minute call read at 1.4 GB for 0.66 GB of samples, and its level was squared whole in float64.
    Call QA reads a call compact (16-bit), half the float32 reading's memory."""
    path = tmp_path / "long.wav"
    rng = np.random.default_rng(3)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(8000)  # a phone recording, read at 16 kHz: the resampler's output is what is kept
        for _minute in range(MINUTES):
            handle.writeframes((rng.standard_normal((8000 * 60, 2)) * 3000).astype("<i2").tobytes())
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), kept_as], capture_output=True, text=True,
                          check=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    measured = json.loads(done.stdout)
    assert abs(measured["audio"] - MINUTES * 60 * 16000 * 2 * sample_bytes / 2**20) < 1.5  # both channels
    # the audio, the decoder's working set and one block: not a second copy of the call
    assert measured["peak"] - measured["before"] < 1.3 * measured["audio"] + 40, measured
    assert measured["after_read"] - measured["before"] < 1.1 * measured["audio"] + 20, measured
