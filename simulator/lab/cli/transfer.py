"""callsim commands: Export, import and forget (privacy)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulator.config import load_settings
from simulator.lab.cli.common import db_flag, fail, open_for, progress_bar, store_errors
from simulator.private_files import replace_private_text


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="write trainees' data (calls, scores, ratings, KPIs) as JSON")
    export.add_argument("output", type=Path, help="JSON file to write ('-' for stdout)")
    who = export.add_mutually_exclusive_group()
    who.add_argument("--trainee", action="append", help="a trainee (repeat); default: everyone")
    who.add_argument("--team", "--cohort", dest="team", help="everyone in a team (cohort)")
    db_flag(export)
    export.set_defaults(func=cmd_export)

    imp = subparsers.add_parser("import", help="add an export file's data to this store")
    imp.add_argument("input", type=Path)
    db_flag(imp)
    imp.set_defaults(func=cmd_import)

    forget = subparsers.add_parser("forget", help="delete a trainee's data and audio (privacy)")
    forget.add_argument("trainee")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    db_flag(forget)
    forget.set_defaults(func=cmd_forget)


@store_errors
def cmd_export(args: argparse.Namespace) -> int:
    from simulator.store.transfer import export_data

    progress, update = progress_bar("exporting calls")
    with open_for(args) as store, progress:
        data = export_data(store, args.trainee, args.team, update)
    text = json.dumps(data, indent=1, ensure_ascii=False)
    if str(args.output) == "-":
        print(text)
    else:
        try:  # every trainee's transcripts: owner-only, and never half an export
            replace_private_text(args.output, text + "\n")
        except OSError as err:
            return fail(f"cannot write {args.output}: {err.strerror or err}; nothing was exported (a file already "
                        "there is left as it was)")
        print(f"exported {len(data['trainees'])} trainee(s), {len(data['calls'])} call(s) to {args.output}",
              file=sys.stderr)
    return 0


@store_errors
def cmd_import(args: argparse.Namespace) -> int:
    from simulator.store.transfer import import_data

    try:
        data = json.loads(args.input.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        return fail(f"cannot read {args.input}: {err}")
    except json.JSONDecodeError as err:
        return fail(f"{args.input}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}")
    progress, update = progress_bar("importing calls")
    with open_for(args) as store, progress:
        report = import_data(store, data, update)
    print(f"imported {report.trainees} trainee(s): {report.calls_added} call(s) added, "
          f"{report.calls_skipped} already present, {report.kpis} KPI row(s), "
          f"{report.coaching_rows} coaching row(s) (cases, playlists, mentoring)")
    return 0


@store_errors
def cmd_forget(args: argparse.Namespace) -> int:
    from simulator.store.transfer import forget_trainee

    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            return fail("forget deletes data for good: add --yes to confirm", 2)
        answer = input(f"Delete every call, score and recording of {args.trainee}? Type the name to confirm: ")
        if answer.strip() != args.trainee:
            return fail("not confirmed; nothing deleted")
    settings = load_settings()
    with open_for(args) as store:
        report = forget_trainee(store, args.trainee, settings.recordings_dir)
    print(f"forgot {report.trainee}: {report.calls_deleted} call(s), {report.rows_deleted} row(s), "
          f"{len(report.folders_deleted)} call folder(s), {report.files_deleted} file(s) deleted")
    for path in report.files_left:
        print(f"  not deleted (outside the data dir, delete it yourself if it should go): {path}")
    return 0
