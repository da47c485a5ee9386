"""A call under review as text: the synced transcript with the machine's and the reviewers'
judgements of each trainee turn, the notes at their times, and the scores both ways."""

from __future__ import annotations

from simulator.contracts import EmpathyLevel, Speaker
from simulator.lab.review import CallReviewView
from simulator.store.types import Override, ReviewTarget


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "  -  "
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def _override_line(o: Override) -> str:
    if o.target == ReviewTarget.EMPATHY:
        change = f"{EmpathyLevel(int(o.machine or 0)).name.lower()} -> {EmpathyLevel(int(o.reviewed)).name.lower()}"
    else:
        change = f"{o.machine} -> {o.reviewed}"
    return f"    reviewed by {o.reviewer}: {o.target.value}{' ' + o.item if o.item else ''} {change} ({o.reason})"


def describe_review(view: CallReviewView) -> str:
    stored = view.stored
    attempt = stored.attempt
    lines = [f"Call {attempt.call_id[:8]}  {attempt.scenario_id}  {attempt.trainee or 'no trainee'}  "
             f"{attempt.started_at[:16]}"]
    if stored.scorecard is not None:
        lines.append(f"  machine score  {stored.scorecard.overall:5.1f} "
                     f"{'PASSED' if stored.scorecard.passed else 'NOT PASSED'}")
    if stored.reviewed is not None:
        lines.append(f"  reviewed score {stored.reviewed.overall:5.1f} "
                     f"{'PASSED' if stored.reviewed.passed else 'NOT PASSED'} (reviewed by "
                     f"{', '.join(view.reviewed_by)})")
    lines.append("")
    by_turn: dict[int, list[Override]] = {}
    for o in view.overrides:
        by_turn.setdefault(o.turn_index, []).append(o)
    notes = list(view.notes)
    for turn in stored.record.turns:
        while notes and turn.start_s is not None and notes[0].at_s < turn.start_s:
            note = notes.pop(0)
            lines.append(f"  {clock(note.at_s)}  NOTE {note.author}: {note.text}")
        who = "customer" if turn.speaker == Speaker.CUSTOMER else "trainee "
        lines.append(f"  {clock(turn.start_s)}  {who} {turn.text or '(silence)'}")
        analysis = turn.analysis
        if analysis is None:
            continue
        number = analysis.turn_index
        judged = [f"empathy {analysis.empathy.level.name.lower()}"]
        if analysis.step_ids:
            judged.append("steps " + ", ".join(analysis.step_ids))
        if analysis.forbidden_ids:
            judged.append("forbidden " + ", ".join(analysis.forbidden_ids))
        lines.append(f"    turn {number}, machine: {'; '.join(judged)}")
        lines += [_override_line(o) for o in by_turn.get(number, ())]
        lines += [f"    NOTE {n.author}: {n.text}" for n in notes if n.turn_index == number and n.at_s <= (
            turn.end_s if turn.end_s is not None else n.at_s)]
        notes = [n for n in notes if not (n.turn_index == number and n.at_s <= (
            turn.end_s if turn.end_s is not None else n.at_s))]
    lines += [f"  {clock(n.at_s)}  NOTE {n.author}: {n.text}" for n in notes]
    lines += [_override_line(o).replace("    ", "  ", 1) for o in by_turn.get(0, ())]
    return "\n".join(lines)
