"""Calibration: how often trainers agree with the machine, and with each other.

Every reviewed (call, reviewer) pair gives items: each trainee turn's empathy level, whether each
turn performed each of the scenario's script steps and said each of its forbidden phrases, and
each dimension's score.  The reviewer's judgement is their override where they made one, else the
machine's (a review signs the call off: what a trainer leaves alone, they accept).

For each kind of item: the share of items on which the two sides agree, Cohen's kappa (agreement
beyond what the two sides' own label frequencies would give by chance), and for dimension scores
the mean absolute difference in points (kappa there is on pass/fail against the dimension's mark).
Trainer-to-trainer figures pool every pair of trainers who reviewed the same call.

Overrides also export as labelled replies in the development-set format (``items.jsonl``) so the
behaviour model can be retrained on them (``python -m simulator.analysis.behaviour.train --items``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from simulator.contracts import Speaker
from simulator.lab.review import trainee_turns
from simulator.scenario.kinds import CLAUSE_LABELS
from simulator.scenario.model import Scenario
from simulator.scoring.scorecard import Scorecard
from simulator.store.types import Override, ReviewTarget, StoredCall

EXAMPLES_PER_KIND = 3


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters over the same items; None when chance agreement is total (both
    raters used one and the same category throughout, so agreement says nothing)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def mean_abs_difference(pairs: Sequence[tuple[float, float]]) -> float | None:
    return sum(abs(a - b) for a, b in pairs) / len(pairs) if pairs else None


@dataclass(frozen=True, slots=True)
class Judgement:
    """One item as judged by one side: ``key`` says which item, ``kind`` groups items for the figures."""

    kind: str  # "empathy", "step:verify", "forbidden:calm-down", "dimension:tone"
    key: tuple[str, int]  # (call id, trainee turn; 0 for the whole call)
    value: Any  # level 0-2, True/False, or a score
    mark: float | None = None  # dimensions: the pass mark, for pass/fail agreement


@dataclass(frozen=True, slots=True)
class Example:
    call_id: str
    reviewer: str
    turn_index: int
    quote: str
    machine: Any
    reviewed: Any
    reason: str


@dataclass(frozen=True, slots=True)
class Agreement:
    kind: str
    items: int
    agreed: int
    kappa: float | None
    mean_abs_diff: float | None = None  # dimensions only, in points

    @property
    def agreement_rate(self) -> float:
        return self.agreed / self.items if self.items else 0.0


@dataclass(frozen=True, slots=True)
class KindMisses:
    kind: str
    overridden: int  # items where a trainer changed the machine's judgement
    items: int
    examples: tuple[Example, ...] = ()

    @property
    def rate(self) -> float:
        return self.overridden / self.items if self.items else 0.0


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    reviewed_calls: int
    reviews: int  # (call, reviewer) pairs
    trainer_pairs: int  # pairs of trainers on the same call
    machine: tuple[Agreement, ...]
    trainers: tuple[Agreement, ...]
    most_overridden: tuple[KindMisses, ...]
    reviewers: tuple[str, ...] = field(default=())


# -- items --------------------------------------------------------------------------------------------
def kind_names(scenario: Scenario | None) -> tuple[dict[str, str], dict[str, str]]:
    """Scenario step and phrase ids by the standard kind they are (``verify`` -> ``verify_identity``),
    so figures add up across scenarios; an id without a kind (or without the scenario) stands as is."""
    if scenario is None:
        return {}, {}
    return ({s.id: s.standard_kind.value for s in scenario.script if s.standard_kind},
            {f.id: f.standard_kind.value for f in scenario.forbidden if f.standard_kind})


def judgements(stored: StoredCall, card: Scorecard, overrides: Sequence[Override],
               scenario: Scenario | None) -> list[Judgement]:
    """One side's judgements of a call: the machine's (no overrides) or a reviewer's."""
    call_id = stored.attempt.call_id
    mine = {(o.target, o.turn_index, o.item): o.reviewed for o in overrides}
    step_ids = [s.step_id for s in (stored.scorecard.steps if stored.scorecard else ())]
    if scenario is not None:
        phrase_ids = [f.id for f in scenario.forbidden]
    else:  # without the scenario: the phrases someone flagged in this call
        phrase_ids = sorted({h for t in trainee_turns(stored.record).values() if t.analysis
                             for h in t.analysis.forbidden_ids} | {o.item for o in overrides
                                                                   if o.target == ReviewTarget.FORBIDDEN})
    step_kinds, phrase_kinds = kind_names(scenario)
    items = []
    for number, turn in sorted(trainee_turns(stored.record).items()):
        analysis = turn.analysis
        assert analysis is not None
        items.append(Judgement("empathy", (call_id, number),
                               mine.get((ReviewTarget.EMPATHY, number, ""), int(analysis.empathy.level))))
        # steps (and phrases) of one standard kind are one item: a scenario may word a kind twice
        done: dict[str, bool] = defaultdict(bool)
        for step in step_ids:
            done[f"step:{step_kinds.get(step, step)}"] |= bool(mine.get((ReviewTarget.STEP, number, step),
                                                                        step in analysis.step_ids))
        for phrase in phrase_ids:
            done[f"forbidden:{phrase_kinds.get(phrase, phrase)}"] |= bool(mine.get(
                (ReviewTarget.FORBIDDEN, number, phrase), phrase in analysis.forbidden_ids))
        items += [Judgement(kind, (call_id, number), value) for kind, value in done.items()]
    for dimension in card.dimensions:
        if dimension.score is not None:
            items.append(Judgement(f"dimension:{dimension.dimension.value}", (call_id, 0), dimension.score,
                                   dimension.pass_mark))
    return items


def _compare(kind: str, pairs: list[tuple[Judgement, Judgement]]) -> Agreement:
    if kind.startswith("dimension:"):
        scores = [(float(a.value), float(b.value)) for a, b in pairs]
        verdicts = [(a.value >= (a.mark or 0), b.value >= (b.mark or 0)) for a, b in pairs]
        agreed = sum(x == y for x, y in verdicts)
        return Agreement(kind, len(pairs), agreed, cohen_kappa(verdicts), mean_abs_difference(scores))
    values = [(a.value, b.value) for a, b in pairs]
    return Agreement(kind, len(pairs), sum(x == y for x, y in values), cohen_kappa(values))


def _kind_order(kind: str) -> tuple[int, str]:
    return (["dimension", "empathy", "step", "forbidden"].index(kind.split(":")[0]), kind)


def agreements(pairs: Iterable[tuple[Judgement, Judgement]]) -> tuple[Agreement, ...]:
    by_kind: dict[str, list[tuple[Judgement, Judgement]]] = defaultdict(list)
    for a, b in pairs:
        by_kind[a.kind].append((a, b))
    return tuple(_compare(kind, by_kind[kind]) for kind in sorted(by_kind, key=_kind_order))


def _paired(left: list[Judgement], right: list[Judgement]) -> list[tuple[Judgement, Judgement]]:
    other = {(j.kind, j.key): j for j in right}
    return [(j, other[(j.kind, j.key)]) for j in left if (j.kind, j.key) in other]


def _override_kind(o: Override, scenario: Scenario | None) -> str:
    step_kinds, phrase_kinds = kind_names(scenario)
    if o.target == ReviewTarget.EMPATHY:
        return "empathy"
    names = step_kinds if o.target == ReviewTarget.STEP else phrase_kinds if o.target == ReviewTarget.FORBIDDEN else {}
    return f"{o.target.value}:{names.get(o.item, o.item)}"


def calibration_report(store: Any, scenario_of: Callable[[StoredCall], Scenario | None],
                       call_ids: set[str] | None = None) -> CalibrationReport:
    """Agreement over every reviewed call (of ``call_ids`` if given: a team's, a report's)."""
    reviews = store.call_reviews()
    wanted = call_ids
    by_call: dict[str, list[Any]] = defaultdict(list)
    for review in reviews:
        if wanted is None or review.call_id in wanted:
            by_call[review.call_id].append(review)
    machine_pairs: list[tuple[Judgement, Judgement]] = []
    trainer_pairs: list[tuple[Judgement, Judgement]] = []
    pair_count = 0
    examples: dict[str, list[Example]] = defaultdict(list)
    changed: Counter[str] = Counter()
    scenarios: dict[tuple[str, str | None], Scenario | None] = {}  # each scenario file read once
    for call_id, call_reviews in by_call.items():
        stored = store.get_call(call_id)
        if stored.scorecard is None:
            continue
        header = stored.record.header
        key = (header.scenario_id, header.scenario_path)
        if key not in scenarios:
            scenarios[key] = scenario_of(stored)
        scenario = scenarios[key]
        machine = judgements(stored, stored.scorecard, (), scenario)
        sides = {}
        overrides = store.overrides(call_id)
        for review in call_reviews:
            mine = [o for o in overrides if o.reviewer == review.reviewer]
            sides[review.reviewer] = judgements(stored, review.scorecard, mine, scenario)
            machine_pairs += _paired(machine, sides[review.reviewer])
            for o in mine:
                if o.reviewed != o.machine:
                    kind = _override_kind(o, scenario)
                    changed[kind] += 1
                    turn = trainee_turns(stored.record).get(o.turn_index)
                    examples[kind].append(Example(call_id, o.reviewer, o.turn_index, turn.text if turn else "",
                                                  o.machine, o.reviewed, o.reason))
        for first, second in combinations(sorted(sides), 2):
            pair_count += 1
            trainer_pairs += _paired(sides[first], sides[second])
    machine_figures = agreements(machine_pairs)
    items = {a.kind: a.items for a in machine_figures}
    misses = sorted((KindMisses(kind, count, items.get(kind, count), tuple(examples[kind][:EXAMPLES_PER_KIND]))
                     for kind, count in changed.items()), key=lambda k: (-k.overridden, -k.rate, k.kind))
    return CalibrationReport(len(by_call), sum(len(r) for r in by_call.values()), pair_count, machine_figures,
                             agreements(trainer_pairs), tuple(misses),
                             tuple(sorted({r.reviewer for rs in by_call.values() for r in rs})))


# -- output ---------------------------------------------------------------------------------------------
def _figure(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def describe_calibration(report: CalibrationReport) -> str:
    lines = [f"Calibration: {report.reviewed_calls} reviewed call(s), {report.reviews} review(s) by "
             f"{', '.join(report.reviewers) or 'nobody yet'}; "
             f"{report.trainer_pairs} pair(s) of trainers on the same call"]
    for title, figures in (("Trainers vs the machine", report.machine), ("Trainer vs trainer", report.trainers)):
        lines += ["", title]
        if not figures:
            lines.append("  (nothing to compare yet)")
        for a in figures:
            mad = "" if a.mean_abs_diff is None else f"  mean |diff| {a.mean_abs_diff:.1f} points"
            lines.append(f"  {a.kind:<28} agree {a.agreed}/{a.items} ({a.agreement_rate:.0%})  "
                         f"kappa {_figure(a.kappa)}{mad}")
    lines += ["", "What trainers override most"]
    if not report.most_overridden:
        lines.append("  (no overrides yet)")
    for miss in report.most_overridden:
        lines.append(f"  {miss.kind:<28} {miss.overridden}/{miss.items} item(s) ({miss.rate:.0%})")
        for e in miss.examples:
            where = "whole call" if e.turn_index == 0 else f"turn {e.turn_index} \u201c{e.quote}\u201d"
            lines.append(f"    {e.call_id[:8]} {where}: machine {e.machine} -> {e.reviewer} {e.reviewed} ({e.reason})")
    return "\n".join(lines)


def calibration_to_json(report: CalibrationReport) -> dict[str, Any]:
    def figures(items: Sequence[Agreement]) -> list[dict[str, Any]]:
        return [{"kind": a.kind, "items": a.items, "agreed": a.agreed, "agreement": round(a.agreement_rate, 4),
                 "kappa": None if a.kappa is None else round(a.kappa, 4),
                 "mean_abs_diff": None if a.mean_abs_diff is None else round(a.mean_abs_diff, 2)} for a in items]
    return {
        "reviewed_calls": report.reviewed_calls, "reviews": report.reviews, "trainer_pairs": report.trainer_pairs,
        "reviewers": list(report.reviewers), "machine_vs_trainers": figures(report.machine),
        "trainer_vs_trainer": figures(report.trainers),
        "most_overridden": [{"kind": m.kind, "overridden": m.overridden, "items": m.items, "rate": round(m.rate, 4),
                             "examples": [{"call_id": e.call_id, "reviewer": e.reviewer, "turn": e.turn_index,
                                           "quote": e.quote, "machine": e.machine, "reviewed": e.reviewed,
                                           "reason": e.reason} for e in m.examples]}
                            for m in report.most_overridden],
    }


# -- labelled examples for the behaviour model ----------------------------------------------------------------
def labelled_items(store: Any, scenario_of: Callable[[StoredCall], Scenario | None]) -> list[dict[str, Any]]:
    """One ``items.jsonl`` object per (call, reviewer, trainee turn) a trainer overrode.

    The reply's labels are the reviewer's: their overrides, and the machine's judgements they left
    standing.  Scenario steps and phrases are written as their standard kinds (``verify`` with
    ``kind: verify_identity`` is ``verify_identity``); ones without a standard kind are left out,
    since the behaviour model has no label for them.
    """
    items = []
    overrides = [o for o in store.overrides() if o.target != ReviewTarget.DIMENSION]
    by_turn: dict[tuple[str, str, int], list[Override]] = defaultdict(list)
    for o in overrides:
        by_turn[(o.call_id, o.reviewer, o.turn_index)].append(o)
    calls: dict[str, tuple[StoredCall, Scenario | None]] = {}
    for (call_id, reviewer, number), mine in sorted(by_turn.items()):
        if call_id not in calls:
            stored = store.get_call(call_id)
            calls[call_id] = (stored, scenario_of(stored))
        stored, scenario = calls[call_id]
        turn = trainee_turns(stored.record).get(number)
        if turn is None or turn.analysis is None:
            continue
        step_kind, phrase_kind = kind_names(scenario)
        empathy = int(turn.analysis.empathy.level)
        steps = set(turn.analysis.step_ids)
        forbidden = set(turn.analysis.forbidden_ids)
        for o in mine:
            if o.target == ReviewTarget.EMPATHY:
                empathy = int(o.reviewed)
            elif o.target == ReviewTarget.STEP:
                (steps.add if o.reviewed else steps.discard)(o.item)
            else:
                (forbidden.add if o.reviewed else forbidden.discard)(o.item)
        step_labels = sorted({step_kind.get(s, s) for s in steps} & set(CLAUSE_LABELS))
        forbidden_labels = sorted({phrase_kind.get(f, f) for f in forbidden} & set(CLAUSE_LABELS))
        items.append({"id": f"review-{call_id[:8]}-{reviewer}-t{number}", "domain": stored.attempt.scenario_id,
                      "customer": _customer_line(stored, turn.index), "reply": turn.text, "empathy": empathy,
                      "steps": step_labels, "forbidden": forbidden_labels, "steps_unsure": [],
                      "forbidden_unsure": []})
    return items


def _customer_line(stored: StoredCall, position: int) -> str:
    before = [t for t in stored.record.turns[:position] if t.speaker == Speaker.CUSTOMER]
    return before[-1].text if before else ""


def write_items(items: Sequence[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
