"""callsim commands: Trainees and teams, call history, ratings and crash recovery."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from simulator.store.types import Attempt


def register(subparsers: argparse._SubParsersAction) -> None:
    trainee = subparsers.add_parser("trainee", help="add, list or move trainees")
    trainee_sub = trainee.add_subparsers(dest="action", required=True)
    add = trainee_sub.add_parser("add", help="add a trainee")
    add.add_argument("name")
    add.add_argument("--team")
    db_flag(add)
    add.set_defaults(func=cmd_trainee_add)
    listing = trainee_sub.add_parser("list", help="list trainees")
    listing.add_argument("--team")
    listing.add_argument("--json", action="store_true")
    db_flag(listing)
    listing.set_defaults(func=cmd_trainee_list)
    move = trainee_sub.add_parser("move", help="put a trainee in a team (--team '' for none)")
    move.add_argument("name")
    move.add_argument("--team", required=True)
    db_flag(move)
    move.set_defaults(func=cmd_trainee_move)

    team = subparsers.add_parser("team", help="add or list teams")
    team_sub = team.add_subparsers(dest="action", required=True)
    team_add = team_sub.add_parser("add", help="add a team")
    team_add.add_argument("name")
    db_flag(team_add)
    team_add.set_defaults(func=cmd_team_add)
    team_list = team_sub.add_parser("list", help="list teams and members")
    team_list.add_argument("--json", action="store_true")
    db_flag(team_list)
    team_list.set_defaults(func=cmd_team_list)

    history = subparsers.add_parser("history", help="a trainee's calls (or everyone's), with scores and call ids")
    history.add_argument("trainee", nargs="?")
    history.add_argument("--scenario")
    history.add_argument("--json", action="store_true")
    db_flag(history)
    history.set_defaults(func=cmd_history)

    rate = subparsers.add_parser("rate", help="rate a call 1-5 stars (the trainee's reaction)")
    rate.add_argument("call_id", help="call id (a unique prefix is enough)")
    rate.add_argument("stars", type=int, choices=range(1, 6), metavar="1-5")
    rate.add_argument("--comment")
    db_flag(rate)
    rate.set_defaults(func=cmd_rate)

    recover = subparsers.add_parser("recover", help="find calls left unfinished by a crash and keep them")
    recover.add_argument("--json", action="store_true")
    db_flag(recover)
    recover.set_defaults(func=cmd_recover)


@store_errors
def cmd_trainee_add(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        person = store.create_trainee(args.name, args.team)
    print(f"added trainee {person.name}" + (f" (team {person.team})" if person.team else ""))
    return 0


@store_errors
def cmd_trainee_list(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        people = store.list_trainees(args.team)
        counts = {p.name: len(store.attempts(p.name)) for p in people}
    if args.json:
        print_json([{"name": p.name, "team": p.team, "created_at": p.created_at, "calls": counts[p.name]}
                     for p in people])
    else:
        for person in people:
            print(f"{person.name:<24} {person.team or '-':<16} {counts[person.name]} call(s)")
    return 0


@store_errors
def cmd_trainee_move(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        person = store.set_team(args.name, args.team or None)
    print(f"{person.name} is now in team {person.team or '(none)'}")
    return 0


@store_errors
def cmd_team_add(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        team = store.create_team(args.name)
    print(f"added team {team.name}")
    return 0


@store_errors
def cmd_team_list(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        teams = store.list_teams()
        members = {t.name: [p.name for p in store.list_trainees(t.name)] for t in teams}
    if args.json:
        print_json([{"name": t.name, "members": members[t.name]} for t in teams])
    else:
        for team in teams:
            print(f"{team.name:<20} {', '.join(members[team.name]) or '(no members)'}")
    return 0


@store_errors
def cmd_history(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        if args.trainee and store.get_trainee(args.trainee) is None:
            return fail(f"no trainee named {args.trainee!r}")
        attempts = store.attempts(args.trainee, args.scenario)
    return print_listing(attempts, args.json, attempt_json, _attempt_line, "no calls stored yet")


def _attempt_line(a: Attempt) -> str:
    verdict = "pass" if a.passed else ("fail" if a.passed is False else a.status.value)
    return (f"{a.call_id[:8]}  {a.started_at[:16]}  {a.trainee or '-':<14} {a.scenario_id:<26} "
            f"{score_text(a.overall)} {verdict:<10} {a.kind.value:<8} {a.outcome.value if a.outcome else ''}"
            + (f"  reviewed by {', '.join(a.reviewed_by)} (machine {score_text(a.machine_overall).strip()})"
               if a.reviewed_by else ""))


@store_errors
def cmd_rate(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        rating = store.rate(args.call_id, args.stars, args.comment)
    print(f"rated call {rating.call_id[:8]}: {rating.stars}/5")
    return 0


@store_errors
def cmd_recover(args: argparse.Namespace) -> int:
    from simulator.lab.recovery import recover

    with open_for(args) as store:
        report = recover(store, load_settings().scenarios_dir)
        unfinished = store.unfinished()
    if args.json:
        print_json({"recovered": [{
            "call_id": r.call_id, "scenario": r.scenario_id, "trainee": r.trainee, "turns_kept": r.turns_kept,
            "turns_imported": r.turns_imported, "status": r.status.value, "folder": r.folder}
            for r in report.recovered], "rescored": list(report.rescored),
            "not_rescored": [{"call_id": c, "why": why} for c, why in report.not_rescored],
            "unfinished": [attempt_json(a) for a in unfinished]})
        return 0
    for r in report.recovered:
        print(f"recovered call {r.call_id[:8]} ({r.scenario_id}, {r.trainee or 'no trainee'}): "
              f"{r.turns_kept} turn(s) kept, {r.turns_imported} imported from {r.folder}; now {r.status.value}")
    for call_id in report.rescored:
        print(f"scored call {call_id[:8]} (it had ended without a scorecard)")
    for call_id, why in report.not_rescored:
        print(f"call {call_id[:8]} stays unscored: {why}")
    print(f"{len(unfinished)} unfinished call(s) kept in the store")
    return 0
