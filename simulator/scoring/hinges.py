"""The findings a recorded call's verdict hinges on: any one of them, reversed alone, turns a pass into a
fail or a fail into a pass.

Why: a recorded call reaches the scorer as a recogniser's words, and one misheard phrase can take away a
step or invent a penalty.  On the real-call set the same recording scored on two CPUs got different words
in a few places, and three verdicts changed, each on a single finding (docs/qa.md, "The same call on
another CPU").  A QA analyst scoring calls in bulk cannot listen to every call; the calls whose verdict
rests on one finding are the ones to listen to first.

Reversing a finding is read off its evidence: every ``ScoreEvidence.weight`` is the points it added to or
cost its dimension (a missed step carries the share it would have earned), so the dimension reads
``score - weight`` without it, within 0-100.  The overall score and the verdict are then recomputed with
the rubric's weights and marks.  A critical step (a QA form's fatal item) also fails the call when missed,
whatever the scores, so reversing it counts both ways: heard, it lifts that fail; unheard, it makes one.  A
call that also fails for another reason no score carries (a critical move, a scripted ending) is not weighed
here: reversing one scored finding would not pass it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from simulator.scenario.model import Rubric
from simulator.scoring.overall import dimension_weights, measured, weighted_overall
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard, ScoreEvidence


def _verdict(scores: Mapping[Dimension, float], dimensions: Sequence[DimensionScore],
             weights: Mapping[Dimension, float], overall_mark: float) -> bool:
    marks_met = all(scores[d.dimension] >= d.pass_mark for d in dimensions if d.dimension in scores)
    return marks_met and weighted_overall(scores, weights) >= overall_mark


def verdict_hinges(dimensions: Sequence[DimensionScore], weights: Mapping[Dimension, float], overall_mark: float,
                   passed: bool, *, unscored_fail: bool = False,
                   critical_heard: Mapping[str, bool] = MappingProxyType({})) -> tuple[ScoreEvidence, ...]:
    """The scored findings whose reversal alone would change ``passed``, in the scorecard's order.

    ``unscored_fail``: the call also fails for a reason no dimension score or critical step carries; then
    nothing hinges.  ``critical_heard``: each critical step's evidence rule (``step.ID``) and whether it was
    done; a missed one fails the call."""
    if unscored_fail:
        return ()
    scores = measured(dimensions)
    if not scores:
        return ()
    hinges = []
    for dim in dimensions:
        if dim.score is None:
            continue
        for item in dim.evidence:
            if not item.weight:
                continue
            reversed_scores = dict(scores)
            reversed_scores[dim.dimension] = round(min(100.0, max(0.0, dim.score - item.weight)), 1)
            critical_met = all(heard != (rule == item.rule) for rule, heard in critical_heard.items())
            if (critical_met and _verdict(reversed_scores, dimensions, weights, overall_mark)) != passed:
                hinges.append(item)
    return tuple(hinges)


def hinges_of(card: Scorecard, rubric: Rubric) -> tuple[ScoreEvidence, ...]:
    """``verdict_hinges`` of a finished scorecard, scored against ``rubric``."""
    critical_heard = {f"step.{s.step_id}": s.hit for s in card.steps if s.critical and s.required}
    scored_fails = ((card.overall < rubric.pass_marks.overall) + sum(d.passed is False for d in card.dimensions)
                    + sum(not heard for heard in critical_heard.values()))
    return verdict_hinges(card.dimensions, dimension_weights(rubric), rubric.pass_marks.overall, card.passed,
                          unscored_fail=len(card.fail_reasons) > scored_fails, critical_heard=critical_heard)
