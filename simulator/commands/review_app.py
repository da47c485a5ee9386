"""``callsim review open CALL --by TRAINER``: the terminal app on the review screen of one call."""

from __future__ import annotations

import argparse
import sys

from simulator.config import SettingsError, load_settings
from simulator.lab.cli.common import db_flag
from simulator.lazy import MissingPackage, require


def register_open(actions: argparse._SubParsersAction) -> None:
    opened = actions.add_parser("open", help="review a call in the terminal app (replay, override, notes)")
    opened.add_argument("call", metavar="CALL_ID")
    opened.add_argument("--by", required=True, metavar="TRAINER", help="who is reviewing (kept in the audit)")
    db_flag(opened)
    opened.set_defaults(func=cmd_review_open)


def cmd_review_open(args: argparse.Namespace) -> int:
    from simulator.store import StoreError

    try:
        require("textual", feature="the terminal app")
        overrides = {"database_url": args.db} if args.db else {}
        settings = load_settings(**overrides)
        from simulator.ui.app import CallsimApp
        from simulator.ui.context import AppContext

        context = AppContext.from_settings(settings)
        store = context.store
        if store is None:
            print(f"callsim: {context.records_problem or 'the training store is not available'}", file=sys.stderr)
            return 2
        call_id = store.resolve_call_id(args.call)
    except (SettingsError, MissingPackage) as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 2
    except StoreError as err:
        print(f"callsim: {err}", file=sys.stderr)
        return 1
    CallsimApp(context, review=(call_id, args.by)).run()
    return 0
