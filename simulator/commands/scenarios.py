"""Scenario commands: check, schema, play (text mode), test."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

from simulator.analysis.registry import builtin_analysers
from simulator.arguments import whole_number
from simulator.call.cards_desk import CardDesk
from simulator.call.golden import ScenarioCoverage, run_golden_for_paths
from simulator.call.session import TraineeInput
from simulator.call.text_io import ScriptedReplies, SilentVoice, TypedReplies, read_reply_file
from simulator.call.textcall import describe_event, new_call_folder, print_finished_call, run_call
from simulator.commands.speech import add_voice_flags
from simulator.config import ScenarioNotFound, SettingsError, load_settings
from simulator.contracts import MAX_SEED
from simulator.lab.playstore import CallKeeper, add_store_flags
from simulator.record import LookupLog
from simulator.scenario.diagnostics import FileProblems, Level
from simulator.scenario.lint import check_paths, load_playable_scenario
from simulator.scenario.loader import scenario_files
from simulator.scenario.schema import scenario_schema


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="validate scenario files and folders (the linter)")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.add_argument("--voices", type=Path, help="voice profile folder (default: voices/ beside scenarios/)")
    check.set_defaults(func=cmd_check)

    schema = subparsers.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.set_defaults(func=cmd_schema)

    play = subparsers.add_parser("play", help="play a scenario (voiced, or --text with typed replies)")
    play.add_argument("scenario", help="scenario file, or the id of a scenario in ./scenarios/, "
                                        "the home's scenarios/ (CALLSIM_HOME) or the shipped ones")
    play.add_argument("--text", action="store_true", help="text mode: type replies instead of speaking")
    play.add_argument("--replies", type=Path, help="reply file: one trainee reply per line")
    play.add_argument("--seed", type=whole_number(0, MAX_SEED), default=0,
                      help="picks the customer's line variants (default 0)")
    play.add_argument("--json", action="store_true", help="print the whole call as JSON at the end")
    play.add_argument("--analyser", help=f"turn analyser ({', '.join(builtin_analysers().names())})")
    play.add_argument("--record-to", type=Path, help="folder for the call record (default: data dir)")
    play.add_argument("--mic-from", type=Path, help="voiced mode: the microphone from recorded replies (WAV, MP3...)")
    add_voice_flags(play)
    add_store_flags(play)
    play.set_defaults(func=cmd_play)

    test = subparsers.add_parser("test", help="replay golden calls; report coverage and what no call reaches")
    test.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                      help="scenario files or folders (their golden/<id>.yaml is replayed), or golden files")
    test.add_argument("--analyser", help="turn analyser to replay with")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=cmd_test)


def cmd_check(args: argparse.Namespace) -> int:
    from simulator.asr.languages import missing_for_language

    # a folder with no scenario in it was "0 error(s)": most likely the wrong folder
    missing = {p: "no such file or folder" for p in args.paths if not p.exists()}
    missing |= {p: "no scenario files (*.yaml) in this folder" for p in args.paths
                if p.is_dir() and not scenario_files([p])}
    if args.voices is not None and not args.voices.is_dir():
        missing[args.voices] = "--voices: no such folder"
    fallback_voices = None
    try:  # the components a language needs depend on the settings (asr_models); bad settings skip that check
        settings = load_settings()
        missing_components = partial(missing_for_language, settings)
        fallback_voices = settings.voices_dir
    except SettingsError as err:
        print(f"callsim check: {err}; the language components were not checked", file=sys.stderr)
        missing_components = None
    diagnostics = list(check_paths([p for p in args.paths if p.exists()], args.voices, missing_components,
                                   fallback_voices))
    errors = sum(d.level == Level.ERROR for d in diagnostics) + len(missing)
    if args.json:
        payload = [d.to_json() for d in diagnostics]
        payload += [{"path": str(p), "line": 1, "column": 1, "level": "error", "code": "file.missing",
                     "message": message, "hint": None} for p, message in missing.items()]
        print(json.dumps(payload, indent=2))
    else:
        for path, message in missing.items():
            print(f"{path}:1:1: error: {message}")
        for diagnostic in diagnostics:
            print(diagnostic.format())
        warnings = sum(d.level == Level.WARNING for d in diagnostics)
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(scenario_schema(), indent=2))
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    settings = load_settings(analyser=args.analyser)
    try:
        loaded = load_playable_scenario(settings.find_scenario(args.scenario))
    except ScenarioNotFound as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 1
    except FileProblems as problems:
        print(problems, file=sys.stderr)
        print("callsim: the scenario has errors, so it cannot be played; `callsim check` lists them all",
              file=sys.stderr)
        return 1
    if not args.text:
        from simulator.commands.play import play_voiced  # heavy: audio, ASR and TTS

        return play_voiced(loaded, settings, args)
    analyser = builtin_analysers().create(settings.analyser, loaded.scenario)
    lookups = LookupLog()  # knowledge cards opened with /cards, written into the record at the end
    if args.replies:
        try:
            trainee: TraineeInput = ScriptedReplies(read_reply_file(args.replies))
        except (OSError, ValueError) as err:
            print(f"callsim: cannot read replies: {err}", file=sys.stderr)
            return 1
    else:
        trainee = TypedReplies(open_cards=CardDesk(loaded.scenario.knowledge, lookups))
    folder = new_call_folder(args.record_to or settings.recordings_dir, loaded.scenario.id)

    def show(event) -> None:
        if not args.json:
            print(describe_event(event), flush=True)

    if not args.json and not args.replies:
        persona = loaded.scenario.persona
        print(f"{loaded.scenario.title} (difficulty {loaded.scenario.difficulty}/5)\n"
              f"Customer: {persona.name}. {persona.situation}\n"
              "Type your replies; [silence] for dead air, /cards for the knowledge cards, /hangup to end.\n")
    keeper = CallKeeper.from_args(args, settings, folder, seed=args.seed, scenario_id=loaded.scenario.id)
    finished = run_call(loaded, analyser, SilentVoice(), trainee, folder, seed=args.seed,
                        on_event=keeper.wrap(show) if keeper else show, card_lookups=lookups)
    print_finished_call(finished, as_json=args.json)
    if keeper:
        keeper.finish(finished)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    settings = load_settings(analyser=args.analyser)
    results = run_golden_for_paths(args.paths, builtin_analysers(), settings.analyser,
                                   find_scenario=settings.find_scenario)
    if not results:  # exit 1 with "0 passed, 0 failed" said nothing about why
        print(f"callsim test: no scenarios or golden files in {', '.join(map(str, args.paths))}; give scenario "
              "files, their folder, or golden files", file=sys.stderr)
    if args.json:
        print(json.dumps([coverage_to_json(c) for c in results], indent=2))
    else:
        for coverage in results:
            print_coverage(coverage)
        failed = sum(not c.passed for c in results)
        total_nodes = sum(c.nodes_total for c in results)
        total_transitions = sum(c.transitions_total for c in results)
        visited = sum(len(c.nodes_visited) for c in results)
        taken = sum(len(c.transitions_taken) for c in results)
        print(f"\n{len(results) - failed} passed, {failed} failed; coverage: nodes {visited}/{total_nodes}, "
              f"transitions {taken}/{total_transitions}")
    return 1 if any(not c.passed for c in results) or not results else 0


def coverage_to_json(coverage: ScenarioCoverage) -> dict:
    return {
        "scenario": coverage.scenario_id, "passed": coverage.passed, "errors": coverage.errors,
        "node_coverage": round(coverage.node_percent, 1),
        "transition_coverage": round(coverage.transition_percent, 1),
        "untaken_nodes": [{"node": n.node_id, "line": n.line} for n in coverage.untaken_nodes],
        "untaken_transitions": [{"node": t.node_id, "number": t.index + 1, "goto": t.goto, "line": t.line}
                                for t in coverage.untaken_transitions],
        "calls": [{"name": r.name, "passed": r.passed, "problems": list(r.problems),
                   "outcome": r.finished.record.outcome, "overall": r.finished.scorecard.overall}
                  for r in coverage.results],
    }


def print_coverage(coverage: ScenarioCoverage) -> None:
    status = "ok  " if coverage.passed else "FAIL"
    figures = "" if not coverage.nodes else (  # a file that never loaded has no coverage to speak of
        f" nodes {len(coverage.nodes_visited)}/{coverage.nodes_total} ({coverage.node_percent:.0f}%)"
        f"  transitions {len(coverage.transitions_taken)}/{coverage.transitions_total}"
        f" ({coverage.transition_percent:.0f}%)")
    print(f"{status} {coverage.scenario_id:<28}{figures}".rstrip())
    for error in coverage.errors:
        print(f"     {error}")
    for result in coverage.results:
        mark = "pass" if result.passed else "FAIL"
        card = result.finished.scorecard
        print(f"     {mark} {result.name:<10} outcome={result.finished.record.outcome} "
              f"overall={card.overall:.0f} {'; '.join(result.problems)}")
    if not coverage.results:
        return  # nothing ran, so "not reached" would list the whole scenario
    if coverage.untaken_nodes:
        print(f"     nodes no golden call reaches: {', '.join(n.describe() for n in coverage.untaken_nodes)}")
    if coverage.untaken_transitions:
        print("     transitions no golden call takes:")
        for transition in coverage.untaken_transitions:
            print(f"       {transition.describe()}")
