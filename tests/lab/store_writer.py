"""Run as a subprocess by test_concurrency.py: one "station" writing real calls into a shared store.

usage: python store_writer.py DB_URL STATION CALLS CALLS_DIR
Each call is mirrored turn by turn (one transaction per turn), then saved with its scorecard.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.analysis.registry import builtin_analysers
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import new_call_folder, run_call
from simulator.scenario.loader import load_scenario
from simulator.store import CallMirror, open_store

REPLIES = ("Thank you for calling, my name is Sam. I'm so sorry you've been charged twice.",
           "Can you confirm your date of birth for security?",
           "I've refunded the second payment, it will be back within three working days.")


def main(url: str, station: str, calls: int, calls_dir: Path) -> None:
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "billing-overcharge.yaml"
    loaded = load_scenario(scenario)
    analyser = builtin_analysers().create("lexical", loaded.scenario)  # no model: fast, deterministic
    with open_store(url) as store:
        for number in range(calls):
            # half the calls go to one trainee every station shares: concurrent get-or-create
            trainee = "shared" if number % 2 else f"station-{station}"
            folder = new_call_folder(calls_dir / station, loaded.scenario.id)
            mirror = CallMirror(store, folder, trainee=trainee, team="lab", warn=_fail)
            finished = run_call(loaded, analyser, SilentVoice(), ScriptedReplies([parse_reply(r) for r in REPLIES]),
                                folder, seed=number, on_event=mirror)
            mirror.finish(finished.record, finished.scorecard)
            print(mirror.call_id, len(finished.record.turns), flush=True)


def _fail(message: str) -> None:
    raise SystemExit(f"station write failed: {message}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
