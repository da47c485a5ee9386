"""A stand-in scorer for the batch tests: real call records and scorecards (lexical analyser, no models),
steered by what each test file says, so that a worker can be made to die mid-call on purpose.

A recording here is a text file whose first line is the instruction:
  ok TEXT          the agent said TEXT
  fail             the scorer raises (a bad recording)
  crash-once       the worker process kills itself the first time, scores the second time
  crash-always     the worker process kills itself every time
  hold             writes ``started-<actor or pid>`` into the marker folder, then waits (up to 60 s) on the
                   first attempt for a test to kill it; scores at once on the next attempt
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from simulator.analysis.base import TurnInput
from simulator.analysis.lexical import LexicalAnalyser
from simulator.contracts import Speaker, Transcript
from simulator.qa.importer import ScoredRecording, generic_scenario
from simulator.record import CallHeader, CallMode, CallRecord, TurnRecord, now_iso
from simulator.scenario.model import Rubric
from simulator.scoring.call_scorer import score_call
from simulator.wavfile import AudioFileError


def scored_text(path: Path, text: str) -> ScoredRecording:
    scenario, rubric = generic_scenario(), Rubric()
    analysis = LexicalAnalyser(scenario).analyse(TurnInput(1, Transcript(text), "I was charged twice"))
    header = CallHeader(scenario.id, "", 0, CallMode.IMPORTED, "lexical", now_iso(), str(path))
    turns = (TurnRecord(0, Speaker.CUSTOMER, "I was charged twice", 0.0, 1.0),
             TurnRecord(1, Speaker.TRAINEE, text, 1.5, 3.0, analysis=analysis))
    record = CallRecord(header, turns, None, None, True, path.parent)
    return ScoredRecording(record, score_call(record, scenario, rubric), scenario, rubric, True, 3.0)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class FakeScorer:
    def __init__(self, markers: Path):
        self.markers = markers
        self.pid = os.getpid()
        (markers / f"built-{self.pid}").write_text("")  # the tests count how often a scorer was built

    def _first_time(self, path: Path, what: str) -> bool:
        marker = self.markers / f"{what}-{path.name}"
        if marker.exists():
            return False
        marker.write_text(str(self.pid))
        return True

    def score(self, path: Path) -> ScoredRecording:
        order, _, rest = path.read_text().strip().partition(" ")
        if order == "fail":
            raise AudioFileError(f"{path}: not a readable audio file (test)")
        if order == "crash-always" or (order == "crash-once" and self._first_time(path, "crashed")):
            _die()
        if order == "hold" and self._first_time(path, "held"):
            (self.markers / f"started-{_worker_name()}").write_text(path.name)
            time.sleep(60)
        return scored_text(path, rest or "Thank you for calling, I'm so sorry about that.")


def _worker_name() -> str:
    try:
        import ray

        if ray.is_initialized():
            name = ray.get_runtime_context().get_actor_name()
            if name:
                return str(name)
    except ImportError:
        pass
    return str(os.getpid())
