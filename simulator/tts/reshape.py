"""Reshaping a source-filter voice: pitch, melody, vocal-tract length and spectral tilt, in numpy.

A neural engine that predicts, per frame, a pitch curve and spectral envelopes (rather than a waveform)
can be turned into several customers by editing those before the waveform is made: the harmonics are
re-generated at the new pitch and still pass through the original envelope, so the words stay as
clear as the shipped voice's (a resampled waveform would move pitch and formants together and sound
like a tape played fast).  Envelopes here are natural-log magnitudes, ``[bins, frames]``, bin 0 = 0 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]

VOICED_MIN_HZ = 40.0  # the engines' convention: f0 below this is an unvoiced frame
_TILT_PIVOT_HZ = 1000.0
_DB_TO_LOG = np.log(10.0) / 20.0


@dataclass(frozen=True, slots=True)
class Reshape:
    """One line's edit: all neutral values leave the voice as shipped."""

    pitch_semitones: float = 0.0
    pitch_range: float = 1.0  # excursion of the melody around the line's median pitch
    formant_ratio: float = 1.0  # > 1 moves formants up (shorter vocal tract), < 1 down
    tilt_db_per_octave: float = 0.0  # > 0 brighter (raised effort: shouting), < 0 softer, breathier


def reshape_pitch(f0_hz: Floats, edit: Reshape) -> Floats:
    """The pitch curve shifted by ``pitch_semitones`` and widened/flattened around its median
    (in the log domain, where a melody's steps are heard).  Unvoiced frames stay unvoiced."""
    f0 = np.asarray(f0_hz, np.float32)
    voiced = f0 > VOICED_MIN_HZ
    if not voiced.any():
        return f0.copy()
    log_f0 = np.log(f0[voiced])
    centre = float(np.median(log_f0))
    moved = centre + (log_f0 - centre) * edit.pitch_range + edit.pitch_semitones * np.log(2.0) / 12.0
    out = f0.copy()
    out[voiced] = np.maximum(np.exp(moved), VOICED_MIN_HZ + 1.0)
    return out


def warp_bins(envelope: Floats, ratio: float) -> Floats:
    """``envelope`` stretched along frequency: the value at bin k comes from bin k / ratio (linear
    interpolation; beyond the top bin the top value holds).  ratio 1 returns the input."""
    if ratio == 1.0:
        return envelope
    bins = envelope.shape[0]
    source = np.arange(bins, dtype=np.float32) / np.float32(ratio)
    low = np.minimum(source.astype(np.int64), bins - 1)
    high = np.minimum(low + 1, bins - 1)
    weight = (source - low).clip(0.0, 1.0)[:, None]
    return (envelope[low] * (1.0 - weight) + envelope[high] * weight).astype(np.float32)


def nearest_bins(values: Floats, ratio: float) -> Floats:
    """Like ``warp_bins`` for quantities that must not be averaged (phases)."""
    if ratio == 1.0:
        return values
    bins = values.shape[0]
    source = np.minimum(np.rint(np.arange(bins) / ratio).astype(np.int64), bins - 1)
    return values[source]


def tilt(envelope: Floats, sample_rate: int, db_per_octave: float) -> Floats:
    """A log-magnitude envelope tilted about 1 kHz: positive is brighter (more effort)."""
    if db_per_octave == 0.0:
        return envelope
    bins = envelope.shape[0]
    hz = np.linspace(0.0, sample_rate / 2.0, bins, dtype=np.float32)
    octaves = np.log2(np.maximum(hz, 100.0) / _TILT_PIVOT_HZ)
    return (envelope + (db_per_octave * _DB_TO_LOG * octaves)[:, None]).astype(np.float32)


def loudness_matched(samples: Floats, target_dbfs: float, peak_limit: float = 0.98) -> Floats:
    """``samples`` scaled so their loud half sits at ``target_dbfs`` RMS, without clipping."""
    if samples.size == 0:
        return samples
    frames = samples[: samples.size // 160 * 160].reshape(-1, 160) if samples.size >= 160 else samples[None, :]
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    loud = rms[rms >= np.median(rms)]
    level = float(np.sqrt(np.mean(loud ** 2))) if loud.size else 0.0
    if level <= 1e-6:
        return samples
    gain = 10.0 ** (target_dbfs / 20.0) / level
    peak = float(np.max(np.abs(samples))) * gain
    if peak > peak_limit:
        gain *= peak_limit / peak
    return (samples * gain).astype(np.float32)
