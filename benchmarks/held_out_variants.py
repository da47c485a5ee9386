"""Compare ways of training the behaviour model on corpus writers it never saw.

    python benchmarks/held_out_variants.py positions [--writers g,h,i,a]
    python benchmarks/held_out_variants.py added FILE... [--writers g,h,i,a]

Each writer named is held out in turn: a model trained on the rest of corpus/en (never the report
writer f, never the development set) reads the held-out writer's replies, once per variant; the
figures are printed per writer and pooled.  Choose on these; the development set is read afterwards,
once, by ``benchmarks/behaviour.py``.

``positions``: every kind's clause model weighs where a clause sits (first, last), or only the kinds
whose place is part of what they are (greetings and introductions open a call, "anything else?" and
the close end it).  ``added``: the corpus as it is, or with the files given (a new writer) added to
every training; with ``--forbidden-only`` the added replies teach only the six forbidden kinds (their
empathy, distress and step labels are left unsure, as for a writer who labelled only those).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import behaviour as bench

from simulator.analysis.behaviour.corpus import LabelledReply, corpus_files, read_corpus_file
from simulator.analysis.behaviour.model import BehaviourModel
from simulator.analysis.behaviour.train import Trainer, TrainSettings
from simulator.analysis.embeddings import SentenceEncoder
from simulator.scenario.kinds import STEP_KIND_NAMES, StepKind

POSITIONS: dict[str, frozenset[str] | None] = {
    "positions for every kind": None,
    "positions for openings and endings only": frozenset({StepKind.GREET, StepKind.IDENTIFY_SELF,
                                                          StepKind.ANYTHING_ELSE, StepKind.CLOSE}),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("compare", choices=("positions", "added"))
    parser.add_argument("files", nargs="*", type=Path, help="corpus files added to every training (added)")
    parser.add_argument("--writers", default="g,h,i,a", help="corpus writers held out in turn")
    parser.add_argument("--corpus", type=Path, default=bench.REPO / "corpus" / "en")
    parser.add_argument("--forbidden-only", action="store_true", help="added replies teach only the forbidden kinds")
    args = parser.parse_args(argv)
    corpus = [r for path in corpus_files(args.corpus) for r in read_corpus_file(path)]
    added = [r for path in args.files for r in read_corpus_file(path)]
    if args.forbidden_only:
        added = [replace(r, empathy=None, customer_distress=None, unsure=frozenset(STEP_KIND_NAMES)) for r in added]
    if args.compare == "added" and not added:
        parser.error("added: name the corpus files to add")
    variants: dict[str, tuple[TrainSettings, Sequence[LabelledReply]]] = (
        {name: (replace(TrainSettings(), position_kinds=kinds), ()) for name, kinds in POSITIONS.items()}
        if args.compare == "positions" else
        {"the corpus": (TrainSettings(), ()), f"the corpus + {len(added)} added": (TrainSettings(), added)})
    encoder = SentenceEncoder(threads=2)
    cache = bench.recall_embeddings(encoder)
    parts: dict[str, list[tuple[list[LabelledReply], BehaviourModel]]] = {name: [] for name in variants}
    for writer in args.writers.split(","):
        held, rest = bench.writers_apart(corpus, [writer])
        for name, (settings, extra) in variants.items():
            trainer = Trainer([*rest, *extra], encoder.encode, settings=settings, language="en")
            model = BehaviourModel(trainer.train(encoder.name, {"language": "en"}), encoder.encode)
            parts[name].append((held, model))
            bench.summary(bench.measured(held, model), f"writer {writer} ({len(held)}), {name}")
            bench.keep_embeddings(encoder, cache)
    for name, part in parts.items():
        bench.summary(bench.pooled(part), f"pooled {args.writers}, {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
