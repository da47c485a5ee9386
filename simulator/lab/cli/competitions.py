"""callsim commands: Team competitions and leaderboards."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.arguments import whole_number
from simulator.config import load_settings
from simulator.lab.cli.common import db_flag, fail, open_for, parse_day_or_time, print_json, store_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    board = subparsers.add_parser("leaderboard", help="people and team rankings, each score traceable to its call")
    board.add_argument("--competition", help="competition id (default: all training calls)")
    board.add_argument("--min-attempts", type=whole_number(1),
                       help="override the competition's minimum finished calls")
    board.add_argument("--json", action="store_true")
    db_flag(board)
    board.set_defaults(func=cmd_leaderboard)

    honours = subparsers.add_parser("honours", help="first to each star level, streaks, most improved, best team; "
                                                    "each naming its calls")
    honours.add_argument("--ladder", type=Path, help="ladder file (default: scenarios/ladder.yaml)")
    honours.add_argument("--json", action="store_true")
    db_flag(honours)
    honours.set_defaults(func=cmd_honours)

    comp = subparsers.add_parser("competition", help="create, load or list team competitions")
    comp_sub = comp.add_subparsers(dest="action", required=True)
    create = comp_sub.add_parser("create", help="create (or replace) a competition")
    create.add_argument("id")
    create.add_argument("--title")
    create.add_argument("--scenario", action="append", required=True, metavar="ID[:SEED]",
                        help="a scenario and its fixed seed (repeat)")
    create.add_argument("--starts", help="ISO date/time (default now)")
    create.add_argument("--ends", required=True, help="ISO date/time; a date alone includes that whole day (UTC)")
    create.add_argument("--team", action="append", default=[], help="a team that may enter (repeat; none = open)")
    create.add_argument("--min-attempts", type=whole_number(1), default=1)
    create.add_argument("--ranking", choices=["best", "mean"], default="best")
    db_flag(create)
    create.set_defaults(func=cmd_competition_create)
    load = comp_sub.add_parser("load", help="validate competition YAML files and load them into the store")
    load.add_argument("paths", nargs="*", type=Path, help="files (default: scenarios/competitions/*.yaml)")
    db_flag(load)
    load.set_defaults(func=cmd_competition_load)
    comp_list = comp_sub.add_parser("list", help="list competitions")
    comp_list.add_argument("--json", action="store_true")
    db_flag(comp_list)
    comp_list.set_defaults(func=cmd_competition_list)


@store_errors
def cmd_leaderboard(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import find_competition
    from simulator.lab.growth import difficulties
    from simulator.lab.leaderboard import describe_leaderboard, leaderboard_from_store, leaderboard_to_json
    from simulator.lab.review import reviewed_among, reviewed_json, reviewed_lines

    settings = load_settings()
    with open_for(args) as store:
        competition = None
        if args.competition:
            competition = find_competition(store, settings.scenarios_dir, args.competition)
            if competition is None:
                return fail(f"no competition {args.competition!r} (see `callsim competition list`)")
        board = leaderboard_from_store(store, competition, args.min_attempts, difficulties(settings.scenarios_dir))
        counted = {i for person in board.people for c in person.counted for i in c.call_ids}
        reviewed = reviewed_among(store.attempts(competition=competition.id if competition else None), counted)
    if args.json:
        print_json({**leaderboard_to_json(board), "reviewed_calls": reviewed_json(reviewed)})
    else:
        print("\n".join([describe_leaderboard(board), *reviewed_lines(reviewed)]))
    return 0


def ladder_or_none(path: Path) -> Any:
    """The ladder for star honours; a missing or broken one only drops those honours (said on stderr)."""
    from simulator.lab.ladder import load_ladder
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    try:
        return load_ladder(path, settings.scenarios_dir)
    except (FileProblems, OSError) as problems:
        print(f"callsim: no star-level honours: {problems}", file=sys.stderr)
        return None


@store_errors
def cmd_honours(args: argparse.Namespace) -> int:
    from simulator.lab.growth import difficulties
    from simulator.lab.honours import describe_honours, honours_from_store, honours_to_json
    from simulator.lab.ladder import LADDER_FILE

    settings = load_settings()
    ladder = ladder_or_none(args.ladder or settings.scenarios_dir / LADDER_FILE)
    if ladder is None and args.ladder:  # the file asked for is missing or broken (said above): not a success
        return 1
    with open_for(args) as store:
        result = honours_from_store(store, ladder, difficulties(settings.scenarios_dir))
    if args.json:
        print_json(honours_to_json(result))
    else:
        print(describe_honours(result))
    return 0


@store_errors
def cmd_competition_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from simulator.lab.competitions import Competition, save_competition

    settings = load_settings()
    scenarios = []
    for item in args.scenario:
        name, _, seed = item.partition(":")
        if not (settings.scenarios_dir / f"{name}.yaml").is_file():
            return fail(f"no scenario {name!r} in {settings.scenarios_dir}")
        try:
            scenarios.append({"scenario": name, "seed": int(seed or 0)})
        except ValueError:
            return fail(f"--scenario {item!r}: the seed after ':' must be a whole number")
    try:
        # Validated like a competition file: a date alone is widened to its whole day there.
        competition = Competition.model_validate({
            "id": args.id, "title": args.title or args.id, "starts": parse_day_or_time(args.starts),
            "ends": parse_day_or_time(args.ends), "min_attempts": args.min_attempts, "ranking": args.ranking,
            "scenarios": scenarios, "teams": tuple(args.team)})
    except ValidationError as err:
        return fail("; ".join(f"{'.'.join(map(str, e['loc'])) or 'competition'}: {e['msg']}" for e in err.errors()))
    with open_for(args) as store:
        save_competition(store, competition, "cli")
    print(f"competition {competition.id}: {len(scenarios)} scenario(s), {competition.starts_at} to "
          f"{competition.ends_at}")
    return 0


@store_errors
def cmd_competition_load(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import competition_files, load_competition, save_competition
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    paths = args.paths or competition_files(settings.scenarios_dir)
    errors = 0
    with open_for(args) as store:
        for path in paths:
            try:
                competition = load_competition(path, settings.scenarios_dir)
            except FileProblems as problems:
                print(problems, file=sys.stderr)
                errors += 1
                continue
            save_competition(store, competition, str(path))
            print(f"loaded {competition.id} from {path}")
    return 1 if errors else 0


@store_errors
def cmd_competition_list(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        rows = store.list_competitions()
    if args.json:
        print_json([dict(row) for row in rows])
        return 0
    for row in rows:
        scenarios = ", ".join(f"{s['scenario']}:{s['seed']}" for s in row["data"]["scenarios"])
        print(f"{row['id']:<20} {row['starts_at'][:10]}..{row['ends_at'][:10]}  min {row['min_attempts']}  "
              f"{scenarios}  teams: {', '.join(row['data'].get('teams') or []) or 'open'}")
    return 0
