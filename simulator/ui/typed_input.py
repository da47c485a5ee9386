"""Typed replies from a widget: a ``TraineeInput`` whose worker thread waits on a queue.

The call session runs in a worker thread and calls ``next_reply``; the UI thread feeds lines in
with ``submit`` (the Input widget) or ends the call with ``hang_up``.  Nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from simulator.call.session import SpokenLine, TraineeReply
from simulator.call.text_io import parse_reply
from simulator.contracts import CustomerTurn

_HANG_UP = object()


class QueuedTypedReplies:
    def __init__(self) -> None:
        self.warm_up: Callable[[], object] | None = None  # run once while the trainee types the first reply
        self._lines: queue.Queue[object] = queue.Queue()
        self.waiting = threading.Event()  # set while the session waits for the trainee
        self._ended = threading.Event()

    def submit(self, line: str) -> None:
        if not self._ended.is_set():
            self._lines.put(line)

    def hang_up(self) -> None:
        self._ended.set()
        self._lines.put(_HANG_UP)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        if self._ended.is_set():
            return None
        self.waiting.set()
        warm_up, self.warm_up = self.warm_up, None
        if warm_up is not None:
            # on this thread, so the analyser never loads on two threads at once; a failed warm-up
            # shows again, with its message, when the first reply is analysed
            with contextlib.suppress(Exception):
                warm_up()
        try:
            line = self._lines.get()
        finally:
            self.waiting.clear()
        if line is _HANG_UP:
            return None
        return parse_reply(str(line)).to_reply()
