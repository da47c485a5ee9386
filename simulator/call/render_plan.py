"""Every (line, mood) a scenario's customer can say, so that a call renders all of them ahead.

A line is spoken at the mood the dialogue engine reached when it picked it, rounded to ``MOOD_STEP``
(the prosody's bucket), and the engine picks from a node's angry or calm lines only past the
scenario's marks (``line_pool``).  So the plan walks every mood 0..100 (an over-estimate of what a
call can reach: reactions are summed over up to ``max_turns`` turns, and the scenarios' ranges reach
both ends) and, at each, the lines each node would say: the transition's ``say`` alone or before
the target's line, the silence prompt, the two endings.  Nearest the persona's starting mood first,
the likelier first.  A slow engine (Kokoro renders Mandarin at about real time) then has every line
on disk before the turn that needs it, once the plan has been rendered (``callsim voices --render``
or an earlier call of the scenario).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario.engine import line_pool
from simulator.scenario.model import Scenario
from simulator.scenario.voices import mood_bucket

MOODS = range(101)


@dataclass(frozen=True, slots=True)
class LineAtMood:
    text: str
    mood_bucket: int  # the anger the line is rendered at (``VoiceProfile.prosody`` rounds to it)


def lines_after_turn(scenario: Scenario, node_id: str, mood: int) -> list[str]:
    """What the engine can say after a trainee turn at ``node_id`` when the mood is then ``mood``."""
    def pool(target: str) -> tuple[str, ...]:
        return line_pool(scenario, scenario.nodes[target], mood)

    lines: list[str] = [scenario.silence_prompt, *pool(node_id)]
    for transition in scenario.nodes[node_id].transitions:
        target = transition.goto or node_id
        if transition.say and target == node_id:
            lines.append(transition.say)
        elif transition.say:
            lines += [f"{transition.say} {line}" for line in pool(target)]
        else:
            lines += pool(target)
    for ending in (scenario.on_patience_lost, scenario.on_max_turns):
        lines += pool(ending)
    return list(dict.fromkeys(lines))


def render_plan(scenario: Scenario) -> list[LineAtMood]:
    """Every (line, mood bucket) the customer can say in a call, nearest the starting mood first."""
    start = scenario.persona.mood
    plan = [LineAtMood(text, mood_bucket(start)) for text in line_pool(scenario, scenario.nodes[scenario.start], start)]
    for mood in MOODS:
        for node_id, node in scenario.nodes.items():
            if node.end is None:  # an ending says its line and the call is over: no turn after it
                plan += [LineAtMood(text, mood_bucket(mood)) for text in lines_after_turn(scenario, node_id, mood)]
    unique = list(dict.fromkeys(plan))
    start_bucket = mood_bucket(start)
    return sorted(unique, key=lambda item: abs(item.mood_bucket - start_bucket))  # stable: line order kept
