"""Experiment: should a forbidden move the reply-level regression finds need some support from a clause?

The behaviour model reports a forbidden move when the reply-level probability passes the kind's cut,
even when no clause of the reply reads as that move.  Short turns are where that goes wrong: the
shipped weights read "One second." and "My name is Tom." as rude (clause probabilities 0.20 and 0.10)
and "Right." as dismissive.  This script trains the shipped recipe once per split, reads the
replies once, and then drops every forbidden finding whose best clause scores under a floor (a
finding from a clause past its own "sure" cut always stays), for several floors, applied to every
reply or to one-clause replies only, printing forbidden recall / precision and the count of
one-clause replies wrongly accused.

Splits: the development set never seen (trained on the corpus), and held-out writers g (short
mid-call turns), h (contrast pairs) and i (forbidden moves and near misses), each trained on the
corpus without that writer and the report writer f.  Writer f is not read.

    python benchmarks/forbidden_clause_floor.py [--floors 0,0.1,0.2,0.3] [--writers g,h,i]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from behaviour import data_dir, recall_embeddings, trained, writers_apart  # noqa: E402

from simulator.analysis.behaviour.corpus import (  # noqa: E402
    LabelledReply,
    corpus_files,
    read_corpus_file,
    read_items_file,
)
from simulator.analysis.behaviour.model import BehaviourModel, BehaviourReading  # noqa: E402
from simulator.analysis.embeddings import SentenceEncoder  # noqa: E402
from simulator.scenario.kinds import CLAUSE_LABELS, FORBIDDEN_KIND_NAMES  # noqa: E402


def kept_forbidden(reading: BehaviourReading, model: BehaviourModel, floor: float) -> set[str]:
    kept = set()
    for finding in reading.forbidden:
        column = CLAUSE_LABELS.index(finding.kind)
        best_clause = float(np.max(reading.probabilities[:, column]))
        if best_clause >= min(floor, float(model.weights.clause_thresholds[column])):
            kept.add(finding.kind)
    return kept


def figures(gold: Sequence[LabelledReply], readings: Sequence[BehaviourReading], model: BehaviourModel,
            floor: float, one_clause_only: bool) -> dict:
    found = wrong = missed = short_accused = 0
    for item, reading in zip(gold, readings, strict=True):
        applies = not one_clause_only or len(reading.windows) == 1
        said = kept_forbidden(reading, model, floor if applies else 0.0)
        truth = set(FORBIDDEN_KIND_NAMES) & item.labels
        unsure = set(FORBIDDEN_KIND_NAMES) & item.unsure
        found += len(said & truth)
        wrong += len(said - truth - unsure)
        missed += len(truth - said)
        if len(reading.windows) == 1 and said - truth - unsure:
            short_accused += 1
    recall = found / max(1, found + missed)
    precision = found / max(1, found + wrong)
    return {"recall": round(recall, 3), "precision": round(precision, 3), "found": found, "wrong": wrong,
            "missed": missed, "one_clause_replies_wrongly_accused": short_accused}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floors", default="0,0.1,0.2,0.3,0.4")
    parser.add_argument("--writers", default="g,h,i")
    parser.add_argument("--data", default=None)
    args = parser.parse_args(argv)
    floors = [float(f) for f in args.floors.split(",")]
    encoder = SentenceEncoder(threads=2, cache_size=400_000)
    recall_embeddings(encoder)
    corpus = [r for path in corpus_files(REPO / "corpus" / "en") for r in read_corpus_file(path)]
    splits: list[tuple[str, Sequence[LabelledReply], Sequence[LabelledReply]]] = [
        ("dev_never_seen", read_items_file(data_dir(args.data) / "callcentre_dev" / "items.jsonl"), corpus)]
    for writer in args.writers.split(","):
        splits.append((f"held_out_writer_{writer}", *writers_apart(corpus, [writer])))
    result: dict = {}
    for name, gold, training in splits:
        model = trained(training, encoder)
        readings = model.read_many([item.reply for item in gold])
        result[name] = {f"{scope} {floor}": figures(gold, readings, model, floor, scope == "one-clause")
                        for scope in ("all", "one-clause") for floor in floors}
        print(name, json.dumps(result[name]), file=sys.stderr, flush=True)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
