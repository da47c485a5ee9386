"""Experiment: should the post-call forbidden-move reader obey the one-clause floor too?

The clause model accuses a reply of one clause only when that clause reads the move at 0.5 or more
(``ONE_CLAUSE_FORBIDDEN_FLOOR``; benchmarks/forbidden_clause_floor.py).  The reader was built
without it.  On held-out writers a-e, g, h and i: the reader's out-of-fold probabilities (the cut
folds of ``train_reader.out_of_fold``, kept in .cache/) and the pooled out-of-fold cuts, against the
same with the floor, where the clause probabilities come from the shipped recipe trained without the
writer scored (and without f), as ``behaviour.py``'s held-out-writer rows are made.

    PYTHONPATH=. python benchmarks/reader_clause_floor.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.behaviour import recall_embeddings, trained, writers_apart  # noqa: E402
from simulator.analysis.behaviour.corpus import writer_of  # noqa: E402
from simulator.analysis.behaviour.metrics import agreement  # noqa: E402
from simulator.analysis.behaviour.model import ONE_CLAUSE_FORBIDDEN_FLOOR  # noqa: E402
from simulator.analysis.behaviour.train import default_corpus_dir, load_training_set  # noqa: E402
from simulator.analysis.behaviour.train_reader import (  # noqa: E402
    CUT_FOLDS,
    ReaderSettings,
    chosen_cuts,
    out_of_fold,
)
from simulator.analysis.embeddings import SentenceEncoder  # noqa: E402
from simulator.scenario.kinds import CLAUSE_LABELS  # noqa: E402
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES as READER_KINDS  # noqa: E402


def main() -> int:
    corpus, _ = load_training_set(default_corpus_dir())
    held, probabilities = out_of_fold(corpus, ReaderSettings(), keep=REPO / ".cache")
    cuts = chosen_cuts(probabilities, held)
    encoder = SentenceEncoder(threads=2, cache_size=200_000)
    recall_embeddings(encoder)
    floor_ok = np.ones_like(probabilities, dtype=bool)
    for writer in [w for pair in CUT_FOLDS for w in pair]:
        rows = [i for i, r in enumerate(held) if writer_of(r.source) == writer]
        model = trained(writers_apart(corpus, [writer])[1], encoder)
        for i, reading in zip(rows, model.read_many([held[i].reply for i in rows]), strict=True):
            if len(reading.windows) == 1:
                clause = reading.probabilities[0]
                floor_ok[i] = [clause[CLAUSE_LABELS.index(k)] >= ONE_CLAUSE_FORBIDDEN_FLOOR for k in READER_KINDS]
        print(f"writer {writer} done", file=sys.stderr, flush=True)
    out = {}
    for name, allowed in (("reader", np.ones_like(floor_ok)), ("reader_with_floor", floor_ok)):
        called = [frozenset(k for j, k in enumerate(READER_KINDS) if row[j] >= cuts[j] and ok[j])
                  for row, ok in zip(probabilities, allowed, strict=True)]
        per_writer = {}
        for writer in [w for pair in CUT_FOLDS for w in pair]:
            idx = [i for i, r in enumerate(held) if writer_of(r.source) == writer]
            a = agreement([held[i] for i in idx], [called[i] for i in idx], [0] * len(idx))
            per_writer[writer] = (round(a.forbidden.recall, 3), round(a.forbidden.precision, 3))
        a = agreement(held, called, [0] * len(held))
        pooled = (round(a.forbidden.recall, 3), round(a.forbidden.precision, 3), round(a.forbidden.f1, 3))
        out[name] = {"pooled": pooled, "per_writer": per_writer}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
