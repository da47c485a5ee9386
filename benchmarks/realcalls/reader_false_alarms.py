"""Forbidden moves found in real agents' turns: the judged real calls, and HarperValleyBank agents.

    python benchmarks/realcalls/compare.py --save DIR            # score the judged calls once, keep the cards
    python benchmarks/realcalls/reader_false_alarms.py --results DIR [--reader FILE.npz]
    python benchmarks/realcalls/reader_false_alarms.py --turns benchmarks/realcalls/hvb_agent_turns.jsonl

The post-call reader of forbidden moves (``tuned_reader``) was built and its cuts chosen on typed
and spoken corpus replies; it has never read a recorded call (recorded calls are scored without it:
docs/qa.md).  Two sets of real agents' words check how it reads real speech:

- ``--results``: the agent turns of the judged real calls as the scorer transcribed them.  The
  analyst found no forbidden move on these calls but jargon on three, so a turn flagged with
  another kind is a false alarm.  Calls whose two voices were not told apart are left out: their
  one "turn" holds the customer's words too.
- ``--turns``: agent utterances of HarperValleyBank calls (crowd workers playing bank agents,
  human transcripts: lower case, no punctuation), none of them a call used anywhere else.  No one
  judged them turn by turn; calm agents doing routine bank tasks, so every flag is counted and
  the flagged turns printed with ``--show`` for a reader to judge.

Each turn is read whole, as a practice call's turn is read after the call, at the reader's cuts.
The clause model's own reading (what a live turn and a recorded call use, at its per-kind cuts) is
printed beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@dataclass(frozen=True)
class AgentTurn:
    call_id: str
    index: int
    text: str
    allowed: frozenset[str]  # kinds an analyst found on the call: not false alarms


@dataclass(frozen=True)
class Flag:
    turn: AgentTurn
    kind: str
    probability: float


def judged_call_turns(results: Path) -> list[AgentTurn]:
    """Every agent turn in the saved scorecards of the manifest's calls whose voices were separated."""
    manifest = {c["id"]: c for c in yaml.safe_load((HERE / "manifest.yaml").read_text())["calls"]}
    turns: list[AgentTurn] = []
    for path in sorted(results.glob("*.json")):
        call = manifest.get(path.stem)
        card = json.loads(path.read_text()).get("scorecard") if call else None
        if call is None or card is None:
            continue
        if any(e["rule"] == "speakers.not_separated" for d in card["dimensions"] for e in d["evidence"]):
            continue
        allowed = frozenset(call["judgement"].get("forbidden") or ())
        turns.extend(AgentTurn(path.stem, t["turn_index"], t["text"], allowed)
                     for t in card["turns"] if t.get("text", "").strip())
    return turns


def listed_turns(path: Path) -> list[AgentTurn]:
    """Lines {"sid", "index", "text"}: agent utterances nobody judged turn by turn."""
    rows: list[dict[str, Any]] = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [AgentTurn(row["sid"], int(row["index"]), row["text"], frozenset()) for row in rows]


def flags_of(model: Any, turns: list[AgentTurn]) -> list[Flag]:
    readings = model.read_many([t.text for t in turns])
    return [Flag(turn, finding.kind, finding.confidence)
            for turn, reading in zip(turns, readings, strict=True) for finding in reading.forbidden
            if finding.kind not in turn.allowed]


def report(name: str, turns: list[AgentTurn], flags: list[Flag], show: bool) -> None:
    flagged = {(f.turn.call_id, f.turn.index) for f in flags}
    kinds = Counter(f.kind for f in flags)
    print(f"  {name}: {len(flagged)} of {len(turns)} turns flagged ({len(flagged) / len(turns):.1%}; "
          f"{', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or 'none'})")
    if show:
        for flag in flags:
            print(f"    {flag.probability:.3f} {flag.kind:<18} {flag.turn.call_id}:{flag.turn.index}  "
                  f"{flag.turn.text[:90]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="a folder written by compare.py --save")
    parser.add_argument("--turns", type=Path, help="a JSONL file of agent utterances (sid, index, text)")
    parser.add_argument("--reader", type=Path, default=None, help="reader weights (default: the shipped reader)")
    parser.add_argument("--show", action="store_true", help="print each flagged turn")
    args = parser.parse_args(argv)
    if not args.results and not args.turns:
        parser.error("give --results DIR, --turns FILE or both")
    sys.path.insert(0, str(REPO))
    from simulator.analysis.behaviour.model import BehaviourModel, shipped_weights
    from simulator.analysis.behaviour.tuned_reader import ReaderWeights, TunedReader, shipped_reader_path
    from simulator.analysis.encoders import shared

    sets = []
    if args.results:
        sets.append((f"judged real calls ({args.results}), flags of a kind the analyst did not find",
                     judged_call_turns(args.results)))
    if args.turns:
        sets.append((f"{args.turns.name}, every flag", listed_turns(args.turns)))
    reader_path = args.reader or shipped_reader_path()
    weights = ReaderWeights.load(reader_path)
    encoder = shared(None)
    models = {"reader": BehaviourModel(shipped_weights("en"), encoder.encode, TunedReader(weights)),
              "clause model": BehaviourModel(shipped_weights("en"), encoder.encode)}
    print(f"reader {reader_path}: {weights.tuned_layers} tuned layers")
    for title, turns in sets:
        if not turns:
            print(f"{title}: no agent turns found", file=sys.stderr)
            return 1
        print(f"{title}: {len(turns)} agent turns of {len({t.call_id for t in turns})} calls")
        for name, model in models.items():
            report(name, turns, flags_of(model, turns), args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
