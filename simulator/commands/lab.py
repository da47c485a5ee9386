"""Service-lab commands: trainees and teams, history, ratings, growth, star levels and exams, drills,
competitions and leaderboards, trainer reports, KPIs, export/import and forget."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.config import load_settings
from simulator.store.types import StoreError


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL or SQLite file (default: config database_url, else "
                                     "<data dir>/callsim.db)")


@contextmanager
def _store(args: argparse.Namespace):
    from simulator.store import open_store

    store = open_store(getattr(args, "db", None), settings=load_settings())
    try:
        yield store
    finally:
        store.close()


def _fail(message: str, code: int = 1) -> int:
    print(f"callsim: {message}", file=sys.stderr)
    return code


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def register(subparsers: argparse._SubParsersAction) -> None:
    trainee = subparsers.add_parser("trainee", help="add, list or move trainees")
    trainee_sub = trainee.add_subparsers(dest="action", required=True)
    add = trainee_sub.add_parser("add", help="add a trainee")
    add.add_argument("name")
    add.add_argument("--team")
    _db(add)
    add.set_defaults(func=cmd_trainee_add)
    listing = trainee_sub.add_parser("list", help="list trainees")
    listing.add_argument("--team")
    listing.add_argument("--json", action="store_true")
    _db(listing)
    listing.set_defaults(func=cmd_trainee_list)
    move = trainee_sub.add_parser("move", help="put a trainee in a team (--team '' for none)")
    move.add_argument("name")
    move.add_argument("--team", required=True)
    _db(move)
    move.set_defaults(func=cmd_trainee_move)

    team = subparsers.add_parser("team", help="add or list teams")
    team_sub = team.add_subparsers(dest="action", required=True)
    team_add = team_sub.add_parser("add", help="add a team")
    team_add.add_argument("name")
    _db(team_add)
    team_add.set_defaults(func=cmd_team_add)
    team_list = team_sub.add_parser("list", help="list teams and members")
    team_list.add_argument("--json", action="store_true")
    _db(team_list)
    team_list.set_defaults(func=cmd_team_list)

    history = subparsers.add_parser("history", help="a trainee's calls (or everyone's), with scores and call ids")
    history.add_argument("trainee", nargs="?")
    history.add_argument("--scenario")
    history.add_argument("--json", action="store_true")
    _db(history)
    history.set_defaults(func=cmd_history)

    rate = subparsers.add_parser("rate", help="rate a call 1-5 stars (the trainee's reaction)")
    rate.add_argument("call_id", help="call id (a unique prefix is enough)")
    rate.add_argument("stars", type=int, choices=range(1, 6), metavar="1-5")
    rate.add_argument("--comment")
    _db(rate)
    rate.set_defaults(func=cmd_rate)

    recover = subparsers.add_parser("recover", help="find calls left unfinished by a crash and keep them")
    recover.add_argument("--json", action="store_true")
    _db(recover)
    recover.set_defaults(func=cmd_recover)

    board = subparsers.add_parser("leaderboard", help="people and team rankings, each score traceable to its call")
    board.add_argument("--competition", help="competition id (default: all training calls)")
    board.add_argument("--min-attempts", type=int, help="override the competition's minimum finished calls")
    board.add_argument("--json", action="store_true")
    _db(board)
    board.set_defaults(func=cmd_leaderboard)

    comp = subparsers.add_parser("competition", help="create, load or list team competitions")
    comp_sub = comp.add_subparsers(dest="action", required=True)
    create = comp_sub.add_parser("create", help="create (or replace) a competition")
    create.add_argument("id")
    create.add_argument("--title")
    create.add_argument("--scenario", action="append", required=True, metavar="ID[:SEED]",
                        help="a scenario and its fixed seed (repeat)")
    create.add_argument("--starts", help="ISO date/time (default now)")
    create.add_argument("--ends", required=True, help="ISO date/time")
    create.add_argument("--team", action="append", default=[], help="a team that may enter (repeat; none = open)")
    create.add_argument("--min-attempts", type=int, default=1)
    create.add_argument("--ranking", choices=["best", "mean"], default="best")
    _db(create)
    create.set_defaults(func=cmd_competition_create)
    load = comp_sub.add_parser("load", help="validate competition YAML files and load them into the store")
    load.add_argument("paths", nargs="*", type=Path, help="files (default: scenarios/competitions/*.yaml)")
    _db(load)
    load.set_defaults(func=cmd_competition_load)
    comp_list = comp_sub.add_parser("list", help="list competitions")
    comp_list.add_argument("--json", action="store_true")
    _db(comp_list)
    comp_list.set_defaults(func=cmd_competition_list)

    export = subparsers.add_parser("export", help="write trainees' data (calls, scores, ratings, KPIs) as JSON")
    export.add_argument("output", type=Path, help="JSON file to write ('-' for stdout)")
    who = export.add_mutually_exclusive_group()
    who.add_argument("--trainee", action="append", help="a trainee (repeat); default: everyone")
    who.add_argument("--team", "--cohort", dest="team", help="everyone in a team (cohort)")
    _db(export)
    export.set_defaults(func=cmd_export)

    imp = subparsers.add_parser("import", help="add an export file's data to this store")
    imp.add_argument("input", type=Path)
    _db(imp)
    imp.set_defaults(func=cmd_import)

    forget = subparsers.add_parser("forget", help="delete a trainee's data and audio (privacy)")
    forget.add_argument("trainee")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _db(forget)
    forget.set_defaults(func=cmd_forget)

    growth = subparsers.add_parser("growth", help="a trainee's growth record: trends, weakest steps, what next")
    growth.add_argument("trainee")
    growth.add_argument("--json", action="store_true")
    _db(growth)
    growth.set_defaults(func=cmd_growth)

    level = subparsers.add_parser("level", help="a trainee's star level on the ladder (scenarios/ladder.yaml)")
    level.add_argument("trainee")
    level.add_argument("--ladder", type=Path, help="ladder file (default: scenarios/ladder.yaml)")
    level.add_argument("--json", action="store_true")
    _db(level)
    level.set_defaults(func=cmd_level)

    exam = subparsers.add_parser("exam", help="take a star-level exam: fixed scenarios and seed, no hints")
    exam.add_argument("stars", type=int, choices=range(1, 6), metavar="STARS")
    exam.add_argument("--trainee", required=True)
    exam.add_argument("--team")
    exam.add_argument("--text", action="store_true", help="typed replies (the exam runs in text mode)")
    exam.add_argument("--replies", type=Path, help="folder of reply files, one per scenario: <scenario-id>.txt")
    exam.add_argument("--ladder", type=Path)
    exam.add_argument("--analyser")
    exam.add_argument("--record-to", type=Path)
    exam.add_argument("--json", action="store_true")
    _db(exam)
    exam.set_defaults(func=cmd_exam)

    drill = subparsers.add_parser("drill", help="run a stress drill: back-to-back calls that get harder")
    drill.add_argument("drill", help="drill file, or the id of a drill in scenarios/drills/")
    drill.add_argument("--text", action="store_true", help="text mode (typed or --replies)")
    drill.add_argument("--replies", type=Path, help="folder of reply files per stage: <n>-<scenario>.txt")
    drill.add_argument("--trainee", help="keep the drill's calls and result in the store")
    drill.add_argument("--team")
    drill.add_argument("--keep-going", action="store_true", help="never stop for the pause offer")
    drill.add_argument("--mic-from", type=Path, help="voiced: recorded reply WAVs per stage, DIR/<n>-<scenario>/")
    drill.add_argument("--mic-pace", choices=["realtime", "fast"], help="voiced --mic-from: pace of the replies")
    drill.add_argument("--analyser")
    drill.add_argument("--record-to", type=Path)
    drill.add_argument("--json", action="store_true", help="print the drill result as JSON at the end")
    _db(drill)
    drill.set_defaults(func=cmd_drill)

    kpi = subparsers.add_parser("kpi", help="real-work KPIs per trainee (Kirkpatrick level 4: results)")
    kpi_sub = kpi.add_subparsers(dest="action", required=True)
    kpi_import = kpi_sub.add_parser("import", help="import a KPI CSV (all or nothing; errors name FILE:LINE)")
    kpi_import.add_argument("csv", type=Path)
    _db(kpi_import)
    kpi_import.set_defaults(func=cmd_kpi_import)
    kpi_list = kpi_sub.add_parser("list", help="list stored KPIs")
    kpi_list.add_argument("--trainee")
    kpi_list.add_argument("--team")
    kpi_list.add_argument("--json", action="store_true")
    _db(kpi_list)
    kpi_list.set_defaults(func=cmd_kpi_list)

    behaviour = subparsers.add_parser("behaviour", help="score real calls and keep them (Kirkpatrick level 3)")
    behaviour_sub = behaviour.add_subparsers(dest="action", required=True)
    real = behaviour_sub.add_parser("add", help="score a real call (call folder or WAV) and store it for a trainee")
    real.add_argument("paths", nargs="+", type=Path, metavar="CALL", help="call folder, call.jsonl or WAV")
    real.add_argument("--trainee", required=True)
    real.add_argument("--team")
    real.add_argument("--scenario", help="scenario to score against (default: the call's own, or generic)")
    real.add_argument("--date", help="when the call was taken (ISO date; default: as recorded)")
    real.add_argument("--analyser")
    real.add_argument("--agent-channel", type=int, default=0, choices=(0, 1))
    _db(real)
    real.set_defaults(func=cmd_behaviour_add)

    report = subparsers.add_parser("report", help="an offline HTML trainer report (plots, Kirkpatrick levels) and CSV")
    scope = report.add_mutually_exclusive_group()
    scope.add_argument("--cohort", nargs="?", const="", metavar="TEAM",
                       help="everyone (default), or the cohort (team) given")
    scope.add_argument("--team")
    scope.add_argument("--trainee")
    report.add_argument("--html", type=Path, required=True, help="HTML file to write")
    report.add_argument("--csv", type=Path, help="also write every call as CSV")
    _db(report)
    report.set_defaults(func=cmd_report)

    lab = subparsers.add_parser("lab", help="service-lab files: validate the ladder, drills and competitions")
    lab_sub = lab.add_subparsers(dest="action", required=True)
    check = lab_sub.add_parser("check", help="validate ladder/drill/competition YAML (FILE:LINE:COL errors)")
    check.add_argument("paths", nargs="*", type=Path,
                       help="files (default: scenarios/ladder.yaml, scenarios/drills/, scenarios/competitions/)")
    check.set_defaults(func=cmd_lab_check)


def _guard(func):
    """Store refusals are user errors: print them, exit 1, no traceback."""
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except StoreError as err:
            return _fail(str(err))
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


@_guard
def cmd_trainee_add(args: argparse.Namespace) -> int:
    with _store(args) as store:
        person = store.create_trainee(args.name, args.team)
    print(f"added trainee {person.name}" + (f" (team {person.team})" if person.team else ""))
    return 0


@_guard
def cmd_trainee_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        people = store.list_trainees(args.team)
        counts = {p.name: len(store.attempts(p.name)) for p in people}
    if args.json:
        _print_json([{"name": p.name, "team": p.team, "created_at": p.created_at, "calls": counts[p.name]}
                     for p in people])
    else:
        for person in people:
            print(f"{person.name:<24} {person.team or '-':<16} {counts[person.name]} call(s)")
    return 0


@_guard
def cmd_trainee_move(args: argparse.Namespace) -> int:
    with _store(args) as store:
        person = store.set_team(args.name, args.team or None)
    print(f"{person.name} is now in team {person.team or '(none)'}")
    return 0


@_guard
def cmd_team_add(args: argparse.Namespace) -> int:
    with _store(args) as store:
        team = store.create_team(args.name)
    print(f"added team {team.name}")
    return 0


@_guard
def cmd_team_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        teams = store.list_teams()
        members = {t.name: [p.name for p in store.list_trainees(t.name)] for t in teams}
    if args.json:
        _print_json([{"name": t.name, "members": members[t.name]} for t in teams])
    else:
        for team in teams:
            print(f"{team.name:<20} {', '.join(members[team.name]) or '(no members)'}")
    return 0


def attempt_json(attempt: Any) -> dict[str, Any]:
    return {"call_id": attempt.call_id, "trainee": attempt.trainee, "scenario": attempt.scenario_id,
            "seed": attempt.seed, "kind": attempt.kind.value, "status": attempt.status.value,
            "started_at": attempt.started_at, "ended_at": attempt.ended_at,
            "outcome": attempt.outcome.value if attempt.outcome else None, "overall": attempt.overall,
            "passed": attempt.passed, "empathy": attempt.empathy, "compliance": attempt.compliance,
            "tone": attempt.tone, "drill": attempt.drill, "competition": attempt.competition, "turns": attempt.turns}


def _score(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.1f}"


@_guard
def cmd_history(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if args.trainee and store.get_trainee(args.trainee) is None:
            return _fail(f"no trainee named {args.trainee!r}")
        attempts = store.attempts(args.trainee, args.scenario)
    if args.json:
        _print_json([attempt_json(a) for a in attempts])
        return 0
    if not attempts:
        print("no calls stored yet")
    for a in attempts:
        verdict = "pass" if a.passed else ("fail" if a.passed is False else a.status.value)
        print(f"{a.call_id[:8]}  {a.started_at[:16]}  {a.trainee or '-':<14} {a.scenario_id:<26} "
              f"{_score(a.overall)} {verdict:<10} {a.kind.value:<8} {a.outcome.value if a.outcome else ''}")
    return 0


@_guard
def cmd_rate(args: argparse.Namespace) -> int:
    with _store(args) as store:
        rating = store.rate(args.call_id, args.stars, args.comment)
    print(f"rated call {rating.call_id[:8]}: {rating.stars}/5")
    return 0


@_guard
def cmd_recover(args: argparse.Namespace) -> int:
    from simulator.lab.recovery import recover

    with _store(args) as store:
        report = recover(store, load_settings().scenarios_dir)
        unfinished = store.unfinished()
    if args.json:
        _print_json({"recovered": [{
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


@_guard
def cmd_leaderboard(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import find_competition
    from simulator.lab.leaderboard import describe_leaderboard, leaderboard_from_store, leaderboard_to_json

    settings = load_settings()
    with _store(args) as store:
        competition = None
        if args.competition:
            competition = find_competition(store, settings.scenarios_dir, args.competition)
            if competition is None:
                return _fail(f"no competition {args.competition!r} (see `callsim competition list`)")
        board = leaderboard_from_store(store, competition, args.min_attempts)
    if args.json:
        _print_json(leaderboard_to_json(board))
    else:
        print(describe_leaderboard(board))
    return 0


def _parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise StoreError(f"not an ISO date/time: {text!r} (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@_guard
def cmd_competition_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from simulator.lab.competitions import Competition, save_competition

    settings = load_settings()
    scenarios = []
    for item in args.scenario:
        name, _, seed = item.partition(":")
        if not (settings.scenarios_dir / f"{name}.yaml").is_file():
            return _fail(f"no scenario {name!r} in {settings.scenarios_dir}")
        try:
            scenarios.append({"scenario": name, "seed": int(seed or 0)})
        except ValueError:
            return _fail(f"--scenario {item!r}: the seed after ':' must be a whole number")
    try:
        competition = Competition(id=args.id, title=args.title or args.id, starts=_parse_time(args.starts),
                                  ends=_parse_time(args.ends), min_attempts=args.min_attempts,
                                  ranking=args.ranking, scenarios=scenarios, teams=tuple(args.team))
    except ValidationError as err:
        return _fail("; ".join(f"{'.'.join(map(str, e['loc'])) or 'competition'}: {e['msg']}" for e in err.errors()))
    with _store(args) as store:
        save_competition(store, competition, "cli")
    print(f"competition {competition.id}: {len(scenarios)} scenario(s), {competition.starts_at} to "
          f"{competition.ends_at}")
    return 0


@_guard
def cmd_competition_load(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import competition_files, load_competition, save_competition
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    paths = args.paths or competition_files(settings.scenarios_dir)
    errors = 0
    with _store(args) as store:
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


@_guard
def cmd_competition_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        rows = store.list_competitions()
    if args.json:
        _print_json([{k: v for k, v in row.items()} for row in rows])
        return 0
    for row in rows:
        scenarios = ", ".join(f"{s['scenario']}:{s['seed']}" for s in row["data"]["scenarios"])
        print(f"{row['id']:<20} {row['starts_at'][:10]}..{row['ends_at'][:10]}  min {row['min_attempts']}  "
              f"{scenarios}  teams: {', '.join(row['data'].get('teams') or []) or 'open'}")
    return 0


def _progress(description: str):
    """A rich progress bar on stderr (quiet when not a terminal); returns (context, callback)."""
    from rich.progress import Progress

    from rich.console import Console

    progress = Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty())
    task = progress.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
    return progress, update


@_guard
def cmd_export(args: argparse.Namespace) -> int:
    from simulator.store.transfer import export_data

    progress, update = _progress("exporting calls")
    with _store(args) as store, progress:
        data = export_data(store, args.trainee, args.team, update)
    text = json.dumps(data, indent=1, ensure_ascii=False)
    if str(args.output) == "-":
        print(text)
    else:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"exported {len(data['trainees'])} trainee(s), {len(data['calls'])} call(s) to {args.output}",
              file=sys.stderr)
    return 0


@_guard
def cmd_import(args: argparse.Namespace) -> int:
    from simulator.store.transfer import import_data

    try:
        data = json.loads(args.input.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        return _fail(f"cannot read {args.input}: {err}")
    except json.JSONDecodeError as err:
        return _fail(f"{args.input}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}")
    progress, update = _progress("importing calls")
    with _store(args) as store, progress:
        report = import_data(store, data, update)
    print(f"imported {report.trainees} trainee(s): {report.calls_added} call(s) added, "
          f"{report.calls_skipped} already present, {report.kpis} KPI row(s)")
    return 0


@_guard
def cmd_forget(args: argparse.Namespace) -> int:
    from simulator.store.transfer import forget_trainee

    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("forget deletes data for good: add --yes to confirm", 2)
        answer = input(f"Delete every call, score and recording of {args.trainee}? Type the name to confirm: ")
        if answer.strip() != args.trainee:
            return _fail("not confirmed; nothing deleted")
    settings = load_settings()
    with _store(args) as store:
        report = forget_trainee(store, args.trainee, settings.recordings_dir)
    print(f"forgot {report.trainee}: {report.calls_deleted} call(s), {report.rows_deleted} row(s), "
          f"{len(report.folders_deleted)} call folder(s), {report.files_deleted} file(s) deleted")
    for path in report.files_left:
        print(f"  not deleted (outside the data dir, delete it yourself if it should go): {path}")
    return 0


def _ladder_path(args: argparse.Namespace, settings: Any) -> Path:
    from simulator.lab.ladder import LADDER_FILE

    return args.ladder or settings.scenarios_dir / LADDER_FILE


@_guard
def cmd_growth(args: argparse.Namespace) -> int:
    from simulator.lab.growth import describe_growth, growth_record, growth_to_json, load_catalog

    settings = load_settings()
    with _store(args) as store:
        if store.get_trainee(args.trainee) is None:
            return _fail(f"no trainee named {args.trainee!r}")
        record = growth_record(store, args.trainee, load_catalog(settings.scenarios_dir))
    if args.json:
        _print_json(growth_to_json(record))
    else:
        print(describe_growth(record))
    return 0


def standing_for(store: Any, settings: Any, ladder: Any, trainee: str) -> Any:
    from simulator.lab.growth import load_catalog
    from simulator.lab.ladder import standing

    difficulty = {s.id: s.difficulty for s in load_catalog(settings.scenarios_dir)}
    certified = {c.stars for c in store.certifications(trainee)}
    return standing(ladder, trainee, store.scorecards(trainee), difficulty, certified)


@_guard
def cmd_level(args: argparse.Namespace) -> int:
    from simulator.lab.ladder import describe_standing, load_ladder, standing_to_json
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    try:
        ladder = load_ladder(_ladder_path(args, settings), settings.scenarios_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    with _store(args) as store:
        if store.get_trainee(args.trainee) is None:
            return _fail(f"no trainee named {args.trainee!r}")
        result = standing_for(store, settings, ladder, args.trainee)
    if args.json:
        _print_json(standing_to_json(result))
    else:
        print(describe_standing(result))
    return 0


@_guard
def cmd_exam(args: argparse.Namespace) -> int:
    from simulator.lab.exam import run_exam
    from simulator.lab.ladder import load_ladder
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings(analyser=args.analyser)
    if not args.text and not args.replies:
        return _fail("exams run in text mode: add --text (typed replies) or --replies DIR", 2)
    try:
        ladder = load_ladder(_ladder_path(args, settings), settings.scenarios_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    say = (lambda text: None) if args.json else print
    try:
        with _store(args) as store:
            store.ensure_trainee(args.trainee, args.team)
            result = run_exam(ladder, args.stars, settings, store, args.trainee, team=args.team,
                              replies_dir=args.replies, analyser=settings.analyser, record_to=args.record_to,
                              show=say)
    except (OSError, ValueError) as err:
        return _fail(f"cannot read exam replies: {err}")
    if args.json:
        _print_json({"trainee": result.trainee, "stars": result.stars, "passed": result.passed,
                     "calls": [{"scenario": c.scenario_id, "call_id": c.call_id, "overall": c.overall,
                                "passed": c.passed} for c in result.calls]})
    else:
        print()
        for call in result.calls:
            print(f"  {call.scenario_id:<28} {call.overall:5.1f} {'pass' if call.passed else 'FAIL'}  "
                  f"(call {call.call_id[:8]})")
        print(f"certified: {result.stars} star(s)" if result.passed else "not certified this time")
    return 0 if result.passed else 1


@_guard
def cmd_drill(args: argparse.Namespace) -> int:
    from simulator.call.textcall import describe_event
    from simulator.lab.drill_run import DrillOptions, run_drill
    from simulator.lab.drills import describe_drill_result, drill_result_to_json, load_drill, resolve_drill_path
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings(analyser=args.analyser)
    try:
        drill = load_drill(resolve_drill_path(args.drill, settings.scenarios_dir), settings.scenarios_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    voiced = not args.text and not args.replies
    options = DrillOptions(trainee=args.trainee, team=args.team, replies_dir=args.replies, voiced=voiced,
                           analyser=settings.analyser, record_to=args.record_to, keep_going=args.keep_going,
                           mic_from=args.mic_from, mic_pace=args.mic_pace)
    quiet = args.json

    def show(event: Any) -> None:
        if not quiet:
            line = describe_event(event)
            if line:
                print(line, flush=True)

    announce = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
    try:
        if args.trainee:
            with _store(args) as store:
                result = run_drill(drill, settings, store, options, show=show, announce=announce)
        else:
            result = run_drill(drill, settings, None, options, show=show, announce=announce)
    except (OSError, ValueError) as err:
        return _fail(f"cannot read drill replies: {err}")
    except Exception as err:  # the voiced call's device/TTS/ASR errors: say which, keep the stored calls
        if type(err).__name__ in ("AudioDeviceError", "TtsError", "AsrModelError", "DiskFull"):
            return _fail(str(err), 4)
        raise
    if args.json:
        _print_json(drill_result_to_json(result))
    else:
        print()
        print(describe_drill_result(result))
    return 0


def cmd_lab_check(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import competition_files, load_competition
    from simulator.lab.drills import DRILLS_DIR, load_drill
    from simulator.lab.ladder import LADDER_FILE, load_ladder
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    scenarios = settings.scenarios_dir
    paths = list(args.paths)
    if not paths:
        paths = [scenarios / LADDER_FILE, *sorted((scenarios / DRILLS_DIR).glob("*.y*ml")),
                 *competition_files(scenarios)]
    errors = 0
    for path in paths:
        if not path.is_file():
            print(f"{path}:1:1: error: no such file")
            errors += 1
            continue
        kind = ("ladder" if path.name == LADDER_FILE else "drill" if path.parent.name == DRILLS_DIR
                else "competition")
        loader = {"ladder": load_ladder, "drill": load_drill, "competition": load_competition}[kind]
        try:
            loader(path, scenarios)
        except FileProblems as problems:
            print(problems)
            errors += len(problems.diagnostics)
            continue
        print(f"{path}: ok ({kind})")
    print(f"{errors} error(s)", file=sys.stderr)
    return 1 if errors else 0


@_guard
def cmd_kpi_import(args: argparse.Namespace) -> int:
    from simulator.lab.kpi import KpiFileError, read_kpi_csv

    try:
        rows = read_kpi_csv(args.csv)
    except KpiFileError as err:
        print(err, file=sys.stderr)
        print(f"callsim: {len(err.problems)} error(s); nothing imported", file=sys.stderr)
        return 1
    with _store(args) as store:
        count = store.put_kpis(rows, str(args.csv))
    print(f"imported {count} KPI row(s) for {len({r.trainee for r in rows})} trainee(s) from {args.csv}")
    return 0


@_guard
def cmd_kpi_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        rows = store.kpis(args.trainee, args.team)
    if args.json:
        _print_json([{"trainee": r.trainee, "period": r.period, "satisfaction": r.satisfaction,
                      "first_call_resolution": r.first_call_resolution, "handle_time_s": r.handle_time_s,
                      "complaints": r.complaints} for r in rows])
        return 0
    for r in rows:
        print(f"{r.trainee:<20} {r.period:<10} CSAT {_score(r.satisfaction)}  FCR {_score(r.first_call_resolution)}  "
              f"AHT {_score(r.handle_time_s)} s  complaints {r.complaints if r.complaints is not None else '-'}")
    return 0


@_guard
def cmd_behaviour_add(args: argparse.Namespace) -> int:
    from simulator.lab.behaviour import dated, score_real_call
    from simulator.scenario.diagnostics import FileProblems
    from simulator.store.types import CallKind

    settings = load_settings(analyser=args.analyser)
    failures = 0
    with _store(args) as store:
        store.ensure_trainee(args.trainee, args.team)
        for path in args.paths:
            try:
                record, card = score_real_call(path, settings, scenario=args.scenario, analyser=settings.analyser,
                                               agent_channel=args.agent_channel)
                record = dated(record, args.date)
            except FileProblems as problems:
                print(problems, file=sys.stderr)
                failures += 1
                continue
            except (OSError, ValueError, LookupError) as err:
                print(f"callsim: {err}", file=sys.stderr)
                failures += 1
                continue
            call_id = store.save_call(record, card, trainee=args.trainee, team=args.team, kind=CallKind.REAL)
            if path.suffix.lower() == ".wav":
                store.add_recording(call_id, path)
            print(f"{path}: {card.overall:.1f}/100 {'pass' if card.passed else 'below pass mark'}; "
                  f"stored as real call {call_id[:8]} for {args.trainee}")
    return 1 if failures else 0


@_guard
def cmd_report(args: argparse.Namespace) -> int:
    from simulator.lab.reports.data import ReportScope, attempts_csv, collect
    from simulator.lab.reports.html import render_html

    if args.trainee:
        scope = ReportScope("trainee", args.trainee)
    elif args.team:
        scope = ReportScope("team", args.team)
    else:
        scope = ReportScope("cohort", args.cohort or None)
    progress, update = _progress("collecting calls")
    with _store(args) as store, progress:
        if scope.kind == "trainee" and store.get_trainee(scope.name) is None:
            return _fail(f"no trainee named {scope.name!r}")
        if scope.name and scope.kind != "trainee" and store.get_team(scope.name) is None:
            return _fail(f"no team named {scope.name!r}")
        data = collect(store, scope, update)
    try:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(data), encoding="utf-8")
        if args.csv:
            args.csv.parent.mkdir(parents=True, exist_ok=True)
            args.csv.write_text(attempts_csv(data), encoding="utf-8", newline="")
    except OSError as err:
        return _fail(f"cannot write the report: {err}")
    print(f"report for {scope.describe()}: {len(data.practice)} practice call(s), {len(data.real)} real call(s) "
          f"-> {args.html}" + (f", {args.csv}" if args.csv else ""))
    return 0
