"""Trainer review speed: an override (rescore the call, write override, audit and both scorecards)
and the calibration report over every review.

    python benchmarks/review.py [--db URL] [--calls 20]

Plays ``--calls`` typed calls of billing-overcharge (lexical analyser, no model), has one trainer
override a step and another an empathy level on each, then times the first trainer's overrides
(median, max) and one calibration report over all the reviews.  Default database: a fresh SQLite
file in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from simulator.analysis.registry import builtin_analysers
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import new_call_folder, run_call
from simulator.lab import review
from simulator.lab.calibration import calibration_report
from simulator.scenario.loader import load_scenario
from simulator.store import open_store
from simulator.store.types import ReviewTarget

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPLIES = ("Thank you for calling, my name is Sam. I'm so sorry you've been charged twice.",
           "Can you confirm your date of birth for security?",
           "I've refunded the second payment, it will be back within three working days.",
           "Is there anything else I can help with?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    loaded = load_scenario(SCENARIOS / "billing-overcharge.yaml")
    analyser = builtin_analysers().create("lexical", loaded.scenario)
    with open_store(args.db or folder / "review.db") as store:
        ids = []
        for number in range(args.calls):
            call = run_call(loaded, analyser, SilentVoice(), ScriptedReplies([parse_reply(r) for r in REPLIES]),
                            new_call_folder(folder / "calls", loaded.scenario.id), seed=number)
            ids.append(store.save_call(call.record, call.scorecard, trainee=f"trainee-{number % 4}"))
        timings = []
        for number, call_id in enumerate(ids):
            change = review.Change(ReviewTarget.STEP, 2, "verify", "no" if number % 2 else "yes", "benchmark")
            started = time.perf_counter()
            review.override(store, call_id, "kim", change, SCENARIOS)
            timings.append(time.perf_counter() - started)
            review.override(store, call_id, "lee", review.Change(ReviewTarget.EMPATHY, 1, "", "weak", "benchmark"),
                            SCENARIOS)
        started = time.perf_counter()
        report = calibration_report(store, lambda stored: review.scenario_or_none(stored, SCENARIOS))
        calibration_s = time.perf_counter() - started
    print(f"override (rescore + write), {len(ids)} calls: median {statistics.median(timings) * 1000:.0f} ms, "
          f"max {max(timings) * 1000:.0f} ms")
    print(f"calibration over {report.reviews} reviews of {report.reviewed_calls} calls: {calibration_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
