"""Perceived turn latency of real voiced calls: ``callsim bench latency`` as a script.

    python benchmarks/latency.py                 # 2 calls of billing-overcharge, JSON on stdout
    python benchmarks/latency.py --calls 3 --end-silence 0.3

Runs in real time on the private PulseAudio of ../shared/audio/realtime (about a minute per call).
Prints {"turns", "p50_s", "p95_s", "cold_start_s", "peak_rss_mb", "wer", ...}.
"""

from __future__ import annotations

import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "latency", "--json", *sys.argv[1:]]))
