"""Write half the real agents' utterances as training items, from the benchmark's files.

    python corpus/real_en/build.py          # -> corpus/real_en/hvb_agents_first_half.jsonl
    python corpus/real_en/build.py --check  # exit 1 if the file differs from what it would write

The source is ``benchmarks/realcalls/hvb_agent_turns.jsonl`` (654 HarperValleyBank agent utterances,
CC-BY-4.0) and ``hvb_agent_labels.jsonl`` (the LABELS.md labels our analysts gave them).  The calls
are split by their id: the first half in sorted order (``TAUGHT_CALLS``) is written here; the other
half is what ``benchmarks/behaviour.py --only real_agents`` scores and is never written here.  The
output is in the development set's items format (the whole utterance labelled; ``unsure`` kinds
neither taught nor counted).
The half teaches only what it shows: a kind no utterance of it performs (the apologies, named
feelings and forbidden moves these calm routine calls never have) is written as unsure, and so is
empathy when every utterance is labelled 0, since 309 turns of one population would teach those
absences at a weight no writer has.  Two earlier versions taught them and failed their rules (every
kind: forbidden F1 on held-out writers; steps and empathy: a golden call's apology read as none);
this one met its rule and is taught (docs/scoring.md, What was tuned on what, "real agents' words
teach the clause model").  The clause model's training reads this folder by default
(``REAL_WORDS_FOLDERS`` in ``simulator.analysis.behaviour.train``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "hvb_agents_first_half.jsonl"
TAUGHT_CALLS = 46  # of 92: half the calls teach, half stay held out
sys.path.insert(0, str(HERE.parents[1]))

from benchmarks.realcalls.agent_words import paired_rows  # noqa: E402
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES  # noqa: E402


def items() -> list[dict]:
    pairs = paired_rows()
    taught = frozenset(sorted({row["sid"] for row, _ in pairs})[:TAUGHT_CALLS])
    half = [(row, label) for row, label in pairs if row["sid"] in taught]
    shown = {kind for _, label in half for kind in (*label["steps"], *label["forbidden"])}
    never_steps = [kind for kind in STEP_KIND_NAMES if kind not in shown]
    never_forbidden = [kind for kind in FORBIDDEN_KIND_NAMES if kind not in shown]
    any_warmth = any(label["empathy"] for _, label in half)
    return [{"id": f"hvb-{row['sid']}-{row['index']}", "domain": "banking", "customer": "",
             "reply": row["text"], "empathy": label["empathy"] if any_warmth else None,
             "steps": label["steps"], "forbidden": label["forbidden"],
             "steps_unsure": sorted({k for k in label["unsure"] if k in STEP_KIND_NAMES} | set(never_steps)),
             "forbidden_unsure": sorted({k for k in label["unsure"] if k in FORBIDDEN_KIND_NAMES}
                                        | set(never_forbidden))}
            for row, label in half]

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args(argv)
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items())
    if args.check:
        same = OUT.is_file() and OUT.read_text() == text
        print(f"{OUT.name}: {'up to date' if same else 'differs: run corpus/real_en/build.py'}")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT} ({text.count(chr(10))} utterances)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
