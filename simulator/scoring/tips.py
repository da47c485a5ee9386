"""The three most useful tips: concrete, in plain words, ranked by how many overall points each
problem cost (points lost in a dimension x that dimension's weight in the rubric)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.scenario.model import Rubric, Scenario
from simulator.scoring.scorecard import Dimension, ScoreEvidence, StepResult
from simulator.scoring.turns import ScoredTurn

MAX_TIPS = 3
GENERIC_EMPATHY_EXAMPLE = "I'm sorry about this, I can see why you're upset"


@dataclass(frozen=True, slots=True)
class Tip:
    impact: float  # overall points at stake
    first_turn: int
    text: str


def _turns(indices: Sequence[int]) -> str:
    ordered = sorted(set(indices))
    if len(ordered) == 1:
        return f"turn {ordered[0]}"
    return "turns " + ", ".join(map(str, ordered[:-1])) + f" and {ordered[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _example(scenario: Scenario | None, step_id: str | None = None) -> str | None:
    if scenario is None:
        return None
    steps = [s for s in scenario.script if s.id == step_id] if step_id else [
        s for s in scenario.script if "acknowledg" in s.id or "acknowledg" in s.description.lower()]
    for step in steps:
        if step.say_like:
            return step.say_like[0]
    return None


def empathy_tips(evidence: Sequence[ScoreEvidence], first_empathy_turn: int | None, weight: float,
                 scenario: Scenario | None) -> list[Tip]:
    lacking = [e for e in evidence if e.rule == "empathy.needed" and e.weight < 0]
    if not lacking:
        return []
    impact = -sum(e.weight for e in lacking) * weight
    example = _example(scenario) or GENERIC_EMPATHY_EXAMPLE
    first = min(e.turn_index or 0 for e in lacking)
    opening_missed = any(e.turn_index == 1 for e in lacking)
    if first_empathy_turn is None:
        text = (f"You never acknowledged how the customer felt ({_turns([e.turn_index or 0 for e in lacking])} "
                f"called for it): name the problem and say sorry before you ask for anything, e.g. \"{example}\".")
    elif opening_missed and first_empathy_turn > 1:
        text = (f"You acknowledged the customer's feelings only in turn {first_empathy_turn}: do it in your first "
                f"reply, e.g. \"{example}\".")
    else:
        turns = [e.turn_index or 0 for e in lacking]
        text = (f"When the customer was upset ({_turns(turns)}) your reply showed little empathy: acknowledge the "
                f"feeling before moving on, e.g. \"{example}\".")
    return [Tip(impact, first, text)]


def step_tips(steps: Sequence[StepResult], share: float, weight: float, scenario: Scenario | None) -> list[Tip]:
    tips = []
    for step in steps:
        if not step.required:
            continue
        example = _example(scenario, step.step_id)
        try_this = f", e.g. \"{example}\"" if example else ""
        if not step.hit:
            tips.append(Tip(share * weight, 10 ** 6, f"You never did this step: {_lower_first(step.description)}"
                                                      f"{try_this}."))
            continue
        if not step.in_order:
            tips.append(Tip(0.4 * share * weight, step.turn_index or 0,
                            f"'{step.description}' {step.order_problem} (turn {step.turn_index}): follow the "
                            f"script order."))
        if not step.on_time:
            tips.append(Tip(0.3 * share * weight, step.turn_index or 0,
                            f"'{step.description}' came only in turn {step.turn_index}; do it by turn "
                            f"{step.due_by_turn}."))
    return tips


def violation_tips(evidence: Sequence[ScoreEvidence], weight: float, scenario: Scenario | None) -> list[Tip]:
    by_phrase: dict[str, list[ScoreEvidence]] = defaultdict(list)
    for item in evidence:
        if item.rule.startswith("forbidden."):
            by_phrase[item.rule].append(item)
    tips = []
    for rule, items in by_phrase.items():
        phrase_id = rule.split(".", 1)[1]
        why = None
        if scenario is not None:
            why = next((f.why for f in scenario.forbidden if f.id == phrase_id), None)
        turns = [i.turn_index or 0 for i in items]
        tips.append(Tip(-sum(i.weight for i in items) * weight, min(turns),
                        f"Don't say \"{items[0].quote}\" ({_turns(turns)}): "
                        f"{_lower_first(why) if why else 'it makes an upset customer angrier.'}"))
    return tips


TONE_ADVICE = {
    "tone.hostile": "your voice sounded heated in {turns} (\"{quote}\"): keep your level and pitch steady, "
                    "even when the customer shouts.",
    "tone.raised_voice": "your voice rose in {turns} (\"{quote}\"): lower your volume; a calm voice calms the caller.",
    "tone.pace": "your pace was off in {turns} ({detail}): speak at a steady, unhurried pace.",
    "tone.fillers": "you used many fillers in {turns} ({detail}): pause silently instead of saying um or uh.",
    "tone.monotone": "your voice sounded flat in {turns}: vary your pitch so you sound engaged.",
    "tone.dead_air": "there was dead air in {turns} ({detail}): say what you are doing while you check things.",
    "tone.overlap": "you talked over the customer in {turns}: let them finish, then answer.",
    "tone.talk_ratio": "{detail}: ask a question, then listen.",
}


def tone_tips(evidence: Sequence[ScoreEvidence], weight: float) -> list[Tip]:
    by_rule: dict[str, list[ScoreEvidence]] = defaultdict(list)
    for item in evidence:
        if item.dimension == Dimension.TONE and item.weight < 0 and item.rule in TONE_ADVICE:
            by_rule[item.rule].append(item)
    tips = []
    for rule, items in by_rule.items():
        turns = [i.turn_index for i in items if i.turn_index is not None]
        text = TONE_ADVICE[rule].format(turns=_turns(turns) if turns else "the call", quote=items[0].quote,
                                        detail=items[0].detail)
        tips.append(Tip(-sum(i.weight for i in items) * weight, min(turns) if turns else 10 ** 6,
                        text[:1].upper() + text[1:]))
    return tips


_EXAMPLE = re.compile(r', e\.g\. "[^"]*"')


def rank_tips(tips: Sequence[Tip]) -> tuple[str, ...]:
    ranked = sorted(tips, key=lambda t: (-round(t.impact, 6), t.first_turn, t.text))
    chosen: list[str] = []
    examples: set[str] = set()
    for tip in ranked:
        if tip.impact <= 0 or len(chosen) == MAX_TIPS:
            continue
        text = tip.text
        example = _EXAMPLE.search(text)
        if example and example.group() in examples:
            text = _EXAMPLE.sub("", text)  # the same example twice reads as padding
        elif example:
            examples.add(example.group())
        if text not in chosen:
            chosen.append(text)
    return tuple(chosen)


def all_tips(rubric: Rubric, scenario: Scenario | None, turns: Sequence[ScoredTurn], steps: Sequence[StepResult],
             evidence: Sequence[ScoreEvidence], first_empathy_turn: int | None) -> tuple[str, ...]:
    weights = rubric.weights
    required = [s for s in steps if s.required]
    share = 100.0 / len(required) if required else 0.0
    tips = (empathy_tips(evidence, first_empathy_turn, weights.empathy, scenario)
            + step_tips(steps, share, weights.compliance, scenario)
            + violation_tips(evidence, weights.compliance, scenario)
            + tone_tips(evidence, weights.tone))
    if not tips and turns:
        return ()
    return rank_tips(tips)
