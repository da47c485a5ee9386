"""Experiment: after the call, should the forbidden moves be decided by the post-call reader blended
with the clause model, rather than by the reader alone?

The two read differently: the reader is MiniLM with its top two layers fine-tuned on whole replies;
the clause model is a regression over frozen clause embeddings.  On the dev set each was better at
different kinds (docs/scoring.md, Encoders), which is when an average of the two tends to beat
either.  The blend is, per forbidden kind, the mean of the reader's probability and the clause
model's reply-level probability (a promise read without the reply's well-wishes, as the model
reads it); each kind's cut maximises F0.5, as the shipped cuts do.

Protocol (decision rule stated in the commit that added this script, before it was run): the
reader's four cut folds ((a, b), (c, d), (e, i), (g, h), each trained without its pair and the
report writer f; their probabilities are the ones ``train_reader --keep .cache`` keeps) and four
clause models trained on the same folds.  Each pair is scored with cuts chosen on the other three
pairs, reader alone and blend alike, pooled over the eight writers.  Writer f and the dev set are
not read.  The readers are the recipe as it was before writer q (corpus/reader_en/) joined its
training: the script does not pass the reader-only writers, so its figures stay those quoted.

    python benchmarks/forbidden_blend.py [--json]

First run, 2026-12-05 (docs/scoring.md, What was tuned on what): reader alone 0.612 / 0.785 (F1
0.688), blend 0.593 / 0.801 (F1 0.682): not built.

``--seeds 13 7`` instead blends readers trained with different seeds (the mean of their
probabilities, the same cuts and protocol), against the shipped seed alone: fine-tuned readers
moved by several points of F1 from seed to seed, which averaging smooths.  Each further seed trains
four readers (about 13 minutes on 2 cores), kept in .cache like the shipped seed's.

    python benchmarks/forbidden_blend.py --seeds 13 7
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from behaviour import recall_embeddings, trained  # noqa: E402

from simulator.analysis.behaviour.corpus import (  # noqa: E402
    LabelledReply,
    corpus_files,
    read_corpus_file,
    writer_of,
)
from simulator.analysis.behaviour.metrics import Agreement, agreement  # noqa: E402
from simulator.analysis.behaviour.train_reader import (  # noqa: E402
    CUT_BETA,
    CUT_FOLDS,
    REPORT_WRITER,
    ReaderSettings,
    chosen_cuts,
    out_of_fold,
)
from simulator.analysis.embeddings import SentenceEncoder  # noqa: E402
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES  # noqa: E402

Probabilities = npt.NDArray[np.float64]


def clause_model_out_of_fold(corpus: Sequence[LabelledReply], encoder: SentenceEncoder) -> Probabilities:
    """The clause model's reply-level forbidden probabilities, fold by fold in ``out_of_fold``'s order."""
    rows = []
    for pair in CUT_FOLDS:
        training = [r for r in corpus if writer_of(r.source) not in {*pair, REPORT_WRITER}]
        apart = [r for r in corpus if writer_of(r.source) in pair]
        print(f"clause model without {'+'.join(pair)}: training on {len(training)} replies", file=sys.stderr,
              flush=True)
        model = trained(training, encoder)
        rows.append(np.array([model.forbidden_reply_probabilities(reading)
                              for reading in model.read_many([r.reply for r in apart])]))
    return np.concatenate(rows)


def leave_one_pair_out(held: Sequence[LabelledReply], probabilities: Probabilities,
                       beta: float = CUT_BETA) -> Agreement:
    """Each pair's replies called with cuts chosen (F-beta) on the other pairs' replies, pooled."""
    pair_of = np.array([next(i for i, pair in enumerate(CUT_FOLDS) if writer_of(r.source) in pair) for r in held])
    labels: list[frozenset[str]] = [frozenset()] * len(held)
    for index in range(len(CUT_FOLDS)):
        here, rest = np.flatnonzero(pair_of == index), np.flatnonzero(pair_of != index)
        cuts = chosen_cuts(probabilities[rest], [held[i] for i in rest], beta=beta)
        for i in here:
            labels[i] = frozenset(k for c, k in enumerate(FORBIDDEN_KIND_NAMES) if probabilities[i, c] >= cuts[c])
    return agreement(held, labels, [0] * len(held))


def figures(result: Agreement) -> dict:
    return {"forbidden_recall": round(result.forbidden.recall, 3),
            "forbidden_precision": round(result.forbidden.precision, 3),
            "forbidden_f1": round(result.forbidden.f1, 3),
            "per_kind_f1": {k: round(result.per_kind[k].f1, 2) for k in FORBIDDEN_KIND_NAMES}}


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def seed_blend(corpus: Sequence[LabelledReply], seeds: Sequence[int]) -> dict:
    """The first seed's reader alone against the mean of all the seeds' readers."""
    runs = [out_of_fold(corpus, replace(ReaderSettings(), seed=seed), _progress, keep=REPO / ".cache")
            for seed in seeds]
    held = runs[0][0]
    alone = {f"seed_{seed}": figures(leave_one_pair_out(held, probabilities))
             for seed, (_, probabilities) in zip(seeds, runs, strict=True)}
    blended = np.mean([probabilities for _, probabilities in runs], axis=0)
    return {"replies": len(held), **alone, "blend_of_seeds": figures(leave_one_pair_out(held, blended))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO / "corpus" / "en"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="blend readers of these seeds instead (the first is the one compared against)")
    args = parser.parse_args(argv)
    corpus = [r for path in corpus_files(Path(args.corpus)) for r in read_corpus_file(path)]
    if args.seeds:
        print(json.dumps(seed_blend(corpus, args.seeds), indent=None if args.json else 1))
        return 0
    held, reader = out_of_fold(corpus, ReaderSettings(), _progress, keep=REPO / ".cache")
    encoder = SentenceEncoder(threads=2, cache_size=200_000)
    recall_embeddings(encoder)
    clause = clause_model_out_of_fold(corpus, encoder)
    result = {"replies": len(held),
              "reader_alone": figures(leave_one_pair_out(held, reader)),
              "clause_model_reply_level": figures(leave_one_pair_out(held, clause)),
              "blend": figures(leave_one_pair_out(held, (reader + clause) / 2))}
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
