"""The batch on a Ray cluster that the test starts on loopback: one actor per CPU, a killed actor's call
retried, nothing lost or written twice (store: SQLite here, the shared PostgreSQL in CI)."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import pytest

from simulator.qa.batch import CallOutcome, plan_batch
from tests.conftest import absent
from tests.lab.conftest import db_url  # noqa: F401  (the fixture)
from tests.qa.fakes import FakeScorer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray_cluster():
    try:
        import ray
    except ImportError:
        absent("ray is not installed (pip install -r requirements/test.txt)")
    # a head of our own on loopback, 2 CPUs; workers import this checkout's simulator and tests
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             object_store_memory=100 * 1024 * 1024, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
    yield ray
    ray.shutdown()


def _calls(folder: Path, orders: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, order in orders.items():
        (folder / name).write_text(f"{order}\n")
    return [folder / name for name in orders]


def _kill_when_started(ray, markers: Path, killed: list[str]) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = list(markers.glob("started-*"))
            if started:
                name = started[0].name.removeprefix("started-")
                ray.kill(ray.get_actor(name))  # the actor dies in the middle of its call
                killed.append(name)
                return
            time.sleep(0.1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_an_actor_killed_mid_call_loses_nothing_and_nothing_is_stored_twice(ray_cluster, tmp_path, db_url):  # noqa: F811
    from simulator.commands.score_batch import RealCallWriter
    from simulator.qa.ray_batch import run_on_ray
    from simulator.store import open_store
    from simulator.store.types import CallKind

    orders = {f"call{n}.wav": f"ok reply number {n}" for n in range(5)}
    orders["held.wav"] = "hold"
    orders["bad.wav"] = "fail"
    paths = _calls(tmp_path / "calls", orders)
    markers = tmp_path / "markers"
    markers.mkdir()
    plan = plan_batch(paths, done=lambda _sha: False, trainee_for=lambda _p: "sam")
    outcomes: list[CallOutcome] = []
    killed: list[str] = []
    store = open_store(db_url)
    try:
        writer = RealCallWriter(store, None)

        def emit(outcome: CallOutcome) -> None:
            outcomes.append(outcome)
            writer.write(outcome)

        watcher = _kill_when_started(ray_cluster, markers, killed)
        run_on_ray(plan.calls, functools.partial(FakeScorer, markers), emit)
        watcher.join(timeout=5)
        assert killed, "the held call never started"
        by_name = {o.call.path.name: o for o in outcomes}
        assert len(outcomes) == len(orders) and sorted(by_name) == sorted(orders)  # none lost, none twice
        assert by_name["held.wav"].ok and by_name["held.wav"].attempts == 2
        assert not by_name["bad.wav"].ok and by_name["bad.wav"].attempts == 1  # a bad file is not retried
        stored = store.attempts(kind=CallKind.REAL)
        expected = sorted(o.call.sha256[:32] for o in outcomes if o.ok)
        assert sorted(a.call_id for a in stored) == expected
        # the same batch again (e.g. another driver on the shared store) writes nothing new
        for outcome in outcomes:
            RealCallWriter(store, None).write(outcome)
        assert sorted(a.call_id for a in store.attempts(kind=CallKind.REAL)) == expected
    finally:
        store.close()


def test_a_call_whose_actor_dies_every_time_is_reported_after_one_retry(ray_cluster, tmp_path):
    from simulator.qa.ray_batch import run_on_ray

    paths = _calls(tmp_path / "calls", {"ok.wav": "ok fine", "crash.wav": "crash-always"})
    markers = tmp_path / "markers"
    markers.mkdir()
    outcomes: list[CallOutcome] = []
    run_on_ray(plan_batch(paths, done=lambda _s: False).calls, functools.partial(FakeScorer, markers),
               outcomes.append, actors=2)
    by_name = {o.call.path.name: o for o in outcomes}
    assert by_name["ok.wav"].ok
    assert not by_name["crash.wav"].ok and by_name["crash.wav"].attempts == 2
    assert "died 2 times" in (by_name["crash.wav"].error or "")
