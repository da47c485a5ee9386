"""Write half the real agents' utterances as training items, from the benchmark's files (tried, not taught).

    python corpus/real_en_tried/build.py          # -> corpus/real_en_tried/hvb_agents_first_half.jsonl
    python corpus/real_en_tried/build.py --check  # exit 1 if the file differs from what it would write

The source is ``benchmarks/realcalls/hvb_agent_turns.jsonl`` (654 HarperValleyBank agent utterances,
CC-BY-4.0) and ``hvb_agent_labels.jsonl`` (the LABELS.md labels our analysts gave them).  The calls
are split by their id: the first half in sorted order (``TAUGHT_CALLS``) is written here, the other
half was the held-out half of the trial and is never written here.  The output is in the development
set's items format (the whole utterance labelled; ``unsure`` kinds neither taught nor counted).
They were tried as teaching the 13 steps and empathy only: every forbidden kind is written as unsure,
since 309 turns of one calm population would teach the moves' absence at a weight no writer has
(docs/scoring.md, What was tuned on what: a first version that taught them failed its rule, and this
one failed on a golden call, so nothing learns from this file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1] / "benchmarks" / "realcalls"
OUT = HERE / "hvb_agents_first_half.jsonl"
TAUGHT_CALLS = 46  # of 92: half the calls teach, half stay held out
sys.path.insert(0, str(HERE.parents[1]))

from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES  # noqa: E402


def call_ids(turns: list[dict]) -> list[str]:
    return sorted({row["sid"] for row in turns})


def taught_calls(turns: list[dict]) -> frozenset[str]:
    return frozenset(call_ids(turns)[:TAUGHT_CALLS])


def read_rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (SOURCE / name).read_text().splitlines() if line.strip()]


def items() -> list[dict]:
    turns, labels = read_rows("hvb_agent_turns.jsonl"), read_rows("hvb_agent_labels.jsonl")
    taught = taught_calls(turns)
    out = []
    for turn, label in zip(turns, labels, strict=True):
        if (turn["sid"], turn["index"]) != (label["sid"], label["index"]):
            raise SystemExit(f"turns and labels out of step at {turn['sid']}:{turn['index']}")
        if turn["sid"] not in taught:
            continue
        out.append({"id": f"hvb-{turn['sid']}-{turn['index']}", "domain": "banking", "customer": "",
                    "reply": turn["text"], "empathy": label["empathy"], "steps": label["steps"],
                    "forbidden": [], "steps_unsure": [k for k in label["unsure"] if k not in FORBIDDEN_KIND_NAMES],
                    "forbidden_unsure": list(FORBIDDEN_KIND_NAMES)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args(argv)
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items())
    if args.check:
        same = OUT.is_file() and OUT.read_text() == text
        print(f"{OUT.name}: {'up to date' if same else 'differs: run corpus/real_en_tried/build.py'}")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT} ({text.count(chr(10))} utterances)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
