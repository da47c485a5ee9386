"""callsim commands: Kirkpatrick evaluation: KPIs (results), real calls (behaviour) and the trainer report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulator.asr.base import DEFAULT_LANGUAGE, SPOKEN_LANGUAGES
from simulator.call.exit_codes import ExitCode
from simulator.config import load_settings
from simulator.lab.cli.common import (
    db_flag,
    fail,
    open_for,
    print_json,
    progress_bar,
    score_text,
    shared_output,
    store_errors,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    kpi = subparsers.add_parser("kpi", help="real-work KPIs per trainee (Kirkpatrick level 4: results)")
    kpi_sub = kpi.add_subparsers(dest="action", required=True)
    kpi_import = kpi_sub.add_parser("import", help="import a KPI CSV (all or nothing; errors name FILE:LINE)")
    kpi_import.add_argument("csv", type=Path)
    db_flag(kpi_import)
    kpi_import.set_defaults(func=cmd_kpi_import)
    kpi_list = kpi_sub.add_parser("list", help="list stored KPIs")
    kpi_list.add_argument("--trainee")
    kpi_list.add_argument("--team")
    kpi_list.add_argument("--json", action="store_true")
    db_flag(kpi_list)
    kpi_list.set_defaults(func=cmd_kpi_list)

    behaviour = subparsers.add_parser("behaviour", help="score real calls and keep them (Kirkpatrick level 3)")
    behaviour_sub = behaviour.add_subparsers(dest="action", required=True)
    real = behaviour_sub.add_parser("add", help="score a real call (call folder or WAV) and store it for a trainee")
    real.add_argument("paths", nargs="+", type=Path, metavar="CALL",
                      help="call folder, call.jsonl or recording (WAV, MP3, mu-law...)")
    real.add_argument("--trainee", required=True)
    real.add_argument("--team")
    real.add_argument("--scenario", help="scenario to score against (default: the call's own, or generic)")
    real.add_argument("--date", help="when the call was taken (ISO date; default: as recorded)")
    real.add_argument("--analyser")
    real.add_argument("--agent-channel", type=int, default=0, choices=(0, 1))
    real.add_argument("--language", choices=SPOKEN_LANGUAGES,
                      help="a recording scored without --scenario: the language it is spoken in (default en)")
    db_flag(real)
    real.set_defaults(func=cmd_behaviour_add)

    report = subparsers.add_parser("report", help="an offline HTML trainer report (plots, Kirkpatrick levels) and CSV")
    scope = report.add_mutually_exclusive_group()
    scope.add_argument("--cohort", nargs="?", const="", metavar="TEAM",
                       help="everyone (default), or the cohort (team) given")
    scope.add_argument("--team")
    scope.add_argument("--trainee")
    report.add_argument("--html", type=Path, required=True, help="HTML file to write")
    report.add_argument("--csv", type=Path, help="also write every call as CSV")
    db_flag(report)
    report.set_defaults(func=cmd_report)


@store_errors
def cmd_kpi_import(args: argparse.Namespace) -> int:
    from simulator.lab.kpi import KpiFileError, read_kpi_csv

    try:
        rows = read_kpi_csv(args.csv)
    except KpiFileError as err:
        print(err, file=sys.stderr)
        print(f"callsim: {len(err.problems)} error(s); nothing imported", file=sys.stderr)
        return 1
    with open_for(args) as store:
        count = store.put_kpis(rows, str(args.csv))
    print(f"imported {count} KPI row(s) for {len({r.trainee for r in rows})} trainee(s) from {args.csv}")
    return 0


@store_errors
def cmd_kpi_list(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        rows = store.kpis(args.trainee, args.team)
    if args.json:
        print_json([{"trainee": r.trainee, "period": r.period, "satisfaction": r.satisfaction,
                      "first_call_resolution": r.first_call_resolution, "handle_time_s": r.handle_time_s,
                      "complaints": r.complaints} for r in rows])
        return 0
    for r in rows:
        print(f"{r.trainee:<20} {r.period:<10} CSAT {score_text(r.satisfaction)}  "
              f"FCR {score_text(r.first_call_resolution)}  "
              f"AHT {score_text(r.handle_time_s)} s  complaints {r.complaints if r.complaints is not None else '-'}")
    return 0


@store_errors
def cmd_behaviour_add(args: argparse.Namespace) -> int:
    from simulator.asr.base import AsrModelError
    from simulator.lab.behaviour import dated, score_real_call
    from simulator.lazy import MissingPackage
    from simulator.scenario.diagnostics import FileProblems
    from simulator.store.types import CallKind

    settings = load_settings(analyser=args.analyser)
    if args.scenario and args.language:  # even "en": the scenario's own language is what is used
        from simulator.qa.importer import LANGUAGE_BESIDE_SCENARIO

        print(f"callsim: {LANGUAGE_BESIDE_SCENARIO}", file=sys.stderr)
        return 2
    failures = 0
    with open_for(args) as store:
        store.ensure_trainee(args.trainee, args.team)
        for path in args.paths:
            try:
                record, card = score_real_call(path, settings, scenario=args.scenario, analyser=settings.analyser,
                                               agent_channel=args.agent_channel,
                                               language=args.language or DEFAULT_LANGUAGE)
                record = dated(record, args.date)
            except FileProblems as problems:
                print(problems, file=sys.stderr)
                failures += 1
                continue
            except (OSError, ValueError, LookupError) as err:
                print(f"callsim: {err}", file=sys.stderr)
                failures += 1
                continue
            except (AsrModelError, MissingPackage) as err:  # no recording can be scored: say so once and stop
                print(f"callsim: {err}", file=sys.stderr)
                return ExitCode.MISSING_PACKAGE
            call_id = store.save_call(record, card, trainee=args.trainee, team=args.team, kind=CallKind.REAL)
            if path.is_file() and path.suffix != ".jsonl":  # a recording (a call folder keeps its own turns)
                store.add_recording(call_id, path)
            print(f"{path}: {card.overall:.1f}/100 {'pass' if card.passed else 'below pass mark'}; "
                  f"stored as real call {call_id[:8]} for {args.trainee}")
    return 1 if failures else 0


@store_errors
def cmd_report(args: argparse.Namespace) -> int:
    from simulator.lab.cli.competitions import ladder_or_none
    from simulator.lab.growth import difficulties
    from simulator.lab.ladder import LADDER_FILE
    from simulator.lab.reports.data import ReportScope, attempts_csv, collect
    from simulator.lab.reports.html import render_html

    clash = shared_output(("--html", args.html), ("--csv", args.csv))
    if clash:
        return fail(clash, 2)
    if args.trainee:
        scope = ReportScope("trainee", args.trainee)
    elif args.team:
        scope = ReportScope("team", args.team)
    else:
        scope = ReportScope("cohort", args.cohort or None)
    settings = load_settings()
    ladder = ladder_or_none(settings.scenarios_dir / LADDER_FILE)
    difficulty_of = difficulties(settings.scenarios_dir)
    progress, update = progress_bar("collecting calls")
    with open_for(args) as store, progress:
        if scope.kind == "trainee" and store.get_trainee(scope.name) is None:
            return fail(f"no trainee named {scope.name!r}")
        if scope.name and scope.kind != "trainee" and store.get_team(scope.name) is None:
            return fail(f"no team named {scope.name!r}")
        data = collect(store, scope, update, settings.scenarios_dir, difficulty_of=difficulty_of, ladder=ladder)
    try:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(data), encoding="utf-8")
        if args.csv:
            args.csv.parent.mkdir(parents=True, exist_ok=True)
            args.csv.write_text(attempts_csv(data), encoding="utf-8", newline="")
    except OSError as err:
        return fail(f"cannot write the report: {err}")
    print(f"report for {scope.describe()}: {len(data.practice)} practice call(s), {len(data.real)} real call(s) "
          f"-> {args.html}" + (f", {args.csv}" if args.csv else ""))
    return 0
