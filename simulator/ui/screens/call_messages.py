"""Messages the call's worker thread posts to the call screen (``post_message`` is thread-safe)."""

from __future__ import annotations

from textual.message import Message

from simulator.call.session import CallEvent
from simulator.call.textcall import FinishedCall
from simulator.ui.call_io import CallIO
from simulator.ui.i18n import Phrase


class SessionEvent(Message):
    def __init__(self, event: CallEvent) -> None:
        super().__init__()
        self.event = event


class CallScored(Message):
    def __init__(self, finished: FinishedCall, call_id: str | None = None) -> None:
        super().__init__()
        self.finished = finished
        self.call_id = call_id  # in the training store


class CallFailed(Message):
    def __init__(self, error: str, fatal: bool = True) -> None:
        super().__init__()
        self.error = error
        self.fatal = fatal


class CallConnected(Message):
    def __init__(self, io: CallIO) -> None:
        super().__init__()
        self.io = io


class WentTyping(Message):
    def __init__(self, reason: Phrase) -> None:
        super().__init__()
        self.reason = reason


class PartialTranscript(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class MicLevel(Message):
    def __init__(self, level_db: float) -> None:
        super().__init__()
        self.level_db = level_db
