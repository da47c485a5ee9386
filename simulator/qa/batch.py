"""Batch QA: score many recordings, in parallel worker processes, resumably, losing no call.

- Files: folders are searched recursively for audio files (``AUDIO_SUFFIXES``); the turn clips inside a
  callsim call folder (one holding ``call.jsonl``) are not calls and are left out.
- Resuming: every call is known by the sha256 of its file's bytes, so a renamed or moved file is still the
  same call; calls already scored (in the JSONL output, or already stored) are skipped.
- Workers: each is a separate process ('spawn': no state forked from the parent) that builds its scorer
  once (Whisper, the VAD and the analyser's model load once per worker) and scores one call at a time.  The
  parent knows which call each worker holds, so when a worker dies mid-call (killed, out of memory, a crash
  in native code) that call is retried once on a fresh worker, then reported as an error line.
- Results go to a callback (``Emit``), in the parent: the caller writes the JSONL line and, if asked, the
  store (the store is above this layer, so ``simulator.commands.score`` passes the writer in).

``simulator.qa.ray_batch`` runs the same calls on a Ray cluster with the same outcomes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any, Protocol

from simulator.asr.base import AsrModelError
from simulator.asr.channels import AUDIO_SUFFIXES
from simulator.config import Settings
from simulator.lazy import MissingPackage
from simulator.qa.diarise import MIN_SEPARATION, AgentChoice
from simulator.qa.importer import NothingHeard, RecordingOptions, ScoredRecording
from simulator.qa.mono import NOT_JUDGED, NOT_MEASURED, MonoContent
from simulator.qa.spoken_language import OtherLanguage
from simulator.record import CALL_FILE
from simulator.scoring.scorecard import scorecard_to_json

ATTEMPTS = 2  # a call whose worker dies is tried once more, then reported
HASH_BLOCK_BYTES = 1 << 20


class CallScorer(Protocol):
    def score(self, path: Path) -> ScoredRecording: ...


ScorerFactory = Callable[[], CallScorer]
"""Builds one worker's scorer; must be picklable (a module-level class or ``functools.partial``)."""


@dataclass(frozen=True, slots=True)
class BatchCall:
    path: Path
    sha256: str
    trainee: str | None = None  # whom the call is stored for (``--trainee``/``--agents``)


@dataclass(frozen=True, slots=True)
class CallOutcome:
    call: BatchCall
    scored: ScoredRecording | None  # None: ``error`` says why
    error: str | None = None
    attempts: int = 1
    scoring_s: float = 0.0  # wall-clock time the worker spent on it
    # the scorer itself cannot work (its Whisper model will not load, a package is missing): every call would
    # fail alike, so the batch stops rather than writing that error for each of them
    scorer_unusable: bool = False
    # a readable recording with no words in it (an abandoned or ghost call): nothing to score, but no failure
    # either, and done: a resumed batch skips it
    no_words: bool = False
    # a recording in another language than the scoring one: not scored, and tried again when the batch is
    # run again (perhaps with --language), so an error line, counted apart
    other_language: str | None = None

    @property
    def ok(self) -> bool:
        return self.scored is not None or self.no_words

    @property
    def failed(self) -> bool:
        """An error to fix: a call in another language is not one (it is counted apart, and told how to score)."""
        return not self.ok and self.other_language is None


Emit = Callable[[CallOutcome], None]


# -- finding the calls -------------------------------------------------------------------------------------
def find_recordings(paths: Iterable[Path]) -> list[Path]:
    """Audio files under the given folders (sorted, recursively) and the files named, in the order given."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for candidate in sorted(path.rglob("*")):
            if (candidate.suffix.lower() in AUDIO_SUFFIXES and candidate.is_file()
                    and not (candidate.parent / CALL_FILE).is_file()):  # a callsim call's turn clip
                found.append(candidate)
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def results_file_problem(jsonl: Path) -> str | None:
    """Why ``jsonl`` cannot take a batch's results (None: it can): a folder, or a file that is not the
    results of an earlier run (appending JSON lines to someone's WAV or notes would spoil it)."""
    if jsonl.is_dir():
        return "is a folder; give a file name for the results (e.g. results.jsonl)"
    if not jsonl.is_file() or jsonl.stat().st_size == 0:
        return None
    try:
        with jsonl.open(encoding="utf-8") as handle:
            first = handle.readline()
    except UnicodeDecodeError:
        first = ""
    try:
        looks_like_results = isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        looks_like_results = False
    if looks_like_results:
        return None
    return ("is not the results of an earlier run (its first line is not a JSON object), so nothing was "
            "appended to it; give a new file name, or that of an earlier run to resume it")


def options_key(options: RecordingOptions, settings: Settings) -> str:
    """The options a batch's results depend on, as each result line records them: those not at their
    defaults, and always the model the agent is heard with (its default changed once, from asr_model to
    base: lines from before name none, so their calls are scored again).  A resumed batch skips only
    calls scored with the same ones."""
    chosen = {
        "scenario": str(options.scenario_path) if options.scenario_path else None,
        "analyser": options.analyser or settings.analyser,
        "agent_channel": options.agent_channel or None,
        "customer_asr": None if options.transcribe_customer else "off",
        "mono": None if options.mono == MonoContent.MIXED else options.mono.value,
        "agent": None if options.agent == AgentChoice.AUTO else options.agent.value,
        "require": ",".join(options.required_steps) or None,
        "critical": ",".join(options.critical_steps) or None,
        "language": None if options.library_language == "en" else options.library_language,
        "qa_asr_model": settings.qa_asr_model or "asr_model",
    }
    return ";".join(f"{name}={value}" for name, value in chosen.items() if value is not None)


def scored_hashes(jsonl: Path, options: str = "") -> set[str]:
    """Content hashes of the calls an earlier run scored with ``options`` (``options_key``; a line from before
    options were recorded has none, which no run of today's has); error lines do not count: those are tried
    again."""
    if not jsonl.is_file():
        return set()
    done = set()
    with jsonl.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short when an earlier run was stopped
            if isinstance(item, dict) and item.get("sha256") and not item.get("error") \
                    and item.get("options", "") == options:
                done.add(str(item["sha256"]))
    return done


@dataclass(frozen=True, slots=True)
class BatchPlan:
    calls: tuple[BatchCall, ...]  # to score
    skipped: tuple[Path, ...]  # already scored
    failed: tuple[CallOutcome, ...]  # could not even be read or hashed, or have no trainee


def plan_batch(paths: Sequence[Path], *, done: Callable[[str], bool],
               trainee_for: Callable[[Path], str | None] | None = None, trainee_required: bool = False) -> BatchPlan:
    """The calls to score; ``done(sha256)`` says a call was scored before (it is then skipped)."""
    calls: list[BatchCall] = []
    skipped: list[Path] = []
    failed: list[CallOutcome] = []
    seen: set[str] = set()
    for path in find_recordings(paths):
        trainee = trainee_for(path) if trainee_for else None
        try:
            sha = file_sha256(path)
        except OSError as err:
            failed.append(CallOutcome(BatchCall(path, ""), None, f"{path}: cannot read ({err.strerror or err})"))
            continue
        if done(sha) or sha in seen:  # the same recording twice in one run is scored once
            skipped.append(path)
            continue
        seen.add(sha)
        if trainee_required and not trainee:
            failed.append(CallOutcome(BatchCall(path, sha), None, f"{path}: no trainee for this file "
                                      "(add a line 'file,trainee' for it to --agents, or pass --trainee)"))
            continue
        calls.append(BatchCall(path, sha, trainee))
    return BatchPlan(tuple(calls), tuple(skipped), tuple(failed))


# -- scoring one call (in whichever process) ---------------------------------------------------------------
def score_safely(scorer: CallScorer | None, call: BatchCall, startup_error: str | None = None) -> CallOutcome:
    """Any error of one call becomes its error line; only the death of the process is left to the caller."""
    if scorer is None:
        return CallOutcome(call, None, f"{call.path}: the scorer could not start: {startup_error}")
    started = time.perf_counter()
    try:
        scored = scorer.score(call.path)
    except (AsrModelError, MissingPackage) as err:  # not this call's fault: no call can be scored
        return CallOutcome(call, None, str(err), scoring_s=round(time.perf_counter() - started, 3),
                           scorer_unusable=True)
    except NothingHeard as err:
        return CallOutcome(call, None, str(err), scoring_s=round(time.perf_counter() - started, 3), no_words=True)
    except OtherLanguage as err:
        return CallOutcome(call, None, str(err), scoring_s=round(time.perf_counter() - started, 3),
                           other_language=err.guess.language)
    except Exception as err:  # one bad call must not stop the batch; the message names the file
        text = str(err)
        message = text if str(call.path) in text else f"{call.path}: {type(err).__name__}: {text}"
        return CallOutcome(call, None, message, scoring_s=round(time.perf_counter() - started, 3))
    return CallOutcome(call, scored, scoring_s=round(time.perf_counter() - started, 3))


def worker_asr_threads(configured: int, workers: int, cores: int | None) -> int:
    """Whisper threads for each of ``workers`` scoring workers: the machine's cores shared out, never
    more than configured.  Two workers of two threads on two cores fight for them: on the 2-core box
    two one-thread workers scored a median 37.5x real time against 33.5-35.7x (docs/benchmarks.md, Batch QA)."""
    if workers <= 1:
        return configured
    return max(1, min(configured, (cores or 1) // workers))


def build_scorer(factory: ScorerFactory) -> tuple[CallScorer | None, str | None]:
    try:
        return factory(), None
    except Exception as err:  # e.g. a bad scenario file: every call then reports it
        return None, f"{type(err).__name__}: {err}"


def run_inline(calls: Sequence[BatchCall], factory: ScorerFactory, emit: Emit) -> None:
    """One worker: in this process (nothing to pickle, and Ctrl-C stops at once)."""
    scorer, startup_error = build_scorer(factory)
    for call in calls:
        emit(score_safely(scorer, call, startup_error))


def _worker_main(factory: ScorerFactory, conn: Connection) -> None:
    scorer, startup_error = build_scorer(factory)
    while True:
        call = conn.recv()
        if call is None:
            return
        conn.send(score_safely(scorer, call, startup_error))


@dataclass
class _Worker:
    process: Any  # multiprocessing's SpawnProcess
    conn: Connection
    call: BatchCall | None = None


@dataclass
class _Retries:
    attempts: dict[str, int] = field(default_factory=dict)

    def died(self, call: BatchCall, exitcode: int | None, queue: deque[BatchCall]) -> CallOutcome | None:
        """Puts the call back to be tried first, or returns its error line after its last attempt."""
        tries = self.attempts.get(call.sha256, 1)
        if tries < ATTEMPTS:
            self.attempts[call.sha256] = tries + 1
            queue.appendleft(call)
            return None
        return CallOutcome(call, None, f"{call.path}: the worker scoring it died {tries} times "
                           f"(exit code {exitcode}); the call was not scored", tries)

    def tries(self, call: BatchCall) -> int:
        return self.attempts.get(call.sha256, 1)


def run_processes(calls: Sequence[BatchCall], factory: ScorerFactory, emit: Emit, *, workers: int) -> None:
    """``workers`` processes, one call each at a time; a call whose worker dies is retried (see module doc)."""
    context = multiprocessing.get_context("spawn")
    queue = deque(calls)
    retries = _Retries()
    pool: list[_Worker] = []

    def start() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(factory, child), daemon=True,
                                  name="callsim-score-worker")
        process.start()
        child.close()
        return _Worker(process, parent)

    try:
        pool.extend(start() for _ in range(max(1, min(workers, len(calls)))))
        while queue or any(w.call for w in pool):
            for worker in pool:
                if worker.call is None and queue:
                    worker.call = queue.popleft()
                    worker.conn.send(worker.call)
            busy = [w for w in pool if w.call is not None]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for index, worker in enumerate(pool):
                if worker.call is None or (worker.conn not in ready and worker.process.sentinel not in ready):
                    continue
                outcome = _received(worker)
                if outcome is not None:
                    emit(replace(outcome, attempts=retries.tries(outcome.call)))
                    worker.call = None
                    continue
                worker.process.join()
                lost = retries.died(worker.call, worker.process.exitcode, queue)
                if lost is not None:
                    emit(lost)
                worker.conn.close()
                pool[index] = start()
    finally:
        _stop(pool)


def _received(worker: _Worker) -> CallOutcome | None:
    """The worker's answer, or None when it died without one."""
    try:
        if worker.conn.poll():
            answer = worker.conn.recv()
            return answer if isinstance(answer, CallOutcome) else None
    except (EOFError, OSError):
        return None
    return None


def _stop(pool: list[_Worker]) -> None:
    for worker in pool:
        with contextlib.suppress(OSError):  # already gone
            worker.conn.send(None)
    for worker in pool:
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.terminate()  # only our own worker, still busy after Ctrl-C or an error
            worker.process.join()
        worker.conn.close()


# -- what a call's result looks like -----------------------------------------------------------------------
def recording_json(scored: ScoredRecording) -> dict[str, Any]:
    """The facts of a scored recording, with speakers and turns (a mixed mono call has no speakers)."""
    about: dict[str, Any] = {"kind": "external", "scenario": scored.scenario.id, "stereo": scored.stereo,
                             "speakers_separated": scored.speakers_separated,
                             "duration_s": round(scored.duration_s, 2)}
    if scored.asr_models is not None:
        about["asr_models"] = scored.asr_models
    if scored.damaged_packets:
        about["damaged_packets"] = scored.damaged_packets
    if scored.file_channels:
        about["file_channels"] = scored.file_channels
    if scored.declared_s is not None:
        about["cut_off"] = {"declared_s": round(scored.declared_s, 2), "held_s": round(scored.duration_s, 2)}
    if scored.silent is not None:
        about["silent_channel"] = {"channel": scored.silent.channel, "level_db": scored.silent.level_db,
                                   "speech_s": scored.silent.speech_s, "other_speech_s": scored.silent.other_speech_s,
                                   "note": scored.silent.note}
    if scored.duplicate is not None:
        about["duplicate_channels"] = {"correlation": scored.duplicate.correlation,
                                       "delay_ms": scored.duplicate.delay_ms, "gain_db": scored.duplicate.gain_db,
                                       "kept_channel": scored.duplicate.kept, "note": scored.duplicate.note}
    if scored.split is not None:
        about["speaker_split"] = {"method": "voice clustering", "confident": scored.split.confident,
                                  "separation": scored.split.separation, "needs": MIN_SEPARATION,
                                  "note": scored.split.note}
    if not scored.speakers_separated:
        about["not_judged"] = [*(d.value for d in NOT_JUDGED), *NOT_MEASURED]
    about["turns"] = [{"speaker": t.speaker.value if scored.speakers_separated else "unknown",
                       "start_s": t.start_s, "end_s": t.end_s, "text": t.text} for t in scored.record.turns]
    about["scorecard"] = scorecard_to_json(scored.scorecard)
    return about


def outcome_json(outcome: CallOutcome, options: str = "") -> dict[str, Any]:
    """One JSONL line: ``{"path", "sha256", ...}`` with the scorecard, or ``{"path", "sha256", "error"}``;
    ``"options"``: what the call was scored with (``options_key``)."""
    head: dict[str, Any] = {"path": str(outcome.call.path), "sha256": outcome.call.sha256}
    if options:
        head["options"] = options
    if outcome.call.trainee:
        head["trainee"] = outcome.call.trainee
    if outcome.no_words:  # no "error": a resumed batch counts it as done
        return {**head, "no_words": outcome.error, "scoring_s": outcome.scoring_s}
    if outcome.scored is None:
        language = {"other_language": outcome.other_language} if outcome.other_language else {}
        return {**head, "error": outcome.error, **language, "attempts": outcome.attempts}
    return {**head, **recording_json(outcome.scored), "scoring_s": outcome.scoring_s}


# -- progress ----------------------------------------------------------------------------------------------
@dataclass
class Progress:
    """One status line on stderr, rewritten in place on a terminal, one line per call otherwise (logs)."""

    total: int
    stream: IO[str] = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    audio_s: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def update(self, outcome: CallOutcome) -> None:
        self.done += 1
        self.failed += outcome.failed
        self.audio_s += outcome.scored.duration_s if outcome.scored else 0.0
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        speed = f"{self.audio_s / elapsed:.1f}x real time" if elapsed > 0 else ""
        line = (f"[{self.done}/{self.total}] {self.audio_s / 60:.1f} min of audio scored, {speed}, "
                f"{self.failed} failed, about {left / 60:.1f} min left")
        tty = self.stream.isatty()
        if tty:
            self.stream.write(f"\r\x1b[K{line}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"{line}: {outcome.call.path}\n")
        self.stream.flush()
