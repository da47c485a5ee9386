"""Play a recorded turn's WAV on the chosen output device, through the call's own player.

Called from a worker thread.  The audio modules are imported here, not at module load, so the app
starts without a sound card (PortAudio enumerates devices when sounddevice is imported).
"""

from __future__ import annotations

from pathlib import Path

from simulator.lazy import MissingPackage


class PlaybackError(RuntimeError):
    pass


def play_wav(path: Path, device: str | int | None = None) -> float:
    """Play ``path`` to the end; returns its duration in seconds."""
    from simulator.audio.clip import read_wav
    from simulator.audio.devices import AudioDeviceError
    from simulator.audio.playback import Player

    try:
        clip = read_wav(path)
    except FileNotFoundError:
        raise PlaybackError(f"{path}: the recording is missing (moved or deleted?)") from None
    except (ValueError, EOFError, OSError) as err:
        raise PlaybackError(f"cannot read the recording: {err}") from None
    player = Player(device)
    try:
        player.play(clip)
        player.wait_to_end()
    except (AudioDeviceError, MissingPackage) as err:
        raise PlaybackError(str(err)) from None
    finally:
        player.close()
    return clip.duration_s
