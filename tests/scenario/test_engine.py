"""The dialogue engine: branching, mood, patience, silence and reproducibility."""

from __future__ import annotations

import pytest

from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    EngineEvent,
    ForbiddenHit,
    MatchKind,
    Outcome,
    Severity,
    StepHit,
    Transcript,
    TurnAnalysis,
)
from simulator.scenario.engine import DialogueEngine
from simulator.scenario.loader import load_scenario

from .conftest import REFERENCE


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(REFERENCE).scenario


def turn(index: int, text: str = "ok", *, empathy: EmpathyLevel = EmpathyLevel.NONE, steps=(), forbidden=(),
         silence: bool = False, silence_s: float = 0.0, interrupted: bool = False, intents=()) -> TurnAnalysis:
    return TurnAnalysis(
        turn_index=index,
        transcript=Transcript("" if silence else text),
        empathy=EmpathyJudgement(empathy, {0: 0.0, 1: 0.5, 2: 0.9}[int(empathy)]),
        steps_hit=tuple(StepHit(s, s, MatchKind.LITERAL, 1.0) for s in steps),
        forbidden=tuple(ForbiddenHit(f, f, Severity.MAJOR, MatchKind.LITERAL) for f in forbidden),
        silence=silence, silence_s=silence_s, interrupted_customer=interrupted, intents=tuple(intents))


def test_good_path_reaches_resolved_and_calms_the_customer(scenario):
    engine = DialogueEngine(scenario, seed=3)
    opening = engine.opening()
    assert opening.node_id == "opening" and opening.mood == 65
    first = engine.respond(turn(1, empathy=EmpathyLevel.STRONG, steps=("greet", "acknowledge")))
    assert first.node_id == "wants-refund" and first.mood < 65
    assert EngineEvent.EMPATHY_STRONG in first.events and EngineEvent.STEP_HIT in first.events
    verify = engine.respond(turn(2, steps=("verify",)))
    assert verify.node_id == "wants-refund"  # stays, answers the security question
    assert verify.text.startswith("It's Margaret Hughes")
    resolved = engine.respond(turn(3, empathy=EmpathyLevel.WEAK, steps=("resolve",)))
    assert resolved.node_id == "reassured"
    final = engine.respond(turn(4))
    assert final.outcome == Outcome.RESOLVED and final.ends_call and engine.finished
    with pytest.raises(RuntimeError):
        engine.respond(turn(5))


def test_forbidden_phrase_escalates_and_raises_anger(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    reply = engine.respond(turn(1, "calm down", forbidden=("calm-down",)))
    assert reply.node_id == "escalating"
    reactions = scenario.persona.reactions
    assert reply.mood == 65 + reactions.empathy_none + reactions.forbidden_major + 10
    assert EngineEvent.FORBIDDEN_PHRASE in reply.events
    ending = engine.respond(turn(2, "whatever"))
    assert ending.outcome == Outcome.ESCALATED


def mood_after_forbidden(scenario, *hits: ForbiddenHit) -> int:
    engine = DialogueEngine(scenario, start_mood=20)  # room below 100 for every reaction to show
    engine.opening()
    reply = TurnAnalysis(turn_index=1, transcript=Transcript("it was the weather, so it's beyond our control"),
                         empathy=EmpathyJudgement(EmpathyLevel.NONE, 0.0), forbidden=hits)
    return engine.respond(reply).mood


def test_one_clause_read_as_several_forbidden_kinds_moves_the_mood_once(scenario):
    excuse = ForbiddenHit("false-excuse", "the weather", Severity.MAJOR, MatchKind.LITERAL)
    dismissive = ForbiddenHit("dismissive", "It was the weather", Severity.MAJOR, MatchKind.MODEL, 0.7)
    elsewhere = ForbiddenHit("policy-wall", "beyond our control", Severity.MAJOR, MatchKind.MODEL, 0.7)
    once = mood_after_forbidden(scenario, excuse)
    assert mood_after_forbidden(scenario, excuse, dismissive) == once  # the same words, heard once
    # another clause of the same reply is another move
    assert mood_after_forbidden(scenario, excuse, elsewhere) == once + scenario.persona.reactions.forbidden_major


def test_a_clause_read_as_several_kinds_gets_the_strongest_reaction_of_the_persona(scenario):
    # a persona may react less to a critical move than to a major one (the abusive caller wants a fight)
    reactions = scenario.persona.reactions.model_copy(update={"forbidden_critical": 3, "forbidden_major": 15})
    persona = scenario.persona.model_copy(update={"reactions": reactions})
    fighter = scenario.model_copy(update={"persona": persona})
    rude = ForbiddenHit("rude-back", "Calm down, sir.", Severity.CRITICAL, MatchKind.MODEL, 0.9)
    dismissive = ForbiddenHit("dismissive", "calm down", Severity.MAJOR, MatchKind.LITERAL)
    assert mood_after_forbidden(fighter, rude, dismissive) == mood_after_forbidden(fighter, dismissive)
    assert mood_after_forbidden(fighter, rude, dismissive) == mood_after_forbidden(fighter, rude) + 12


def test_silence_stays_on_the_node_with_the_scenario_line(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    reply = engine.respond(turn(1, silence=True, silence_s=5))
    assert reply.node_id == "opening"
    assert reply.text == "Hello? Is anybody there?"
    assert EngineEvent.SILENCE in reply.events
    assert reply.mood == 65 + scenario.persona.reactions.silence


def test_silence_without_a_silence_transition_uses_the_silence_prompt(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    engine.respond(turn(1, empathy=EmpathyLevel.STRONG))  # -> wants-refund, which has no silence branch
    reply = engine.respond(turn(2, silence=True, silence_s=4))
    assert reply.node_id == "wants-refund"
    assert reply.text.startswith(scenario.silence_prompt)


def test_patience_runs_out_after_poor_replies(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    engine.respond(turn(1, empathy=EmpathyLevel.STRONG))  # to wants-refund
    replies = [engine.respond(turn(i, "hmm")) for i in range(2, 2 + scenario.persona.patience.poor_replies)]
    assert replies[-1].outcome == Outcome.HUNG_UP
    assert EngineEvent.PATIENCE_LOST in replies[-1].events
    assert all(r.outcome is None for r in replies[:-1])


def test_dead_air_runs_out_patience(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    reply = engine.respond(turn(1, silence=True, silence_s=scenario.persona.patience.dead_air_s + 1))
    assert reply.outcome == Outcome.HUNG_UP


def test_max_turns_ends_unresolved(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    engine.respond(turn(1, empathy=EmpathyLevel.STRONG))
    last = None
    for index in range(2, scenario.max_turns + 1):
        # alternate a step-free weak reply so patience never runs out
        last = engine.respond(turn(index, empathy=EmpathyLevel.WEAK))
        if last.ends_call:
            break
    assert last is not None and last.outcome == Outcome.UNRESOLVED
    assert EngineEvent.MAX_TURNS in last.events


def test_intent_branch(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    engine.respond(turn(1, empathy=EmpathyLevel.WEAK))
    reply = engine.respond(turn(2, "it might be your bank", intents=("blame-bank",)))
    assert reply.text.startswith("Don't tell me it's my bank")


def test_order_condition_steps_missing(scenario):
    engine = DialogueEngine(scenario)
    engine.opening()
    engine.respond(turn(1, empathy=EmpathyLevel.WEAK))
    reply = engine.respond(turn(2, "refund", steps=("resolve",)))
    assert reply.text == "Hang on, don't you need to check who I am first?"


def test_angry_variant_used_at_high_anger(scenario):
    engine = DialogueEngine(scenario, start_mood=90)
    assert engine.opening().text in scenario.nodes["opening"].angry_lines
    calm = DialogueEngine(scenario, start_mood=10)
    assert calm.opening().text in scenario.nodes["opening"].lines


def test_same_seed_same_call_different_seed_can_differ(scenario):
    def play(seed: int) -> list[str]:
        engine = DialogueEngine(scenario, seed=seed)
        lines = [engine.opening().text]
        lines.append(engine.respond(turn(1, "hmm")).text)
        lines.append(engine.respond(turn(2, "hmm")).text)
        return lines

    assert play(7) == play(7)
    assert len({tuple(play(seed)) for seed in range(12)}) > 1


def test_mood_is_clamped(scenario):
    engine = DialogueEngine(scenario, start_mood=250)
    assert engine.opening().mood == 100
