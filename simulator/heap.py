"""Memory a step freed, handed back to the system (glibc; elsewhere nothing happens).

Reading a recording and each Whisper pass of it allocate and free arrays of a few MB (decoded blocks,
the packed turns, their features, the windows).  glibc keeps freed heap memory for the process, and over
a long call what it kept grew with the call: a 30-minute call peaked 93 MB higher without ``malloc_trim``
after each pass.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        process = ctypes.CDLL(None)  # the C library this Python runs on
    except OSError:
        return None
    return getattr(process, "malloc_trim", None)


def hand_back_freed_memory() -> bool:
    """Return freed heap pages to the system; False where the C library cannot (not glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
