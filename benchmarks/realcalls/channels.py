"""How ``callsim score`` reads each stereo call of the real-call set: two sides, a silent channel, or one signal
on both channels ("dual mono").  It prints the two measures behind that choice for every stereo call found in
``.cache/realcalls/`` (mono calls are listed as such), so that the thresholds can be checked on real files.

    python benchmarks/realcalls/channels.py                 # every call of the manifest that is in the cache
    python benchmarks/realcalls/channels.py --only tuning   # one split (as compare.py splits the set)

Nothing is transcribed or scored: it decodes the file as ``score`` does (16 kHz per channel), finds speech on
each channel with the same Silero VAD, and runs ``simulator.qa.external.read_sides`` with the manifest's agent
channel.  Columns: speech on each channel (s); the level of the channel with less speech against the other's (dB,
the silent-channel measure); the peak normalised cross-correlation over speech within +-20 ms and its lag (the
duplicate-channel measure); and what ``score`` makes of the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from compare import SPLITS, how_recorded, split_of  # noqa: E402  (this folder's script, beside this one)

DEFAULT_AUDIO = HERE.parents[1] / ".cache" / "realcalls"


def row(call_id: str, split: str, path: Path, agent_channel: int, find_spans: Any) -> str:
    from simulator.asr.channels import read_channels
    from simulator.qa.duplicate_channels import measure
    from simulator.qa.external import SAMPLE_RATE, read_sides
    from simulator.qa.silent_channel import quieter_side

    audio = read_channels(path, SAMPLE_RATE)
    if audio.channels != 2:
        return f"{call_id:<26} {split:<13} {audio.channels}-channel: mono, not measured"
    channels = [np.ascontiguousarray(audio.channel(c)) for c in range(2)]
    spans = [find_spans(c) for c in channels]
    alike = measure(channels, spans, SAMPLE_RATE)
    sides = read_sides(audio, find_spans, agent_channel)
    read_as = ("stereo (two sides)" if sides.customer is not None
               else "mono: silent channel" if sides.silent is not None else "mono: same signal on both")
    speech = "/".join(f"{sum(s.duration_s for s in found):.1f}" for found in spans)
    quieter = quieter_side(channels, spans)
    level = "n/a" if quieter is None else f"{quieter[1]:.1f}"
    correlation = "n/a" if alike is None else f"{alike.correlation:.3f} at {alike.delay_ms:+.1f} ms"
    return (f"{call_id:<26} {split:<13} {speech:>12} {level:>8} {correlation:>20}  "
            f"agent ch {agent_channel}: {read_as}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO, help="where fetch.py put the calls")
    parser.add_argument("--only", choices=SPLITS)
    args = parser.parse_args(argv)
    from simulator.qa.importer import vad_span_finder

    calls = yaml.safe_load((HERE / "manifest.yaml").read_text())["calls"]
    splits = split_of([call["id"] for call in calls])
    find_spans = vad_span_finder()
    print(f"{'call':<26} {'split':<13} {'speech L/R s':>12} {'level dB':>8} {'correlation, lag':>20}  read as")
    for call in calls:
        path = args.audio / call["audio"]["file"]
        if (args.only and splits[call["id"]] != args.only) or not path.is_file():
            continue
        print(row(call["id"], splits[call["id"]], path, how_recorded(call["audio"])[1], find_spans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
