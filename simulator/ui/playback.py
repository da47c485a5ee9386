"""Play a recorded turn's WAV on the chosen output device, through the call's own player.

Called from a worker thread.  The audio modules are imported here, not at module load, so the app
starts without a sound card (PortAudio enumerates devices when sounddevice is imported).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.lazy import MissingPackage
from simulator.record import CallRecord, TurnRecord

if TYPE_CHECKING:
    from simulator.audio.clip import AudioClip


class PlaybackError(RuntimeError):
    pass


def play_turn(record: CallRecord, turn: TurnRecord, device: str | int | None = None) -> float:
    """Play a turn to the end: its own WAV, or for an imported call its stretch of the recording (both
    sides mixed, as the call sounded).  Returns the seconds played."""
    path = record.audio(turn)
    if path is not None:
        return play_wav(path, device)
    span = record.recording_span(turn)
    if span is None:
        raise PlaybackError("this turn has no recording")
    return play_recording(*span, device=device)


def play_wav(path: Path, device: str | int | None = None) -> float:
    """Play ``path`` to the end; returns its duration in seconds."""
    from simulator.audio.clip import read_wav

    try:
        clip = read_wav(path)
    except FileNotFoundError:
        raise PlaybackError(f"{path}: the recording is missing (moved or deleted?)") from None
    except (ValueError, EOFError, OSError) as err:
        raise PlaybackError(f"cannot read the recording: {err}") from None
    return _play(clip, device)


def play_recording(source: Path, start_s: float, end_s: float, *, device: str | int | None = None) -> float:
    """Play ``start_s``-``end_s`` of a recording in any format the importer reads, its channels mixed."""
    from simulator.asr.channels import read_channels
    from simulator.audio.clip import CALL_RATE, AudioClip
    from simulator.wavfile import AudioFileError

    try:
        audio = read_channels(source, CALL_RATE)
    except AudioFileError as err:
        raise PlaybackError(f"{err} (the recording this call was scored from: moved or deleted?)") from None
    first, last = round(start_s * CALL_RATE), round(end_s * CALL_RATE)
    stretch = replace(audio, samples=audio.samples[first:last])
    if stretch.duration_s == 0:
        raise PlaybackError(f"{source} holds {audio.duration_s:.1f} s, so nothing at {start_s:.1f}-{end_s:.1f} s "
                            "(a different file now at that path?)")
    return _play(AudioClip(stretch.mono(), CALL_RATE), device)


def _play(clip: AudioClip, device: str | int | None) -> float:
    from simulator.audio.devices import AudioDeviceError
    from simulator.audio.playback import Player

    player = Player(device)
    try:
        player.play(clip)
        player.wait_to_end()
    except (AudioDeviceError, MissingPackage) as err:
        raise PlaybackError(str(err)) from None
    finally:
        player.close()
    return clip.duration_s
