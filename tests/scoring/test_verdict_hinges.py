"""A recorded call's scorecard names the findings its verdict rests on: each one, reversed in the call
itself and scored again, changes the verdict; reversing any other finding does not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulator.contracts import EmpathyJudgement, EmpathyLevel, MatchKind, Speaker, StepHit, Transcript, TurnAnalysis
from simulator.qa.importer import generic_scenario
from simulator.record import CallHeader, CallMode, CallRecord, TurnRecord
from simulator.scenario.model import Rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.hinges import verdict_hinges
from simulator.scoring.report import format_scorecard
from simulator.scoring.scorecard import Dimension, DimensionScore, ScoreEvidence

# a calm customer (empathy not called for) and an agent turn per standard step; the close comes last
CUSTOMER_LINES = ("Hi, I'm calling about my order.", "Yes, that's right.", "Okay, that works.", "No, that's all.")
AGENT_TURNS = (("Thanks for calling Brightwave.", "greet"), ("My name is Sam.", "identify_self"),
               ("I'll send the replacement today.", "explain_next_steps"),
               ("Does that work for you?", "confirm_resolution"), ("Anything else I can help with?", "anything_else"),
               ("Thanks for calling, goodbye.", "close"))


def _analysis(index: int, text: str, step: str | None) -> TurnAnalysis:
    return TurnAnalysis(turn_index=index, transcript=Transcript(text),
                        empathy=EmpathyJudgement(EmpathyLevel.NONE, 0.0),
                        steps_hit=(StepHit(step, text, MatchKind.MODEL, 0.9),) if step else (),
                        analyser="semantic", customer_distress=0.1, customer_distressed=False)


def recorded_call(said: set[str]) -> CallRecord:
    """The agent performs the steps in ``said``; a turn whose step is left out is said without it."""
    turns = []
    clock = 0.0
    for number, (text, step) in enumerate(AGENT_TURNS):
        if number < len(CUSTOMER_LINES):
            line = CUSTOMER_LINES[number]
            turns.append(TurnRecord(len(turns), Speaker.CUSTOMER, line, clock, clock + 2.0, mood=20,
                                    analysis=_analysis(len(turns), line, None)))
            clock += 2.5
        turns.append(TurnRecord(len(turns), Speaker.TRAINEE, text, clock, clock + 2.0,
                                analysis=_analysis(number + 1, text, step if step in said else None)))
        clock += 2.5
    header = CallHeader("external-call", "", 0, CallMode.IMPORTED, "semantic", "2026-01-01T00:00:00")
    return CallRecord(header, tuple(turns), None, None, True)


def scored_call(said: set[str]):
    return score_call(recorded_call(said), generic_scenario(), Rubric(), recording_s=40.0)


def _step_items(card) -> dict[str, ScoreEvidence]:
    return {e.rule.removeprefix("step."): e for e in card.dimension(Dimension.COMPLIANCE).evidence
            if e.rule.startswith("step.") and e.weight}


ALL_STEPS = {step for _, step in AGENT_TURNS}


@pytest.mark.parametrize("said", [ALL_STEPS - {"confirm_resolution", "anything_else"},  # 4 of 6: a pass
                                  ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"},  # a fail
                                  ALL_STEPS])  # 6 of 6: a pass no single step can take away
def test_each_hinge_reversed_in_the_call_changes_the_verdict_and_no_other_step_does(said):
    card = scored_call(said)
    items = _step_items(card)
    assert set(items) == ALL_STEPS  # every core step is required on this call, done or missed
    for step, item in items.items():
        reversed_said = said - {step} if step in said else said | {step}
        flipped = scored_call(reversed_said).passed != card.passed
        assert flipped == (item in card.verdict_hinges), (step, card.overall, card.passed)


def test_the_three_calls_above_rest_on_what_they_should():
    passing = scored_call(ALL_STEPS - {"confirm_resolution", "anything_else"})
    assert passing.passed and {e.rule for e in passing.verdict_hinges} == {
        "step.greet", "step.identify_self", "step.explain_next_steps", "step.close"}
    failing = scored_call(ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"})
    assert not failing.passed and {e.rule for e in failing.verdict_hinges} == {
        "step.identify_self", "step.confirm_resolution", "step.anything_else"}
    assert scored_call(ALL_STEPS).verdict_hinges == ()


def test_the_report_lists_the_hinges_so_an_analyst_knows_where_to_listen():
    text = format_scorecard(scored_call(ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"}))
    head, _, rest = text.partition("the verdict rests on one finding")
    assert rest and "missed: asks whether there is anything else" in rest
    assert "missed: asks whether there is anything else" not in head.split("\n")[-1]


def test_a_practice_call_is_not_weighed():
    record = recorded_call(ALL_STEPS - {"confirm_resolution", "anything_else"})
    header = CallHeader("external-call", "", 0, CallMode.TEXT, "semantic", "2026-01-01T00:00:00")
    practice = CallRecord(header, record.turns, None, None, True)
    assert score_call(practice, generic_scenario(), Rubric()).verdict_hinges == ()


def _dimension(which: Dimension, score: float, mark: float, *weights: float) -> DimensionScore:
    items = tuple(ScoreEvidence(f"rule.{n}", "", "", weight=w, dimension=which) for n, w in enumerate(weights))
    return DimensionScore(which, score, mark, score >= mark, items)


WEIGHTS = {Dimension.EMPATHY: 0.4, Dimension.COMPLIANCE: 0.4, Dimension.TONE: 0.2}


def test_a_call_that_also_fails_for_an_unscored_reason_rests_on_nothing():
    compliance = _dimension(Dimension.COMPLIANCE, 50.0, 60.0, 25.0, 25.0, -25.0, -25.0)
    assert len(verdict_hinges((compliance,), WEIGHTS, 70.0, False)) == 2
    assert verdict_hinges((compliance,), WEIGHTS, 70.0, False, unscored_fail=True) == ()


def test_a_reversed_penalty_is_capped_at_100_and_the_overall_mark_counts_too():
    # empathy 54.6 under its mark of 60 because of one reply: reversing it lifts empathy to 100, and the
    # overall (0.4 x 100 + 0.4 x 62 + 0.2 x 60) / 1.0 = 76.8 passes
    empathy = _dimension(Dimension.EMPATHY, 54.6, 60.0, -45.4, -5.0)
    compliance = _dimension(Dimension.COMPLIANCE, 62.0, 60.0, 62.0)
    tone = _dimension(Dimension.TONE, 60.0, 50.0, -40.0)
    hinges = verdict_hinges((empathy, compliance, tone), WEIGHTS, 70.0, False)
    assert [e.weight for e in hinges] == [-45.4]  # the -5 leaves empathy at 59.6; the tone item passes nothing
    # with a higher overall mark the same reversal no longer passes the call
    assert verdict_hinges((empathy, compliance, tone), WEIGHTS, 80.0, False) == ()


def test_a_mono_call_whose_voices_were_not_told_apart_rests_only_on_what_is_still_judged():
    """Empathy owed to an upset customer and never shown fails the call on that one reply; withdrawn with
    the speakers unknown, the verdict rests on compliance alone (all six steps: nothing single)."""
    from simulator.qa.mono import without_speakers

    record = recorded_call(ALL_STEPS)
    line, reply = record.turns[4:6]  # mid-call: "Okay, that works." said angrily, then the next steps
    assert (line.speaker, reply.speaker) == (Speaker.CUSTOMER, Speaker.TRAINEE)
    assert reply.analysis is not None  # a reply's analysis carries how the customer line it answers read
    read = replace(reply, analysis=replace(reply.analysis, customer_distress=0.95, customer_distressed=True))
    record = replace(record, turns=(*record.turns[:4], replace(line, mood=85), read, *record.turns[6:]))
    card = score_call(record, generic_scenario(), Rubric(), recording_s=40.0)
    assert not card.passed and [e.rule for e in card.verdict_hinges] == ["empathy.needed"]
    # as a mixed mono call is scored: the distress steps not required, then empathy and tone withdrawn
    unsplit = score_call(record, generic_scenario(), Rubric(), recording_s=40.0, speakers_told_apart=False)
    mono = without_speakers(unsplit, Rubric())
    assert mono.passed and mono.verdict_hinges == ()
    # five of the six steps: compliance 83.3 passes, and any one done step lost would fail it
    fewer = score_call(recorded_call(ALL_STEPS - {"anything_else"}), generic_scenario(), Rubric(), recording_s=40.0,
                       speakers_told_apart=False)
    assert {e.rule for e in without_speakers(fewer, Rubric()).verdict_hinges} == {
        f"step.{step}" for step in ALL_STEPS - {"anything_else"}}



# A centre's QA form (``--critical verify_identity``): the identity check as a fatal item
VERIFY = (("Can I have your date of birth, please?", "verify_identity"),)
FORM_TURNS = (*AGENT_TURNS[:2], *VERIFY, *AGENT_TURNS[2:])


def form_call(said: set[str]):
    """Scored as ``callsim score --critical verify_identity`` scores a recording: the library with the form's
    step critical, and the library's rubric (compliance without a mark of its own)."""
    from simulator.scenario.kinds import StepKind
    from simulator.scenario.loader import rubric_with

    record = recorded_call(said)
    turns = list(record.turns)
    verify_at = 4  # after the first two agent turns and the customer line before the third
    line = TurnRecord(0, Speaker.CUSTOMER, "It's the fourth of May.", 0.0, 0.0, mood=20)
    text, step = VERIFY[0]
    asked = TurnRecord(0, Speaker.TRAINEE, text, 0.0, 0.0,
                       analysis=_analysis(0, text, step if step in said else None))
    turns[verify_at:verify_at] = [asked, line]
    clock, renumbered = 0.0, []
    for index, turn in enumerate(turns):  # one clock and one numbering again, the new turns in their place
        analysis = None if turn.analysis is None else replace(turn.analysis, turn_index=index)
        renumbered.append(replace(turn, index=index, start_s=clock, end_s=clock + 2.0, analysis=analysis))
        clock += 2.5
    scenario = generic_scenario(critical={StepKind.VERIFY_IDENTITY})
    return score_call(replace(record, turns=tuple(renumbered)), scenario, rubric_with(Rubric(), scenario.rubric),
                      recording_s=clock + 1.0)


def test_against_the_library_missed_steps_cost_points_but_only_the_overall_mark_fails_the_call():
    """Three of the six library steps missed: compliance 50, under the 60 a scenario's script is held to, but
    the library's steps are weighted items (docs/qa.md), so the call passes on its overall score."""
    from simulator.scenario.loader import rubric_with

    scenario = generic_scenario()
    card = score_call(recorded_call(ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"}), scenario,
                      rubric_with(Rubric(), scenario.rubric), recording_s=40.0)
    compliance = card.dimension(Dimension.COMPLIANCE)
    assert compliance.score == 50.0 and compliance.pass_mark == 0 and compliance.passed
    assert card.passed and card.overall >= 70 and card.fail_reasons == ()
    assert not any(step.critical for step in card.steps)
    assert "compliance  50.0 (weighted, no mark of its own)" in format_scorecard(card)
    # the same call under a rubric that gives compliance its own mark fails on it (the test above)
    assert not scored_call(ALL_STEPS - {"identify_self", "confirm_resolution", "anything_else"}).passed


def test_a_form_s_critical_step_missed_fails_a_call_whatever_its_score_and_the_verdict_rests_on_it():
    heard = form_call(ALL_STEPS | {"verify_identity"})
    assert heard.passed and heard.overall == pytest.approx(100.0, abs=5.0)
    assert {s.step_id: s.critical for s in heard.steps if s.critical} == {"verify_identity": True}
    assert "step.verify_identity" in {e.rule for e in heard.verdict_hinges}  # unheard, it would fail the call
    missed = form_call(ALL_STEPS)
    assert not missed.passed and missed.overall >= 70  # the score alone would pass it
    assert [r for r in missed.fail_reasons if "critical step missed" in r] == list(missed.fail_reasons)
    assert len(missed.fail_reasons) == 1 and "asks for security details" in missed.fail_reasons[0]
    assert [e.rule for e in missed.verdict_hinges] == ["step.verify_identity"]
    # a library step missed beside it does not hinge: heard, the call still fails on the identity check
    both = form_call(ALL_STEPS - {"anything_else"})
    assert not both.passed and [e.rule for e in both.verdict_hinges] == ["step.verify_identity"]
