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

from collections.abc import Callable
from dataclasses import dataclass

from simulator.scenario.engine import line_pool
from simulator.scenario.model import Scenario
from simulator.scenario.voices import mood_bucket

MOODS = range(101)


@dataclass(frozen=True, slots=True)
class LineAtMood:
    text: str
    mood_bucket: int  # the anger the line is rendered at (``VoiceProfile.prosody`` rounds to it)


def _lines_after(scenario: Scenario, node_id: str, lines_of: Callable[[str], tuple[str, ...]]) -> list[str]:
    """The engine's choices after a trainee turn at ``node_id``, with ``lines_of(target)`` the lines
    the target node may say: the silence prompt, the node's own lines, each transition's ``say`` alone
    or before the target's line, the two endings."""
    lines: list[str] = [scenario.silence_prompt, *lines_of(node_id)]
    for transition in scenario.nodes[node_id].transitions:
        target = transition.goto or node_id
        if transition.say and target == node_id:
            lines.append(transition.say)
        elif transition.say:
            lines += [f"{transition.say} {line}" for line in lines_of(target)]
        else:
            lines += lines_of(target)
    for ending in (scenario.on_patience_lost, scenario.on_max_turns):
        lines += lines_of(ending)
    return list(dict.fromkeys(lines))


def lines_after_turn(scenario: Scenario, node_id: str, mood: int) -> list[str]:
    """What the engine can say after a trainee turn at ``node_id`` when the mood is then ``mood``."""
    return _lines_after(scenario, node_id, lambda target: line_pool(scenario, scenario.nodes[target], mood))


def every_line_after_turn(scenario: Scenario, node_id: str) -> list[str]:
    """What the engine can say after a trainee turn at ``node_id`` at any mood."""
    def every(target: str) -> tuple[str, ...]:
        node = scenario.nodes[target]
        return (*node.lines, *node.angry_lines, *node.calm_lines)

    return _lines_after(scenario, node_id, every)


def scenario_lines(scenario: Scenario) -> list[str]:
    """Every line the customer of ``scenario`` can say, as spoken (a transition's ``say`` joined to the
    next node's line), opening line first, whatever the mood."""
    start = scenario.nodes[scenario.start]
    lines = [*start.lines, *start.angry_lines, *start.calm_lines]
    for node_id in scenario.nodes:
        lines += every_line_after_turn(scenario, node_id)
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
