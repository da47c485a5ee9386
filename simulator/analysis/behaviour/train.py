"""Rebuild the behaviour model's weights from the labelled corpus.

    python -m simulator.analysis.behaviour.train            # writes simulator/analysis/data/behaviour_en.npz
    python -m simulator.analysis.behaviour.train --check    # rebuilds in memory, exits 1 if it differs

Deterministic: folds are fixed by item id, Newton's method has no randomness, and weights are
rounded, so the same corpus and encoder give the same file bit for bit.

How it learns:
1. Clause classifiers (one logistic regression per kind) on the writers' clauses.  Replies labelled
   only as a whole (the development-set format) add their clauses too: a kind the reply performs is
   credited to the clause the model finds likeliest (one round of multiple-instance learning); its
   other clauses say nothing about that kind; a kind the reply does not perform is absent from all.
2. Each kind's threshold maximises reply-level F1 on out-of-fold predictions (5 folds).
3. Empathy: two logistic regressions (at least weak; strong) on the whole reply's embedding and the
   out-of-fold clause scores, with thresholds set out of fold for none/weak/strong macro-F1.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.analysis.behaviour.corpus import (
    LabelledReply, corpus_files, fingerprint, read_corpus_file, read_items_file,
)
from simulator.analysis.behaviour.features import Encode, Window, reply_matrix, reply_windows, window_matrix
from simulator.analysis.behaviour.linear import best_threshold, fit_logistic, sigmoid
from simulator.analysis.behaviour.metrics import macro_f1
from simulator.analysis.behaviour.model import BehaviourWeights, shipped_weights_path
from simulator.scenario.kinds import CLAUSE_LABELS

FOLDS = 5


@dataclass(frozen=True, slots=True)
class TrainSettings:
    clause_l2: float = 2.0
    empathy_l2: float = 4.0
    folds: int = FOLDS


@dataclass(frozen=True, slots=True)
class ClauseRows:
    item: np.ndarray  # index of the reply each row comes from
    features: np.ndarray
    targets: np.ndarray  # (rows, labels) 0/1
    mask: np.ndarray  # (rows, labels) 1 = this row teaches this label


def fold_of(item_id: str, folds: int) -> int:
    return zlib.crc32(item_id.encode()) % folds


def _segment_windows(reply: LabelledReply) -> list[Window]:
    count = len(reply.segments)
    return [Window(s.text, 0, 0, i == 0, i == count - 1) for i, s in enumerate(reply.segments)]


class Trainer:
    def __init__(self, replies: Sequence[LabelledReply], encode: Encode, settings: TrainSettings = TrainSettings()):
        self.replies = list(replies)
        self.settings = settings
        self._encode = encode
        self.inference_windows = [reply_windows(r.reply) for r in self.replies]
        texts = sorted({w.text for ws in self.inference_windows for w in ws}
                       | {s.text for r in self.replies for s in r.segments} | {r.reply.strip() for r in self.replies})
        vectors = encode(texts)
        self._vector = {text: vectors[i] for i, text in enumerate(texts)}

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector[t] for t in texts])

    def _rows_of(self, index: int, windows: list[Window], targets: np.ndarray, mask: np.ndarray) -> ClauseRows:
        return ClauseRows(np.full(len(windows), index), window_matrix(self.vectors([w.text for w in windows]), windows),
                          targets, mask)

    def segment_rows(self, indices: Sequence[int]) -> ClauseRows:
        parts = []
        for index in indices:
            reply = self.replies[index]
            if not reply.segments:
                continue
            windows = _segment_windows(reply)
            targets = np.array([[label in s.labels for label in CLAUSE_LABELS] for s in reply.segments], np.float64)
            parts.append(self._rows_of(index, windows, targets, np.ones_like(targets)))
        return _stack(parts)

    def whole_reply_rows(self, indices: Sequence[int], weights: tuple[np.ndarray, np.ndarray] | None) -> ClauseRows:
        """Clauses of replies labelled only as a whole, credited by the current model (see module doc)."""
        parts = []
        for index in indices:
            reply = self.replies[index]
            windows = self.inference_windows[index]
            if reply.segments or not windows:
                continue
            features = window_matrix(self.vectors([w.text for w in windows]), windows)
            targets = np.zeros((len(windows), len(CLAUSE_LABELS)))
            mask = np.ones_like(targets)
            for column, label in enumerate(CLAUSE_LABELS):
                if label in reply.unsure:
                    mask[:, column] = 0
                elif label in reply.labels:
                    mask[:, column] = 0
                    if weights is None:
                        row = 0
                    else:
                        row = int(np.argmax(features @ weights[0][:, column] + weights[1][column]))
                    targets[row, column] = mask[row, column] = 1
            parts.append(ClauseRows(np.full(len(windows), index), features, targets, mask))
        return _stack(parts)

    def fit_clauses(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        segment_rows = self.segment_rows(indices)
        first = _fit_rows(segment_rows, self.settings.clause_l2) if len(segment_rows.features) else None
        whole_rows = self.whole_reply_rows(indices, first)
        if not len(whole_rows.features):
            assert first is not None
            return first
        return _fit_rows(_stack([segment_rows, whole_rows]), self.settings.clause_l2)

    def reply_scores(self, index: int, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        windows = self.inference_windows[index]
        if not windows:
            return np.zeros((0, len(CLAUSE_LABELS)))
        features = window_matrix(self.vectors([w.text for w in windows]), windows)
        return sigmoid(features.astype(np.float64) @ weights[0] + weights[1])

    def out_of_fold(self) -> list[np.ndarray]:
        """Per reply, its windows' clause probabilities from a model that never saw the reply."""
        folds = [fold_of(r.item_id, self.settings.folds) for r in self.replies]
        scores: list[np.ndarray] = [np.zeros(0)] * len(self.replies)
        for fold in range(self.settings.folds):
            held = [i for i, f in enumerate(folds) if f == fold]
            weights = self.fit_clauses([i for i, f in enumerate(folds) if f != fold])
            for index in held:
                scores[index] = self.reply_scores(index, weights)
        return scores

    def reply_features(self, index: int, scores: np.ndarray) -> np.ndarray:
        return reply_matrix(self.vectors([self.replies[index].reply.strip()])[0],
                            scores if len(scores) else np.zeros((0, len(CLAUSE_LABELS))))[0]

    def train(self, encoder: str, about: dict) -> BehaviourWeights:
        everything = list(range(len(self.replies)))
        oof = self.out_of_fold()
        best = np.array([s.max(axis=0) if len(s) else np.zeros(len(CLAUSE_LABELS)) for s in oof])
        thresholds = []
        for column, label in enumerate(CLAUSE_LABELS):
            keep = np.array([label not in r.unsure for r in self.replies])
            gold = np.array([label in r.labels for r in self.replies], dtype=np.int64)
            thresholds.append(best_threshold(best[keep, column], gold[keep]))
        clause_weights, clause_bias = self.fit_clauses(everything)
        empathy_weights, empathy_bias, empathy_thresholds = self._fit_empathy(oof)
        return BehaviourWeights(
            encoder=encoder, labels=CLAUSE_LABELS, clause_weights=clause_weights, clause_bias=clause_bias,
            clause_thresholds=np.array(thresholds), empathy_weights=empathy_weights, empathy_bias=empathy_bias,
            empathy_thresholds=empathy_thresholds, about=about)

    def _fit_empathy(self, oof: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rated = [i for i, r in enumerate(self.replies) if r.empathy is not None]
        features = np.stack([self.reply_features(i, oof[i]) for i in rated])
        levels = np.array([self.replies[i].empathy for i in rated])
        targets = (levels >= 1).astype(np.float64), (levels >= 2).astype(np.float64)
        folds = np.array([fold_of(self.replies[i].item_id, self.settings.folds) for i in rated])
        held_some, held_strong = np.zeros(len(rated)), np.zeros(len(rated))
        for fold in range(self.settings.folds):
            train, held = folds != fold, folds == fold
            for target, out in zip(targets, (held_some, held_strong), strict=True):
                w, b = fit_logistic(features[train], target[train], self.settings.empathy_l2)
                out[held] = sigmoid(features[held].astype(np.float64) @ w + b)
        some_cut = _best_cut(lambda cut: macro_f1(np.minimum(levels, 1), (held_some >= cut).astype(int), (0, 1)))
        strong_cut = _best_cut(lambda cut: macro_f1(levels, _levels(held_some, held_strong, some_cut, cut), (0, 1, 2)))
        fitted = [fit_logistic(features, target, self.settings.empathy_l2) for target in targets]
        return (np.stack([w for w, _ in fitted], axis=1), np.array([b for _, b in fitted]),
                np.array([some_cut, strong_cut]))


def _levels(some: np.ndarray, strong: np.ndarray, some_cut: float, strong_cut: float) -> np.ndarray:
    return np.where(some < some_cut, 0, np.where(np.minimum(strong, some) >= strong_cut, 2, 1))


def _best_cut(score) -> float:
    cuts = np.round(np.arange(0.2, 0.801, 0.02), 2)
    values = [score(float(c)) for c in cuts]
    return float(cuts[int(np.argmax(values))])


def _stack(parts: list[ClauseRows]) -> ClauseRows:
    if not parts:
        empty = np.zeros((0, len(CLAUSE_LABELS)))
        return ClauseRows(np.zeros(0, np.int64), np.zeros((0, 0), np.float32), empty, empty)
    return ClauseRows(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("item", "features", "targets",
                                                                                  "mask")))


def _fit_rows(rows: ClauseRows, l2: float) -> tuple[np.ndarray, np.ndarray]:
    weights, biases = [], []
    for column in range(len(CLAUSE_LABELS)):
        keep = rows.mask[:, column] > 0
        w, b = fit_logistic(rows.features[keep], rows.targets[keep, column], l2)
        weights.append(w)
        biases.append(b)
    return np.stack(weights, axis=1), np.array(biases)


def default_corpus_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "corpus" / "en"


def load_training_set(corpus_dir: Path, extra_items: Sequence[Path] = ()) -> tuple[list[LabelledReply], dict]:
    files = corpus_files(corpus_dir)
    replies = [r for path in files for r in read_corpus_file(path)]
    for path in extra_items:
        replies.extend(read_items_file(path))
    about = {"corpus": fingerprint([*files, *extra_items]), "replies": len(replies),
             "files": [p.name for p in files] + [str(p.name) for p in extra_items]}
    return replies, about


def build(corpus_dir: Path, extra_items: Sequence[Path], encoder=None) -> BehaviourWeights:
    from simulator.analysis.embeddings import SentenceEncoder

    encoder = encoder or SentenceEncoder(threads=2)
    replies, about = load_training_set(corpus_dir, extra_items)
    return Trainer(replies, encoder.encode).train(encoder.name, about)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the behaviour model from the labelled corpus.")
    parser.add_argument("--corpus", type=Path, default=default_corpus_dir(), help="folder of corpus *.jsonl files")
    parser.add_argument("--items", type=Path, action="append", default=[],
                        help="also train on an items.jsonl file (reply-level labels); may repeat")
    parser.add_argument("--out", type=Path, default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    args = parser.parse_args(argv)
    out = args.out or shipped_weights_path()
    weights = build(args.corpus, args.items)
    if args.check:
        scratch = out.with_suffix(".check.npz")
        weights.save(scratch)
        same = scratch.read_bytes() == out.read_bytes()
        scratch.unlink()
        print(f"{out}: {'identical to' if same else 'DIFFERS from'} the rebuilt model")
        return 0 if same else 1
    weights.save(out)
    print(f"{out}: {weights.about['replies']} replies, corpus {weights.about['corpus']}, sha256 {file_digest(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
