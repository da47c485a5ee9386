"""Background noise for drills: office hum, street rumble, or a bad phone line."""

from __future__ import annotations

import numpy as np

from simulator.audio.clip import CALL_RATE, AudioClip


def _shaped(white: np.ndarray, slope: float) -> np.ndarray:
    """Noise with power falling as 1/f**slope (1 = pink, 2 = brown)."""
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(len(white))
    freqs[0] = freqs[1] if len(freqs) > 1 else 1.0
    shaped = np.fft.irfft(spectrum / freqs ** (slope / 2), len(white))
    return shaped / (np.sqrt(np.mean(shaped ** 2)) + 1e-12)


def _band(signal: np.ndarray, low_hz: float, high_hz: float, rate: int) -> np.ndarray:
    spectrum = np.fft.rfft(signal)
    freqs = np.fft.rfftfreq(len(signal), 1 / rate)
    spectrum[(freqs < low_hz) | (freqs > high_hz)] = 0
    return np.fft.irfft(spectrum, len(signal))


def noise(kind: str, level_db: float, n_samples: int, *, seed: int = 0, rate: int = CALL_RATE) -> np.ndarray:
    """``n_samples`` of noise at ``level_db`` dBFS RMS.  Kinds: none, office, street, bad_line."""
    if kind == "none" or n_samples <= 0:
        return np.zeros(max(0, n_samples), np.float32)
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n_samples)
    if kind == "office":
        base = _shaped(white, 1.0)
        hum = np.sin(2 * np.pi * 50 * np.arange(n_samples) / rate)  # ventilation/mains hum
        out = base + 0.3 * hum
    elif kind == "street":
        out = _shaped(white, 2.0)
    elif kind == "bad_line":
        crackle = (rng.random(n_samples) < 0.002) * rng.standard_normal(n_samples) * 8
        out = _band(white, 300, 3400, rate) + crackle
    else:
        raise ValueError(f"unknown noise kind {kind!r}; use none, office, street or bad_line")
    out = out / (np.sqrt(np.mean(out ** 2)) + 1e-12)
    return (out * 10 ** (level_db / 20)).astype(np.float32)


def mix_noise(clip: AudioClip, kind: str, level_db: float, *, seed: int = 0) -> AudioClip:
    """The clip with noise under it; a bad line also loses the voice's lows and highs."""
    if kind == "none":
        return clip
    voice = clip.samples
    if kind == "bad_line":
        voice = _band(voice.astype(np.float64), 300, 3400, clip.sample_rate).astype(np.float32)
    mixed = voice + noise(kind, level_db, len(voice), seed=seed, rate=clip.sample_rate)
    return AudioClip(np.clip(mixed, -1, 1).astype(np.float32), clip.sample_rate)
