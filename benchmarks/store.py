"""Training-store write speed: one turn per transaction, as a live call mirrors it.

    python benchmarks/store.py [--db URL] [--processes 8] [--calls 5]

Prints the per-turn write latency (median, P95) in one process, then the throughput with several
processes writing calls at once (each call: begin, 9 turns, end, scorecard).  Default database: a
fresh SQLite file in a temporary folder; pass a PostgreSQL URL to measure a shared lab database.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulator.contracts import Outcome, Speaker
from simulator.record import CallHeader, TurnRecord, now_iso
from simulator.store import open_store

TURNS = 9


def one_station(url: str, calls: int, station: str) -> list[float]:
    """Write ``calls`` synthetic calls; return each turn write's latency in seconds."""
    latencies = []
    with open_store(url) as store:
        for number in range(calls):
            header = CallHeader("bench", "0" * 64, number, "text", "lexical", now_iso(), trainee=station)
            call_id = store.begin_call(header, None, trainee=f"bench-{station}")
            for index in range(TURNS):
                speaker = Speaker.CUSTOMER if index % 2 == 0 else Speaker.TRAINEE
                started = time.perf_counter()
                store.add_turn(call_id, TurnRecord(index, speaker, f"turn {index} of call {number}"))
                latencies.append(time.perf_counter() - started)
            store.end_call(call_id, Outcome.RESOLVED)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL or SQLite file (default: a temporary SQLite file)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=5, help="calls per process")
    parser.add_argument("--station", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        if args.station is not None:
            one_station(url, args.calls, args.station)
            return
        started = time.perf_counter()
        open_store(url).close()
        print(f"open + migrate to head: {time.perf_counter() - started:.3f} s")
        latencies = one_station(url, args.calls, "solo")
        ordered = sorted(latencies)
        print(f"1 process, {len(latencies)} turn writes: median {1000 * statistics.median(ordered):.1f} ms, "
              f"P95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.1f} ms")
        started = time.perf_counter()
        children = [subprocess.Popen([sys.executable, __file__, "--db", url, "--calls", str(args.calls),
                                      "--station", str(n)]) for n in range(args.processes)]
        for child in children:
            child.wait()
        elapsed = time.perf_counter() - started
        writes = args.processes * args.calls * (TURNS + 2)
        print(f"{args.processes} processes, {writes} transactions (incl. process start-up): {elapsed:.2f} s, "
              f"{writes / elapsed:.0f} transactions/s; failures: "
              f"{sum(c.returncode != 0 for c in children)}")


if __name__ == "__main__":
    main()
