"""Play a recorded turn's WAV on the chosen output device.  Called from a worker thread.

sounddevice is imported lazily (PortAudio enumerates devices at import time, and the app must
start without a sound card).
"""

from __future__ import annotations

import wave
from pathlib import Path

from simulator.lazy import require


class PlaybackError(RuntimeError):
    pass


def play_wav(path: Path, device: str | int | None = None) -> float:
    """Play ``path`` to the end; returns its duration in seconds."""
    np = require("numpy")
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise PlaybackError(f"{path}: only 16-bit PCM WAV can be replayed")
            rate, channels = wav.getframerate(), wav.getnchannels()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    except FileNotFoundError:
        raise PlaybackError(f"{path}: the recording is missing (moved or deleted?)") from None
    except (wave.Error, EOFError) as err:
        raise PlaybackError(f"{path}: not a readable WAV file ({err})") from None
    if channels > 1:
        samples = samples.reshape(-1, channels)
    sd = require("sounddevice", feature="replaying call audio")
    try:
        sd.play(samples, samplerate=rate, device=device, blocking=True)
    except (sd.PortAudioError, ValueError) as err:
        raise PlaybackError(f"cannot play on {device or 'the default output device'}: {err}") from None
    return len(samples) / rate if rate else 0.0
