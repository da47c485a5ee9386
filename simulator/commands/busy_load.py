"""A busy PC for the latency benchmark: N CPU-bound processes beside the app, at normal priority.

A trainee's PC runs a browser or a video call while they practise; the app must cope with that,
so the load is neither niced nor pinned.  Each process spins in pure Python (one core each).  What
they really got is measured, not assumed: on a machine shared with other work a spinning process
gets less than a whole core, and the report says how much.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

SPIN = "while True:\n    pass\n"


@dataclass(frozen=True, slots=True)
class BusyLoadReport:
    processes: int
    wall_s: float
    cpu_s: float  # user + system time the busy processes used, together

    @property
    def cores_used(self) -> float:
        """Average cores the load kept busy (1.0 = one core the whole time)."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    def as_json(self) -> dict[str, float | int]:
        return {"processes": self.processes, "wall_s": round(self.wall_s, 2), "cpu_s": round(self.cpu_s, 2),
                "cores_used": round(self.cores_used, 2)}


class BusyLoad:
    """``with BusyLoad(1) as load: ...`` then ``load.report``: N spinning processes while the block runs."""

    def __init__(self, cores: int):
        if cores < 0:
            raise ValueError("the busy load needs 0 or more cores")
        self.cores = cores
        self._processes: list[subprocess.Popen] = []
        self._started = 0.0
        self.report: BusyLoadReport | None = None

    def __enter__(self) -> BusyLoad:
        self._started = time.monotonic()
        self._processes = [subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL)
                           for _ in range(self.cores)]
        return self

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    def __exit__(self, *exc_info: object) -> None:
        self.report = self.stop()

    def stop(self) -> BusyLoadReport:
        """Kill the processes and reap them; their CPU time comes from the kernel's accounting."""
        cpu_s = 0.0
        for process in self._processes:
            process.kill()
            _pid, _status, usage = os.wait4(process.pid, 0)
            process.returncode = -9  # reaped here, so Popen must not wait for it again
            cpu_s += usage.ru_utime + usage.ru_stime
        wall_s = time.monotonic() - self._started
        report = BusyLoadReport(len(self._processes), wall_s, cpu_s)
        self._processes = []
        return report
