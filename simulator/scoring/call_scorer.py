"""Score a recorded call: empathy, script compliance and tone, per turn and per call, with evidence.

Pure and deterministic: the same record, scenario and rubric always give the same scorecard (no
clock, no randomness, stable ordering), so a stored call scored again shows what the trainee saw.

Overall = the rubric-weighted mean of the dimensions that could be measured (tone is not
measurable in a typed call; its weight is then shared by the others).  A call passes when the
overall and every measured dimension reach their pass marks and no critical forbidden phrase
was said (a critical phrase fails the call outright, as in most QA forms).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from simulator.analysis.tone import judge_against_own_voice, rejudge_call
from simulator.contracts import Severity, Speaker
from simulator.record import CallMode, CallRecord
from simulator.scenario.model import Node, Rubric, Scenario, ToneThresholds
from simulator.scoring.compliance import score_compliance
from simulator.scoring.empathy import score_empathy
from simulator.scoring.hinges import hinges_of
from simulator.scoring.outside import PACE_JUDGED_FROM_S, OutsideReading, read_outside_call
from simulator.scoring.overall import dimension_weights, measured, scored_fail_reasons, weighted_overall
from simulator.scoring.policy import MATCH as POLICY_MATCH
from simulator.scoring.scorecard import Dimension, DimensionScore, Scorecard, ScoreEvidence, TurnScore
from simulator.scoring.tips import all_tips
from simulator.scoring.tone import score_tone
from simulator.scoring.turns import ScoredTurn, scored_turns
from simulator.scoring.wording import Wording, wording_for

SCORER_NAME = "evidence-4"


def _dimension(which: Dimension, score: float | None, mark: float, evidence: tuple[ScoreEvidence, ...],
               judged: tuple[int, ...]) -> DimensionScore:
    return DimensionScore(which, score, mark, None if score is None else score >= mark, evidence, judged)


def _rejudged(turns: tuple[ScoredTurn, ...], thresholds: ToneThresholds) -> tuple[ScoredTurn, ...]:
    """Raised/hostile calls against the whole call's baseline (live, early turns had little to compare)."""
    tones = rejudge_call([(t.analysis.transcript, t.analysis.tone) for t in turns], thresholds)
    return tuple(t if tone is t.analysis.tone else replace(t, analysis=replace(t.analysis, tone=tone))
                 for t, tone in zip(turns, tones, strict=True))


def _ending(record: CallRecord, scenario: Scenario) -> Node | None:
    """The ending node a simulated call reached, if it reached one."""
    customer_nodes = [t.node_id for t in record.turns if t.speaker == Speaker.CUSTOMER and t.node_id]
    node = scenario.nodes.get(customer_nodes[-1]) if customer_nodes else None
    return node if node is not None and node.end is not None else None


def _excusing(scenario: Scenario, ending: Node | None) -> Scenario:
    """Steps the ending excuses (e.g. an abusive call ended professionally) stop counting as required."""
    if ending is None or not ending.excuse_steps:
        return scenario
    script = tuple(step.model_copy(update={"required": False}) if step.id in ending.excuse_steps else step
                   for step in scenario.script)
    return scenario.model_copy(update={"script": script})


def _ending_reasons(record: CallRecord, ending: Node | None, words: Wording) -> list[str]:
    if record.header.mode == CallMode.IMPORTED:
        return []  # an outside recording has no scripted ending to judge
    if ending is None:
        return [words("fail.cut_short")]
    if not ending.counts_as_handled:
        outcome = words(f"outcome.{ending.end.value}" if ending.end else "outcome.unfinished")
        return [words("fail.not_handled", outcome=outcome)]
    return []


def _rejudged_outside(turns: tuple[ScoredTurn, ...], thresholds: ToneThresholds) -> tuple[ScoredTurn, ...]:
    """An outside recording's raised/hostile calls against the agent's own usual voice and swing."""
    tones = judge_against_own_voice([(t.analysis.transcript, t.analysis.tone) for t in turns], thresholds)
    return tuple(t if tone is t.analysis.tone else replace(t, analysis=replace(t.analysis, tone=tone))
                 for t, tone in zip(turns, tones, strict=True))


def _call_day(record: CallRecord) -> date | None:
    """The day a practice call was made, to count a promised weekday from.  An imported recording's
    header holds when it was imported, not when it was spoken: no day (a weekday reads as a week)."""
    if record.header.mode == CallMode.IMPORTED:
        return None
    try:
        return date.fromisoformat(record.header.started_at[:10])
    except ValueError:
        return None


def score_call(record: CallRecord, scenario: Scenario, rubric: Rubric, *, recording_s: float | None = None,
               speakers_told_apart: bool = True) -> Scorecard:
    """``recording_s``: an outside recording's length, to tell a call cut before its close;
    ``speakers_told_apart``: False for a recording of both voices on one channel that could not be
    split (whose words are whose is unknown).  The scorecard's words are in the scenario's language
    (``simulator.scoring.wording``)."""
    words = wording_for(scenario.language)
    ending = _ending(record, scenario)
    scenario = _excusing(scenario, ending)
    outside: OutsideReading | None = None
    if record.header.mode == CallMode.IMPORTED:
        turns = _rejudged_outside(scored_turns(record), rubric.tone)
        outside = read_outside_call(record, turns, scenario, recording_s, words=words,
                                    speakers_told_apart=speakers_told_apart)
        scenario, turns = outside.scenario, outside.turns
    else:
        turns = _rejudged(scored_turns(record), rubric.tone)
    empathy = (score_empathy(turns, scenario, words=words) if outside is None
               else score_empathy(turns, scenario, outside.empathy_needed, outside.customer_heard,
                                  outside.empathy_windows, words=words))
    compliance = score_compliance(scenario, turns, words=words, said_on=_call_day(record))
    tone = score_tone(record, turns, rubric.tone, words=words,
                      pace_from_s=0.0 if outside is None else PACE_JUDGED_FROM_S)
    marks = rubric.pass_marks
    all_indices = tuple(t.index for t in turns)
    dimensions = (
        _dimension(Dimension.EMPATHY, empathy.score, marks.empathy, empathy.evidence, empathy.judged_turns),
        _dimension(Dimension.COMPLIANCE, compliance.score, marks.compliance, compliance.evidence, all_indices),
        _dimension(Dimension.TONE, tone.score, marks.tone, tone.evidence,
                   tuple(i for i, (s, _) in sorted(tone.per_turn.items()) if s is not None)),
    )
    overall = weighted_overall(measured(dimensions), dimension_weights(rubric))
    fail_reasons = scored_fail_reasons(dimensions, overall, marks.overall, words)
    critical = [v for v in compliance.violations if v.severity == Severity.CRITICAL.name.lower()]
    for violation in critical:
        if violation.match == POLICY_MATCH:
            fail_reasons.append(words("fail.critical_promise", quote=violation.quote,
                                      turn=words.turn(violation.turn_index), rule=violation.phrase_id))
        else:
            fail_reasons.append(words("fail.critical_phrase", quote=violation.quote,
                                      turn=words.turn(violation.turn_index)))
    fail_reasons.extend(words("fail.critical_step", step=step.description)
                        for step in compliance.steps if step.critical and step.required and not step.hit)
    if not turns:
        fail_reasons.append(words("fail.never_answered"))
    fail_reasons.extend(_ending_reasons(record, ending, words))
    turn_scores = []
    for turn in turns:
        empathy_score, empathy_items = empathy.per_turn.get(turn.index, (None, ()))
        compliance_score, compliance_items = compliance.per_turn.get(turn.index, (None, ()))
        tone_score, tone_items = tone.per_turn.get(turn.index, (None, ()))
        turn_scores.append(TurnScore(turn.index, empathy_score, compliance_score, tone_score,
                                     (*empathy_items, *compliance_items, *tone_items), turn.start_s, turn.text,
                                     turn.analysis.tone, None if outside is None else outside.phases.get(turn.index)))
    all_evidence = tuple(e for d in dimensions for e in d.evidence)
    tips = all_tips(rubric, scenario, turns, compliance.steps, all_evidence, empathy, words)
    card = Scorecard(
        scenario_id=record.header.scenario_id,
        outcome=record.outcome,
        overall=overall,
        passed=not fail_reasons,
        pass_mark=marks.overall,
        dimensions=dimensions,
        turns=tuple(turn_scores),
        steps=compliance.steps,
        violations=compliance.violations,
        tips=tips,
        scorer=SCORER_NAME,
        voice=tone.voice,
        fail_reasons=tuple(fail_reasons),
        judged_outcome=None if outside is None else outside.outcome,
        cards_opened=len(record.card_lookups),
    )
    # a recorded call is read through a recogniser: say which single findings its verdict rests on
    return card if outside is None else replace(card, verdict_hinges=hinges_of(card, rubric))
