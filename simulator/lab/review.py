"""Trainer review of a stored call: override the machine's judgements with a reason, note moments of
the timeline, and rescore.

An override changes one judgement: a trainee turn's empathy level, whether a turn performed a
script step or said a forbidden phrase, or a dimension's score for the whole call.  Turn
judgements are laid over the call's recorded analyses and the call is scored again by the same
scorer (so a step a trainer marks as done moves compliance exactly as if the machine had heard
it); dimension scores then replace the rescored ones and the overall is the rubric-weighted mean
again.  The machine's scorecard is never changed: the reviewed one is stored beside it.

Scores elsewhere (growth, levels, leaderboards, reports) read the reviewed score through the
store's attempts and scorecards; ``effective_score`` says which one a figure is, for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulator.contracts import EmpathyJudgement, EmpathyLevel, ForbiddenHit, MatchKind, Severity, StepHit
from simulator.record import CallMode, CallRecord, TurnRecord, now_iso
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import LoadedScenario, effective_rubric, load_scenario
from simulator.scenario.model import Rubric, Scenario
from simulator.scoring.overall import rescored
from simulator.scoring.scorecard import Dimension, Scorecard, ScoreEvidence
from simulator.scoring.wording import ENGLISH, Wording, wording_for
from simulator.store.types import Attempt, Override, ReviewNote, ReviewTarget, StoredCall, StoreError

REVIEW_RULE = "review.override"
_TRUE = {"yes", "y", "true", "1", "said", "done", "hit"}
_FALSE = {"no", "n", "false", "0", "not", "missed", "none"}


class ReviewError(StoreError):
    """An override or note that cannot be applied (unknown turn, step, phrase, bad value...)."""


# -- what a figure is: for rankings, growth and reports to say "reviewed by X" ----------------------
@dataclass(frozen=True, slots=True)
class EffectiveScore:
    overall: float | None
    passed: bool | None
    reviewed_by: tuple[str, ...]
    machine_overall: float | None

    @property
    def label(self) -> str:
        """``72.0`` or ``72.0 (reviewed by kim; machine 64.5)``."""
        if self.overall is None:
            return "-"
        if not self.reviewed_by:
            return f"{self.overall:.1f}"
        machine = "" if self.machine_overall is None else f"; machine {self.machine_overall:.1f}"
        return f"{self.overall:.1f} (reviewed by {', '.join(self.reviewed_by)}{machine})"


def effective_score(attempt: Attempt) -> EffectiveScore:
    """The score a call counts with: the trainers' reviewed score where there is one, else the machine's.

    ``store.attempts()`` already carries it in ``overall``/``passed``; this names who reviewed it.
    """
    return EffectiveScore(attempt.overall, attempt.passed, attempt.reviewed_by,
                          attempt.machine_overall if attempt.reviewed_by else attempt.overall)


# -- loading what a review needs --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CallBasis:
    """What a stored call is scored again against: its scenario and rubric, and the scenario's file with
    its sha256 (None and "" for a recording scored against the built-in behaviour library)."""

    scenario: Scenario
    rubric: Rubric
    path: Path | None = None
    sha256: str = ""


def load_call_basis(stored: StoredCall, scenarios_dir: Path) -> CallBasis:
    """What the call was scored against: a recording's built-in library as its header keeps it, else the
    scenario file (``load_call_scenario``)."""
    header = stored.record.header
    if header.mode == CallMode.IMPORTED:
        from simulator.qa.importer import GENERIC_SCENARIO_ID, library_rubric, library_scenario

        if header.recording is None:
            raise ReviewError(f"call {stored.attempt.call_id[:8]} is a recording stored by an earlier callsim, "
                              "without what its scorecard was worked out with (its length, its speakers); store "
                              "it again (`callsim behaviour add FILE`) to review it")
        if header.scenario_id == GENERIC_SCENARIO_ID:
            scenario = library_scenario(header.recording)
            return CallBasis(scenario, library_rubric(Path(scenarios_dir), scenario))
    loaded = load_call_scenario(stored, scenarios_dir)
    return CallBasis(loaded.scenario, effective_rubric(loaded), loaded.path, loaded.sha256)


def load_call_scenario(stored: StoredCall, scenarios_dir: Path) -> LoadedScenario:
    """The scenario the call was played against: its recorded path, else ``scenarios_dir/<id>.yaml``."""
    header = stored.record.header
    candidates = [Path(header.scenario_path)] if header.scenario_path else []
    candidates.append(Path(scenarios_dir) / f"{header.scenario_id}.yaml")
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ReviewError(f"scenario {header.scenario_id!r} not found (looked at "
                          f"{', '.join(str(c) for c in candidates)}): reviewing rescores the call against it")
    try:
        return load_scenario(path)
    except FileProblems as problems:
        raise ReviewError(f"scenario {path} does not load: {str(problems).splitlines()[0]}") from None


def trainee_turns(record: CallRecord) -> dict[int, TurnRecord]:
    """Trainee turns with their analysis, by the 1-based number the scorecard shows."""
    return {t.analysis.turn_index: t for t in record.turns if t.analysis is not None}


# -- making an override -----------------------------------------------------------------------------
def parse_value(target: ReviewTarget, text: str | int | float | bool) -> int | float | bool:
    """The reviewer's value as typed (``strong``, ``yes``, ``72``) in the form the target takes."""
    raw = str(text).strip().lower()
    if target == ReviewTarget.EMPATHY:
        try:
            return int(EmpathyLevel.parse(int(raw) if raw.isdigit() else raw))
        except (KeyError, ValueError):
            raise ReviewError(f"empathy level {text!r}: use none, weak or strong (or 0, 1, 2)") from None
    if target == ReviewTarget.DIMENSION:
        try:
            score = float(raw)
        except ValueError:
            raise ReviewError(f"score {text!r}: a number from 0 to 100") from None
        if not 0 <= score <= 100:
            raise ReviewError(f"score {score:g}: a number from 0 to 100")
        return round(score, 1)
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    said = "said" if target == ReviewTarget.FORBIDDEN else "done"
    raise ReviewError(f"{target.value} value {text!r}: yes ({said}) or no")


def machine_value(stored: StoredCall, target: ReviewTarget, turn_index: int, item: str) -> int | float | bool | None:
    """What the machine judged, checking that the turn, step, phrase or dimension exists."""
    if target == ReviewTarget.DIMENSION:
        try:
            dimension = Dimension(item)
        except ValueError:
            raise ReviewError(f"dimension {item!r}: one of {', '.join(d.value for d in Dimension)}") from None
        return None if stored.scorecard is None else stored.scorecard.dimension(dimension).score
    turns = trainee_turns(stored.record)
    if turn_index not in turns:
        raise ReviewError(f"turn {turn_index}: the call has trainee turns 1-{max(turns, default=0)}")
    analysis = turns[turn_index].analysis
    assert analysis is not None  # trainee_turns keeps only analysed turns
    if target == ReviewTarget.EMPATHY:
        return int(analysis.empathy.level)
    if target == ReviewTarget.STEP:
        return item in analysis.step_ids
    return item in analysis.forbidden_ids


def check_item(scenario: Scenario, target: ReviewTarget, item: str) -> None:
    if target == ReviewTarget.STEP and item not in {s.id for s in scenario.script}:
        raise ReviewError(f"step {item!r} is not in scenario {scenario.id}'s script "
                          f"({', '.join(s.id for s in scenario.script)})")
    if target == ReviewTarget.FORBIDDEN and item not in {f.id for f in scenario.forbidden}:
        raise ReviewError(f"forbidden phrase {item!r} is not in scenario {scenario.id} "
                          f"({', '.join(f.id for f in scenario.forbidden) or 'it has none'})")


def new_override(stored: StoredCall, scenario: Scenario, reviewer: str, target: ReviewTarget, turn_index: int,
                 item: str, value: str | int | float | bool, reason: str) -> Override:
    if target == ReviewTarget.EMPATHY:
        item = ""
    if target == ReviewTarget.DIMENSION:
        turn_index = 0
    elif not item and target != ReviewTarget.EMPATHY:
        raise ReviewError(f"a {target.value} override names the {target.value} (its id in the scenario)")
    check_item(scenario, target, item)
    machine = machine_value(stored, target, turn_index, item)
    if target == ReviewTarget.DIMENSION and machine is None:
        raise ReviewError(f"{item} was not measured in this call (e.g. tone of a typed call): nothing to override")
    if not reason.strip():
        raise ReviewError("an override needs a reason (what the machine got wrong)")
    stamp = now_iso()
    return Override(stored.attempt.call_id, reviewer, target, turn_index, item, machine, parse_value(target, value),
                    reason.strip(), stamp, stamp)


# -- rescoring --------------------------------------------------------------------------------------
def latest_per_judgement(overrides: Iterable[Override]) -> list[Override]:
    """One override per judged thing: the most recently changed (trainers who disagree: the last word)."""
    latest: dict[tuple[str, int, str], Override] = {}
    for override in sorted(overrides, key=lambda o: (o.updated_at, o.reviewer)):
        latest[(override.target.value, override.turn_index, override.item)] = override
    return list(latest.values())


def _quote(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def _reviewed_turn(turn: TurnRecord, overrides: Sequence[Override], scenario: Scenario) -> TurnRecord:
    analysis = turn.analysis
    assert analysis is not None
    severity = {f.id: Severity[f.severity.name] for f in scenario.forbidden}
    for o in overrides:
        if o.target == ReviewTarget.EMPATHY:
            level = EmpathyLevel(int(o.reviewed))
            analysis = replace(analysis, empathy=EmpathyJudgement(level, level / 2, analysis.empathy.evidence))
        elif o.target == ReviewTarget.STEP:
            kept = tuple(h for h in analysis.steps_hit if h.step_id != o.item)
            added = (StepHit(o.item, _quote(turn.text), MatchKind.LITERAL, 1.0),) if o.reviewed else ()
            analysis = replace(analysis, steps_hit=kept + added)
        elif o.target == ReviewTarget.FORBIDDEN:
            others = tuple(h for h in analysis.forbidden if h.phrase_id != o.item)
            said = (ForbiddenHit(o.item, _quote(turn.text), severity.get(o.item, Severity.MAJOR), MatchKind.LITERAL),
                    ) if o.reviewed else ()
            analysis = replace(analysis, forbidden=others + said)
    return replace(turn, analysis=analysis)


def reviewed_record(record: CallRecord, overrides: Sequence[Override], scenario: Scenario) -> CallRecord:
    """The call as the reviewer heard it: their turn judgements laid over the recorded analyses."""
    by_turn: dict[int, list[Override]] = {}
    for o in overrides:
        if o.target != ReviewTarget.DIMENSION:
            by_turn.setdefault(o.turn_index, []).append(o)
    turns = tuple(_reviewed_turn(t, by_turn[t.analysis.turn_index], scenario)
                  if t.analysis is not None and t.analysis.turn_index in by_turn else t for t in record.turns)
    return replace(record, turns=turns)


def _review_evidence(o: Override) -> ScoreEvidence:
    if o.target == ReviewTarget.DIMENSION:
        dimension = Dimension(o.item)
    else:
        dimension = Dimension.EMPATHY if o.target == ReviewTarget.EMPATHY else Dimension.COMPLIANCE
    shown = {True: "yes", False: "no"}
    before = shown.get(o.machine, o.machine) if isinstance(o.machine, bool) else o.machine
    after = shown.get(o.reviewed, o.reviewed) if isinstance(o.reviewed, bool) else o.reviewed
    return ScoreEvidence(rule=REVIEW_RULE, quote="", detail=f"reviewed by {o.reviewer}: {o.what} {before} -> "
                         f"{after} ({o.reason})", weight=0.0, turn_index=o.turn_index or None, dimension=dimension)


def with_dimension_scores(card: Scorecard, scores: dict[Dimension, float], rubric: Rubric,
                          words: Wording = ENGLISH) -> Scorecard:
    """The card with these dimension scores, the overall and the verdict worked out again; the score reasons
    are said again in the card's language (``words``), the verdict's other reasons (critical phrases, the
    ending) stand."""
    dimensions = tuple(replace(d, score=scores[d.dimension], passed=scores[d.dimension] >= d.pass_mark)
                       if d.dimension in scores else d for d in card.dimensions)
    return rescored(card, dimensions, rubric, words)


def scored_again(record: CallRecord, basis: CallBasis) -> Scorecard:
    """The call scored as it was first scored: a recording with the facts its header keeps."""
    if record.header.mode == CallMode.IMPORTED:
        from simulator.qa.importer import score_recording

        return score_recording(record, basis.scenario, basis.rubric)
    from simulator.scoring.call_scorer import score_call

    return score_call(record, basis.scenario, basis.rubric)


def reviewed_scorecard(stored: StoredCall, overrides: Sequence[Override], basis: CallBasis) -> Scorecard:
    """The machine's scorecard with these overrides applied (each judged thing: the latest override)."""
    if stored.scorecard is None:
        raise ReviewError(f"call {stored.attempt.call_id[:8]} has no scorecard yet (run `callsim recover`)")
    chosen = latest_per_judgement(overrides)
    rubric = basis.rubric
    card = stored.scorecard
    if any(o.target != ReviewTarget.DIMENSION for o in chosen):
        card = scored_again(reviewed_record(stored.record, chosen, basis.scenario), basis)
    scores = {Dimension(o.item): float(o.reviewed) for o in chosen if o.target == ReviewTarget.DIMENSION}
    if scores:
        card = with_dimension_scores(card, scores, rubric, wording_for(basis.scenario.language))
    notes = tuple(_review_evidence(o) for o in chosen)
    dimensions = tuple(replace(d, evidence=d.evidence + tuple(n for n in notes if n.dimension == d.dimension))
                       for d in card.dimensions)
    return replace(card, dimensions=dimensions, scorer=f"{stored.scorecard.scorer}+review")


# -- the review, as stored ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CallReviewView:
    """Everything a review screen or ``callsim review show`` presents about one call."""

    stored: StoredCall
    overrides: tuple[Override, ...]
    notes: tuple[ReviewNote, ...]
    audit: tuple[Any, ...]

    @property
    def reviewed_by(self) -> tuple[str, ...]:
        return self.stored.attempt.reviewed_by


def view_call(store: Any, call_id: str) -> CallReviewView:
    stored = store.get_call(call_id)
    full_id = stored.attempt.call_id
    return CallReviewView(stored, tuple(store.overrides(full_id)), tuple(store.notes(full_id)),
                          tuple(store.audit(full_id)))


def _cards_after(store: Any, stored: StoredCall, reviewer: str, basis: CallBasis,
                 change: Override | None) -> tuple[Scorecard, Scorecard]:
    """(this reviewer's card, the call's card) once ``change`` is made."""
    existing = store.overrides(stored.attempt.call_id)
    if change is not None:
        existing = [o for o in existing if not (o.reviewer == change.reviewer and o.target == change.target
                                                 and o.turn_index == change.turn_index and o.item == change.item)]
        existing.append(change)
    mine = [o for o in existing if o.reviewer == reviewer]
    return reviewed_scorecard(stored, mine, basis), reviewed_scorecard(stored, existing, basis)


@dataclass(frozen=True, slots=True)
class Change:
    """One judgement a reviewer changes: ``turn_index`` 0 (and ``item`` a dimension) for the whole call."""

    target: ReviewTarget
    turn_index: int
    item: str
    value: str | int | float | bool
    reason: str


def override(store: Any, call_id: str, reviewer: str, wanted: Change, scenarios_dir: Path
             ) -> tuple[Override, Scorecard]:
    """Override one judgement; returns the override kept and the call's reviewed scorecard."""
    stored = store.get_call(call_id)
    basis = load_call_basis(stored, scenarios_dir)
    change = new_override(stored, basis.scenario, reviewer, ReviewTarget(wanted.target), wanted.turn_index,
                          wanted.item, wanted.value, wanted.reason)
    mine, whole = _cards_after(store, stored, reviewer, basis, change)
    kept = store.set_override(change, reviewer_card=mine, call_card=whole)
    return kept, whole


def accept(store: Any, call_id: str, reviewer: str, scenarios_dir: Path) -> Scorecard:
    """Sign a call off: the reviewer agrees with every judgement they did not override."""
    stored = store.get_call(call_id)
    basis = load_call_basis(stored, scenarios_dir)
    mine, whole = _cards_after(store, stored, reviewer, basis, None)
    store.accept_call(stored.attempt.call_id, reviewer, reviewer_card=mine, call_card=whole)
    return whole


def add_note(store: Any, call_id: str, author: str, text: str, *, at_s: float | None = None,
             turn_index: int | None = None) -> ReviewNote:
    """A note at a moment of the call (``at_s`` on the call clock) or at a trainee turn.

    A time is tied to the trainee turn under way then; a turn alone is placed at its start (0 in a
    typed call, whose turns have no clock times)."""
    stored = store.get_call(call_id)
    turns = trainee_turns(stored.record)
    if turn_index is not None:
        if turn_index not in turns:
            raise ReviewError(f"turn {turn_index}: the call has trainee turns 1-{max(turns, default=0)}")
        if at_s is None:
            at_s = turns[turn_index].start_s or 0.0
    elif at_s is None:
        raise ReviewError("a note needs a time on the call clock or a trainee turn")
    else:
        for number, turn in sorted(turns.items()):
            if turn.start_s is not None and turn.start_s <= at_s:
                turn_index = number
    return store.add_note(stored.attempt.call_id, author, at_s, text, turn_index)


def notes_for(store: Any, call_id: str | None) -> tuple[ReviewNote, ...]:
    """A call's trainer notes for the trainee's results and replay; none for a call not in the store."""
    if call_id is None or not hasattr(store, "notes"):
        return ()
    return tuple(store.notes(call_id))


def scenario_changed(store: Any, call_id: str, scenarios_dir: Path) -> str | None:
    """A warning when the scenario file differs from the one the call was played against: turn
    overrides rescore the call, so the reviewed score is then judged against the file as it is now."""
    stored = store.get_call(call_id)
    basis = load_call_basis(stored, scenarios_dir)
    if not stored.record.header.scenario_sha256 or basis.sha256 == stored.record.header.scenario_sha256:
        return None
    return (f"{basis.path} has changed since call {stored.attempt.call_id[:8]} was played: a turn override "
            "rescores the call against the file as it is now")


def scenario_or_none(stored: StoredCall, scenarios_dir: Path) -> Scenario | None:
    """The call's scenario, or None when it is gone (calibration then works from what was flagged)."""
    try:
        return load_call_basis(stored, scenarios_dir).scenario
    except ReviewError:
        return None


def parse_change(text: str) -> tuple[ReviewTarget, str, str]:
    """A change as a trainer types it on the review screen: ``empathy strong``, ``step verify no``,
    ``forbidden calm-down yes``, ``tone 72`` (or ``dimension tone 72``)."""
    words = text.split()
    if words and words[0].lower() == "dimension":
        words = words[1:]
    if len(words) == 2 and words[0].lower() == "empathy" and not words[1].replace(".", "").isdigit():
        return ReviewTarget.EMPATHY, "", words[1]
    if len(words) == 2 and words[0].lower() in {d.value for d in Dimension}:
        return ReviewTarget.DIMENSION, words[0].lower(), words[1]
    if len(words) == 3 and words[0].lower() in {"step", "forbidden"}:
        return ReviewTarget(words[0].lower()), words[1], words[2]
    raise ReviewError(f"{text.strip() or '(nothing)'}: write e.g. 'empathy strong', 'step verify no', "
                      "'forbidden calm-down yes' or 'tone 72'")


# -- saying so: which figures rest on a reviewed score ---------------------------------------------------
def reviewed_among(attempts: Iterable[Attempt], call_ids: Iterable[str] | None = None) -> list[Attempt]:
    """The reviewed calls among ``attempts`` (only those in ``call_ids`` if given), oldest first."""
    wanted = None if call_ids is None else set(call_ids)
    return [a for a in attempts if a.reviewed_by and (wanted is None or a.call_id in wanted)]


def reviewed_lines(attempts: Iterable[Attempt]) -> list[str]:
    """Lines for a text report: each reviewed call with its machine and reviewed score."""
    found = list(attempts)
    if not found:
        return []
    return ["  counted with a trainer's reviewed score:"] + [
        f"    {a.call_id[:8]} {a.scenario_id}: {effective_score(a).label}" for a in found]


def reviewed_json(attempts: Iterable[Attempt]) -> list[dict[str, Any]]:
    return [{"call_id": a.call_id, "scenario": a.scenario_id, "overall": a.overall,
             "machine_overall": a.machine_overall, "reviewed_by": list(a.reviewed_by)} for a in attempts]
