"""``callsim``: argument parsing only.  Each sub-command calls one function in its module."""

from __future__ import annotations

import argparse
import importlib
import sys

from simulator.config import SettingsError
from simulator.record import RecordingError
from simulator.lazy import MissingPackage

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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        try:
            from simulator.ui.launch import run_app
        except ImportError:
            parser.print_help()
            return 0
        return run_app()
    try:
        return int(args.func(args) or 0)
    except SettingsError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 2
    except MissingPackage as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 3
    except RecordingError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print("callsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
