"""`callsim bench latency --busy-cores N`: the flag, and a busy load that really keeps a core busy."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from simulator.cli import build_parser
from simulator.commands.busy_load import BusyLoad


def test_busy_cores_is_parsed_defaults_to_one_and_rejects_what_is_not_a_core_count(capsys):
    parser = build_parser()
    assert parser.parse_args(["bench", "latency"]).busy_cores == 1
    assert parser.parse_args(["bench", "latency", "--busy-cores", "2"]).busy_cores == 2
    assert parser.parse_args(["bench", "latency", "--busy-cores", "0"]).busy_cores == 0
    for wrong in ("-1", "one"):
        with pytest.raises(SystemExit):
            parser.parse_args(["bench", "latency", "--busy-cores", wrong])
        assert "is not a number of cores" in capsys.readouterr().err


def _state(pid: int) -> str:
    """The kernel's scheduling state of a process: R runnable, S sleeping..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_the_busy_load_is_cpu_bound_its_cpu_time_is_measured_and_it_is_gone_afterwards():
    with BusyLoad(1) as load:
        pids = load.pids
        assert len(pids) == 1
        time.sleep(0.3)
        states = []
        for _ in range(10):  # CPU-bound: always runnable, never waiting on anything
            states.append(_state(pids[0]))
            time.sleep(0.1)
    report = load.report
    assert report is not None and report.processes == 1
    assert states == ["R"] * 10
    assert 1.2 < report.wall_s < 5
    # On an idle box it gets a whole core; on this shared one only its share of the two, but it used it.
    assert report.cpu_s > 0.05 * report.wall_s and report.cores_used == report.cpu_s / report.wall_s
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_no_busy_cores_is_no_load():
    with BusyLoad(0) as load:
        pass
    assert load.report is not None and load.report.cpu_s == 0 and load.report.processes == 0
