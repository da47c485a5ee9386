"""Waiting on a condition instead of sleeping a fixed time.

A fixed sleep is a guess at how fast the machine is: too short on a loaded machine (the test
fails), too long everywhere else.  These waits poll the condition the test actually needs and
give up only after a generous timeout, which bounds a run that has already failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_S = 0.05


def wait_until(condition: Callable[[], object], timeout_s: float = 30.0, what: str = "the condition", *,
               poll_s: float = POLL_S) -> None:
    """Return as soon as ``condition()`` is true; ``AssertionError`` naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(poll_s)
