"""callsim commands: trainer review of a call (overrides, notes, sign-off, audit) and calibration."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.config import load_settings
from simulator.lab.cli.common import db_flag, fail, open_for, print_json, print_listing, store_errors

if TYPE_CHECKING:
    from simulator.store.types import AuditEntry


def register(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Adds ``review`` and ``calibration``; returns the review actions (the app adds ``open`` to them)."""
    review = subparsers.add_parser("review", help="a trainer's review of a call: override judgements, add notes")
    actions = review.add_subparsers(dest="action", required=True)

    show = actions.add_parser("show", help="the call's transcript, machine and reviewed judgements, notes")
    show.add_argument("call", metavar="CALL_ID")
    show.add_argument("--json", action="store_true")
    db_flag(show)
    show.set_defaults(func=cmd_review_show)

    change = actions.add_parser("override", help="override one judgement, with a reason (the machine's is kept)")
    change.add_argument("call", metavar="CALL_ID")
    change.add_argument("--by", required=True, metavar="TRAINER", help="who is reviewing (kept in the audit)")
    change.add_argument("--turn", type=int, default=0, help="trainee turn, 1-based (as the scorecard numbers them)")
    what = change.add_mutually_exclusive_group(required=True)
    what.add_argument("--empathy", metavar="LEVEL", help="the turn's empathy: none, weak or strong")
    what.add_argument("--step", metavar="STEP=yes|no", help="whether the turn performed a script step")
    what.add_argument("--forbidden", metavar="PHRASE=yes|no", help="whether the turn said a forbidden phrase")
    what.add_argument("--dimension", metavar="DIM=SCORE", help="a dimension's score for the call (0-100)")
    change.add_argument("--reason", required=True, help="what the machine got wrong, in plain words")
    change.add_argument("--json", action="store_true")
    db_flag(change)
    change.set_defaults(func=cmd_review_override)

    note = actions.add_parser("note", help="a note at a moment of the call, shown to the trainee")
    note.add_argument("call", metavar="CALL_ID")
    note.add_argument("text")
    note.add_argument("--by", required=True, metavar="TRAINER")
    when = note.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", type=float, metavar="SECONDS", help="time on the call clock")
    when.add_argument("--turn", type=int, help="trainee turn, 1-based")
    note.add_argument("--json", action="store_true")
    db_flag(note)
    note.set_defaults(func=cmd_review_note)

    sign = actions.add_parser("accept", help="sign a call off: you agree with every judgement you did not override")
    sign.add_argument("call", metavar="CALL_ID")
    sign.add_argument("--by", required=True, metavar="TRAINER")
    sign.add_argument("--json", action="store_true")
    db_flag(sign)
    sign.set_defaults(func=cmd_review_accept)

    audit = actions.add_parser("audit", help="every review change, with who and when")
    audit.add_argument("call", nargs="?", metavar="CALL_ID")
    audit.add_argument("--json", action="store_true")
    db_flag(audit)
    audit.set_defaults(func=cmd_review_audit)

    calibration = subparsers.add_parser("calibration", help="agreement of trainers with the machine and each other")
    calibration.add_argument("--team", help="only calls of this team's trainees")
    calibration.add_argument("--export-labels", type=Path, metavar="FILE.jsonl",
                             help="also write overridden turns as labelled replies (items.jsonl format)")
    calibration.add_argument("--json", action="store_true")
    db_flag(calibration)
    calibration.set_defaults(func=cmd_calibration)
    return actions


def _scenarios_dir() -> Path:
    return load_settings().scenarios_dir


def _target_and_value(args: argparse.Namespace) -> tuple[Any, str, str]:
    from simulator.lab.review import ReviewError
    from simulator.store.types import ReviewTarget

    if args.empathy is not None:
        return ReviewTarget.EMPATHY, "", args.empathy
    for target, given in ((ReviewTarget.STEP, args.step), (ReviewTarget.FORBIDDEN, args.forbidden),
                          (ReviewTarget.DIMENSION, args.dimension)):
        if given is not None:
            item, sep, value = given.partition("=")
            if not sep or not item.strip() or not value.strip():
                raise ReviewError(f"--{target.value} {given!r}: write ID=VALUE, e.g. verify=yes or tone=72")
            return target, item.strip(), value.strip()
    raise ReviewError("say what to override: --empathy, --step, --forbidden or --dimension")


def override_json(o: Any) -> dict[str, Any]:
    return {"call_id": o.call_id, "reviewer": o.reviewer, "target": o.target.value, "turn": o.turn_index,
            "item": o.item, "machine": o.machine, "reviewed": o.reviewed, "reason": o.reason,
            "created_at": o.created_at, "updated_at": o.updated_at}


def note_json(n: Any) -> dict[str, Any]:
    return {"id": n.id, "call_id": n.call_id, "author": n.author, "at_s": n.at_s, "turn": n.turn_index,
            "text": n.text, "created_at": n.created_at}


def _card_json(card: Any) -> dict[str, Any] | None:
    if card is None:
        return None
    return {"overall": card.overall, "passed": card.passed, "fail_reasons": list(card.fail_reasons),
            "dimensions": {d.dimension.value: d.score for d in card.dimensions}}


@store_errors
def cmd_review_show(args: argparse.Namespace) -> int:
    from simulator.lab.review import view_call
    from simulator.lab.review_text import describe_review

    with open_for(args) as store:
        view = view_call(store, args.call)
    if args.json:
        stored = view.stored
        print_json({"call_id": stored.attempt.call_id, "trainee": stored.attempt.trainee,
                    "scenario": stored.attempt.scenario_id, "reviewed_by": list(view.reviewed_by),
                    "machine": _card_json(stored.scorecard), "reviewed": _card_json(stored.reviewed),
                    "turns": [{"position": t.index, "speaker": t.speaker.value, "text": t.text, "start_s": t.start_s,
                               "turn": t.analysis.turn_index if t.analysis else None,
                               "empathy": int(t.analysis.empathy.level) if t.analysis else None,
                               "steps": list(t.analysis.step_ids) if t.analysis else [],
                               "forbidden": list(t.analysis.forbidden_ids) if t.analysis else []}
                              for t in stored.record.turns],
                    "overrides": [override_json(o) for o in view.overrides],
                    "notes": [note_json(n) for n in view.notes]})
        return 0
    print(describe_review(view))
    return 0


@store_errors
def cmd_review_override(args: argparse.Namespace) -> int:
    from simulator.lab.review import Change, override, scenario_changed

    target, item, value = _target_and_value(args)
    with open_for(args) as store:
        warning = scenario_changed(store, args.call, _scenarios_dir())
        kept, card = override(store, args.call, args.by, Change(target, args.turn, item, value, args.reason),
                              _scenarios_dir())
    if warning:
        print(f"callsim: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({"override": override_json(kept), "reviewed": _card_json(card)})
        return 0
    print(f"{kept.call_id[:8]} {kept.what}: machine {kept.machine} -> {kept.reviewed} by {kept.reviewer}; "
          f"reviewed score {card.overall:.1f} {'PASSED' if card.passed else 'NOT PASSED'}")
    return 0


@store_errors
def cmd_review_note(args: argparse.Namespace) -> int:
    from simulator.lab.review import add_note

    with open_for(args) as store:
        note = add_note(store, args.call, args.by, args.text, at_s=args.at, turn_index=args.turn)
    if args.json:
        print_json(note_json(note))
        return 0
    turn = f" (turn {note.turn_index})" if note.turn_index is not None else ""
    print(f"{note.call_id[:8]} note at {note.at_s:.1f} s{turn} by {note.author}: {note.text}")
    return 0


@store_errors
def cmd_review_accept(args: argparse.Namespace) -> int:
    from simulator.lab.review import accept

    with open_for(args) as store:
        card = accept(store, args.call, args.by, _scenarios_dir())
        call_id = store.resolve_call_id(args.call)
    if args.json:
        print_json({"call_id": call_id, "reviewer": args.by, "reviewed": _card_json(card)})
        return 0
    print(f"{call_id[:8]} signed off by {args.by}: reviewed score {card.overall:.1f}")
    return 0


@store_errors
def cmd_review_audit(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        call_id = store.resolve_call_id(args.call) if args.call else None
        entries = store.audit(call_id)
    return print_listing(entries, args.json, lambda e: {
        "call_id": e.call_id, "actor": e.actor, "action": e.action, "target": e.target,
        "before": e.before, "after": e.after, "reason": e.reason, "at": e.at}, _audit_line, "no review changes yet")


def _audit_line(e: AuditEntry) -> str:
    change = f"{e.before} -> {e.after}" if e.action == "override" else str(e.after)
    reason = f" ({e.reason})" if e.reason else ""
    return f"{e.at}  {e.call_id[:8]}  {e.actor:<12} {e.action:<8} {e.target}: {change}{reason}"


@store_errors
def cmd_calibration(args: argparse.Namespace) -> int:
    from simulator.lab.calibration import (
        calibration_report,
        calibration_to_json,
        describe_calibration,
        labelled_items,
        write_items,
    )
    from simulator.lab.review import scenario_or_none

    scenarios_dir = _scenarios_dir()
    with open_for(args) as store:
        if args.team and store.get_team(args.team) is None:
            return fail(f"no team named {args.team!r}")
        calls = {a.call_id for a in store.attempts(team=args.team)} if args.team else None
        report = calibration_report(store, lambda stored: scenario_or_none(stored, scenarios_dir), calls)
        items = labelled_items(store, lambda stored: scenario_or_none(stored, scenarios_dir)) \
            if args.export_labels else []
    if args.export_labels:
        try:
            write_items(items, args.export_labels)
        except OSError as err:
            return fail(f"cannot write {args.export_labels}: {err}")
    if args.json:
        data = calibration_to_json(report)
        if args.export_labels:
            data["exported"] = {"file": str(args.export_labels), "items": len(items)}
        print_json(data)
        return 0
    print(describe_calibration(report))
    if args.export_labels:
        print(f"\n{len(items)} labelled reply(ies) -> {args.export_labels} "
              "(retrain: python -m simulator.analysis.behaviour.train --items FILE)")
    return 0
