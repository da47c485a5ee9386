"""The dialogue engine: a pure state machine from ``TurnAnalysis`` to ``CustomerTurn``.

No audio, UI or database here: text mode, the voiced call, the UI and the tests all drive this
same object.  Given the same scenario, seed and analyses it always says the same lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.contracts import CustomerTurn, EmpathyLevel, EngineEvent, ForbiddenHit, Severity, TurnAnalysis
from simulator.scenario.model import Condition, Node, Scenario, Transition
from simulator.text import find_phrase


@dataclass
class EngineState:
    node_id: str
    mood: int
    turn: int = 0
    poor_streak: int = 0
    dead_air_s: float = 0.0
    steps_done: set[str] = field(default_factory=set)
    last_line: dict[str, str] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)
    taken: set[tuple[str, int]] = field(default_factory=set)
    empathy_shown: bool = False  # some reply so far showed empathy
    ended: bool = False


def condition_holds(condition: Condition, analysis: TurnAnalysis, state: EngineState) -> bool:
    level = analysis.empathy.level
    checks = [
        condition.empathy_at_least is None or level >= condition.empathy_at_least,
        condition.empathy_below is None or level < condition.empathy_below,
        all(s in analysis.step_ids for s in condition.steps_hit),
        all(s in state.steps_done for s in condition.steps_done),
        not any(s in state.steps_done for s in condition.steps_missing),
        _forbidden_holds(condition.forbidden, analysis),
        condition.silence is None or condition.silence == analysis.silence,
        condition.interrupted is None or condition.interrupted == analysis.interrupted_customer,
        condition.raised_voice is None
        or condition.raised_voice == bool(analysis.tone and analysis.tone.raised_voice),
        not condition.said_any or any(find_phrase(analysis.transcript.text, p) for p in condition.said_any),
        condition.intent is None or condition.intent in analysis.intents,
        condition.mood_at_least is None or state.mood >= condition.mood_at_least,
        condition.mood_below is None or state.mood < condition.mood_below,
        condition.turn_at_least is None or state.turn >= condition.turn_at_least,
    ]
    return all(checks)


def forbidden_moves(hits: tuple[ForbiddenHit, ...]) -> list[tuple[ForbiddenHit, ...]]:
    """The forbidden moves the customer heard, each as the hits that read it: one per stretch of words.

    An analyser may read one clause as several forbidden entries (the behaviour model's kinds
    overlap: a false excuse is also dismissive, and the scenario's own phrase quotes part of the
    clause the model quotes whole).  The customer heard one bad sentence, so hits whose quotes
    overlap (one inside the other) are one move; separate clauses are separate moves.
    """
    moves: list[tuple[str, list[ForbiddenHit]]] = []
    for hit in sorted(hits, key=lambda h: -len(h.quote)):
        quote = hit.quote.casefold().strip()
        move = next((readings for heard, readings in moves if quote and quote in heard), None)
        if move is None:
            moves.append((quote, [hit]))
        else:
            move.append(hit)
    return [tuple(readings) for _, readings in moves]


def _forbidden_holds(wanted: bool | tuple[str, ...] | None, analysis: TurnAnalysis) -> bool:
    if wanted is None:
        return True
    if isinstance(wanted, bool):
        return bool(analysis.forbidden) == wanted
    return any(phrase_id in wanted for phrase_id in analysis.forbidden_ids)


class DialogueEngine:
    def __init__(self, scenario: Scenario, seed: int = 0, *, start_mood: int | None = None):
        self.scenario = scenario
        self.seed = seed
        self._rng = random.Random(seed)
        mood = scenario.persona.mood if start_mood is None else start_mood
        self.state = EngineState(node_id=scenario.start, mood=max(0, min(100, mood)))

    @property
    def finished(self) -> bool:
        return self.state.ended

    def opening(self) -> CustomerTurn:
        """The customer's first line."""
        node = self.scenario.nodes[self.state.node_id]
        self.state.visited.add(self.state.node_id)
        return self._customer_turn(self._pick_line(self.state.node_id, node), 0, ())

    def respond(self, analysis: TurnAnalysis) -> CustomerTurn:
        if self.state.ended:
            raise RuntimeError("the call has already ended")
        state = self.state
        state.turn += 1
        new_steps = set(analysis.step_ids) - state.steps_done
        state.steps_done |= set(analysis.step_ids)
        delta, events = self._reaction(analysis, bool(new_steps))
        state.empathy_shown |= analysis.shows_empathy
        state.mood = _clamp(state.mood + delta)

        poor = analysis.silence or bool(analysis.forbidden) or (
            analysis.empathy.level == EmpathyLevel.NONE and not new_steps)
        state.poor_streak = state.poor_streak + 1 if poor else 0
        if poor:
            events.append(EngineEvent.POOR_REPLY)
        if analysis.silence:
            state.dead_air_s += max(analysis.silence_s, 0.0)

        current_id = state.node_id
        transition, index = self._choose(analysis)
        if transition is not None:
            state.taken.add((current_id, index))
            state.mood = _clamp(state.mood + transition.mood)
            delta += transition.mood
        target_id = transition.goto if transition and transition.goto else current_id

        patience = self.scenario.persona.patience
        target_is_end = self.scenario.nodes[target_id].end is not None
        if not target_is_end and (state.poor_streak >= patience.poor_replies
                                  or state.dead_air_s >= patience.dead_air_s or state.mood >= 100):
            events.append(EngineEvent.PATIENCE_LOST)
            target_id, transition = self.scenario.on_patience_lost, None
        elif not target_is_end and state.turn >= self.scenario.max_turns:
            events.append(EngineEvent.MAX_TURNS)
            target_id, transition = self.scenario.on_max_turns, None

        text = self._line_for(analysis, transition, current_id, target_id)
        state.node_id = target_id
        state.visited.add(target_id)
        return self._customer_turn(text, delta, tuple(events))

    def _business_reply(self, analysis: TurnAnalysis) -> bool:
        """A reply without empathy that the customer does not hold against the trainee: nothing
        forbidden in it, the customer not angry, and either empathy already shown in the call or
        the customer's words calm (as the analyser read them).  An angry customer still wants to
        be heard before the account number."""
        if analysis.forbidden or self.state.mood >= self.scenario.angry_at:
            return False
        return self.state.empathy_shown or analysis.customer_distressed is False

    def _reaction(self, analysis: TurnAnalysis, hit_new_step: bool) -> tuple[int, list[EngineEvent]]:
        reactions = self.scenario.persona.reactions
        events: list[EngineEvent] = []
        delta = 0
        if analysis.silence:
            events.append(EngineEvent.SILENCE)
            delta += reactions.silence
        else:
            level = analysis.empathy.level
            # a procedural reply after empathy was shown, or to a calm line, gets no reaction
            if level > EmpathyLevel.NONE or not self._business_reply(analysis):
                delta += {EmpathyLevel.STRONG: reactions.empathy_strong, EmpathyLevel.WEAK: reactions.empathy_weak,
                          EmpathyLevel.NONE: reactions.empathy_none}[level]
                if level == EmpathyLevel.STRONG:
                    events.append(EngineEvent.EMPATHY_STRONG)
                elif level == EmpathyLevel.NONE:
                    events.append(EngineEvent.EMPATHY_NONE)
        if hit_new_step:
            events.append(EngineEvent.STEP_HIT)
            delta += reactions.step_hit
        by_severity = {Severity.MINOR: reactions.forbidden_minor, Severity.MAJOR: reactions.forbidden_major,
                       Severity.CRITICAL: reactions.forbidden_critical}
        for readings in forbidden_moves(analysis.forbidden):
            events.append(EngineEvent.FORBIDDEN_PHRASE)
            # one move, one reaction: the strongest its readings call for (a persona may set a
            # critical move below a major one, so the severity's order is not the reaction's)
            delta += max(by_severity[hit.severity] for hit in readings)
        if analysis.interrupted_customer:
            events.append(EngineEvent.INTERRUPTED_CUSTOMER)
            delta += reactions.interrupted
        if analysis.tone is not None and analysis.tone.raised_voice:
            events.append(EngineEvent.RAISED_VOICE)
            delta += reactions.raised_voice
        return delta, list(dict.fromkeys(events))

    def _choose(self, analysis: TurnAnalysis) -> tuple[Transition | None, int]:
        node = self.scenario.nodes[self.state.node_id]
        for index, transition in enumerate(node.transitions):
            # A silent turn only takes transitions written for silence: a fallback assumes words.
            if analysis.silence and transition.when.silence is not True:
                continue
            if condition_holds(transition.when, analysis, self.state):
                return transition, index
        return None, -1

    def _line_for(self, analysis: TurnAnalysis, transition: Transition | None, current_id: str,
                  target_id: str) -> str:
        target = self.scenario.nodes[target_id]
        parts = []
        if transition is not None and transition.say:
            parts.append(transition.say)
        elif transition is None and analysis.silence and target_id == current_id:
            parts.append(self.scenario.silence_prompt)
        if target_id != current_id or not parts:
            parts.append(self._pick_line(target_id, target))
        return " ".join(parts)

    def _pick_line(self, node_id: str, node: Node) -> str:
        pool = line_pool(self.scenario, node, self.state.mood)
        previous = self.state.last_line.get(node_id)
        choices = [line for line in pool if line != previous] or list(pool)
        line = self._rng.choice(choices)
        self.state.last_line[node_id] = line
        return line

    def _customer_turn(self, text: str, delta: int, events: tuple[EngineEvent, ...]) -> CustomerTurn:
        node = self.scenario.nodes[self.state.node_id]
        if node.end is not None:
            self.state.ended = True
            events = (*events, EngineEvent.CALL_ENDED)
        talk_over = max(self.scenario.persona.talk_over, self.scenario.drill.interrupt_rate)
        may_interrupt = node.end is None and talk_over > 0 and self._rng.random() < talk_over
        return CustomerTurn(text=text, node_id=self.state.node_id, mood=self.state.mood, mood_delta=delta,
                            events=events, outcome=node.end, may_interrupt=may_interrupt)


def line_pool(scenario: Scenario, node: Node, mood: int) -> tuple[str, ...]:
    """The lines ``node`` picks from at ``mood``: its angry or calm lines past the scenario's marks."""
    if mood >= scenario.angry_at and node.angry_lines:
        return node.angry_lines
    if mood <= scenario.calm_at and node.calm_lines:
        return node.calm_lines
    return node.lines


def _clamp(mood: int) -> int:
    return max(0, min(100, mood))
