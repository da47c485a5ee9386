"""Score a recorded call from its turn analyses: pure and deterministic."""

from __future__ import annotations

from statistics import fmean

from simulator.contracts import Evidence, Severity, TurnAnalysis
from simulator.call.record import CallRecord
from simulator.scenario.model import Rubric, Scenario
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard, StepResult, TurnScore, Violation

SCORER_NAME = "baseline-1"
SEVERITY_PENALTY = {Severity.MINOR: 5.0, Severity.MAJOR: 15.0, Severity.CRITICAL: 30.0}


def step_results(scenario: Scenario, analyses: tuple[TurnAnalysis, ...]) -> tuple[StepResult, ...]:
    first_hit: dict[str, tuple[int, str, float | None]] = {}
    for analysis in analyses:
        for hit in analysis.steps_hit:
            first_hit.setdefault(hit.step_id, (analysis.turn_index, hit.quote, hit.start_s))
    results = []
    for step in scenario.script:
        found = first_hit.get(step.id)
        if found is None:
            results.append(StepResult(step.id, step.description, False, required=step.required))
            continue
        turn, quote, start_s = found
        in_order = all(first_hit.get(earlier, (10**6,))[0] <= turn for earlier in step.after) and all(
            first_hit.get(later, (10**6,))[0] >= turn for later in step.before)
        on_time = step.within_turns is None or turn <= step.within_turns
        results.append(StepResult(step.id, step.description, True, turn, start_s, quote, in_order, on_time,
                                  step.required))
    return tuple(results)


def _violations(analyses: tuple[TurnAnalysis, ...]) -> tuple[Violation, ...]:
    return tuple(Violation(hit.phrase_id, a.turn_index, hit.quote, hit.severity.name.lower(), hit.match.value)
                 for a in analyses for hit in a.forbidden)


def _compliance(scenario: Scenario, steps: tuple[StepResult, ...], analyses: tuple[TurnAnalysis, ...]
                ) -> tuple[float | None, list[Evidence]]:
    evidence: list[Evidence] = []
    required = [s for s in steps if s.required]
    if not required and not scenario.forbidden:
        return None, evidence
    earned = 0.0
    for step in required:
        if not step.hit:
            evidence.append(Evidence(f"step.{step.step_id}", "", f"missed: {step.description}", weight=-1.0))
            continue
        credit = 1.0 - 0.25 * (not step.in_order) - 0.25 * (not step.on_time)
        earned += credit
        detail = "done" + ("" if step.in_order else ", out of order") + ("" if step.on_time else ", too late")
        evidence.append(Evidence(f"step.{step.step_id}", step.quote or "", f"{step.description}: {detail}",
                                 start_s=step.start_s, weight=credit))
    score = 100.0 * earned / len(required) if required else 100.0
    for analysis in analyses:
        for hit in analysis.forbidden:
            score -= SEVERITY_PENALTY[hit.severity]
            evidence.append(Evidence(f"forbidden.{hit.phrase_id}", hit.quote,
                                     f"forbidden phrase in turn {analysis.turn_index}",
                                     weight=-SEVERITY_PENALTY[hit.severity]))
    return max(0.0, min(100.0, score)), evidence


def _empathy(analyses: tuple[TurnAnalysis, ...]) -> tuple[float | None, list[Evidence]]:
    spoken = [a for a in analyses if not a.silence]
    if not spoken:
        return (0.0 if analyses else None), []
    evidence = [e for a in spoken for e in a.empathy.evidence]
    return 100.0 * fmean(a.empathy.score for a in spoken), evidence


def _tone(analyses: tuple[TurnAnalysis, ...], rubric: Rubric) -> tuple[float | None, list[Evidence]]:
    measured = [a for a in analyses if a.tone is not None]
    if not measured:
        return None, []
    evidence = [e for a in measured for e in a.tone.evidence]
    penalties = 0.0
    thresholds = rubric.tone
    for analysis in measured:
        tone = analysis.tone
        assert tone is not None
        if tone.raised_voice:
            penalties += 25
        wpm = tone.words_per_minute
        if wpm is not None and not thresholds.pace_min_wpm <= wpm <= thresholds.pace_max_wpm:
            penalties += 8
        delay = analysis.timing.response_delay_s
        if delay is not None and delay > thresholds.dead_air_s:
            penalties += 8
    return max(0.0, 100.0 - penalties / len(measured) * 2), evidence


def _tips(steps: tuple[StepResult, ...], analyses: tuple[TurnAnalysis, ...]) -> tuple[str, ...]:
    tips: list[str] = []
    first_spoken = next((a for a in analyses if not a.silence), None)
    if first_spoken is not None and first_spoken.empathy.level == 0:
        tips.append("Acknowledge how the customer feels in your first reply, before you ask for anything.")
    for step in steps:
        if step.required and not step.hit:
            tips.append(f"You never did '{step.description}': build it into your call flow.")
        elif step.hit and not step.in_order:
            tips.append(f"'{step.description}' came out of order: follow the script sequence.")
    for analysis in analyses:
        for hit in analysis.forbidden:
            tips.append(f"Avoid '{hit.quote}' (turn {analysis.turn_index}): it escalates an upset customer.")
    if any(a.silence for a in analyses):
        tips.append("Avoid dead air: say what you are doing while you look things up.")
    return tuple(dict.fromkeys(tips))[:3]


def score_call(record: CallRecord, scenario: Scenario, rubric: Rubric) -> Scorecard:
    analyses = record.analyses
    steps = step_results(scenario, analyses)
    measured = {
        Dimension.EMPATHY: _empathy(analyses),
        Dimension.COMPLIANCE: _compliance(scenario, steps, analyses),
        Dimension.TONE: _tone(analyses, rubric),
    }
    weights = rubric.weights.model_dump()
    marks = rubric.pass_marks.model_dump()
    dimensions = []
    for dimension, (score, evidence) in measured.items():
        passed = None if score is None else score >= marks[dimension.value]
        dimensions.append(DimensionScore(dimension, None if score is None else round(score, 1),
                                         marks[dimension.value], passed, tuple(evidence)))
    available = [(d, weights[d.dimension.value]) for d in dimensions if d.score is not None]
    total_weight = sum(w for _, w in available)
    overall = sum(d.score * w for d, w in available) / total_weight if total_weight else 0.0
    passed = overall >= marks["overall"] and all(d.passed is not False for d in dimensions)
    turns = tuple(TurnScore(a.turn_index, round(100 * a.empathy.score, 1), None, None, a.empathy.evidence)
                  for a in analyses)
    return Scorecard(record.header.scenario_id, record.outcome, round(overall, 1), passed, marks["overall"],
                     tuple(dimensions), turns, steps, _violations(analyses), _tips(steps, analyses), SCORER_NAME)
