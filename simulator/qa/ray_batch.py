"""The batch of ``simulator.qa.batch`` on a Ray cluster (``callsim score --ray auto|ADDRESS``).

One scoring actor per CPU of the cluster (or ``actors``), each building its scorer once, so Whisper, the VAD
and the analyser's model load once per actor.  Each actor holds one call at a time; the driver hands out
the next call as one finishes.  An actor that dies mid-call (killed, its node lost, out of memory) is
replaced and its call tried once more, then reported as an error, as the local workers do.  Results come
back to the driver, which emits them: the JSONL and store writes happen once per call, in one place, keyed
by the recording's content hash, so a retried call is never written twice.

Ray is imported lazily (``pip install ray``; the ``qa`` extra).
"""

from __future__ import annotations

import contextlib
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from simulator.lazy import require
from simulator.qa import batch
from simulator.qa.batch import ATTEMPTS, BatchCall, CallOutcome, CallScorer, Emit, ScorerFactory

ACTOR_PREFIX = "callsim-score"


class ScoringActor:
    """The body of a Ray actor (made remote in ``run_on_ray``, so this module imports without Ray)."""

    def __init__(self, factory: ScorerFactory):
        self.scorer: CallScorer | None
        self.scorer, self.startup_error = batch.build_scorer(factory)

    def score(self, call: BatchCall) -> CallOutcome:
        return batch.score_safely(self.scorer, call, self.startup_error)


def _ray() -> ModuleType:
    return require("ray", "ray", feature="scoring on a Ray cluster (--ray)")


def connect(address: str) -> bool:
    """Joins the cluster at ``address`` ("auto": the one this machine is part of); True if this call connected."""
    ray = _ray()
    if ray.is_initialized():
        return False  # the caller (a test, a notebook) already chose the cluster
    ray.init(address=address, log_to_driver=False, configure_logging=False)
    return True


def disconnect() -> None:
    _ray().shutdown()


@dataclass
class _Slot:
    name: str
    actor: Any
    call: BatchCall | None = None
    ref: Any = None


def run_on_ray(calls: Sequence[BatchCall], factory: ScorerFactory, emit: Emit, *, actors: int | None = None) -> None:
    """Scores ``calls`` on the connected Ray cluster (see ``connect``)."""
    ray = _ray()
    remote_actor = ray.remote(num_cpus=1, max_restarts=0, max_concurrency=1)(ScoringActor)
    count = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    count = max(1, min(count, len(calls)))
    run = uuid.uuid4().hex[:8]
    queue = deque(calls)
    attempts: dict[str, int] = {}
    made = 0

    def new_slot() -> _Slot:
        nonlocal made
        name = f"{ACTOR_PREFIX}-{run}-{made}"
        made += 1
        return _Slot(name, remote_actor.options(name=name).remote(factory))

    slots = [new_slot() for _ in range(count)]
    try:
        while queue or any(s.call for s in slots):
            for slot in slots:
                if slot.call is None and queue:
                    slot.call = queue.popleft()
                    slot.ref = slot.actor.score.remote(slot.call)
            ready, _ = ray.wait([s.ref for s in slots if s.call is not None], num_returns=1)
            for index, slot in enumerate(slots):
                if slot.call is None or slot.ref not in ready:
                    continue
                call, tries = slot.call, attempts.get(slot.call.sha256, 1)
                slot.call = None
                try:
                    outcome: CallOutcome = ray.get(slot.ref)
                except ray.exceptions.RayActorError as err:
                    _kill(ray, slot.actor)  # a restart of it, if Ray tries one, must not run beside the new actor
                    slots[index] = new_slot()
                    if tries < ATTEMPTS:
                        attempts[call.sha256] = tries + 1
                        queue.appendleft(call)
                    else:
                        emit(CallOutcome(call, None, f"{call.path}: the Ray actor scoring it died {tries} times "
                                         f"({type(err).__name__}); the call was not scored", tries))
                    continue
                except ray.exceptions.RayError as err:  # e.g. the call could not be shipped to the actor
                    emit(CallOutcome(call, None, f"{call.path}: Ray could not score it ({type(err).__name__}: {err})",
                                     tries))
                    continue
                emit(replace(outcome, attempts=tries))
    finally:
        for slot in slots:
            _kill(ray, slot.actor)


def _kill(ray: ModuleType, actor: Any) -> None:
    with contextlib.suppress(ValueError):  # not an actor handle any more (already gone)
        ray.kill(actor)
