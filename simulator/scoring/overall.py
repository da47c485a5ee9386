"""How the dimension scores make a call's overall score and verdict: the rubric's weights, the marks, and the
fail reasons the scores give (said in the scorecard's language).  Shared by the scorer, the re-weighing of
a one-channel call whose voices were not told apart, a trainer's override of a score, and the search for the
findings a verdict rests on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from simulator.scenario.model import Rubric
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard
from simulator.scoring.wording import Wording


def dimension_weights(rubric: Rubric) -> dict[Dimension, float]:
    """The rubric's weight of each dimension in the overall score."""
    return {Dimension.EMPATHY: rubric.weights.empathy, Dimension.COMPLIANCE: rubric.weights.compliance,
            Dimension.TONE: rubric.weights.tone}


def weighted_overall(scores: Mapping[Dimension, float], weights: Mapping[Dimension, float]) -> float:
    """The weighted mean of the dimensions that have a score (0.0 when none has)."""
    total = sum(weights[dimension] for dimension in scores)
    return round(sum(score * weights[dimension] for dimension, score in scores.items()) / total, 1) if total else 0.0


def measured(dimensions: Sequence[DimensionScore]) -> dict[Dimension, float]:
    return {d.dimension: d.score for d in dimensions if d.score is not None}


def scored_fail_reasons(dimensions: Sequence[DimensionScore], overall: float, overall_mark: float,
                        words: Wording) -> list[str]:
    """The fail reasons the scores carry: the overall under its mark, then each dimension under its own."""
    reasons = []
    if overall < overall_mark:
        reasons.append(words("fail.overall", overall=overall, mark=overall_mark))
    for dim in dimensions:
        if dim.passed is False:
            reasons.append(words("fail.dimension", dimension=words(f"dimension.{dim.dimension.value}"),
                                 score=dim.score, mark=dim.pass_mark))
    return reasons


def unscored_fail_reasons(card: Scorecard, rubric: Rubric, words: Wording) -> list[str]:
    """The card's fail reasons that no score gave (a critical move, a scripted ending), as they stand."""
    given = set(scored_fail_reasons(card.dimensions, card.overall, rubric.pass_marks.overall, words))
    return [reason for reason in card.fail_reasons if reason not in given]


def rescored(card: Scorecard, dimensions: tuple[DimensionScore, ...], rubric: Rubric, words: Wording) -> Scorecard:
    """The card with these dimensions: the overall, the score reasons and the verdict worked out again in the
    card's language (``words``); the reasons no score gave stand."""
    overall = weighted_overall(measured(dimensions), dimension_weights(rubric))
    reasons = (*scored_fail_reasons(dimensions, overall, rubric.pass_marks.overall, words),
               *unscored_fail_reasons(card, rubric, words))
    return replace(card, dimensions=dimensions, overall=overall, passed=not reasons, fail_reasons=reasons)
