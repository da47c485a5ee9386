"""What the tone's voice features cost on the turn path: measured on the whole turn once it has
ended, against the pitch tracked while the turn was spoken (``PitchTracker``, what a voiced call does).

    python benchmarks/turn_tone.py                          # JSON on stdout
    python benchmarks/turn_tone.py --rounds 15 --before ../main   # also an older checkout's acoustics

Replies: the latency benchmark's four espeak-ng sentences (``callsim bench latency``).  The tracker
is fed 32 ms blocks (one VAD window) before the clock starts, as the call thread feeds it during
speech; its cost per block is printed too.  Variants alternate order each round, so drift in the
machine's load falls on all alike; quote the printed load average with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from simulator.analysis import acoustics
from simulator.analysis.acoustics import PitchTrack, PitchTracker
from simulator.audio.clip import read_wav
from simulator.commands.latency_bench import make_replies

RATE = 16_000
BLOCK = 512


def _older_acoustics(checkout: Path):
    """``simulator/analysis/acoustics.py`` of another checkout, loaded under its own name."""
    spec = importlib.util.spec_from_file_location("acoustics_before", checkout / "simulator/analysis/acoustics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["acoustics_before"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _tracked(samples) -> tuple[PitchTrack, list[float]]:
    tracker = PitchTracker(RATE)
    per_block = []
    for start in range(0, len(samples), BLOCK):
        started = time.perf_counter()
        tracker.extend(samples[start:start + BLOCK])
        per_block.append(time.perf_counter() - started)
    track = tracker.track(len(samples))
    assert track is not None
    return track, per_block


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_s": round(statistics.median(ordered), 4), "p90_s": round(ordered[int(0.9 * (len(ordered) - 1))], 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--before", type=Path, help="a checkout whose acoustics to time as well (e.g. main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clips = [read_wav(path).samples for path in make_replies(Path(tmp))]
    tracked = [_tracked(clip) for clip in clips]
    variants: dict[str, Callable[[int], object]] = {
        "measured_at_turn_end": lambda i: acoustics.voice_features(clips[i], RATE),
        "pitch_tracked_while_spoken": lambda i: acoustics.voice_features(clips[i], RATE, tracked[i][0]),
    }
    if args.before:
        older = _older_acoustics(args.before)
        variants["before_measured_at_turn_end"] = lambda i: older.voice_features(clips[i], RATE)
    times: dict[str, list[float]] = {name: [] for name in variants}
    loads = []
    for round_number in range(args.rounds):
        loads.append(os.getloadavg()[0])
        order = list(variants) if round_number % 2 == 0 else list(variants)[::-1]
        for name in order:
            for index in range(len(clips)):
                started = time.perf_counter()
                variants[name](index)
                times[name].append(time.perf_counter() - started)
    blocks = [x for _, per_block in tracked for x in per_block]
    print(json.dumps({
        "reply_lengths_s": [round(len(clip) / RATE, 2) for clip in clips],
        "rounds": args.rounds,
        "load_average_1min": round(statistics.median(loads), 1),
        "voice_features": {name: _summary(values) for name, values in times.items()},
        "tracker_per_32ms_block": _summary(blocks),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
