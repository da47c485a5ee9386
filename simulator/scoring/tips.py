"""The three most useful tips: concrete, in plain words, ranked by how many overall points each
problem cost (points lost in a dimension x that dimension's weight in the rubric)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.scenario.model import Rubric, Scenario, ToneThresholds
from simulator.scoring.empathy import EmpathyResult
from simulator.scoring.scorecard import Dimension, ScoreEvidence, StepResult
from simulator.scoring.turns import ScoredTurn

MAX_TIPS = 3
GENERIC_EMPATHY_EXAMPLE = "I'm sorry about this, I can see why you're upset"
LITTLE_EMPATHY = 50.0  # a judged reply scoring under this gets a tip (none, or a bare "sorry")


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


def empathy_tips(empathy: EmpathyResult, weight: float, scenario: Scenario | None) -> list[Tip]:
    """One tip about the replies that needed empathy and showed little (under ``LITTLE_EMPATHY``)."""
    scores = {i: empathy.per_turn[i][0] for i in empathy.judged_turns}
    lacking = sorted(i for i, score in scores.items() if score is not None and score < LITTLE_EMPATHY)
    if not lacking:
        return []
    impact = sum(100.0 - (scores[i] or 0.0) for i in lacking) / len(scores) * weight
    example = _example(scenario) or GENERIC_EMPATHY_EXAMPLE
    first_shown = empathy.first_empathy_turn
    if first_shown is None:
        text = (f"You never acknowledged how the customer felt ({_turns(lacking)} called for it): name the "
                f"problem and say sorry before you ask for anything, e.g. \"{example}\".")
    elif lacking[0] == 1 and first_shown > 1:
        text = (f"You acknowledged the customer's feelings only in turn {first_shown}: do it in your first "
                f"reply, e.g. \"{example}\".")
    else:
        text = (f"When the customer was upset ({_turns(lacking)}) your reply showed little empathy: acknowledge "
                f"the feeling before moving on, e.g. \"{example}\".")
    return [Tip(impact, lacking[0], text)]


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
    "tone.fillers": "you used many fillers in {turns}: pause silently instead of saying um or uh.",
    "tone.monotone": "your voice sounded flat in {turns}: vary your pitch so you sound engaged.",
    "tone.overlap": "you talked over the customer in {turns}: let them finish, then answer.",
}


def _pace_advice(turns: Sequence[ScoredTurn], indices: Sequence[int], limits: ToneThresholds) -> str:
    paced = [t for t in turns
             if t.index in indices and t.analysis.tone is not None and t.analysis.tone.words_per_minute is not None]
    rates = [t.analysis.tone.words_per_minute for t in paced if t.analysis.tone is not None]
    pace = limits.pace_band(" ".join(t.text for t in paced))  # Mandarin replies: characters a minute
    band = f"{pace.low:.0f}-{pace.high:.0f}"
    fast = [r for r in rates if r is not None and r > pace.high]
    if fast and len(fast) >= len(rates) - len(fast):
        return (f"you spoke too fast in {_turns(indices)} (up to {max(fast):.0f} {pace.unit} a minute): slow down "
                f"to {band} and pause after key facts.")
    slowest = min((r for r in rates if r is not None), default=pace.low)
    return (f"you spoke slowly in {_turns(indices)} (down to {slowest:.0f} {pace.unit} a minute): aim for {band} "
            f"so you sound confident.")


def _dead_air_advice(turns: Sequence[ScoredTurn], indices: Sequence[int]) -> str:
    waits = [max(t.analysis.silence_s if t.analysis.silence else 0.0, t.analysis.timing.response_delay_s or 0.0)
             for t in turns if t.index in indices]
    longest = f" ({max(waits):.0f} s)" if waits and max(waits) > 0 else ""
    return (f"you left the customer in silence in {_turns(indices)}{longest}: say what you are doing while you "
            f"check things.")


def tone_tips(evidence: Sequence[ScoreEvidence], weight: float, turns: Sequence[ScoredTurn],
              limits: ToneThresholds) -> list[Tip]:
    by_rule: dict[str, list[ScoreEvidence]] = defaultdict(list)
    for item in evidence:
        if item.dimension == Dimension.TONE and item.weight < 0:
            by_rule[item.rule].append(item)
    tips = []
    for rule, items in by_rule.items():
        indices = sorted({i.turn_index for i in items if i.turn_index is not None})
        if rule == "tone.pace":
            text = _pace_advice(turns, indices, limits)
        elif rule == "tone.dead_air":
            text = _dead_air_advice(turns, indices)
        elif rule == "tone.talk_ratio":
            text = f"{items[0].detail}: ask a question, then listen."
        elif rule in TONE_ADVICE:
            text = TONE_ADVICE[rule].format(turns=_turns(indices) if indices else "the call", quote=items[0].quote)
        else:
            continue
        tips.append(Tip(-sum(i.weight for i in items) * weight, indices[0] if indices else 10 ** 6,
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
             evidence: Sequence[ScoreEvidence], empathy: EmpathyResult) -> tuple[str, ...]:
    weights = rubric.weights
    required = [s for s in steps if s.required]
    share = 100.0 / len(required) if required else 0.0
    tips = (empathy_tips(empathy, weights.empathy, scenario)
            + step_tips(steps, share, weights.compliance, scenario)
            + violation_tips(evidence, weights.compliance, scenario)
            + tone_tips(evidence, weights.tone, turns, rubric.tone))
    if not tips and turns:
        return ()
    return rank_tips(tips)
