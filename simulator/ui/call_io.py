"""Choose how the trainee speaks and hears in the app: voiced (mic + TTS) or typed replies.

Plain Python, run on the call's worker thread (opening devices and the TTS engine takes a moment).
The voiced path is ``simulator.call.voiced``; when it cannot start (no microphone, no output
device, no TTS) the call falls back to typing and ``banner`` says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.analysis.base import TurnAnalyser
from simulator.call.session import CustomerVoice, TraineeInput
from simulator.call.text_io import SilentVoice
from simulator.config import Settings
from simulator.lazy import MissingPackage
from simulator.record import CallMode
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import LoadedScenario
from simulator.ui.i18n import Phrase
from simulator.ui.typed_input import QueuedTypedReplies

if TYPE_CHECKING:
    from simulator.call.voiced import VoicedCall
    from simulator.ui.voice_input import SwitchableTrainee

NO_MIC_BANNER = "no microphone: typing mode"
NO_MIC = Phrase(NO_MIC_BANNER)
NO_MIC_DETAIL = "no microphone: typing mode ({error})"
LEVEL_EVERY_S = 0.1


@dataclass
class CallIO:
    voice: CustomerVoice
    trainee: TraineeInput
    typed: QueuedTypedReplies  # the Input widget feeds it (the whole call, or after a fallback)
    mode: CallMode  # recorded in the call header
    banner: Phrase | None = None  # why the call is typed, when it is (put into words on the screen)
    switchable: SwitchableTrainee | None = None  # in a voiced call
    call: VoicedCall | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def voiced(self) -> bool:
        return self.switchable is not None and not self.switchable.typing

    def set_muted(self, muted: bool) -> None:
        if self.switchable is not None:
            self.switchable.mic.muted = muted

    def switch_to_typing(self) -> None:
        if self.switchable is not None:
            self.switchable.switch_to_typing()

    def hang_up(self) -> None:
        if self.switchable is not None:
            self.switchable.hang_up()
            player = getattr(self.call, "player", None)
            if player is not None and player.playing:
                player.cut()  # stop the customer mid-sentence
        else:
            self.typed.hang_up()

    def close(self) -> None:
        if not self._closed and self.call is not None:
            self._closed = True
            self.call.close()


@dataclass(frozen=True, slots=True)
class VoiceRequest:
    """What the app asks of a call's audio: a voiced call at all, which devices, and recorded replies
    instead of the microphone (played fast, or in real time)."""

    want_voice: bool
    input_device: str | None = None
    output_device: str | None = None
    mic_from: Path | None = None
    fast_replies: bool = False
    drill_noise: bool = False  # a drill: the scenario's background noise under the customer's voice


@dataclass(frozen=True, slots=True)
class CallScreenHooks:
    """What the call screen is told from the call's worker thread."""

    on_partial: Callable[[str], None] | None = None  # the trainee's words so far
    on_level: Callable[[float], None] | None = None  # the mic level in dBFS (throttled here)
    on_typing: Callable[[Phrase], None] = lambda reason: None  # the call went over to typing, and why


def typed_io(typed: QueuedTypedReplies, reason: Phrase | None = NO_MIC) -> CallIO:
    return CallIO(SilentVoice(), typed, typed, CallMode.TEXT, reason)


def _throttled(callback: Callable[[float], None], every_s: float) -> Callable[[float], None]:
    last = [0.0]

    def report(value: float) -> None:
        now = time.monotonic()
        if now - last[0] >= every_s:
            last[0] = now
            callback(value)

    return report


def _has_microphone(device: str | None) -> Phrase | None:
    """None when an input device is there, else why not."""
    try:
        from simulator.audio.devices import AudioDeviceError, list_devices, resolve_device

        if not any(d.max_input_channels > 0 for d in list_devices()):
            return NO_MIC
        resolve_device(device, kind="input")
    except (AudioDeviceError, MissingPackage, ImportError, OSError) as err:
        return Phrase(NO_MIC_DETAIL, {"error": err})
    return None


def open_call_io(loaded: LoadedScenario, settings: Settings, folder: Path, typed: QueuedTypedReplies,
                 request: VoiceRequest, *, analyser: TurnAnalyser | None = None,
                 hooks: CallScreenHooks = CallScreenHooks()) -> CallIO:
    """The voiced call when possible, else typed replies with the reason in ``banner``."""
    if not request.want_voice:
        return typed_io(typed)
    if request.mic_from is None:
        problem = _has_microphone(request.input_device)
        if problem:
            return typed_io(typed, problem)
    try:
        from simulator.audio.capture import ReplayPace
        from simulator.audio.devices import AudioDeviceError
        from simulator.call.voiced import VoiceFeedback, VoiceOptions
        from simulator.call.voiced_setup import open_voiced_call
        from simulator.tts.base import TtsError
        from simulator.ui.voice_input import ControlledMic, SwitchableTrainee
    except (ImportError, MissingPackage) as err:
        return typed_io(typed, Phrase("voice unavailable ({error}): typing mode", {"error": err}))
    options = VoiceOptions(input_device=request.input_device, output_device=request.output_device,
                           mic_from=request.mic_from,
                           mic_pace=ReplayPace.FAST if request.fast_replies else ReplayPace.REALTIME,
                           noise=loaded.scenario.drill.noise if request.drill_noise else None)
    feedback = VoiceFeedback(hooks.on_partial,
                             _throttled(hooks.on_level, LEVEL_EVERY_S) if hooks.on_level else None)
    try:
        call = open_voiced_call(loaded, settings, folder, options, feedback=feedback, analyser=analyser)
    except (AudioDeviceError, TtsError, MissingPackage, FileProblems, ValueError, OSError) as err:
        return typed_io(typed, Phrase("voice unavailable: {error} — typing mode", {"error": err}))
    if request.mic_from is None:
        try:
            call.start()  # open the microphone now: a device that lists but will not open means typing
        except (AudioDeviceError, MissingPackage) as err:
            call.close()
            return typed_io(typed, Phrase(NO_MIC_DETAIL, {"error": err}))
    mic = ControlledMic(call.mic)
    call.mic = mic
    switchable = SwitchableTrainee(call, typed, mic, hooks.on_typing)
    return CallIO(call, switchable, typed, CallMode.VOICE, None, switchable, call)
