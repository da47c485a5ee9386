"""How far independent readers of the label scheme agree with the dev set's labels: the ceiling the goals sit under.

    python benchmarks/dev_readers/agreement.py          # needs ../shared/data/callcentre_dev (or --data)

The issue's goals for the behaviour model (empathy, script steps, forbidden moves) are agreement with
labels one author wrote.  How close a careful *other* reader of the same written scheme comes to
those labels says how much of the gap is the model and how much is the scheme's own looseness.  The
320 dev replies were labelled twice more, from ``LABELS.md`` alone (each reading: two analysts, one
per half, blind to the dev labels, the dev set's README and its counts, and to the model):
``reading_1.jsonl`` and ``reading_2.jsonl`` here (ids, labels and the analysts' short notes; the
replies' text stays in ../shared/data).

Printed, with the benchmark's own metrics (a label the dev set marks unsure is neither a hit nor a
miss; an empathy level a reader left undecided counts as a wrong level): each reading against the dev
labels, in the figures the issue sets goals for, with the forbidden kinds one by one; and the two
readings against each other (the first taken as the labels, nothing unsure), how far two readers of
the scheme land apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks.behaviour import summary  # noqa: E402
from simulator.analysis.behaviour.corpus import LabelledReply, read_items_file  # noqa: E402
from simulator.analysis.behaviour.metrics import Agreement, agreement  # noqa: E402
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES  # noqa: E402

HERE = Path(__file__).resolve().parent
READINGS = ("reading_1", "reading_2")
UNDECIDED = -1  # a reader's null empathy: matches no level, so it counts against the reader
KNOWN_KINDS = frozenset(STEP_KIND_NAMES + FORBIDDEN_KIND_NAMES)


def read_reading(path: Path) -> dict[str, tuple[frozenset[str], int]]:
    """``{item id: (labels, empathy level)}`` from one reading's JSON lines: each label checked against the
    scheme, each reply labelled once."""
    reading = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        labels = frozenset(item["steps"]) | frozenset(item["forbidden"])
        unknown = labels - KNOWN_KINDS
        if unknown:
            raise SystemExit(f"{path}:{number}: labels not in the scheme: {', '.join(sorted(unknown))}")
        if item["id"] in reading:
            raise SystemExit(f"{path}:{number}: {item['id']} is labelled twice")
        level = item["empathy"]
        reading[item["id"]] = (labels, UNDECIDED if level is None else int(level))
    return reading


def against(gold: list[LabelledReply], reading: dict[str, tuple[frozenset[str], int]], name: str) -> Agreement:
    missing = [item.item_id for item in gold if item.item_id not in reading]
    if missing:
        raise SystemExit(f"{name} has no label for {len(missing)} replies ({', '.join(missing[:5])}...)")
    return agreement(gold, [reading[item.item_id][0] for item in gold],
                     [reading[item.item_id][1] for item in gold])


def as_gold(gold: list[LabelledReply], reading: dict[str, tuple[frozenset[str], int]]) -> list[LabelledReply]:
    """A reading as labels (nothing unsure; an undecided level left undecided), to score another reading against."""
    return [replace(item, labels=reading[item.item_id][0], unsure=frozenset(),
                    empathy=None if reading[item.item_id][1] == UNDECIDED else reading[item.item_id][1])
            for item in gold]


def figures(result: Agreement) -> dict:
    """The benchmark's own summary, and each forbidden kind's recall and precision (what the goal is about)."""
    forbidden_kinds = {kind: {"recall": round(result.per_kind[kind].recall, 2),
                              "precision": round(result.per_kind[kind].precision, 2),
                              "tp_fp_fn": [result.per_kind[kind].tp, result.per_kind[kind].fp,
                                           result.per_kind[kind].fn]}
                       for kind in FORBIDDEN_KIND_NAMES}
    return {**summary(result), "forbidden_kinds": forbidden_kinds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="dev data folder (default ../shared/data or $CALLSIM_DEV_DATA)")
    arguments = parser.parse_args(argv)
    data = Path(arguments.data or os.environ.get("CALLSIM_DEV_DATA") or REPO.parent / "shared" / "data")
    items = data / "callcentre_dev" / "items.jsonl"
    if not items.is_file():
        raise SystemExit(f"{items}: not found; give the dev data folder with --data")
    gold = read_items_file(items)
    readings = {name: read_reading(HERE / f"{name}.jsonl") for name in READINGS}
    report = {f"{name}_vs_dev_labels": figures(against(gold, reading, name)) for name, reading in readings.items()}
    first, second = (readings[name] for name in READINGS)
    report["reading_2_vs_reading_1"] = figures(against(as_gold(gold, first), second, "reading_2"))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
