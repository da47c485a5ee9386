"""Helpers shared by the lab's command modules: the --db flag, opening the store, errors, output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from simulator.config import load_settings
from simulator.store.types import StoreError

T = TypeVar("T")


def db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL or SQLite file (default: config database_url, else "
                                     "<data dir>/callsim.db)")


@contextmanager
def open_for(args: argparse.Namespace):
    """The store chosen by ``--db`` (else the settings), closed when the block ends."""
    from simulator.store import open_store, store_url
    from simulator.store.engine import is_sqlite

    settings = load_settings()
    named = getattr(args, "db", None)
    url = store_url(named, settings)
    new_file = named is not None and is_sqlite(url) and ":///" in url and not Path(url.split(":///", 1)[1]).exists()
    store = open_store(named, settings=settings)
    if new_file:  # a mistyped --db made an empty store and "no calls stored yet" looked like an answer
        print(f"callsim: made a new, empty training store at {url.split(':///', 1)[1]} (check --db if you "
              "meant an existing one)", file=sys.stderr)
    try:
        yield store
    finally:
        store.close()


def shared_output(*named: tuple[str, Path | None]) -> str | None:
    """A message when two of a command's output flags name one file (the second silently overwrote the first)."""
    seen: dict[Path, str] = {}
    for flag, path in named:
        if path is None:
            continue
        where = path.resolve()
        if where in seen:
            return f"{seen[where]} and {flag} both name {path}; give each output its own file"
        seen[where] = flag
    return None


def fail(message: str, code: int = 1) -> int:
    print(f"callsim: {message}", file=sys.stderr)
    return code


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_listing(rows: Sequence[T], as_json: bool, to_json: Callable[[T], Any], to_line: Callable[[T], str],
                  empty: str) -> int:
    """A listing command's output: a JSON array, or a line a row (``empty`` says what to do when there
    are none, so an empty store is not mistaken for a broken command)."""
    if as_json:
        print_json([to_json(row) for row in rows])
        return 0
    if not rows:
        print(empty)
    for row in rows:
        print(to_line(row))
    return 0


def store_errors(func):
    """Store refusals are user errors: print them, exit 1, no traceback."""
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except StoreError as err:
            return fail(str(err))
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def attempt_json(attempt: Any) -> dict[str, Any]:
    return {"call_id": attempt.call_id, "trainee": attempt.trainee, "scenario": attempt.scenario_id,
            "seed": attempt.seed, "kind": attempt.kind.value, "status": attempt.status.value,
            "started_at": attempt.started_at, "ended_at": attempt.ended_at,
            "outcome": attempt.outcome.value if attempt.outcome else None, "overall": attempt.overall,
            "passed": attempt.passed, "empathy": attempt.empathy, "compliance": attempt.compliance,
            "tone": attempt.tone, "drill": attempt.drill, "competition": attempt.competition, "turns": attempt.turns,
            "reviewed_by": list(attempt.reviewed_by),
            "machine_overall": attempt.machine_overall if attempt.reviewed_by else attempt.overall}


def score_text(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.1f}"


def parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise StoreError(f"not an ISO date/time: {text!r} (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day_or_time(text: str | None) -> date | datetime:
    """A date alone stays a date, so the reader decides which moment of the day it means (a
    competition's end date includes the whole day); anything else as ``parse_time``."""
    if text:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    return parse_time(text)


def progress_bar(description: str):
    """A rich progress bar on stderr (quiet when not a terminal); returns (context, callback)."""
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty())
    task = progress.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
    return progress, update
