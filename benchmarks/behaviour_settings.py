"""Compare the behaviour trainer's reply-level settings on held-out writers of one language's corpus.

    python benchmarks/behaviour_settings.py --language zh [--groups 7]

The writers of corpus/LANGUAGE other than the report hold-out are dealt round-robin into groups;
each group is held out in turn and a model trained on the other groups reads it.  Every candidate
(step cut F-beta x single-clause precision) is scored on the same pooled held-out replies, so the
choice never sees the report writer or the development set.  The clause fit does not depend on
these settings and is done once per group (``Trainer.clause_stage``).  Prints one line per
candidate, best step micro-F1 first; the chosen one goes into ``LANGUAGE_SETTINGS`` in train.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import behaviour as bench

from simulator.analysis.behaviour.corpus import LabelledReply, corpus_files, read_corpus_file, writer_of
from simulator.analysis.behaviour.model import BehaviourModel
from simulator.analysis.behaviour.train import TRAINING_ENCODERS, Trainer, TrainSettings
from simulator.analysis.encoders import encoder_registry

STEP_BETAS = (1.0, 0.8, 0.6)
SURE_PRECISIONS = (0.9, 0.95)


def writer_groups(corpus: list[LabelledReply], report_writer: str, groups: int) -> list[list[str]]:
    writers = sorted({writer_of(r.source) for r in corpus} - {report_writer})
    return [writers[start::groups] for start in range(groups)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--language", choices=sorted(TRAINING_ENCODERS), default="zh")
    parser.add_argument("--groups", type=int, default=7, help="writer groups held out in turn")
    args = parser.parse_args(argv)
    encoder = encoder_registry().create(TRAINING_ENCODERS[args.language], threads=2, cache_size=200_000)
    bench.recall_embeddings(encoder)
    corpus = [r for path in corpus_files(bench.REPO / "corpus" / args.language) for r in read_corpus_file(path)]
    report_writer = bench.REPORT_WRITERS[args.language]
    candidates = [replace(TrainSettings(), step_beta=beta, sure_precision=precision)
                  for beta, precision in itertools.product(STEP_BETAS, SURE_PRECISIONS)]
    parts: dict[TrainSettings, list[tuple[list[LabelledReply], BehaviourModel]]] = {c: [] for c in candidates}
    for group in writer_groups(corpus, report_writer, args.groups):
        held, rest = bench.writers_apart(corpus, group, report_writer)
        trainer = Trainer(rest, encoder.encode, settings=candidates[0], language=args.language)
        for candidate in candidates:
            trainer.settings = candidate
            parts[candidate].append((held, BehaviourModel(trainer.train(encoder.name, {}), encoder.encode)))
        print(f"held out {','.join(group)} ({len(held)} replies)", file=sys.stderr, flush=True)
    rows = sorted(((bench.pooled(p), c) for c, p in parts.items()), key=lambda row: -row[0].steps.f1)
    for result, candidate in rows:
        print(f"step_beta {candidate.step_beta:.1f} sure_precision {candidate.sure_precision:.2f}: "
              f"steps {result.steps.f1:.3f} (R {result.steps.recall:.3f} P {result.steps.precision:.3f}), "
              f"empathy {result.empathy_binary_f1:.3f} / {result.empathy_three_class_f1:.3f}, "
              f"forbidden R {result.forbidden.recall:.2f} P {result.forbidden.precision:.2f} "
              f"({result.replies} replies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
