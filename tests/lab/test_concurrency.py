"""Eight processes write calls into one store at once: no lost and no duplicated rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simulator.store import CallStatus, open_store

WRITER = Path(__file__).with_name("store_writer.py")
STATIONS = 8
CALLS_EACH = 4


def test_eight_writers_lose_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    # a fresh database: the stations also race to create the schema (migrations on open)
    processes = [subprocess.Popen([sys.executable, str(WRITER), db_url, str(n), str(CALLS_EACH), str(tmp_path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n in range(STATIONS)]
    written: dict[str, int] = {}
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err[-2000:]
        for line in out.splitlines():
            call_id, turns = line.split()
            written[call_id] = int(turns)
    assert len(written) == STATIONS * CALLS_EACH

    with open_store(db_url) as store:
        check_store(store, written)


def check_store(store, written: dict[str, int]) -> None:
    attempts = store.attempts()
    assert sorted(a.call_id for a in attempts) == sorted(written)  # none lost, none duplicated
    for attempt in attempts:
        assert attempt.status == CallStatus.FINISHED and attempt.overall is not None
        assert attempt.turns == written[attempt.call_id]
        turns = store.get_call(attempt.call_id).record.turns
        assert [t.index for t in turns] == list(range(written[attempt.call_id]))
    names = [p.name for p in store.list_trainees()]
    assert sorted(names) == sorted(["shared", *(f"station-{n}" for n in range(STATIONS))])
    assert len(store.attempts("shared")) == STATIONS * (CALLS_EACH // 2)
    assert [t.name for t in store.list_teams()] == ["lab"]
