"""The three most useful tips: concrete, in plain words, ranked by how many overall points each
problem cost (points lost in a dimension x that dimension's weight in the rubric)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.scenario.model import Rubric, Scenario, ToneThresholds
from simulator.scoring.empathy import EmpathyResult
from simulator.scoring.scorecard import Dimension, ScoreEvidence, StepResult
from simulator.scoring.turns import ScoredTurn
from simulator.scoring.wording import Wording

MAX_TIPS = 3
LITTLE_EMPATHY = 50.0  # a judged reply scoring under this gets a tip (none, or a bare "sorry")


@dataclass(frozen=True, slots=True)
class Tip:
    impact: float  # overall points at stake
    first_turn: int
    text: str
    example: str = ""  # the "e.g." part of ``text``, left out when an earlier tip gave the same one


def _example(scenario: Scenario | None, step_id: str | None = None) -> str | None:
    if scenario is None:
        return None
    steps = [s for s in scenario.script if s.id == step_id] if step_id else [
        s for s in scenario.script if "acknowledg" in s.id or "acknowledg" in s.description.lower()]
    for step in steps:
        if step.say_like:
            return step.say_like[0]
    return None


def empathy_tips(empathy: EmpathyResult, weight: float, scenario: Scenario | None, words: Wording) -> list[Tip]:
    """One tip about the replies that needed empathy and showed little (under ``LITTLE_EMPATHY``)."""
    scores = {i: empathy.per_turn[i][0] for i in empathy.judged_turns}
    lacking = sorted(i for i, score in scores.items() if score is not None and score < LITTLE_EMPATHY)
    if not lacking:
        return []
    impact = sum(100.0 - (scores[i] or 0.0) for i in lacking) / len(scores) * weight
    example = words.example(_example(scenario) or words("example.generic_empathy"))
    first_shown = empathy.first_empathy_turn
    if first_shown is None:
        text = words("tip.empathy_never", turns=words.turns(lacking), example=example)
    elif lacking[0] == 1 and first_shown > 1:
        text = words("tip.empathy_late", turn=words.turn(first_shown), example=example)
    else:
        text = words("tip.empathy_little", turns=words.turns(lacking), example=example)
    return [Tip(impact, lacking[0], text, example)]


def step_tips(steps: Sequence[StepResult], share: float, weight: float, scenario: Scenario | None,
              words: Wording) -> list[Tip]:
    tips = []
    for step in steps:
        if not step.required:
            continue
        example = _example(scenario, step.step_id)
        try_this = words.example(example) if example else ""
        if not step.hit:
            tips.append(Tip(share * weight, 10 ** 6, words("tip.step_missed", step=words.mid_sentence(step.description),
                                                           example=try_this), try_this))
            continue
        if not step.in_order:
            tips.append(Tip(0.4 * share * weight, step.turn_index or 0,
                            words("tip.step_order", step=step.description, problem=step.order_problem,
                                  turn=words.turn(step.turn_index))))
        if not step.on_time:
            tips.append(Tip(0.3 * share * weight, step.turn_index or 0,
                            words("tip.step_late", step=step.description, turn=words.turn(step.turn_index),
                                  due=words.turn(step.due_by_turn))))
    return tips


def violation_tips(evidence: Sequence[ScoreEvidence], weight: float, scenario: Scenario | None,
                   words: Wording) -> list[Tip]:
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
                        words("tip.forbidden", quote=items[0].quote, turns=words.turns(turns),
                              why=words.mid_sentence(why) if why else words("tip.forbidden_why"))))
    return tips


TONE_ADVICE = {  # rule -> message id; the message's fields are {turns} and {quote}
    "tone.hostile": "tip.hostile",
    "tone.raised_voice": "tip.raised_voice",
    "tone.fillers": "tip.fillers",
    "tone.monotone": "tip.monotone",
    "tone.overlap": "tip.overlap",
}


def _pace_advice(turns: Sequence[ScoredTurn], indices: Sequence[int], limits: ToneThresholds,
                 words: Wording) -> str:
    paced = [t for t in turns
             if t.index in indices and t.analysis.tone is not None and t.analysis.tone.words_per_minute is not None]
    rates = [t.analysis.tone.words_per_minute for t in paced if t.analysis.tone is not None]
    pace = limits.pace_band(" ".join(t.text for t in paced))  # Mandarin replies: characters a minute
    band = words("pace.band", low=pace.low, high=pace.high)
    unit = words(f"pace.unit.{pace.unit}")
    fast = [r for r in rates if r is not None and r > pace.high]
    if fast and len(fast) >= len(rates) - len(fast):
        return words("tip.too_fast", turns=words.turns(indices), rate=max(fast), unit=unit, band=band)
    slowest = min((r for r in rates if r is not None), default=pace.low)
    return words("tip.too_slow", turns=words.turns(indices), rate=slowest, unit=unit, band=band)


def _dead_air_advice(turns: Sequence[ScoredTurn], indices: Sequence[int], words: Wording) -> str:
    waits = [max(t.analysis.silence_s if t.analysis.silence else 0.0, t.analysis.timing.response_delay_s or 0.0,
                 t.analysis.timing.unexplained_silence_s or 0.0)
             for t in turns if t.index in indices]
    longest = words("seconds_aside", seconds=max(waits)) if waits and max(waits) > 0 else ""
    return words("tip.dead_air", turns=words.turns(indices), longest=longest)


def tone_tips(evidence: Sequence[ScoreEvidence], weight: float, turns: Sequence[ScoredTurn],
              limits: ToneThresholds, words: Wording) -> list[Tip]:
    by_rule: dict[str, list[ScoreEvidence]] = defaultdict(list)
    for item in evidence:
        if item.dimension == Dimension.TONE and item.weight < 0:
            by_rule[item.rule].append(item)
    tips = []
    for rule, items in by_rule.items():
        indices = sorted({i.turn_index for i in items if i.turn_index is not None})
        if rule == "tone.pace":
            text = _pace_advice(turns, indices, limits, words)
        elif rule == "tone.dead_air":
            text = _dead_air_advice(turns, indices, words)
        elif rule == "tone.talk_ratio":
            text = words("tip.talk_ratio", detail=items[0].detail)
        elif rule in TONE_ADVICE:
            text = words(TONE_ADVICE[rule], turns=words.turns(indices) if indices else words("whole_call"),
                         quote=items[0].quote)
        else:
            continue
        tips.append(Tip(-sum(i.weight for i in items) * weight, indices[0] if indices else 10 ** 6,
                        words.sentence(text)))
    return tips


def rank_tips(tips: Sequence[Tip]) -> tuple[str, ...]:
    ranked = sorted(tips, key=lambda t: (-round(t.impact, 6), t.first_turn, t.text))
    chosen: list[str] = []
    examples: set[str] = set()
    for tip in ranked:
        if tip.impact <= 0 or len(chosen) == MAX_TIPS:
            continue
        text = tip.text
        if tip.example and tip.example in examples:
            text = text.replace(tip.example, "")  # the same example twice reads as padding
        elif tip.example:
            examples.add(tip.example)
        if text not in chosen:
            chosen.append(text)
    return tuple(chosen)


def all_tips(rubric: Rubric, scenario: Scenario | None, turns: Sequence[ScoredTurn], steps: Sequence[StepResult],
             evidence: Sequence[ScoreEvidence], empathy: EmpathyResult, words: Wording) -> tuple[str, ...]:
    weights = rubric.weights
    required = [s for s in steps if s.required]
    share = 100.0 / len(required) if required else 0.0
    tips = (empathy_tips(empathy, weights.empathy, scenario, words)
            + step_tips(steps, share, weights.compliance, scenario, words)
            + violation_tips(evidence, weights.compliance, scenario, words)
            + tone_tips(evidence, weights.tone, turns, rubric.tone, words))
    if not tips and turns:
        return ()
    return rank_tips(tips)
