"""Experiment: which F-beta should choose the post-call reader's cut for each forbidden kind?

The shipped cuts maximise F0.5 (a wrong accusation weighed above a miss), and after the call the
dev set never seen reads 0.72 recall at 0.85 precision, where the behaviour-model issue asks for
recall 0.90 at precision 0.80: the issue weighs a miss above a wrong accusation.  This measures what
the cut objective alone moves, with the reader as shipped (writer q in every training).

Protocol (decision rule stated in the commit that added this script, before it was run): the
reader's four cut folds ((a, b), (c, d), (e, i), (g, h), each read by a reader trained without its
pair and the report writer f, the probabilities ``train_reader --keep .cache`` keeps).  For each beta,
each pair is called with cuts chosen on the other three pairs, pooled over the eight writers.  The
beta with the highest pooled F1 is chosen (within 0.005 of the best, the smallest beta), because F1
weighs recall and precision alike and the leave-one-pair-out cuts show how a beta carries to writers
the cuts never saw.  Writer f and the dev set are not read.

    python benchmarks/forbidden_cut_beta.py [--betas 0.5 1 2] [--json]

First run, 2026-12-05 (under a second with the kept probabilities), recall / precision (F1):
F0.5 0.595 / 0.861 (0.704), F1 0.677 / 0.771 (0.721), F2 0.707 / 0.760 (0.733), so the rule chose F2.
Rebuilt with F2 (most cuts fell to the 0.3 floor) and read once, the dev set never seen went from
0.717 / 0.853 (F1 0.779) to 0.823 / 0.705 (0.759) and writer f from 0.807 / 0.846 (0.826) to
0.872 / 0.725 (0.791): F1 fell on both, precision went under the issue's 0.80, and two more golden
calls failed.  Against the rule, F0.5 was kept (docs/scoring.md, What was tuned on what).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from forbidden_blend import figures, leave_one_pair_out  # noqa: E402

from simulator.analysis.behaviour.corpus import corpus_files, read_corpus_file  # noqa: E402
from simulator.analysis.behaviour.train_reader import (  # noqa: E402
    ReaderSettings,
    out_of_fold,
    reader_only_dir,
    reader_only_replies,
)

TIE = 0.005


def chosen_beta(f1_by_beta: dict[float, float]) -> float:
    best = max(f1_by_beta.values())
    return min(beta for beta, f1 in f1_by_beta.items() if f1 >= best - TIE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO / "corpus" / "en"))
    parser.add_argument("--betas", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    corpus = [r for path in corpus_files(Path(args.corpus)) for r in read_corpus_file(path)]
    held, reader = out_of_fold(corpus, ReaderSettings(), lambda line: print(line, file=sys.stderr, flush=True),
                               keep=REPO / ".cache", reader_only=reader_only_replies(reader_only_dir()))
    by_beta = {beta: figures(leave_one_pair_out(held, reader, beta=beta)) for beta in args.betas}
    result = {"replies": len(held), "by_beta": {str(b): f for b, f in by_beta.items()},
              "chosen_beta": chosen_beta({b: f["forbidden_f1"] for b, f in by_beta.items()})}
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
