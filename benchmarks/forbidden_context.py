"""Does the customer's line help the reply-level decision on forbidden moves?  (issue #11)

    python benchmarks/forbidden_context.py [--variants base,customer,customer_product] [--l2 0.25]

An in-memory comparison, cheaper than ``benchmarks/behaviour.py`` (which trains the whole model once
per held-out writer or domain, 15 minutes a training on a busy box):

1. The clause models are fitted once on the corpus and the dev set together, and every reply gets
   its clauses' *out-of-fold* scores (5 folds by item id, as the trainer makes them for its own
   reply-level models).  They are cached in ``.cache/forbidden-context-clauses.npz``.
2. Per variant of the reply-level features, the six forbidden kinds' reply-level regressions are
   refitted for each held-out group with everything else as the trainer does it (F0.5 threshold
   from out-of-fold reply probabilities, the one-clause cut at 90% out-of-fold precision), and
   scored on the held-out group:
   - held-out writers a-e, g, h, i in turn (trained on the rest of the corpus but writer f);
   - the dev set by domain (trained on the corpus plus the other 7 domains).

What it does not do, and why the absolute figures are not the benchmark's: the clause scores of a
held-out reply come from clause models that saw other replies by the same writer (or from the same
domain), and the F0.5 threshold is read from reply probabilities whose folds mix groups.  Every
variant shares this, so the *difference* between variants is the measurement.  Writer f and the
"dev never seen" row are not read.

Variants (added to the trainer's reply features: the mean clause embedding and the best clause
score of every kind): ``customer`` the customer line's embedding; ``customer_product`` that and its
element-wise product with the reply's mean embedding; ``product`` the product alone; ``cosine`` the
cosine of the two.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import behaviour as bench  # noqa: E402

from simulator.analysis.behaviour.corpus import (  # noqa: E402
    LabelledReply,
    corpus_files,
    read_corpus_file,
    read_items_file,
    writer_of,
)
from simulator.analysis.behaviour.features import reply_matrix, reply_vector, reply_windows  # noqa: E402
from simulator.analysis.behaviour.linear import Floats, best_threshold, fit_logistic, sigmoid  # noqa: E402
from simulator.analysis.behaviour.train import FORBIDDEN_BETA, SURE_PRECISION, Trainer, fold_of  # noqa: E402
from simulator.analysis.embeddings import SentenceEncoder  # noqa: E402
from simulator.scenario.kinds import CLAUSE_LABELS, FORBIDDEN_KIND_NAMES  # noqa: E402

TUNING_WRITERS = ("a", "b", "c", "d", "e", "g", "h", "i")
REPORT_WRITER = bench.REPORT_WRITER
VARIANTS = ("base", "customer", "customer_product", "product", "cosine")
Counts = dict[str, np.ndarray]  # kind -> [tp, fp, fn]


def load(data: Path) -> tuple[list[LabelledReply], list[LabelledReply]]:
    corpus = [r for path in corpus_files(REPO / "corpus" / "en") for r in read_corpus_file(path)]
    return corpus, read_items_file(data / "callcentre_dev" / "items.jsonl")


def encoder_with_cache() -> SentenceEncoder:
    encoder = SentenceEncoder(threads=2, cache_size=400_000)
    bench.recall_embeddings(encoder)
    return encoder


def out_of_fold_clause_scores(replies: Sequence[LabelledReply], encoder: SentenceEncoder) -> list[Floats]:
    cache = REPO / ".cache" / "forbidden-context-clauses.npz"
    if cache.is_file():
        with np.load(cache) as stored:
            if stored["ids"].tolist() == [r.item_id for r in replies]:
                return np.split(stored["scores"], stored["offsets"])
    trainer = Trainer(replies, encoder.encode)
    scores = trainer.out_of_fold(trainer.fit_clauses(list(range(len(replies)))))
    offsets = np.cumsum([len(s) for s in scores])[:-1]
    np.savez(cache, ids=np.array([r.item_id for r in replies]), offsets=offsets,
             scores=np.concatenate([s.reshape(-1, len(CLAUSE_LABELS)) for s in scores]))
    return scores


def features(variant: str, replies: Sequence[LabelledReply], scores: Sequence[Floats],
             encoder: SentenceEncoder) -> Floats:
    rows = []
    for reply, reply_scores in zip(replies, scores, strict=True):
        windows = reply_windows(reply.reply)
        mean = reply_vector(encoder.encode([w.text for w in windows]), windows)
        customer = (encoder.encode([reply.customer.strip()])[0] if reply.customer.strip()
                    else np.zeros_like(mean))
        parts = [reply_matrix(mean, reply_scores.reshape(-1, len(CLAUSE_LABELS)))[0]]
        if variant in ("customer", "customer_product"):
            parts.append(customer)
        if variant in ("customer_product", "product"):
            parts.append(customer * mean * np.sqrt(len(mean)))  # scaled to the embedding's own size
        if variant == "cosine":
            parts.append(np.array([float(customer @ mean)], np.float32))
        rows.append(np.hstack(parts))
    return np.stack(rows).astype(np.float64)


def sure_cuts(replies: Sequence[LabelledReply], best: Floats) -> dict[str, float]:
    """The trainer's one-clause cut: the lowest best-clause score with 90% precision (10 calls at least)."""
    cuts = {}
    for kind in FORBIDDEN_KIND_NAMES:
        keep = np.array([kind not in r.unsure for r in replies])
        gold = np.array([kind in r.labels for r in replies])[keep]
        column = best[keep, CLAUSE_LABELS.index(kind)]
        cuts[kind] = next((float(c) for c in np.round(np.arange(0.5, 0.991, 0.01), 2)
                           if (column >= c).sum() >= 10 and gold[column >= c].mean() >= SURE_PRECISION), 1.0)
    return cuts


def groups(corpus: Sequence[LabelledReply], dev: Sequence[LabelledReply]
           ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(scheme, training rows, held-out rows) over the corpus followed by the dev set."""
    writer = np.array([writer_of(r.source) for r in corpus] + ["dev"] * len(dev))
    domain = np.array([""] * len(corpus) + [d.domain for d in dev])
    is_dev = writer == "dev"
    out = [("held-out writers", (writer != w) & (writer != REPORT_WRITER) & ~is_dev, writer == w)
           for w in TUNING_WRITERS]
    out += [("dev by domain", ~is_dev | (domain != d), is_dev & (domain == d)) for d in sorted({x.domain for x in dev})]
    return out


def evaluate(x: Floats, replies: Sequence[LabelledReply], best: Floats,
             splits: list[tuple[str, np.ndarray, np.ndarray]], l2: float) -> dict[str, Counts]:
    item_fold = np.array([fold_of(r.item_id, 5) for r in replies])
    results: dict[str, Counts] = {}
    cuts = [sure_cuts([replies[i] for i in np.flatnonzero(train)], best[train]) for _, train, _ in splits]
    for kind in FORBIDDEN_KIND_NAMES:
        keep = np.array([kind not in r.unsure for r in replies])
        target = np.array([kind in r.labels for r in replies], np.float64)
        start = fit_logistic(x[keep], target[keep], l2)
        held = np.zeros(len(replies))
        for fold in range(5):
            rows = (item_fold != fold) & keep
            w, b = fit_logistic(x[rows], target[rows], l2, start=start)
            held[item_fold == fold] = sigmoid(x[item_fold == fold] @ w + b)
        for (scheme, train, test), cut_by_clause in zip(splits, cuts, strict=True):
            rows = train & keep
            cut = best_threshold(held[rows], target[rows].astype(np.int64), beta=FORBIDDEN_BETA)
            w, b = fit_logistic(x[rows], target[rows], l2, start=start)
            called = (sigmoid(x[test] @ w + b) >= cut) | (best[test, CLAUSE_LABELS.index(kind)] >= cut_by_clause[kind])
            gold, counted = target[test] > 0, keep[test]
            counts = results.setdefault(scheme, {}).setdefault(kind, np.zeros(3, int))
            counts += [(called & gold & counted).sum(), (called & ~gold & counted).sum(),
                       (~called & gold & counted).sum()]
    return results


def line(name: str, counts: Counts) -> str:
    tp, fp, fn = sum(counts.values())
    kinds = "  ".join(f"{kind} {c[0]}/{c[0] + c[2]} found, {c[1]} wrong" for kind, c in counts.items())
    return f"{name}: recall {tp / (tp + fn):.3f} precision {tp / max(1, tp + fp):.3f}  [{kinds}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--variants", type=lambda t: t.split(","), default=list(VARIANTS))
    parser.add_argument("--l2", type=float, default=0.25, help="the reply-level regularisation (the trainer's 0.25)")
    args = parser.parse_args(argv)
    corpus, dev = load(args.data)
    replies = corpus + dev
    encoder = encoder_with_cache()
    scores = out_of_fold_clause_scores(replies, encoder)
    best = np.stack([s.reshape(-1, len(CLAUSE_LABELS)).max(axis=0) if len(s) else np.zeros(len(CLAUSE_LABELS))
                     for s in scores])
    splits = groups(corpus, dev)
    for variant in args.variants:
        started = time.perf_counter()
        results = evaluate(features(variant, replies, scores, encoder), replies, best, splits, args.l2)
        for scheme, counts in results.items():
            print(line(f"{variant} (l2 {args.l2}), {scheme}", counts), flush=True)
        print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
