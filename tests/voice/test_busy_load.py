"""`callsim bench latency --busy-cores N`: the flag, and a busy load that really keeps a core busy."""

from __future__ import annotations

import os
import time

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


def test_the_busy_load_uses_a_core_and_is_gone_afterwards():
    with BusyLoad(1) as load:
        pids = load.pids
        assert len(pids) == 1
        time.sleep(1.5)
    report = load.report
    assert report is not None and report.processes == 1
    assert 1.4 < report.wall_s < 3
    # A spinning process gets a whole core on an idle box; on a shared 2-core box still most of one.
    assert report.cpu_s > 0.5 and report.cores_used > 0.35
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_no_busy_cores_is_no_load():
    with BusyLoad(0) as load:
        pass
    assert load.report is not None and load.report.cpu_s == 0 and load.report.processes == 0
