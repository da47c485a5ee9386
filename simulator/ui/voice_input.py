"""The voiced call's trainee side under the app's control: mute, hang up, and fall back to typing.

``ControlledMic`` wraps the call's microphone: muting feeds silence (so the customer hears no
barge-in), and ``interrupt`` stops a reply the call is waiting for.  ``SwitchableTrainee`` asks
the voiced call for each reply until the trainee switches to typing (F7) or the microphone fails
mid-call (unplugged headset); then the typed replies take over from that turn.  Plain Python.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from simulator.audio.clip import AudioBlock
from simulator.audio.devices import AudioDeviceError
from simulator.call.session import SpokenLine, TraineeInput, TraineeReply
from simulator.contracts import CustomerTurn
from simulator.ui.i18n import Phrase
from simulator.ui.typed_input import QueuedTypedReplies


class ReplyInterrupted(Exception):
    """The trainee hung up or switched to typing while the call was listening."""


class ControlledMic:
    def __init__(self, inner):
        self.inner = inner
        self.sample_rate = inner.sample_rate
        self.muted = False
        self.listening = False  # set while the call waits for a spoken reply
        self._interrupt = threading.Event()

    def start(self) -> None:
        self.inner.start()

    def read(self, timeout_s: float = 1.0) -> AudioBlock | None:
        if self.listening and self._interrupt.is_set():
            self._interrupt.clear()
            raise ReplyInterrupted()
        block = self.inner.read(timeout_s)
        if block is not None and self.muted:
            return AudioBlock(np.zeros_like(block.samples), block.sample_rate, block.start_sample,
                              block.capture_time_s)
        return block

    def expect_reply(self, *args, **kwargs) -> bool:
        return self.inner.expect_reply(*args, **kwargs)

    def __getattr__(self, name: str):
        # Anything else the call asks of its microphone goes to the real one unchanged.
        return getattr(self.inner, name)

    def interrupt(self) -> None:
        self._interrupt.set()

    def close(self) -> None:
        self.inner.close()


class SwitchableTrainee:
    def __init__(self, voiced: TraineeInput, typed: QueuedTypedReplies, mic: ControlledMic,
                 on_typing: Callable[[Phrase], None]):
        self.voiced = voiced
        self.typed = typed
        self.mic = mic
        self.on_typing = on_typing  # told why the call went over to typing
        self.typing = False

    def switch_to_typing(self) -> None:
        self.typing = True
        self.mic.muted = True
        self.mic.interrupt()

    def hang_up(self) -> None:
        self.typed.hang_up()
        self.mic.interrupt()

    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        if self.typed.ended:
            return None
        if not self.typing:
            self.mic.listening = True
            try:
                return self.voiced.next_reply(customer, spoken, turn_index)
            except ReplyInterrupted:
                if self.typed.ended:
                    return None
            except AudioDeviceError as err:
                self.switch_to_typing()
                self.on_typing(Phrase("microphone lost: typing mode ({error})", {"error": err}))
            finally:
                self.mic.listening = False
        return self.typed.next_reply(customer, spoken, turn_index)
