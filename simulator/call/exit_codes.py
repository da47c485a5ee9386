"""The exit codes callsim documents (README, "Exit codes"), and the one a failed voiced call gets.

The codes are a contract with scripts and supervisors: a missing headset is something the user
fixes in the settings (or by plugging it in), not a call record that could not be written, so it
must not share code 4 with a full disk.
"""

from __future__ import annotations

import enum

from simulator.config import config_file


class ExitCode(enum.IntEnum):
    OK = 0
    PROBLEMS_FOUND = 1  # lint errors, failed golden calls, bad input
    BAD_SETTINGS = 2  # settings or arguments, including a sound device that is missing or unusable
    MISSING_PACKAGE = 3
    RECORD_NOT_WRITTEN = 4  # full disk, read-only folder; the turns so far are kept
    INTERRUPTED = 130


def voiced_call_exit_code(err: BaseException) -> ExitCode | None:
    """The exit code for a voiced call (play, drill, exam) stopped by ``err``; None if it is not one of
    the failures a voiced call reports (the caller lets it propagate)."""
    # Imported here: the CLI imports this module at start and must stay light.
    from simulator.asr.base import AsrModelError
    from simulator.audio.clip import DiskFull
    from simulator.audio.devices import AudioDeviceError
    from simulator.lazy import MissingPackage
    from simulator.record import RecordingError
    from simulator.tts.base import TtsError

    if isinstance(err, AudioDeviceError):
        return ExitCode.BAD_SETTINGS
    if isinstance(err, MissingPackage):
        return ExitCode.MISSING_PACKAGE
    if isinstance(err, (DiskFull, RecordingError, TtsError, AsrModelError)):
        # The speech engines' failures keep the code they have always had; the table has none closer.
        return ExitCode.RECORD_NOT_WRITTEN
    return None


def voiced_call_failure_message(err: BaseException) -> str:
    """The error (it names the device, package or file), and for a device, which settings choose another."""
    from simulator.audio.devices import AudioDeviceError

    if not isinstance(err, AudioDeviceError):
        return str(err)
    return (f"{err}\ncallsim: plug the headset in, or choose devices with --input/--output or "
            f"input_device/output_device in {config_file()} (CALLSIM_INPUT_DEVICE/CALLSIM_OUTPUT_DEVICE); "
            "`callsim devices` lists them")
