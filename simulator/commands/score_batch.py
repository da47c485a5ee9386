"""``callsim score DIR... --jsonl OUT [--workers N | --ray auto|ADDRESS] [--store --trainee NAME | --agents MAP.csv]``.

The batch itself (finding files, hashing, workers, retries) is ``simulator.qa.batch``; this module wires it
to the command line, the JSONL file and the training store, which sits above the qa layer.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from simulator.asr.base import DEFAULT_LANGUAGE
from simulator.call.exit_codes import ExitCode
from simulator.config import ScenarioNotFound, Settings, load_settings
from simulator.lazy import MissingPackage
from simulator.qa.batch import (
    BatchPlan,
    CallOutcome,
    Progress,
    options_key,
    outcome_json,
    plan_batch,
    results_file_problem,
    scored_hashes,
    worker_asr_threads,
)
from simulator.qa.diarise import AgentChoice
from simulator.qa.importer import (
    LANGUAGE_BESIDE_SCENARIO,
    RecordingOptions,
    RecordingScorer,
    critical_library_steps,
    required_library_steps,
)
from simulator.qa.mono import MonoContent
from simulator.record import CallMode
from simulator.scenario.diagnostics import FileProblems
from simulator.scoring.outside import KIND_BLIND_ANALYSERS
from simulator.store.types import StoreError


def add_batch_arguments(score: argparse.ArgumentParser) -> None:
    batch = score.add_argument_group("batch QA (folders are searched for audio files; see docs/qa.md)")
    batch.add_argument("--jsonl", type=Path, metavar="OUT",
                       help="append one JSON line per call to OUT; calls already in OUT (same content) are skipped")
    batch.add_argument("--workers", type=int, default=1, metavar="N",
                       help="score in N worker processes (each loads Whisper once; default 1)")
    batch.add_argument("--ray", metavar="auto|ADDRESS",
                       help="score on a Ray cluster, one actor per CPU ('auto': the cluster this machine is in)")
    batch.add_argument("--store", action="store_true",
                       help="also keep each call in the training store as a real call (level 3: behaviour)")
    batch.add_argument("--db", help="database URL or SQLite file for --store (implies --store)")
    batch.add_argument("--trainee", help="with --store: the agent on every call")
    batch.add_argument("--team", help="with --store: the trainee's team")
    batch.add_argument("--agents", type=Path, metavar="MAP.csv",
                       help="with --store: lines 'file,trainee' (file as given, or just its name) naming each agent")


def recording_options(args: argparse.Namespace, settings: Settings) -> RecordingOptions:
    """How this command's recordings are scored (``library_problem`` has found nothing wrong)."""
    scenario_path = settings.find_scenario(args.scenario) if args.scenario else None
    return RecordingOptions(scenario_path, args.analyser, args.agent_channel, not args.no_customer_asr,
                            MonoContent(args.mono), AgentChoice(args.agent),
                            required_steps=() if args.scenario else required_library_steps(settings, args.require),
                            critical_steps=() if args.scenario else critical_library_steps(settings, args.critical),
                            library_language=args.language or DEFAULT_LANGUAGE)


def library_problem(args: argparse.Namespace, settings: Settings) -> str | None:
    """What is wrong with the options that shape the built-in behaviour library (no scenario given)."""
    for flag, given in (("--require", args.require), ("--critical", args.critical)):
        if given is not None and args.scenario:
            return (f"{flag} adds steps to the built-in behaviour library; with --scenario the scenario's "
                    "script says which steps are required or critical")
        if given and (args.analyser or settings.analyser) in KIND_BLIND_ANALYSERS:
            return (f"{flag} needs an analyser that reads the library's step kinds (semantic); the "
                    f"{args.analyser or settings.analyser} analyser finds only a scenario's own phrases, so the "
                    "library's steps would not be judged at all")
    if args.language and args.scenario:
        return LANGUAGE_BESIDE_SCENARIO
    if args.scenario:
        return None  # qa_required_steps and qa_critical_steps do not apply
    try:
        required_library_steps(settings, args.require)
        critical_library_steps(settings, args.critical)
    except ValueError as err:
        return str(err)
    return None


def is_batch(args: argparse.Namespace) -> bool:
    return bool(args.jsonl or args.store or args.db or args.ray or args.workers != 1)


class AgentMap:
    """Who the agent on each recording is: one trainee for all, or a CSV of file,trainee."""

    def __init__(self, trainee: str | None, mapping: dict[str, str]):
        self.trainee = trainee
        self.mapping = mapping

    @classmethod
    def read(cls, trainee: str | None, csv_path: Path | None) -> AgentMap:
        mapping: dict[str, str] = {}
        if csv_path is not None:
            with csv_path.open(newline="", encoding="utf-8") as handle:
                for number, row in enumerate(csv.reader(handle), 1):
                    cells = [c.strip() for c in row]
                    if not any(cells) or cells[0].startswith("#") or (number == 1 and cells[:2] == ["file", "trainee"]):
                        continue
                    if len(cells) < 2 or not cells[0] or not cells[1]:
                        raise ValueError(f"{csv_path}:{number}: expected 'file,trainee', got {','.join(row)!r}")
                    mapping[cells[0]] = cells[1]
        return cls(trainee, mapping)

    def __call__(self, path: Path) -> str | None:
        for key in (str(path), str(path.resolve()), path.name):
            if key in self.mapping:
                return self.mapping[key]
        return self.trainee


class ResultsNotWritten(Exception):
    """A scored call's result could not be kept (a full disk, a read-only folder, a store refusing it): the
    batch stops there, so that it never goes on scoring calls whose results would be lost."""

    def __init__(self, where: str, reason: BaseException):
        why = getattr(reason, "strerror", None) or str(reason).strip().splitlines()[0]
        super().__init__(f"cannot write results to {where}: {why}")


class ScorerUnusable(Exception):
    """The scorer cannot score any call (its model will not load): the batch stops at the first call."""


class RealCallWriter:
    """Keeps scored calls in the store as real calls; the call id is the recording's content hash, so a call
    is stored once whoever scores it again (another run, a retried worker, a second machine)."""

    def __init__(self, store: Any, team: str | None):
        from sqlalchemy.exc import SQLAlchemyError

        from simulator.store.types import CallKind, StoreError

        self.refusals = (SQLAlchemyError, StoreError, OSError)  # a full disk, a database gone read-only...
        self.store = store
        self.team = team
        self.kind = CallKind.REAL
        self.stored = {a.call_id for a in store.attempts(kind=CallKind.REAL)}

    @staticmethod
    def call_id(sha256: str) -> str:
        return sha256[:32]

    def has(self, sha256: str) -> bool:
        return self.call_id(sha256) in self.stored

    def write(self, outcome: CallOutcome) -> None:
        if outcome.scored is None or self.has(outcome.call.sha256):
            return
        record = outcome.scored.record
        # folder=None: two recordings in one folder are two calls (the store matches calls by folder)
        record = replace(record, folder=None, header=replace(record.header, mode=CallMode.IMPORTED))
        try:
            call_id = self.store.save_call(record, outcome.scored.scorecard, trainee=outcome.call.trainee,
                                           team=self.team, kind=self.kind, call_id=self.call_id(outcome.call.sha256))
            self.store.add_recording(call_id, outcome.call.path)
        except self.refusals as err:
            raise ResultsNotWritten(f"the training store ({outcome.call.path} not stored)", err) from err
        self.stored.add(call_id)


def _scorer_factory(settings: Settings, args: argparse.Namespace) -> Callable[[], RecordingScorer]:
    workers = args.workers if not args.ray else max(args.workers, os.cpu_count() or 1)
    settings = settings.model_copy(
        update={"asr_threads": worker_asr_threads(settings.asr_threads, workers, os.cpu_count())})
    return functools.partial(RecordingScorer, settings, recording_options(args, settings))


def _run(plan: BatchPlan, args: argparse.Namespace, factory: Callable[[], RecordingScorer],
         emit: Callable[[CallOutcome], None]) -> None:
    if not plan.calls:
        return
    if args.ray:
        from simulator.qa.ray_batch import connect, disconnect, run_on_ray

        connected = connect(args.ray)
        try:
            run_on_ray(plan.calls, factory, emit, actors=args.workers if args.workers != 1 else None)
        finally:
            if connected:
                disconnect()
    elif args.workers > 1:
        from simulator.qa.batch import run_processes

        run_processes(plan.calls, factory, emit, workers=args.workers)
    else:
        from simulator.qa.batch import run_inline

        run_inline(plan.calls, factory, emit)


def _check(args: argparse.Namespace, settings: Settings) -> str | None:
    if args.workers < 1:
        return "--workers must be 1 or more"
    if (args.trainee or args.agents) and not (args.store or args.db):
        return "--trainee and --agents say whom calls are stored for: add --store (or --db URL)"
    if (args.store or args.db) and not (args.trainee or args.agents):
        return "--store needs the agent: --trainee NAME for all calls, or --agents MAP.csv (file,trainee)"
    return library_problem(args, settings)


def cmd_score_batch(args: argparse.Namespace) -> int:
    settings = load_settings(analyser=args.analyser)
    problem = _check(args, settings)
    if problem:
        print(f"callsim: {problem}", file=sys.stderr)
        return 2
    try:
        agents = AgentMap.read(args.trainee, args.agents)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        print(f"callsim: {args.agents}: {getattr(err, 'strerror', None) or err}", file=sys.stderr)
        return 2
    try:
        factory = _scorer_factory(settings, args)
        factory()  # the scenario and rubric, read here once so a bad one stops the run before any work
    except (FileProblems, ScenarioNotFound, OSError) as err:
        print(err if isinstance(err, FileProblems) else f"callsim: {err}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        try:
            writer = _open_writer(args, stack)
        except StoreError as err:  # a wrong URL, a server down, a disk too full to open the file
            print(f"callsim: {err}", file=sys.stderr)
            return ExitCode.PROBLEMS_FOUND
        problem = results_file_problem(args.jsonl) if args.jsonl else None
        if problem is not None:
            print(f"callsim: --jsonl {args.jsonl} {problem}", file=sys.stderr)
            return ExitCode.PROBLEMS_FOUND
        options = options_key(recording_options(args, settings), settings)
        done_in_out = scored_hashes(args.jsonl, options) if args.jsonl else set()
        plan = plan_batch(args.calls, done=lambda sha: sha in done_in_out or (writer is not None and writer.has(sha)),
                          trainee_for=agents if writer is not None else None, trainee_required=writer is not None)
        out: IO[bytes] | None = None
        if args.jsonl:
            args.jsonl.parent.mkdir(parents=True, exist_ok=True)
            # unbuffered: each line goes to the file as it is written, and nothing is left to fail at close
            out = stack.enter_context(args.jsonl.open("ab", buffering=0))
        progress = Progress(len(plan.calls) + len(plan.failed))
        tally = BatchTally()

        def emit(outcome: CallOutcome) -> None:
            if outcome.scorer_unusable:  # no line for it: the call is tried again when the command is run again
                raise ScorerUnusable(outcome.error)
            tally.count(outcome)
            if outcome.scored is None and not outcome.no_words:
                print(f"callsim: {outcome.error}", file=sys.stderr)
            elif outcome.scored is not None and writer is not None:
                writer.write(outcome)
            line = json.dumps(outcome_json(outcome, options), ensure_ascii=False)
            if out is not None:
                try:
                    out.write((line + "\n").encode("utf-8"))  # a stopped run keeps every call it finished
                except OSError as err:
                    raise ResultsNotWritten(str(args.jsonl), err) from err
            elif args.json:
                print(line, flush=True)
            progress.update(outcome)

        for outcome in plan.failed:
            emit(outcome)
        stopped = _run_until_stopped(lambda: _run(plan, args, factory, emit), progress)
        if stopped is not None:
            return stopped
    print(f"callsim: {tally.summary(len(plan.skipped))}" + (f"; results in {args.jsonl}" if args.jsonl else ""),
          file=sys.stderr)
    return 1 if tally.failed or tally.other_language else 0


@dataclass
class BatchTally:
    """What became of a batch's calls, for its last line."""

    scored: int = 0
    failed: int = 0
    no_words: int = 0  # nothing to score: no failure, and done
    other_language: int = 0  # not scored: another language than the scoring one
    on_one_finding: int = 0  # verdicts a single misheard phrase could change: the calls to listen to first

    def count(self, outcome: CallOutcome) -> None:
        if outcome.no_words:
            self.no_words += 1
        elif outcome.other_language:
            self.other_language += 1
        elif outcome.failed:
            self.failed += 1
        else:
            assert outcome.scored is not None
            self.scored += 1
            self.on_one_finding += bool(outcome.scored.scorecard.verdict_hinges)

    def summary(self, skipped: int) -> str:
        silent = f", {self.no_words} with no words in them (no call to score: \"no_words\" lines)" \
            if self.no_words else ""
        foreign = (f", {self.other_language} in another language (not scored: \"other_language\" lines; score "
                   "them with --language or a scenario in their language)") if self.other_language else ""
        fragile = (f"; {self.on_one_finding} verdict(s) rest on one finding (verdict_hinges: listen to those calls "
                   "first)") if self.on_one_finding else ""
        return f"{self.scored} call(s) scored{silent}{foreign}, {self.failed} failed, {skipped} skipped (already " \
               f"scored){fragile}"


def _run_until_stopped(run: Callable[[], None], progress: Progress) -> int | None:
    """Run the batch; the exit code of what stopped it early, said on stderr, or None when it ran through.
    ``progress.done`` counts the results written (each line is written before the progress moves)."""
    try:
        run()
    except MissingPackage as err:
        print(f"callsim: {err}", file=sys.stderr)
        return ExitCode.MISSING_PACKAGE
    except ScorerUnusable as err:
        print(f"callsim: {err}\ncallsim: the batch stopped at its first call, since no call can be scored so; "
              f"{progress.done} result(s) written before it are kept. Run the same command again once it is fixed.",
              file=sys.stderr)
        return ExitCode.MISSING_PACKAGE
    except ResultsNotWritten as err:
        print(f"callsim: {err}. The batch stopped; the {progress.done} result(s) written before it are kept. Free "
              "some space (or fix what is named) and run the same command again: calls already written are skipped.",
              file=sys.stderr)
        return ExitCode.RECORD_NOT_WRITTEN
    return None


def _open_writer(args: argparse.Namespace, stack: ExitStack) -> RealCallWriter | None:
    if not (args.store or args.db):
        return None
    from simulator.store import open_store

    store = open_store(args.db, settings=load_settings())
    stack.callback(store.close)
    if args.trainee:
        store.ensure_trainee(args.trainee, args.team)
    return RealCallWriter(store, args.team)
