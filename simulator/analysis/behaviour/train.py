"""Rebuild the behaviour model's weights from the labelled corpus.

    python -m simulator.analysis.behaviour.train            # writes simulator/analysis/data/behaviour_en.npz
                                                            # from corpus/en/, corpus/dev/ and corpus/real_en/
    python -m simulator.analysis.behaviour.train --check    # rebuilds in memory, exits 1 if it differs
                                                            # (beyond the CPU's rounding: see below)
    python -m simulator.analysis.behaviour.train --language zh [--check]
                                                            # behaviour_zh.npz from corpus/zh/ and corpus/dev_zh/

Deterministic: folds are fixed by item id, Newton's method has no randomness, and weights are
rounded, so the same corpus and encoder give the same file bit for bit on the same kind of CPU.
On another kind, the encoder's float arithmetic (torch picks kernels by instruction set) moves the
sentence embeddings in their sixth or seventh digit, and the weights after them by up to about 2e-4
(measured: a file built on one 2-core box, rebuilt on an AMD EPYC one; every threshold equal).
``--check`` therefore accepts a rebuild whose labels, corpus, thresholds and metadata are identical
and whose weights are within ``WEIGHT_TOLERANCE``, and says which of the two it found.

How it learns (every figure in benchmarks/behaviour.py comes from models that did not see the
replies they are scored on):
1. Clause classifiers (one logistic regression per kind) on the writers' clauses.  Replies labelled
   only as a whole (the development-set format) add their clauses too: a kind the reply performs is
   credited to the clause the model finds likeliest (one round of multiple-instance learning); its
   other clauses say nothing about that kind; a kind the reply does not perform is absent from all.
2. Out-of-fold clause scores (5 folds by item id) feed the reply-level models, so these learn how
   far to trust the clause models on replies they never saw:
   - per kind, whether the whole reply performs it (the reply's mean clause embedding and the best
     clause score of every kind); its threshold maximises out-of-fold F1 (F0.5 for forbidden moves:
     a false accusation costs more than a miss);
   - per kind, a second cut on the best clause score alone, the lowest with 90% out-of-fold
     precision: one clear apology in a reply that does five other jobs still counts;
   - empathy: two logistic regressions (at least weak; strong) on the same features plus the
     embedding of the reply's warmest clause, with thresholds set out of fold for none-vs-some and
     none/weak/strong macro-F1.
3. Customer distress: one logistic regression on the customer's line (calm vs frustrated, worried
   or angry), threshold set out of fold.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from simulator.analysis.behaviour.corpus import (
    CustomerLine,
    LabelledReply,
    corpus_files,
    customer_lines_in,
    customer_lines_of,
    fingerprint,
    read_corpus_file,
    read_items_file,
)
from simulator.analysis.behaviour.features import (
    OPENING_KINDS,
    Embeddings,
    Encode,
    Window,
    empathy_matrix,
    empathy_substance,
    opening_the_substance,
    reply_matrix,
    reply_vector,
    reply_windows,
    window_matrix,
)
from simulator.analysis.behaviour.linear import Floats, best_threshold, fit_logistic, sigmoid
from simulator.analysis.behaviour.metrics import macro_f1
from simulator.analysis.behaviour.model import (
    HEARD_DISTRESS_ARRAYS,
    BehaviourWeights,
    clause_probabilities,
    shipped_weights_path,
)
from simulator.scenario.kinds import CLAUSE_LABELS, FORBIDDEN_KIND_NAMES

if TYPE_CHECKING:
    from simulator.analysis.embeddings import TextEncoder

FOLDS = 5
# Forbidden moves are called at the cut that maximises F0.5 (precision counts double): a move
# wrongly reported accuses the trainee, one missed only loses evidence.
FORBIDDEN_BETA = 0.5
# A single clause counts on its own when its score is this precise out of fold.
SURE_PRECISION = 0.9

ClauseWeights = tuple[Floats, Floats]
"""Clause-level weights (features, labels) and biases (labels)."""


@dataclass(frozen=True, slots=True)
class TrainSettings:
    # Chosen on held-out writers a-e and the dev set (docs/scoring.md): sentence embeddings are unit
    # vectors with small components, so little regularisation is needed.
    clause_l2: float = 0.1
    reply_l2: float = 0.25
    folds: int = FOLDS
    # F-beta of each step kind's reply-level cut (below 1 favours precision) and the out-of-fold
    # precision a single clause needs to count alone.  Neither changes the clause fit.
    step_beta: float = 1.0
    sure_precision: float = SURE_PRECISION
    # The kinds whose clause model may weigh where the clause sits (first, last).  None: every kind,
    # as shipped: keeping them only for openings and endings cost forbidden recall on held-out
    # writers (benchmarks/held_out_variants.py positions; docs/scoring.md).
    position_kinds: frozenset[str] | None = None


# A language's own settings, chosen on its corpus's held-out writers (benchmarks/behaviour_settings.py,
# docs/scoring.md); a language not listed uses the defaults above.
LANGUAGE_SETTINGS: dict[str, TrainSettings] = {}


def settings_for(language: str) -> TrainSettings:
    return LANGUAGE_SETTINGS.get(language, TrainSettings())


@dataclass(frozen=True, slots=True)
class ClauseRows:
    features: Embeddings
    targets: Floats  # (rows, labels) 0/1
    mask: Floats  # (rows, labels) 1 = this row teaches this label


def fold_of(item_id: str, folds: int) -> int:
    return zlib.crc32(item_id.encode()) % folds


def _segment_windows(reply: LabelledReply) -> list[Window]:
    """The writer's segments as windows; after segments that only greet or introduce the agent, the
    next one opens the reply's substance (as ``clause_probabilities`` marks it when reading)."""
    count = len(reply.segments)
    windows = [Window(s.text, 0, 0, i == 0, i == count - 1) for i, s in enumerate(reply.segments)]
    openers = 0
    while openers < count and reply.segments[openers].labels and reply.segments[openers].labels <= OPENING_KINDS:
        openers += 1
    return opening_the_substance(windows, openers)


class Trainer:
    def __init__(self, replies: Sequence[LabelledReply], encode: Encode, settings: TrainSettings | None = None,
                 language: str = "en", customer_lines: Sequence[CustomerLine] = ()):
        self.replies = list(replies)
        self.customer_lines = list(customer_lines)  # rated customer turns that teach the distress regression alone
        self.settings = settings or settings_for(language)
        self._clause_stage: tuple[TrainSettings, ClauseWeights, list[Floats]] | None = None
        self._encode = encode
        self.inference_windows = [reply_windows(r.reply, language) for r in self.replies]
        texts = sorted({w.text for ws in self.inference_windows for w in ws}
                       | {s.text for r in self.replies for s in r.segments}
                       | {r.customer.strip() for r in self.replies if r.customer_distress is not None}
                       | {line.text for line in self.customer_lines})
        vectors = encode(texts)
        self._vector: dict[str, Embeddings] = {text: vectors[i] for i, text in enumerate(texts)}
        self._reply_vector = [reply_vector(self.vectors([w.text for w in ws]), ws) if ws else np.zeros(vectors.shape[1])
                              for ws in self.inference_windows]

    def vectors(self, texts: Sequence[str]) -> Embeddings:
        return np.stack([self._vector[t] for t in texts])

    def window_features(self, windows: Sequence[Window]) -> Embeddings:
        return window_matrix(self.vectors([w.text for w in windows]), windows)

    def segment_rows(self, indices: Sequence[int]) -> ClauseRows:
        parts = []
        for index in indices:
            reply = self.replies[index]
            if not reply.segments:
                continue
            windows = _segment_windows(reply)
            targets = np.array([[label in s.labels for label in CLAUSE_LABELS] for s in reply.segments], np.float64)
            # Kinds the writer did not label (``unsure``) teach nothing either way.
            taught = np.array([label not in reply.unsure for label in CLAUSE_LABELS], np.float64)
            mask = np.broadcast_to(taught, targets.shape).copy()
            parts.append(ClauseRows(self.window_features(windows), targets, mask))
        return _stack(parts)

    def whole_reply_rows(self, indices: Sequence[int], weights: ClauseWeights | None) -> ClauseRows:
        """Clauses of replies labelled only as a whole, credited by the current model (see module doc)."""
        parts = []
        for index in indices:
            reply = self.replies[index]
            windows = self.inference_windows[index]
            if reply.segments or not windows:
                continue
            features = self.window_features(windows)
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
            parts.append(ClauseRows(features, targets, mask))
        return _stack(parts)

    def fit_clauses(self, indices: Sequence[int], start: ClauseWeights | None = None) -> ClauseWeights:
        segment_rows = self.segment_rows(indices)
        l2, positions = self.settings.clause_l2, self.settings.position_kinds
        first = _fit_rows(segment_rows, l2, start, positions) if len(segment_rows.features) else None
        whole_rows = self.whole_reply_rows(indices, first)
        if not len(whole_rows.features):
            assert first is not None
            return first
        return _fit_rows(_stack([segment_rows, whole_rows]), l2, first, positions)

    def reply_scores(self, index: int, weights: ClauseWeights) -> Floats:
        windows = self.inference_windows[index]
        vectors = self.vectors([w.text for w in windows]) if windows else np.zeros((0, 0), np.float32)
        return clause_probabilities(vectors, windows, *weights)

    def out_of_fold(self, full: ClauseWeights) -> list[Floats]:
        """Per reply, its windows' clause probabilities from a model that never saw the reply
        (each fold's fit starts from ``full``, the fit on everything, and needs few steps)."""
        folds = [fold_of(r.item_id, self.settings.folds) for r in self.replies]
        scores: list[Floats] = [np.zeros(0)] * len(self.replies)
        for fold in range(self.settings.folds):
            held = [i for i, f in enumerate(folds) if f == fold]
            weights = self.fit_clauses([i for i, f in enumerate(folds) if f != fold], full)
            for index in held:
                scores[index] = self.reply_scores(index, weights)
        return scores

    def reply_features(self, index: int, scores: Floats) -> Embeddings:
        scores = scores if len(scores) else np.zeros((0, len(CLAUSE_LABELS)))
        features: Embeddings = reply_matrix(self._reply_vector[index], scores)[0]  # the matrix has one row
        return features

    def empathy_features(self, index: int, scores: Floats) -> Embeddings:
        windows = self.inference_windows[index]
        if not windows:
            empty: Embeddings = empathy_matrix(self._reply_vector[index], np.zeros((0, 0), np.float32),
                                               np.zeros((0, len(CLAUSE_LABELS))))[0]
            return empty
        features: Embeddings = empathy_substance(self.vectors([w.text for w in windows]), windows, scores)[0]
        return features

    def clause_stage(self) -> tuple[ClauseWeights, list[Floats]]:
        """The clause fit on everything and its out-of-fold scores: most of a training's time.  Kept
        while the settings it depends on stay the same, so that reply-level settings can be compared
        on one trainer (benchmarks/behaviour_settings.py)."""
        def key(settings: TrainSettings) -> tuple[float, int, frozenset[str] | None]:
            return settings.clause_l2, settings.folds, settings.position_kinds

        if self._clause_stage is None or key(self._clause_stage[0]) != key(self.settings):
            full = self.fit_clauses(list(range(len(self.replies))))
            self._clause_stage = (self.settings, full, self.out_of_fold(full))
        return self._clause_stage[1], self._clause_stage[2]

    def train(self, encoder: str, about: dict[str, Any]) -> BehaviourWeights:
        (clause_weights, clause_bias), oof = self.clause_stage()
        empathy_weights, empathy_bias, empathy_thresholds = self._fit_empathy(oof)
        reply_weights, reply_bias, reply_thresholds = self._fit_reply_kinds(oof)
        clause_thresholds = self._sure_clause_cuts(oof)
        distress_weights, distress_bias, distress_threshold = self._fit_distress()
        heard = self._fit_heard_distress()
        return BehaviourWeights(
            encoder=encoder, labels=CLAUSE_LABELS, clause_weights=clause_weights, clause_bias=clause_bias,
            clause_thresholds=clause_thresholds, empathy_weights=empathy_weights, empathy_bias=empathy_bias,
            empathy_thresholds=empathy_thresholds, reply_weights=reply_weights, reply_bias=reply_bias,
            reply_thresholds=reply_thresholds, distress_weights=distress_weights, distress_bias=distress_bias,
            distress_threshold=distress_threshold, about=about,
            **({} if heard is None else dict(zip(HEARD_DISTRESS_ARRAYS, heard, strict=True))))

    def _held_out(self, features: npt.NDArray[np.floating], target: Floats, indices: Sequence[int],
                  keep: npt.NDArray[np.bool_] | None = None) -> Floats:
        """Each row's probability from a reply-level regression fitted on the other folds (rows are
        the replies ``indices``; ``keep`` marks the rows allowed to teach)."""
        return held_out_probabilities(features, target, [self.replies[i].item_id for i in indices], self.settings,
                                      keep)

    def _fit_distress(self) -> tuple[Floats, Floats, Floats]:
        """Written customer lines (a scenario's customer): the corpus' lines alone."""
        lines = customer_lines_of(self.replies)
        return fit_distress(self.vectors([line.text for line in lines]), lines, self.settings)

    def _fit_heard_distress(self) -> tuple[Floats, Floats, Floats] | None:
        """Customer turns as a recogniser writes them (recorded calls): the corpus' lines and the rated
        customer turns; None without those."""
        if not self.customer_lines:
            return None
        lines = [*customer_lines_of(self.replies), *self.customer_lines]
        return fit_distress(self.vectors([line.text for line in lines]), lines, self.settings)

    def _sure_clause_cuts(self, oof: list[Floats]) -> Floats:
        """Per kind, the clause score above which one clause alone shows the kind: the lowest cut
        whose out-of-fold precision is at least SURE_PRECISION.  In a long reply that does five
        jobs the reply-level view dilutes one clear apology; this keeps it."""
        best = np.array([s.max(axis=0) if len(s) else np.zeros(len(CLAUSE_LABELS)) for s in oof])
        cuts = []
        for column, label in enumerate(CLAUSE_LABELS):
            keep = np.array([label not in r.unsure for r in self.replies])
            gold = np.array([label in r.labels for r in self.replies])[keep]
            scores = best[keep, column]
            cut = 1.0  # never, unless some cut is precise enough
            for candidate in np.round(np.arange(0.5, 0.991, 0.01), 2):
                called = scores >= candidate
                if called.sum() >= 10 and gold[called].mean() >= self.settings.sure_precision:
                    cut = float(candidate)
                    break
            cuts.append(cut)
        return np.array(cuts)

    def _fit_reply_kinds(self, oof: list[Floats]) -> tuple[Floats, Floats, Floats]:
        """Per kind, whether the whole reply performs it: from the reply's embedding and its clauses'
        out-of-fold scores (a sarcastic or dismissive reply is often so only as a whole)."""
        everything = list(range(len(self.replies)))
        features = np.stack([self.reply_features(i, oof[i]) for i in everything])
        weights, biases, cuts = [], [], []
        for label in CLAUSE_LABELS:
            keep = np.array([label not in r.unsure for r in self.replies])
            target = np.array([label in r.labels for r in self.replies], dtype=np.float64)
            held = self._held_out(features, target, everything, keep)
            cuts.append(best_threshold(held[keep], target[keep].astype(np.int64),
                                       beta=FORBIDDEN_BETA if label in FORBIDDEN_KIND_NAMES
                                       else self.settings.step_beta))
            w, b = fit_logistic(features[keep], target[keep], self.settings.reply_l2)
            weights.append(w)
            biases.append(b)
        return np.stack(weights, axis=1), np.array(biases), np.array(cuts)

    def _fit_empathy(self, oof: list[Floats]) -> tuple[Floats, Floats, Floats]:
        rated = [i for i, r in enumerate(self.replies) if r.empathy is not None]
        features = np.stack([self.empathy_features(i, oof[i]) for i in rated])
        levels = np.array([self.replies[i].empathy for i in rated])
        targets = (levels >= 1).astype(np.float64), (levels >= 2).astype(np.float64)
        held_some, held_strong = (self._held_out(features, target, rated) for target in targets)
        some_gold, level_gold = np.minimum(levels, 1).tolist(), levels.tolist()
        some_cut = _best_cut(lambda cut: macro_f1(some_gold, (held_some >= cut).astype(int).tolist(), (0, 1)))
        strong_cut = _best_cut(lambda cut: macro_f1(level_gold, _levels(held_some, held_strong, some_cut, cut).tolist(),
                                                    (0, 1, 2)))
        fitted = [fit_logistic(features, target, self.settings.reply_l2) for target in targets]
        return (np.stack([w for w, _ in fitted], axis=1), np.array([b for _, b in fitted]),
                np.array([some_cut, strong_cut]))


def held_out_probabilities(features: npt.NDArray[np.floating], target: Floats, item_ids: Sequence[str],
                           settings: TrainSettings, keep: npt.NDArray[np.bool_] | None = None) -> Floats:
    """Each row's probability from a logistic regression fitted on the other folds (folds by item id;
    ``keep`` marks the rows allowed to teach)."""
    folds = np.array([fold_of(item_id, settings.folds) for item_id in item_ids])
    teach = np.ones(len(item_ids), bool) if keep is None else keep
    held = np.zeros(len(item_ids))
    for fold in range(settings.folds):
        w, b = fit_logistic(features[(folds != fold) & teach], target[(folds != fold) & teach], settings.reply_l2)
        held[folds == fold] = sigmoid(features[folds == fold].astype(np.float64) @ w + b)
    return held


def fit_distress(features: Embeddings, lines: Sequence[CustomerLine], settings: TrainSettings
                 ) -> tuple[Floats, Floats, Floats]:
    """Whether a customer's line shows frustration, worry or anger, from its words alone: one logistic
    regression on the lines' embeddings, its cut the best macro-F1 out of fold (folds by item id)."""
    x = features.astype(np.float64)
    target = np.array([line.distress >= 1 for line in lines], dtype=np.float64)
    held = held_out_probabilities(x, target, [line.item_id for line in lines], settings)
    gold = target.astype(int).tolist()
    cut = _best_cut(lambda c: macro_f1(gold, (held >= c).astype(int).tolist(), (0, 1)))
    w, b = fit_logistic(x, target, settings.reply_l2)
    return w[:, None], np.array([b]), np.array([cut])


def _levels(some: Floats, strong: Floats, some_cut: float, strong_cut: float) -> npt.NDArray[np.int64]:
    return np.where(some < some_cut, 0, np.where(np.minimum(strong, some) >= strong_cut, 2, 1))


def _best_cut(score: Callable[[float], float]) -> float:
    cuts = np.round(np.arange(0.2, 0.801, 0.02), 2)
    values = [score(float(c)) for c in cuts]
    return float(cuts[int(np.argmax(values))])


def _stack(parts: list[ClauseRows]) -> ClauseRows:
    if not parts:
        empty = np.zeros((0, len(CLAUSE_LABELS)))
        return ClauseRows(np.zeros((0, 0), np.float32), empty, empty)
    return ClauseRows(np.concatenate([p.features for p in parts]), np.concatenate([p.targets for p in parts]),
                      np.concatenate([p.mask for p in parts]))


def _fit_rows(rows: ClauseRows, l2: float, start: ClauseWeights | None = None,
              position_kinds: frozenset[str] | None = None) -> ClauseWeights:
    """One regression per kind; a kind outside ``position_kinds`` sees its position flags (the last
    two features) as zeros, so its weights for them stay 0 and it reads a clause alike anywhere."""
    weights, biases = [], []
    without_position = rows.features
    if position_kinds is not None:
        without_position = rows.features.copy()
        without_position[:, -2:] = 0
    for column, label in enumerate(CLAUSE_LABELS):
        keep = rows.mask[:, column] > 0
        near = None if start is None else (start[0][:, column], float(start[1][column]))
        features = rows.features if position_kinds is None or label in position_kinds else without_position
        w, b = fit_logistic(features[keep], rows.targets[keep, column], l2, start=near)
        weights.append(w)
        biases.append(b)
    return np.stack(weights, axis=1), np.array(biases)


# The encoder each language's model is trained with (the weights name it; the analyser loads it).
TRAINING_ENCODERS = {"en": "all-MiniLM-L6-v2", "zh": "use-multilingual-v3"}


def default_corpus_dir(language: str = "en") -> Path:
    return Path(__file__).resolve().parents[3] / "corpus" / language


def default_items_files(language: str = "en") -> list[Path]:
    """Whole-reply-labelled sets shipped beside the corpus (corpus/dev/, corpus/dev_zh/)."""
    return sorted((default_corpus_dir().parent / ("dev" if language == "en" else f"dev_{language}")).glob("*.jsonl"))


# Folders (under corpus/) of real agents' words in the items format: they teach the clause model the
# steps real agents perform (never the post-call reader: they mark every forbidden kind unsure).
REAL_WORDS_FOLDERS: dict[str, tuple[str, ...]] = {"en": ("real_en",)}


def real_words_items_files(language: str = "en") -> list[Path]:
    corpus = default_corpus_dir().parent
    return [path for folder in REAL_WORDS_FOLDERS.get(language, ())
            for path in sorted((corpus / folder).glob("*.jsonl"))]


def real_words(language: str = "en") -> list[LabelledReply]:
    """The real agents' utterances that teach the clause model (``REAL_WORDS_FOLDERS``)."""
    return [r for path in real_words_items_files(language) for r in read_items_file(path)]


# Folders (under corpus/) of rated customer turns that teach the distress regression alone.
CUSTOMER_LINE_FOLDERS: dict[str, tuple[str, ...]] = {"en": ("reader_en", "customer_en")}


def default_customer_lines(language: str = "en") -> list[Path]:
    return [default_corpus_dir().parent / name for name in CUSTOMER_LINE_FOLDERS.get(language, ())]


def training_encoder(language: str) -> TextEncoder:
    from simulator.analysis.embeddings import SentenceEncoder
    from simulator.analysis.encoders import encoder_registry

    if language == "en":
        return SentenceEncoder(threads=2)
    return encoder_registry().create(TRAINING_ENCODERS[language], threads=2, cache_size=200_000)


def load_training_set(corpus_dir: Path, extra_items: Sequence[Path] = ()) -> tuple[list[LabelledReply], dict[str, Any]]:
    files = corpus_files(corpus_dir)
    replies = [r for path in files for r in read_corpus_file(path)]
    for path in extra_items:
        replies.extend(read_items_file(path))
    about = {"corpus": fingerprint([*files, *extra_items]), "replies": len(replies),
             "files": [p.name for p in files] + [str(p.name) for p in extra_items]}
    return replies, about


def build(corpus_dir: Path, extra_items: Sequence[Path], encoder: TextEncoder | None = None,
          language: str = "en", customer_lines: Sequence[Path] = ()) -> BehaviourWeights:
    """``customer_lines``: folders of rated customer turns (or corpus files) that teach the distress
    regression alone."""
    encoder = encoder or training_encoder(language)
    replies, about = load_training_set(corpus_dir, extra_items)
    if language != "en":  # the English file predates the field: absent means English
        about["language"] = language
    lines = customer_lines_in(customer_lines)
    if lines:
        files = [path for folder in customer_lines for path in corpus_files(folder)]
        about |= {"customer_lines": fingerprint(files), "customer_line_count": len(lines),
                  "customer_line_files": [f"{path.parent.name}/{path.name}" for path in files]}
    return Trainer(replies, encoder.encode, language=language, customer_lines=lines).train(encoder.name, about)


WEIGHT_TOLERANCE = 1e-3  # 5x the largest difference seen between CPUs, far below what moves a decision


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """How a rebuilt weights file compares with the shipped one."""

    identical: bool  # the same bytes
    largest_weight_difference: float  # over the float arrays that are not thresholds
    differing: tuple[str, ...]  # arrays that differ beyond the tolerance (or at all, for the exact ones)

    @property
    def agrees(self) -> bool:
        return self.identical or not self.differing


def compare_weights(shipped: Path, rebuilt: Path, tolerance: float = WEIGHT_TOLERANCE) -> Rebuilt:
    """Compare two weights files array by array: thresholds, labels and metadata exactly, weights and
    biases within ``tolerance`` (the encoder rounds differently on another kind of CPU)."""
    if shipped.read_bytes() == rebuilt.read_bytes():
        return Rebuilt(True, 0.0, ())
    with np.load(shipped, allow_pickle=False) as ours, np.load(rebuilt, allow_pickle=False) as theirs:
        if set(ours.files) != set(theirs.files):
            return Rebuilt(False, float("inf"), tuple(sorted(set(ours.files) ^ set(theirs.files))))
        largest, differing = 0.0, []
        for name in sorted(ours.files):
            a, b = ours[name], theirs[name]
            exact = "threshold" in name or a.dtype.kind not in "f"
            if a.shape != b.shape:
                differing.append(name)
                continue
            if exact:
                if not np.array_equal(a, b):
                    differing.append(name)
                continue
            gap = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
            largest = max(largest, gap)
            if gap > tolerance:
                differing.append(name)
    return Rebuilt(False, largest, tuple(differing))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the behaviour model from the labelled corpus.")
    parser.add_argument("--language", choices=sorted(TRAINING_ENCODERS), default="en",
                        help="the model's language: its corpus, clause splitting, encoder and weights file")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of corpus *.jsonl files "
                        "(default: corpus/LANGUAGE)")
    parser.add_argument("--items", type=Path, action="append", default=None,
                        help="train on this items.jsonl file (reply-level labels) instead of corpus/dev/*.jsonl "
                             "and corpus/real_en/*.jsonl (corpus/dev_zh/ for zh); may repeat")
    parser.add_argument("--customer-lines", type=Path, action="append", default=None, metavar="FOLDER",
                        help="rated customer turns that teach the distress regression alone (default: "
                             "the language's CUSTOMER_LINE_FOLDERS); may repeat")
    parser.add_argument("--out", type=Path, default=None, help="weights file (default: the shipped one)")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    args = parser.parse_args(argv)
    out = args.out or shipped_weights_path(args.language)
    items = [*default_items_files(args.language), *real_words_items_files(args.language)] if args.items is None \
        else args.items
    lines = default_customer_lines(args.language) if args.customer_lines is None else args.customer_lines
    empty = [folder for folder in lines if not corpus_files(folder)]
    if empty:
        parser.error(f"--customer-lines {empty[0]}: no *.jsonl files there (a folder of rated customer turns)")
    weights = build(args.corpus or default_corpus_dir(args.language), items, language=args.language,
                    customer_lines=lines)
    if args.check:
        scratch = out.with_suffix(".check.npz")
        weights.save(scratch)
        try:
            found = compare_weights(out, scratch)
        finally:
            scratch.unlink()
        if found.identical:
            print(f"{out}: identical to the rebuilt model")
        elif found.agrees:
            print(f"{out}: agrees with the rebuilt model (thresholds and metadata identical, weights within "
                  f"{found.largest_weight_difference:.1e} of {WEIGHT_TOLERANCE:.0e}: this CPU rounds differently)")
        else:
            print(f"{out}: DIFFERS from the rebuilt model in {', '.join(found.differing)} (largest weight "
                  f"difference {found.largest_weight_difference:.1e}); rebuild it and commit the new file")
        return 0 if found.agrees else 1
    weights.save(out)
    print(f"{out}: {weights.about['replies']} replies, corpus {weights.about['corpus']}, sha256 {file_digest(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
