"""callsim commands: Growth records, star levels and exams, stress drills, and validation of the lab's files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simulator.call.exit_codes import voiced_call_exit_code, voiced_call_failure_message
from simulator.config import load_settings
from simulator.lab.cli.common import db_flag, fail, open_for, print_json, store_errors


def register(subparsers: argparse._SubParsersAction) -> None:
    growth = subparsers.add_parser("growth", help="a trainee's growth record: trends, weakest steps, what next")
    growth.add_argument("trainee")
    growth.add_argument("--json", action="store_true")
    db_flag(growth)
    growth.set_defaults(func=cmd_growth)

    level = subparsers.add_parser("level", help="a trainee's star level on the ladder (scenarios/ladder.yaml)")
    level.add_argument("trainee")
    level.add_argument("--ladder", type=Path, help="ladder file (default: scenarios/ladder.yaml)")
    level.add_argument("--json", action="store_true")
    db_flag(level)
    level.set_defaults(func=cmd_level)

    exam = subparsers.add_parser("exam", help="take a star-level exam: fixed scenarios and seed, no hints")
    exam.add_argument("stars", type=int, choices=range(1, 6), metavar="STARS")
    exam.add_argument("--trainee", required=True)
    exam.add_argument("--team")
    exam.add_argument("--text", action="store_true", help="text mode: type the replies")
    exam.add_argument("--replies", type=Path, help="text mode from reply files: DIR/<scenario-id>.txt")
    exam.add_argument("--mic-from", type=Path, help="voiced with recorded replies (WAV, MP3...): DIR/<scenario-id>/")
    exam.add_argument("--mic-pace", choices=["realtime", "fast"], help="voiced --mic-from: pace of the replies")
    exam.add_argument("--ladder", type=Path)
    exam.add_argument("--analyser")
    exam.add_argument("--record-to", type=Path)
    exam.add_argument("--json", action="store_true")
    db_flag(exam)
    exam.set_defaults(func=cmd_exam)

    drill = subparsers.add_parser("drill", help="run a stress drill: back-to-back calls that get harder")
    drill.add_argument("drill", help="drill file, or the id of a drill in scenarios/drills/")
    drill.add_argument("--text", action="store_true", help="text mode (typed or --replies)")
    drill.add_argument("--replies", type=Path, help="folder of reply files per stage: <n>-<scenario>.txt")
    drill.add_argument("--trainee", help="keep the drill's calls and result in the store")
    drill.add_argument("--team")
    drill.add_argument("--keep-going", action="store_true", help="never stop for the pause offer")
    drill.add_argument("--mic-from", type=Path,
                       help="voiced: recorded replies per stage (WAV, MP3...), DIR/<n>-<scenario>/")
    drill.add_argument("--mic-pace", choices=["realtime", "fast"], help="voiced --mic-from: pace of the replies")
    drill.add_argument("--analyser")
    drill.add_argument("--record-to", type=Path)
    drill.add_argument("--json", action="store_true", help="print the drill result as JSON at the end")
    db_flag(drill)
    drill.set_defaults(func=cmd_drill)

    lab = subparsers.add_parser("lab", help="service-lab files: validate the ladder, drills and competitions")
    lab_sub = lab.add_subparsers(dest="action", required=True)
    check = lab_sub.add_parser("check", help="validate ladder/drill/competition YAML (FILE:LINE:COL errors)")
    check.add_argument("paths", nargs="*", type=Path,
                       help="files (default: scenarios/ladder.yaml, scenarios/drills/, scenarios/competitions/)")
    check.set_defaults(func=cmd_lab_check)


def ladder_path(args: argparse.Namespace, settings: Any) -> Path:
    from simulator.lab.ladder import LADDER_FILE

    return args.ladder or settings.scenarios_dir / LADDER_FILE



@store_errors
def cmd_growth(args: argparse.Namespace) -> int:
    from simulator.lab.growth import describe_growth, growth_record, growth_to_json, load_catalog
    from simulator.lab.review import reviewed_among, reviewed_json, reviewed_lines

    settings = load_settings()
    with open_for(args) as store:
        if store.get_trainee(args.trainee) is None:
            return fail(f"no trainee named {args.trainee!r}")
        record = growth_record(store, args.trainee, load_catalog(settings.scenarios_dir))
    reviewed = reviewed_among(record.attempts)
    if args.json:
        print_json({**growth_to_json(record), "reviewed_calls": reviewed_json(reviewed)})
    else:
        print("\n".join([describe_growth(record), *reviewed_lines(reviewed)]))
    return 0


def standing_for(store: Any, settings: Any, ladder: Any, trainee: str) -> Any:
    from simulator.lab.growth import load_catalog
    from simulator.lab.ladder import standing_in_store

    difficulty = {s.id: s.difficulty for s in load_catalog(settings.scenarios_dir)}
    return standing_in_store(store, ladder, trainee, difficulty)


@store_errors
def cmd_level(args: argparse.Namespace) -> int:
    from simulator.lab.ladder import describe_standing, load_ladder, standing_to_json
    from simulator.lab.review import reviewed_among, reviewed_json, reviewed_lines
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    try:
        ladder = load_ladder(ladder_path(args, settings), settings.scenarios_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    with open_for(args) as store:
        if store.get_trainee(args.trainee) is None:
            return fail(f"no trainee named {args.trainee!r}")
        result = standing_for(store, settings, ladder, args.trainee)
        counted = {i for level in result.levels for r in level.requirements for i in r.call_ids}
        reviewed = reviewed_among(store.attempts(args.trainee), counted)
    if args.json:
        print_json({**standing_to_json(result), "reviewed_calls": reviewed_json(reviewed)})
    else:
        print("\n".join([describe_standing(result), *reviewed_lines(reviewed)]))
    return 0


@store_errors
def cmd_exam(args: argparse.Namespace) -> int:
    from simulator.lab.exam import ExamOptions, run_exam
    from simulator.lab.ladder import load_ladder
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings(analyser=args.analyser)
    try:
        ladder = load_ladder(ladder_path(args, settings), settings.scenarios_dir)
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        return 1
    say = (lambda text: None) if args.json else print
    try:
        with open_for(args) as store:
            store.ensure_trainee(args.trainee, args.team)
            options = ExamOptions(team=args.team, replies_dir=args.replies,
                                  voiced=not args.text and not args.replies, mic_from=args.mic_from,
                                  mic_pace=args.mic_pace, analyser=settings.analyser, record_to=args.record_to)
            result = run_exam(ladder, args.stars, settings, store, args.trainee, options, show=say)
    except (OSError, ValueError) as err:
        return fail(f"cannot read exam replies: {err}")
    except Exception as err:  # the voiced call's device/TTS/ASR errors: say which; finished calls are kept
        code = voiced_call_exit_code(err)
        if code is None:
            raise
        return fail(voiced_call_failure_message(err), code)
    if args.json:
        print_json({"trainee": result.trainee, "stars": result.stars, "passed": result.passed,
                     "calls": [{"scenario": c.scenario_id, "call_id": c.call_id, "overall": c.overall,
                                "passed": c.passed} for c in result.calls]})
    else:
        print()
        for call in result.calls:
            print(f"  {call.scenario_id:<28} {call.overall:5.1f} {'pass' if call.passed else 'FAIL'}  "
                  f"(call {call.call_id[:8]})")
        print(f"certified: {result.stars} star(s)" if result.passed else "not certified this time")
    return 0 if result.passed else 1


@store_errors
def cmd_drill(args: argparse.Namespace) -> int:
    from simulator.call.textcall import describe_event
    from simulator.lab.drill_run import DrillOptions, TraineeSide, run_drill
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
    trainee_side = TraineeSide(show=show, announce=announce)
    try:
        if args.trainee:
            with open_for(args) as store:
                result = run_drill(drill, settings, store, options, trainee_side)
        else:
            result = run_drill(drill, settings, None, options, trainee_side)
    except (OSError, ValueError) as err:
        return fail(f"cannot read drill replies: {err}")
    except Exception as err:  # the voiced call's device/TTS/ASR errors: say which, keep the stored calls
        code = voiced_call_exit_code(err)
        if code is None:
            raise
        return fail(voiced_call_failure_message(err), code)
    if args.json:
        print_json(drill_result_to_json(result))
    else:
        print()
        print(describe_drill_result(result))
    return 0


def _lab_files(given: Path) -> list[Path]:
    """A folder given to ``lab check`` stands for its YAML files (it was "no such file")."""
    return sorted(p for p in given.iterdir() if p.suffix in (".yaml", ".yml")) if given.is_dir() else [given]


def _lab_file_kind(path: Path, ladder_file: str, drills_dir: str) -> str:
    """What a lab file is, by its top-level keys (a drill outside drills/ was read as a competition and
    told "unknown key 'stages'"), else by its name and folder as before."""
    from simulator.scenario.diagnostics import FileProblems
    from simulator.scenario.yamlsource import load_yaml

    try:
        data = load_yaml(path).data
    except (FileProblems, OSError):
        data = None  # the loader below says what is wrong with it
    if isinstance(data, dict):
        if "levels" in data:
            return "ladder"
        if "stages" in data:
            return "drill"
        if "scenarios" in data:
            return "competition"
    return "ladder" if path.name == ladder_file else "drill" if path.parent.name == drills_dir else "competition"


def cmd_lab_check(args: argparse.Namespace) -> int:
    from simulator.lab.competitions import competition_files, load_competition
    from simulator.lab.drills import DRILLS_DIR, load_drill
    from simulator.lab.ladder import LADDER_FILE, load_ladder
    from simulator.scenario.diagnostics import FileProblems

    settings = load_settings()
    locations = settings.scenario_locations()
    scenarios = locations.folder
    paths = list(args.paths)
    where = ""
    if not paths:
        paths = [scenarios / LADDER_FILE, *sorted((scenarios / DRILLS_DIR).glob("*.y*ml")),
                 *competition_files(scenarios)]
        where = (f" (the scenario folder is the first of: {locations.describe()}; "
                 "set CALLSIM_HOME to the folder holding scenarios/, or pass the files)")
    errors = 0
    for path in [file for given in paths for file in _lab_files(given)]:
        if not path.is_file():
            print(f"{path}:1:1: error: no such file{where}")
            errors += 1
            continue
        kind = _lab_file_kind(path, LADDER_FILE, DRILLS_DIR)
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
