"""The render plan holds every (line, mood) a call can make the customer say, so none is rendered
on the turn path once the plan is in the voice cache."""

from __future__ import annotations

import random

import pytest

from simulator.call.render_plan import render_plan, scenario_lines
from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    ForbiddenHit,
    MatchKind,
    Severity,
    StepHit,
    ToneLabel,
    ToneMeasures,
    Transcript,
    TurnAnalysis,
)
from simulator.scenario.engine import DialogueEngine
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Scenario
from simulator.scenario.voices import mood_bucket


def random_reply(scenario: Scenario, index: int, rng: random.Random) -> TurnAnalysis:
    """A reply of any kind the analyser can report: empathy, steps, forbidden phrases, silence,
    barge-in, raised voice, intents and the words transitions listen for."""
    silence = rng.random() < 0.15
    phrases = [p for node in scenario.nodes.values() for t in node.transitions for p in t.when.said_any]
    words = rng.choice(phrases) if phrases and rng.random() < 0.3 else "好的"
    level = rng.choice(list(EmpathyLevel))
    return TurnAnalysis(
        turn_index=index,
        transcript=Transcript("" if silence else words),
        empathy=EmpathyJudgement(level, 0.5),
        steps_hit=tuple(StepHit(s.id, s.id, MatchKind.LITERAL, 1.0)
                        for s in scenario.script if rng.random() < 0.25),
        forbidden=tuple(ForbiddenHit(f.id, f.id, rng.choice(list(Severity)), MatchKind.LITERAL)
                        for f in scenario.forbidden if rng.random() < 0.1),
        intents=tuple(i.id for i in scenario.intents if rng.random() < 0.2),
        silence=silence, silence_s=rng.choice([0.0, 4.0, 12.0]) if silence else 0.0,
        interrupted_customer=rng.random() < 0.1,
        tone=ToneMeasures(ToneLabel.NEUTRAL, raised_voice=rng.random() < 0.1))


@pytest.mark.parametrize("name", ["zh-parcel-lost", "zh-bank-card-blocked", "billing-overcharge",
                                  "missed-delivery"])
def test_every_line_a_call_says_is_in_the_plan_at_its_mood(scenarios_dir, name):
    scenario = load_scenario(scenarios_dir / f"{name}.yaml").scenario
    plan = set(render_plan(scenario))
    said: set[tuple[str, int]] = set()
    rng = random.Random(7)
    for seed in range(300):
        engine = DialogueEngine(scenario, seed=seed)
        turns = [engine.opening()]
        while not engine.finished:
            turns.append(engine.respond(random_reply(scenario, len(turns), rng)))
        said |= {(turn.text, mood_bucket(turn.mood)) for turn in turns}
    missing = {pair for pair in said if (pair[0], pair[1]) not in {(i.text, i.mood_bucket) for i in plan}}
    assert not missing
    # the random calls reached angry and calm moods, so the check covered more than the start
    assert len({mood for _text, mood in said}) >= 5


def test_the_plan_starts_at_the_starting_mood_and_keeps_to_the_scenarios_lines(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "zh-bank-card-blocked.yaml").scenario
    plan = render_plan(scenario)
    start = mood_bucket(scenario.persona.mood)
    assert plan[0].text == scenario.nodes[scenario.start].lines[0] and plan[0].mood_bucket == start
    distances = [abs(item.mood_bucket - start) for item in plan]
    assert distances == sorted(distances)
    assert {item.text for item in plan} <= set(scenario_lines(scenario))
    assert len(plan) == len(set(plan))
    # angry lines are planned only at the angry moods, not at every one
    angry = {line for node in scenario.nodes.values() for line in node.angry_lines}
    assert angry and all(item.mood_bucket >= mood_bucket(scenario.angry_at) for item in plan
                         if item.text in angry)
