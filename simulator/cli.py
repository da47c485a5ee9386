"""``callsim``: argument parsing only.  Each sub-command calls one function in its module."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys

from simulator.call.exit_codes import ExitCode
from simulator.config import ScenarioNotFound, SettingsError, load_settings
from simulator.lazy import MissingPackage
from simulator.private_files import tighten_data_folder
from simulator.record import RecordingError
from simulator.registry import UnknownPart

# Command groups, in the order ``callsim --help`` lists them.
COMMAND_MODULES = (
    "simulator.commands.scenarios",
    "simulator.commands.transcribe",
    "simulator.commands.lab",
    "simulator.commands.speech",
    "simulator.commands.score",
    "simulator.commands.analyze",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callsim",
        description="Offline role-play call simulator for contact-centre training. "
                    "Run without a command to open the terminal app.")
    parser.add_argument("--version", action="version", version="callsim 0.1.0")
    parser.add_argument("--lang", metavar="LANG", help="the terminal app's own labels: en or zh "
                                                      "(default: the ui_language setting)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def close_open_data_folder() -> None:
    """A data folder others can read (made by an older callsim, or opened by hand) is closed before
    anything else happens, with a one-line notice; new data is made owner-only as it is written."""
    try:
        folder = load_settings().data_dir
    except SettingsError:
        return  # the command itself reports bad settings
    tightening = tighten_data_folder(folder)
    if tightening is not None:
        print(tightening.notice(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    close_open_data_folder()
    if args.command is None:
        try:
            from simulator.ui.launch import run_app
        except ImportError:
            parser.print_help()
            return 0
        return run_app(args.lang)
    if args.lang is not None:  # given before a command, it was dropped without a word
        print(f"callsim: note: --lang sets the terminal app's labels only; {args.command} writes English, and a "
              "scorecard the language of its scenario (or of score's --language)", file=sys.stderr)
    try:
        return int(args.func(args) or ExitCode.OK)
    except SettingsError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.BAD_SETTINGS
    except ScenarioNotFound as err:
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.PROBLEMS_FOUND
    except MissingPackage as err:
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.MISSING_PACKAGE
    except RecordingError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.RECORD_NOT_WRITTEN
    except KeyboardInterrupt:
        print("callsim: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except UnknownPart as err:  # an analyser, engine or backend named wrongly in the settings or a flag
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.BAD_SETTINGS
    except BrokenPipeError:
        return ExitCode.OK
    except OSError as err:
        if err.errno != errno.ENOSPC:
            raise
        _stdout_to_nowhere()  # the interpreter would fail again flushing what is left of it at exit
        where = err.filename or "the output"
        print(f"callsim: no space left on the device while writing {where}; free some space and run it again",
              file=sys.stderr)
        return ExitCode.RECORD_NOT_WRITTEN


def _stdout_to_nowhere() -> None:
    with contextlib.suppress(OSError):
        sys.stdout.flush()
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, sys.stdout.fileno())
    os.close(nowhere)

if __name__ == "__main__":
    sys.exit(main())
