"""Keep a played call in the training store: the glue ``callsim play --trainee NAME`` uses.

Light to import (no SQLAlchemy until a trainee is given), so text mode works without a database.
The voiced path can use the same two calls::

    keeper = CallKeeper.from_args(args, settings, folder)     # None without --trainee
    finished = run_call(..., on_event=keeper.wrap(show) if keeper else show)
    if keeper: keeper.finish(finished)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.store.types import CallKind, StoreError


def add_store_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("training store (history, growth, leaderboards)")
    group.add_argument("--trainee", help="save this call to the store under this trainee (created if new)")
    group.add_argument("--team", help="the trainee's team (created if new)")
    group.add_argument("--competition", help="count this call in a competition (its scenario and seed must match)")
    group.add_argument("--db", help="database URL or SQLite file (default: config database_url, else "
                                    "<data dir>/callsim.db)")


class CallKeeper:
    """Mirrors each turn into the store as it happens and saves the scorecard at the end."""

    def __init__(self, store: Any, folder: Path, trainee: str, team: str | None, kind: CallKind,
                 competition: str | None, interactive: bool):
        from simulator.store.mirror import CallMirror

        self.store = store
        self.mirror = CallMirror(store, folder, trainee=trainee, team=team, kind=kind, competition=competition)
        self.interactive = interactive

    @classmethod
    def from_args(cls, args: argparse.Namespace, settings: Any, folder: Path, *, seed: int = 0,
                  scenario_id: str | None = None, kind: CallKind = CallKind.TRAINING) -> CallKeeper | None:
        trainee = getattr(args, "trainee", None)
        if not trainee:
            for flag in ("team", "competition"):
                if getattr(args, flag, None):
                    print(f"callsim: --{flag} needs --trainee NAME (whose call is it?)", file=sys.stderr)
                    raise SystemExit(2)
            return None
        try:
            return cls._open(args, settings, folder, trainee, seed, scenario_id, kind)
        except StoreError as err:
            print(f"callsim: {err}", file=sys.stderr)
            raise SystemExit(2) from None

    @classmethod
    def _open(cls, args: argparse.Namespace, settings: Any, folder: Path, trainee: str, seed: int,
              scenario_id: str | None, kind: CallKind) -> CallKeeper:
        from simulator.store import open_store

        store = open_store(getattr(args, "db", None), settings=settings)
        team = getattr(args, "team", None)
        competition = getattr(args, "competition", None)
        try:
            if competition:  # before any write: a refused entry must not create the trainee or the team
                cls._refuse_unless_admitted(store, settings, competition, trainee, team, scenario_id, seed)
            store.ensure_trainee(trainee, team)  # a bad name fails before the call starts
        except StoreError:
            store.close()
            raise
        if competition:
            from simulator.lab.competitions import find_competition

            find_competition(store, settings.scenarios_dir, competition)  # a YAML one is kept in the store
        from simulator.lab.recovery import describe_recovery, recover

        for line in describe_recovery(recover(store, settings.scenarios_dir)):
            print(f"callsim: {line}", file=sys.stderr)
        interactive = (not getattr(args, "replies", None) and not getattr(args, "mic_from", None)
                       and not getattr(args, "json", False) and sys.stdin is not None and sys.stdin.isatty())
        return cls(store, folder, trainee, getattr(args, "team", None), kind, competition, interactive)

    @staticmethod
    def _refuse_unless_admitted(store: Any, settings: Any, competition: str, trainee: str, team: str | None,
                                scenario_id: str | None, seed: int) -> None:
        from simulator.lab.competitions import check_entry

        problem = check_entry(store, settings, competition, trainee, scenario_id, seed, team=team)
        if problem:
            raise StoreError(problem)

    def wrap(self, show: Callable[[Any], None]) -> Callable[[Any], None]:
        def both(event: Any) -> None:
            self.mirror(event)
            show(event)
        return both

    def finish(self, finished: Any, *, quiet: bool = False) -> str:
        call_id = self.mirror.finish(finished.record, finished.scorecard)
        if not quiet:
            print(f"saved to the training store as call {call_id[:8]}", file=sys.stderr)
        if self.interactive:
            ask_rating(self.store, call_id)
        self.store.close()
        return call_id


def ask_rating(store: Any, call_id: str, read_line: Callable[[str], str] = input) -> None:
    """The trainee's reaction (Kirkpatrick level 1): 1-5 stars and an optional comment.

    Input that ends at the comment prompt (Ctrl-D) still keeps the stars given, without a comment.
    """
    from simulator.call.text_io import read_answer

    answer = (read_answer(read_line, "How useful was this call? 1-5 stars (Enter to skip): ") or "").strip()
    if not answer:
        return
    later = f"rate later with: callsim rate {call_id[:8]} 1-5 [--comment TEXT]"
    if answer not in ("1", "2", "3", "4", "5"):
        print(f"callsim: {answer!r} is not 1 to 5 stars; not saved; {later}", file=sys.stderr)
        return
    comment = (read_answer(read_line, "A comment (optional): ") or "").strip() or None
    try:
        store.rate(call_id, int(answer), comment)
    except StoreError as err:
        print(f"callsim: {err}; not saved; {later}", file=sys.stderr)
