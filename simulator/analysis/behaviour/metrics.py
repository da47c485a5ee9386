"""Agreement between the model's readings and labelled replies: the figures the benchmark prints.

Borderline (``unsure``) labels are neither hits nor misses.  Empathy is scored as none-vs-some and
as none/weak/strong, both by macro-F1 (the mean of the per-class F1s), skipping undecidable items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulator.analysis.behaviour.corpus import LabelledReply
from simulator.scenario.kinds import FORBIDDEN_KIND_NAMES, STEP_KIND_NAMES


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def macro_f1(gold: Sequence[int], predicted: Sequence[int], classes: Sequence[int]) -> float:
    scores = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted, strict=True))
        scores.append(f1(tp, fp, fn))
    return sum(scores) / len(scores)


@dataclass(frozen=True, slots=True)
class KindCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def f1(self) -> float:
        return f1(self.tp, self.fp, self.fn)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def __add__(self, other: KindCounts) -> KindCounts:
        return KindCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Agreement:
    replies: int
    empathy_binary_f1: float
    empathy_three_class_f1: float
    steps: KindCounts
    forbidden: KindCounts
    per_kind: dict[str, KindCounts]


def kind_counts(gold: Sequence[LabelledReply], predicted: Sequence[frozenset[str]], kinds: Sequence[str]
                ) -> dict[str, KindCounts]:
    counts = {}
    for kind in kinds:
        tp = fp = fn = 0
        for item, found in zip(gold, predicted, strict=True):
            if kind in item.unsure:
                continue
            tp += kind in item.labels and kind in found
            fp += kind not in item.labels and kind in found
            fn += kind in item.labels and kind not in found
        counts[kind] = KindCounts(tp, fp, fn)
    return counts


def agreement(gold: Sequence[LabelledReply], predicted_labels: Sequence[frozenset[str]],
              predicted_empathy: Sequence[int]) -> Agreement:
    decided = [(item.empathy, level) for item, level in zip(gold, predicted_empathy, strict=True)
               if item.empathy is not None]
    truth = [g for g, _ in decided]
    guess = [p for _, p in decided]
    per_kind = kind_counts(gold, predicted_labels, STEP_KIND_NAMES + FORBIDDEN_KIND_NAMES)
    steps = sum((per_kind[k] for k in STEP_KIND_NAMES), KindCounts())
    forbidden = sum((per_kind[k] for k in FORBIDDEN_KIND_NAMES), KindCounts())
    return Agreement(
        replies=len(gold),
        empathy_binary_f1=macro_f1([min(g, 1) for g in truth], [min(p, 1) for p in guess], (0, 1)),
        empathy_three_class_f1=macro_f1(truth, guess, (0, 1, 2)),
        steps=steps, forbidden=forbidden, per_kind=per_kind)
