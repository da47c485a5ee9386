"""Choose how the trainee speaks and hears in the app: voiced (mic + TTS) or typed replies.

Plain Python.  The voiced path comes from ``simulator.call.voiced`` when it is installed and a
microphone is there; otherwise the call falls back to typing and says why (the banner).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.call.session import CustomerVoice, TraineeInput
from simulator.call.text_io import SilentVoice
from simulator.scenario.loader import LoadedScenario
from simulator.ui.typed_input import QueuedTypedReplies

NO_MIC_BANNER = "no microphone: typing mode"


@dataclass
class CallIO:
    voice: CustomerVoice
    trainee: TraineeInput
    typed: QueuedTypedReplies | None  # set in typing mode: the Input widget feeds it
    mode: str  # recorded in the call header: "text" or "voice"
    banner: str | None = None  # why the call is typed, when it is
    close: Callable[[], None] = lambda: None
    mute: Callable[[bool], None] | None = None  # None: nothing to mute

    @property
    def voiced(self) -> bool:
        return self.typed is None


def typed_io(reason: str | None = NO_MIC_BANNER) -> CallIO:
    typed = QueuedTypedReplies()
    return CallIO(SilentVoice(), typed, typed, "text", reason)


def open_call_io(loaded: LoadedScenario, *, want_voice: bool, input_device: str | None,
                 output_device: str | None, on_partial: Callable[[str], None] | None = None,
                 on_level: Callable[[float], None] | None = None) -> CallIO:
    """The voiced call when possible, else typed replies with the reason in ``banner``."""
    if not want_voice:
        return typed_io()
    return typed_io(NO_MIC_BANNER)
