"""Forbidden moves found in the agents' turns of the judged real calls, against the analyst's list.

    python benchmarks/realcalls/compare.py --save DIR            # score the calls once, keep the cards
    python benchmarks/realcalls/reader_false_alarms.py --results DIR [--reader FILE.npz]

The post-call reader of forbidden moves (``tuned_reader``) was built and its cuts chosen on typed
and spoken corpus replies; it has never read a recorded call (recorded calls are scored without it:
docs/qa.md).  The agents of these calls were judged by an analyst, who found no forbidden move on
them but jargon on three.  So every turn the reader flags with another kind is a false alarm on
real speech, as a recogniser wrote it: short fragments, fillers, half sentences.  Each turn is read
as a practice call's turn is read after the call: the whole turn, at the reader's cuts.  The clause
model's own reading (what a live turn and a recorded call use, at its per-kind cuts) is printed
beside it.  Calls whose two voices were not told apart are left out: their one "turn" holds the
customer's words too.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@dataclass(frozen=True)
class Flag:
    call_id: str
    turn_index: int
    kind: str
    probability: float
    text: str
    analyst_found_kind: bool


def agent_turns(results: Path, manifest: dict[str, dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(call id, turn index, text) of every agent turn in the saved scorecards of separated calls."""
    turns: list[tuple[str, int, str]] = []
    for path in sorted(results.glob("*.json")):
        if path.stem not in manifest:
            continue
        payload = json.loads(path.read_text())
        card = payload.get("scorecard")
        if card is None:
            continue
        rules = {e["rule"] for d in card["dimensions"] for e in d["evidence"]}
        if "speakers.not_separated" in rules:
            continue
        turns.extend((path.stem, t["turn_index"], t["text"]) for t in card["turns"] if t.get("text", "").strip())
    return turns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="a folder written by compare.py --save")
    parser.add_argument("--reader", type=Path, default=None, help="reader weights (default: the shipped reader)")
    parser.add_argument("--quiet", action="store_true", help="totals only, not each flagged turn")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from simulator.analysis.behaviour.model import BehaviourModel, shipped_weights
    from simulator.analysis.behaviour.tuned_reader import ForbiddenReader, ReaderWeights, shipped_reader_path
    from simulator.analysis.encoders import shared

    manifest = {c["id"]: c for c in yaml.safe_load((HERE / "manifest.yaml").read_text())["calls"]}
    turns = agent_turns(args.results, manifest)
    if not turns:
        print(f"{args.results}: no scorecards of the manifest's calls with separated voices", file=sys.stderr)
        return 1
    reader_path = args.reader or shipped_reader_path()
    weights = ReaderWeights.load(reader_path)
    reader = ForbiddenReader(weights)
    encoder = shared(None)
    clause_model = BehaviourModel(shipped_weights("en"), encoder.encode)
    with_reader = BehaviourModel(shipped_weights("en"), encoder.encode, reader)
    texts = [text for _, _, text in turns]
    found: dict[str, list[Flag]] = {"reader": [], "clause model": []}
    for name, model in (("reader", with_reader), ("clause model", clause_model)):
        for (call_id, index, text), reading in zip(turns, model.read_many(texts), strict=True):
            analyst = set(manifest[call_id]["judgement"].get("forbidden") or [])
            for finding in reading.forbidden:
                found[name].append(Flag(call_id, index, finding.kind, finding.confidence, text,
                                        finding.kind in analyst))
    calls = sorted({c for c, _, _ in turns})
    print(f"reader {reader_path.name}: {weights.tuned_layers} tuned layers; {len(turns)} agent turns of "
          f"{len(calls)} calls; the analyst found {sum(bool(manifest[c]['judgement'].get('forbidden')) for c in calls)}"
          " of them with a forbidden move (jargon)")
    for name, flags in found.items():
        alarms = [f for f in flags if not f.analyst_found_kind]
        turns_alarmed = {(f.call_id, f.turn_index) for f in alarms}
        by_kind: dict[str, int] = {}
        for flag in alarms:
            by_kind[flag.kind] = by_kind.get(flag.kind, 0) + 1
        print(f"{name}: {len(turns_alarmed)} of {len(turns)} turns with a kind the analyst did not find "
              f"({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items())) or 'none'}); "
              f"{len(flags) - len(alarms)} findings of a kind the analyst found on that call")
        if not args.quiet:
            for flag in alarms:
                print(f"  {flag.probability:.3f} {flag.kind:<18} {flag.call_id}:{flag.turn_index}  {flag.text[:90]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
