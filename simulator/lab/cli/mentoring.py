"""callsim commands: mentoring (师带徒): pair mentors with apprentices, set them scenarios or drills with a
due date and a target score, follow their calls and leave feedback."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from simulator.config import load_settings
from simulator.lab.cli.common import (
    attempt_json,
    db_flag,
    fail,
    open_for,
    print_json,
    print_listing,
    score_text,
    store_errors,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    mentor = subparsers.add_parser("mentor", help="mentoring: pairs, assignments with due dates, feedback")
    sub = mentor.add_subparsers(dest="action", required=True)

    pair = sub.add_parser("pair", help="pair a mentor (created if new) with apprentices (existing trainees)")
    pair.add_argument("mentor")
    pair.add_argument("apprentices", nargs="+", metavar="APPRENTICE")
    _json_db(pair, cmd_mentor_pair)

    unpair = sub.add_parser("unpair", help="end a pairing (its assignments and feedback go with it)")
    unpair.add_argument("mentor")
    unpair.add_argument("apprentice")
    _json_db(unpair, cmd_mentor_unpair)

    listing = sub.add_parser("list", help="mentor-apprentice pairs")
    listing.add_argument("--mentor")
    listing.add_argument("--apprentice")
    _json_db(listing, cmd_mentor_list)

    assign = sub.add_parser("assign", help="set an apprentice a scenario or drill, a target score and a due date")
    assign.add_argument("mentor")
    assign.add_argument("apprentice")
    what = assign.add_mutually_exclusive_group(required=True)
    what.add_argument("--scenario", help="scenario id: any call of it counts")
    what.add_argument("--drill", help="drill id: a completed run counts, scored as the mean of its stages")
    assign.add_argument("--target", type=float, required=True, help="the score to reach, 0-100")
    assign.add_argument("--due", required=True, help="ISO date (end of that day, UTC) or date and time")
    assign.add_argument("--note", help="what to work on")
    _json_db(assign, cmd_mentor_assign)

    status = sub.add_parser("assignments", help="assignments and where they stand: open, done or overdue")
    status.add_argument("--mentor")
    status.add_argument("--apprentice")
    status.add_argument("--team", help="the apprentices in this team")
    status.add_argument("--status", choices=["open", "done", "overdue"])
    status.add_argument("--now", help="judge as of this ISO date/time instead of now (reviews, tests)")
    _json_db(status, cmd_mentor_assignments)

    cancel = sub.add_parser("cancel", help="withdraw an assignment")
    cancel.add_argument("assignment_id", help="id or unique prefix")
    _json_db(cancel, cmd_mentor_cancel)

    calls = sub.add_parser("calls", help="an apprentice's calls with the mentor's feedback on each")
    calls.add_argument("mentor")
    calls.add_argument("apprentice")
    _json_db(calls, cmd_mentor_calls)

    feedback = sub.add_parser("feedback", help="leave feedback on an apprentice's call (or in general)")
    feedback.add_argument("mentor")
    feedback.add_argument("text")
    about = feedback.add_mutually_exclusive_group(required=True)
    about.add_argument("--call", help="the call (id or unique prefix); its trainee is the apprentice")
    about.add_argument("--apprentice", help="general feedback, not about one call")
    _json_db(feedback, cmd_mentor_feedback)


def _json_db(parser: argparse.ArgumentParser, func: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    db_flag(parser)
    parser.set_defaults(func=func)


def _now(text: str | None) -> datetime:
    from simulator.lab.mentoring import parse_moment

    return parse_moment(text) if text else datetime.now(UTC)


def feedback_json(item: Any) -> dict[str, Any]:
    return {"mentor": item.mentor, "apprentice": item.apprentice, "call_id": item.call_id, "text": item.text,
            "created_at": item.created_at}


@store_errors
def cmd_mentor_pair(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        pairs = [store.pair(args.mentor, apprentice) for apprentice in args.apprentices]
    if args.json:
        print_json([{"mentor": p.mentor, "apprentice": p.apprentice, "started_at": p.started_at} for p in pairs])
    else:
        print(f"{args.mentor} mentors {', '.join(p.apprentice for p in pairs)}")
    return 0


@store_errors
def cmd_mentor_unpair(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        store.unpair(args.mentor, args.apprentice)
    if args.json:
        print_json({"mentor": args.mentor, "apprentice": args.apprentice, "paired": False})
    else:
        print(f"{args.mentor} no longer mentors {args.apprentice}")
    return 0


@store_errors
def cmd_mentor_list(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        pairs = store.mentorships(args.mentor, args.apprentice)
    return print_listing(pairs, args.json,
                         lambda p: {"mentor": p.mentor, "apprentice": p.apprentice, "started_at": p.started_at},
                         lambda p: f"{p.mentor:<20} -> {p.apprentice:<20} since {p.started_at[:10]}",
                         "no mentors yet: callsim mentor pair MENTOR APPRENTICE")


@store_errors
def cmd_mentor_assign(args: argparse.Namespace) -> int:
    from simulator.lab.drills import resolve_drill_path
    from simulator.lab.mentoring import due_text
    from simulator.store.coaching import TargetKind

    scenarios_dir = load_settings().scenarios_dir
    if args.scenario and not (scenarios_dir / f"{args.scenario}.yaml").is_file():
        return fail(f"no scenario {args.scenario!r} in {scenarios_dir} (see `callsim list`)")
    if args.drill and not resolve_drill_path(args.drill, scenarios_dir).is_file():
        return fail(f"no drill {args.drill!r} in {scenarios_dir / 'drills'}")
    try:
        due = due_text(args.due)
    except ValueError as err:
        return fail(f"--due: {err}")
    kind, target = (TargetKind.SCENARIO, args.scenario) if args.scenario else (TargetKind.DRILL, args.drill)
    with open_for(args) as store:
        made = store.assign(args.mentor, args.apprentice, kind, target, target_score=args.target, due_at=due,
                            note=args.note)
    if args.json:
        print_json({"assignment_id": made.assignment_id, "mentor": made.mentor, "apprentice": made.apprentice,
                    "target_kind": made.target_kind.value, "target": made.target_id,
                    "target_score": made.target_score, "due_at": made.due_at, "note": made.note,
                    "created_at": made.created_at})
    else:
        print(f"assignment {made.assignment_id[:8]}: {made.apprentice} to reach {made.target_score:.0f} on "
              f"{made.target_kind.value} {made.target_id} by {made.due_at[:16]}")
    return 0


@store_errors
def cmd_mentor_assignments(args: argparse.Namespace) -> int:
    from simulator.lab.mentoring import describe_progress, progress_for, progress_to_json

    try:
        now = _now(args.now)
    except ValueError as err:
        return fail(f"--now: {err}")
    with open_for(args) as store:
        found = progress_for(store, store.assignments(mentor=args.mentor, apprentice=args.apprentice,
                                                      team=args.team), now)
    if args.status:
        found = [p for p in found if p.status.value == args.status]
    return print_listing(found, args.json, progress_to_json, describe_progress, "no assignments")


@store_errors
def cmd_mentor_cancel(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        withdrawn = store.cancel_assignment(args.assignment_id)
    if args.json:
        print_json({"assignment_id": withdrawn, "withdrawn": True})
    else:
        print(f"assignment {withdrawn[:8]} withdrawn")
    return 0


@store_errors
def cmd_mentor_calls(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        if not any(p.apprentice == args.apprentice for p in store.mentorships(args.mentor, args.apprentice)):
            return fail(f"{args.mentor} is not {args.apprentice}'s mentor")
        calls = store.attempts(args.apprentice)
        notes = store.feedback(mentor=args.mentor, apprentice=args.apprentice)
    by_call: dict[str | None, list[Any]] = {}
    for item in notes:
        by_call.setdefault(item.call_id, []).append(item)
    if args.json:
        print_json({"apprentice": args.apprentice, "mentor": args.mentor,
                    "calls": [{**attempt_json(a), "feedback": [feedback_json(f) for f in by_call.get(a.call_id, [])]}
                              for a in calls],
                    "general_feedback": [feedback_json(f) for f in by_call.get(None, [])]})
        return 0
    for a in calls:
        verdict = "pass" if a.passed else ("fail" if a.passed is False else a.status.value)
        print(f"{a.call_id[:8]}  {a.started_at[:16]}  {a.scenario_id:<26} {score_text(a.overall)} {verdict:<10} "
              f"{a.kind.value}")
        for item in by_call.get(a.call_id, []):
            print(f"          feedback: {item.text}")
    for item in by_call.get(None, []):
        print(f"feedback ({item.created_at[:10]}): {item.text}")
    return 0


@store_errors
def cmd_mentor_feedback(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        item = store.leave_feedback(args.mentor, args.text, call_id=args.call, apprentice=args.apprentice)
    if args.json:
        print_json(feedback_json(item))
    else:
        print(f"feedback for {item.apprentice}" + (f" on call {item.call_id[:8]}" if item.call_id else "") + " saved")
    return 0
