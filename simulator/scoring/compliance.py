"""Script compliance: required steps done, in order, on time; forbidden phrases avoided."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simulator.contracts import ForbiddenHit, Severity
from simulator.scenario.model import Scenario
from simulator.scoring.policy import MATCH, PolicyBreach, policy_breaches
from simulator.scoring.scorecard import Dimension, ScoreEvidence, StepResult, Violation
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import Wording

SEVERITY_PENALTY = {Severity.MINOR: 5.0, Severity.MAJOR: 15.0, Severity.CRITICAL: 30.0}
OUT_OF_ORDER_SHARE = 0.4  # of a step's points lost when done in the wrong order
LATE_SHARE = 0.3  # ... when done after its within_turns deadline
TURN_OUT_OF_ORDER = 40.0  # per-turn points
TURN_OVERDUE = 50.0
C = Dimension.COMPLIANCE


@dataclass(frozen=True, slots=True)
class ComplianceResult:
    score: float | None
    steps: tuple[StepResult, ...]
    violations: tuple[Violation, ...]
    evidence: tuple[ScoreEvidence, ...]
    per_turn: dict[int, tuple[float, tuple[ScoreEvidence, ...]]]  # turn -> (score, evidence)


def step_results(scenario: Scenario, turns: Sequence[ScoredTurn], words: Wording) -> tuple[StepResult, ...]:
    first: dict[str, tuple[ScoredTurn, str, float | None]] = {}
    for turn in turns:
        for hit in turn.analysis.steps_hit:
            first.setdefault(hit.step_id, (turn, hit.quote, hit.start_s))
    when = {step_id: found[0].index for step_id, found in first.items()}
    results = []
    for step in scenario.script:
        found = first.get(step.id)
        if found is None:
            results.append(StepResult(step.id, step.description, False, required=step.required,
                                      due_by_turn=step.within_turns, critical=step.critical))
            continue
        turn, quote, start_s = found
        # a prerequisite never done is already a missed step; order is only judged between steps done
        problems = [words("order.before", other=other) for other in step.after if turn.index < when.get(other, -1)]
        problems += [words("order.after", other=other) for other in step.before
                     if when.get(other, turn.index) < turn.index]
        on_time = step.within_turns is None or turn.index <= step.within_turns
        results.append(StepResult(step.id, step.description, True, turn.index, start_s, quote, not problems, on_time,
                                  step.required, turn.at(start_s), words("notes.separator").join(problems) or None,
                                  step.within_turns, step.critical))
    return tuple(results)


def _step_evidence(steps: Sequence[StepResult], share: float, words: Wording) -> list[ScoreEvidence]:
    evidence: list[ScoreEvidence] = []
    for step in steps:
        if not step.required:
            if step.hit:
                evidence.append(ScoreEvidence(f"step.{step.step_id}", step.quote or "",
                                              words("step.optional_done", step=step.description), step.start_s, 0.0,
                                              step.turn_index, step.time_s, C))
            continue
        if not step.hit:
            evidence.append(ScoreEvidence(f"step.{step.step_id}", "", words("step.missed", step=step.description), None,
                                          -round(share, 2), None, None, C))
            continue
        earned = share
        notes = []
        if not step.in_order:
            earned -= OUT_OF_ORDER_SHARE * share
            notes.append(words("step.out_of_order", problem=step.order_problem))
        if not step.on_time:
            earned -= LATE_SHARE * share
            notes.append(words("step.late", due=words.turn(step.due_by_turn), turn=words.turn(step.turn_index)))
        detail = words("step.detail", step=step.description,
                       notes=words("notes.separator").join(notes) if notes else words("step.done"))
        evidence.append(ScoreEvidence(f"step.{step.step_id}", step.quote or "", detail, step.start_s,
                                      round(earned, 2), step.turn_index, step.time_s, C))
    return evidence


def _turn_compliance(turn: ScoredTurn, steps: Sequence[StepResult], scenario: Scenario,
                     breaches: Sequence[PolicyBreach], words: Wording) -> tuple[float, tuple[ScoreEvidence, ...]]:
    """One turn out of 100: what the trainee did wrong *in this turn* (points are per turn)."""
    items = []
    for step in steps:
        if not step.required:
            continue
        if step.hit and step.turn_index == turn.index and not step.in_order:
            items.append(turn.evidence(C, f"step.{step.step_id}", step.quote or "",
                                       words("step.detail", step=step.description,
                                             notes=words("step.out_of_order", problem=step.order_problem)),
                                       -TURN_OUT_OF_ORDER, step.start_s))
        due_here = step.due_by_turn == turn.index
        if due_here and (not step.hit or (step.turn_index or 0) > turn.index):
            items.append(turn.evidence(C, f"step.{step.step_id}", "",
                                       words("step.overdue", step=step.description), -TURN_OVERDUE))
    for hit in turn.analysis.forbidden:
        items.append(turn.evidence(C, f"forbidden.{hit.phrase_id}", hit.quote, _forbidden_detail(scenario, hit, words),
                                   -2 * SEVERITY_PENALTY[hit.severity]))
    for found in breaches:
        if found.turn_index == turn.index:
            items.append(turn.evidence(C, found.rule_id, found.promise.clause, found.detail(words),
                                       -2 * SEVERITY_PENALTY[found.card.severity.level]))
    score = max(0.0, 100.0 + sum(e.weight for e in items))
    return round(score, 1), tuple(items)


def score_compliance(scenario: Scenario, turns: Sequence[ScoredTurn], *, words: Wording,
                     said_on: date | None = None) -> ComplianceResult:
    steps = step_results(scenario, turns, words)
    required = [s for s in steps if s.required]
    share = 100.0 / len(required) if required else 0.0
    evidence = _step_evidence(steps, share, words)
    score = sum(e.weight for e in evidence if e.weight > 0) if required else 100.0
    violations = []
    for turn in turns:
        for hit in turn.analysis.forbidden:
            points = SEVERITY_PENALTY[hit.severity]
            why = _why(scenario, hit.phrase_id)
            violations.append(Violation(hit.phrase_id, turn.index, hit.quote, hit.severity.name.lower(),
                                        hit.match.value, turn.start_s, why, points))
            evidence.append(turn.evidence(C, f"forbidden.{hit.phrase_id}", hit.quote,
                                          _forbidden_detail(scenario, hit, words), -points))
            score -= points
    breaches = policy_breaches(scenario, [(turn.index, turn.text) for turn in turns], said_on=said_on, words=words)
    by_index = {turn.index: turn for turn in turns}
    for found in breaches:
        turn = by_index[found.turn_index]
        points = SEVERITY_PENALTY[found.card.severity.level]
        violations.append(Violation(found.rule_id, turn.index, found.promise.clause, found.card.severity.value,
                                    MATCH, turn.start_s, found.detail(words), points))
        evidence.append(turn.evidence(C, found.rule_id, found.promise.clause, found.detail(words), -points))
        score -= points
    if not turns or (not required and not scenario.forbidden and not scenario.knowledge):
        return ComplianceResult(None, steps, tuple(violations), tuple(evidence), {})
    per_turn = {turn.index: _turn_compliance(turn, steps, scenario, breaches, words) for turn in turns}
    return ComplianceResult(round(max(0.0, min(100.0, score)), 1), steps, tuple(violations), tuple(evidence),
                            per_turn)


def _forbidden_detail(scenario: Scenario, hit: ForbiddenHit, words: Wording) -> str:
    why = _why(scenario, hit.phrase_id)
    severity = words(f"severity.{hit.severity.name.lower()}")
    if why:
        return words("forbidden.detail_why", severity=severity, why=why)
    return words("forbidden.detail", severity=severity)


def _why(scenario: Scenario, phrase_id: str) -> str | None:
    try:
        return scenario.forbidden_phrase(phrase_id).why
    except StopIteration:
        return None
