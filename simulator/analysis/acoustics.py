"""Signal measures of speech with numpy only: level, pitch (YIN) and spectral balance.

Everything works on float32 mono samples in [-1, 1] (``simulator.wavfile`` reads them from any PCM
WAV, so recorded calls from other systems can be measured too).  The measures feed
``simulator.analysis.tone``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from simulator.wavfile import Samples

FRAME_S = 0.025
HOP_S = 0.010
PITCH_MIN_HZ = 65.0
PITCH_MAX_HZ = 450.0
YIN_THRESHOLD = 0.15
YIN_VOICED_MAX = 0.35  # above this the best period is too weak to call the frame voiced
SILENCE_FLOOR_DBFS = -75.0  # digital silence only: the relative rule does the work, so gain changes nothing
ACTIVE_BELOW_PEAK_DB = 30.0  # frames within this of the loudest count as speech
SPLIT_HZ = 1000.0  # low band 80-1000 Hz vs high band 1000-4000 Hz (telephone-safe)
HIGH_BAND_TOP_HZ = 4000.0
MIN_MEASURABLE_SPEECH_S = 0.2
FRAMES_PER_BLOCK = 2000  # 20 s of 10 ms frames per FFT batch

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
_Float = TypeVar("_Float", np.float32, np.float64)


def frame_signal(samples: npt.NDArray[_Float], frame: int, hop: int) -> npt.NDArray[_Float]:
    if samples.size < frame:
        samples = np.pad(samples, (0, frame - samples.size))
    count = 1 + (samples.size - frame) // hop
    return np.lib.stride_tricks.sliding_window_view(samples, frame)[::hop][:count]


def frame_levels_db(samples: Samples, sample_rate: int) -> Floats:
    """RMS level of each 25 ms frame (10 ms hop) in dBFS, floored at -100."""
    frames = frame_signal(samples, int(FRAME_S * sample_rate), int(HOP_S * sample_rate))
    rms: Floats = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))  # a reduction is typed Any
    return 20.0 * np.log10(np.maximum(rms, 1e-5))


def active_frames(levels_db: Floats) -> Mask:
    """Speech-like frames: near the turn's peak and above an absolute silence floor."""
    if levels_db.size == 0:
        return np.zeros(0, bool)
    peak = np.percentile(levels_db, 99)
    return (levels_db > peak - ACTIVE_BELOW_PEAK_DB) & (levels_db > SILENCE_FLOOR_DBFS)


@dataclass(frozen=True, slots=True)
class _YinGeometry:
    tau_min: int
    tau_max: int
    window: int
    hop: int

    @classmethod
    def at(cls, sample_rate: int) -> _YinGeometry:
        tau_max = int(sample_rate / PITCH_MIN_HZ)
        return cls(int(sample_rate / PITCH_MAX_HZ), tau_max, max(int(FRAME_S * sample_rate), tau_max),
                   int(HOP_S * sample_rate))

    @property
    def span(self) -> int:
        """Samples one frame reads."""
        return self.window + self.tau_max

    def frame_count(self, samples: int) -> int:
        """Frames ``yin_pitch`` gives for this many samples (a short clip is padded to one frame)."""
        return 1 + (max(samples, self.span) - self.span) // self.hop


def yin_pitch(samples: Samples, sample_rate: int) -> tuple[Floats, Floats]:
    """F0 per 10 ms frame by YIN (de Cheveigné & Kawahara 2002): (hz, aperiodicity); 0 Hz = unvoiced."""
    geometry = _YinGeometry.at(sample_rate)
    frames = frame_signal(samples.astype(np.float64), geometry.span, geometry.hop)  # a view: no copy
    if frames.shape[0] == 0:
        return np.zeros(0), np.ones(0)
    return _yin_frames(frames, sample_rate, geometry)


def _yin_frames(frames: Floats, sample_rate: int, geometry: _YinGeometry) -> tuple[Floats, Floats]:
    # in blocks, so a long monologue needs ~100 MB, not gigabytes of FFT buffers
    parts = [_yin_block(np.ascontiguousarray(frames[start: start + FRAMES_PER_BLOCK]), sample_rate,
                        geometry.window, geometry.tau_min, geometry.tau_max)
             for start in range(0, frames.shape[0], FRAMES_PER_BLOCK)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


@dataclass(frozen=True, slots=True)
class PitchTrack:
    """``yin_pitch`` of a clip, worked out ahead (``PitchTracker``): F0 per 10 ms frame and aperiodicity."""

    hz: Floats
    aperiodicity: Floats
    samples: int  # the clip's length it belongs to


class PitchTracker:
    """YIN on audio that arrives in pieces: each ``extend`` computes the frames whose samples are all
    in, so when a spoken turn ends only its last frames are left, not the whole turn.  ``track(n)``
    is exactly ``yin_pitch`` of the first ``n`` samples fed (each frame depends on its own samples only).
    """

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self._geometry = _YinGeometry.at(sample_rate)
        self._pending = np.zeros(0)  # samples from the first frame not yet computed
        self._fed = 0
        self._hz: list[Floats] = []
        self._aperiodicity: list[Floats] = []
        self._frames = 0

    @property
    def fed(self) -> int:
        """Samples fed so far."""
        return self._fed

    def extend(self, samples: Samples) -> None:
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32).astype(np.float64)])
        self._fed += len(samples)
        geometry = self._geometry
        if len(self._pending) < geometry.span:
            return
        count = geometry.frame_count(len(self._pending))
        hz, aperiodicity = _yin_frames(frame_signal(self._pending, geometry.span, geometry.hop)[:count],
                                       self.sample_rate, geometry)
        self._hz.append(hz)
        self._aperiodicity.append(aperiodicity)
        self._frames += count
        self._pending = self._pending[count * geometry.hop:]

    def track(self, samples: int) -> PitchTrack | None:
        """The pitch of the first ``samples`` fed, or None if not all its frames are computed yet."""
        needed = self._geometry.frame_count(samples)
        if samples < self._geometry.span or needed > self._frames or samples > self._fed:
            return None
        self._hz, self._aperiodicity = [np.concatenate(self._hz)], [np.concatenate(self._aperiodicity)]
        return PitchTrack(self._hz[0][:needed].copy(), self._aperiodicity[0][:needed].copy(), samples)


def yin_difference(frames: Floats, window: int, tau_max: int) -> Floats:
    """YIN's difference function per frame: ``d[tau] = sum_{j < window} (x[j] - x[j + tau])^2`` for
    ``tau`` in 0..tau_max; ``frames`` holds ``window + tau_max`` samples a row."""
    # Every product of the correlation has an index below window + tau_max, so an FFT that long
    # is exact (no wrap-around); twice that, as before, only doubled the work on the turn's path.
    size = 1 << int(np.ceil(np.log2(window + tau_max)))
    head = np.zeros((frames.shape[0], window + tau_max))
    head[:, :window] = frames[:, :window]
    cross = np.fft.irfft(np.conj(np.fft.rfft(head, size)) * np.fft.rfft(frames, size), size)[:, : tau_max + 1]
    squares = np.concatenate([np.zeros((frames.shape[0], 1)), np.cumsum(frames ** 2, axis=1)], axis=1)
    lags = np.arange(tau_max + 1)
    energy_lag = squares[:, lags + window] - squares[:, lags]
    difference: Floats = np.maximum(energy_lag[:, :1] + energy_lag - 2.0 * cross, 0.0)
    return difference


def _yin_block(frames: Floats, sample_rate: int, window: int, tau_min: int, tau_max: int
               ) -> tuple[Floats, Floats]:
    difference = yin_difference(frames, window, tau_max)
    lags = np.arange(tau_max + 1)
    cumulative = np.cumsum(difference[:, 1:], axis=1)
    normalised = np.ones_like(difference)
    normalised[:, 1:] = difference[:, 1:] * lags[1:] / np.maximum(cumulative, 1e-12)
    search = normalised[:, tau_min: tau_max]
    below = search < YIN_THRESHOLD
    # the first dip under the threshold, followed to its local minimum; else the global minimum
    first = np.where(below.any(axis=1), below.argmax(axis=1), search.argmin(axis=1))
    rows = np.arange(search.shape[0])
    for _ in range(tau_max - tau_min):
        step = (first + 1 < search.shape[1]) & (search[rows, np.minimum(first + 1, search.shape[1] - 1)]
                                                < search[rows, first])
        if not step.any():
            break
        first = first + step
    tau = first + tau_min
    # parabolic refinement of the dip
    left = normalised[rows, np.maximum(tau - 1, 1)]
    centre = normalised[rows, tau]
    right = normalised[rows, np.minimum(tau + 1, tau_max)]
    curvature = left - 2 * centre + right
    shift = np.where(np.abs(curvature) > 1e-12, 0.5 * (left - right) / np.where(curvature == 0, 1, curvature), 0.0)
    period = tau + np.clip(shift, -1, 1)
    aperiodicity = centre
    hz = np.where(aperiodicity < YIN_VOICED_MAX, sample_rate / period, 0.0)
    return hz, aperiodicity


def band_energy_db(samples: Samples, sample_rate: int, mask: Mask | None = None) -> tuple[float, float]:
    """(high-band minus low-band energy in dB, spectral centroid in Hz) over the selected frames.

    The high/low balance is the spectral tilt of the voice: shouting and anger push energy up
    into the 1-4 kHz band; it does not depend on the microphone gain.
    """
    frame = int(FRAME_S * sample_rate)
    frames = frame_signal(samples.astype(np.float64), frame, int(HOP_S * sample_rate))
    if mask is not None and mask.size:
        frames = frames[mask[: frames.shape[0]]] if mask[: frames.shape[0]].any() else frames
    size = 1 << int(np.ceil(np.log2(frame)))
    taper = np.hanning(frame)
    spectrum = sum(np.abs(np.fft.rfft(frames[start: start + FRAMES_PER_BLOCK] * taper, size) ** 2).sum(axis=0)
                   for start in range(0, frames.shape[0], FRAMES_PER_BLOCK))
    freqs = np.fft.rfftfreq(size, 1.0 / sample_rate)
    low = spectrum[(freqs >= 80) & (freqs < SPLIT_HZ)].sum()
    high = spectrum[(freqs >= SPLIT_HZ) & (freqs < min(HIGH_BAND_TOP_HZ, sample_rate / 2))].sum()
    band = (freqs >= 80) & (freqs < min(HIGH_BAND_TOP_HZ, sample_rate / 2))
    centroid = float((spectrum[band] * freqs[band]).sum() / max(spectrum[band].sum(), 1e-12))
    return float(10 * np.log10(max(high, 1e-12) / max(low, 1e-12))), centroid


@dataclass(frozen=True, slots=True)
class VoiceFeatures:
    """Acoustic summary of one stretch of speech.  Levels in dBFS, pitch in Hz and semitones."""

    duration_s: float
    speech_s: float  # time in speech-like frames
    speech_span_s: float  # first to last speech-like frame, pauses included
    loudest_s: float | None  # time of the loudest frame (seconds from the start)
    level_db: float  # mean level of speech frames (power average)
    level_swing_db: float  # 90th - 10th percentile of speech-frame levels
    loud_level_db: float  # 90th percentile: how loud the stressed syllables are
    pitch_hz: float | None  # median F0 of voiced frames
    pitch_range_semitones: float | None  # 90th - 10th percentile of F0, in semitones
    pitch_high_hz: float | None  # 90th percentile of F0
    voiced_fraction: float  # voiced frames / speech frames
    tilt_db: float  # high-band (1-4 kHz) minus low-band (80-1000 Hz) energy
    centroid_hz: float

    @property
    def measurable(self) -> bool:
        return self.speech_s >= MIN_MEASURABLE_SPEECH_S


def voice_features(samples: npt.ArrayLike, sample_rate: int, track: PitchTrack | None = None) -> VoiceFeatures:
    """``track``: ``yin_pitch`` of these samples worked out ahead (``PitchTracker``); ignored if it
    belongs to another length."""
    samples = np.asarray(samples, dtype=np.float32)
    duration = samples.size / sample_rate if sample_rate else 0.0
    levels = frame_levels_db(samples, sample_rate)
    speech = active_frames(levels)
    if not speech.any():
        return VoiceFeatures(duration, 0.0, 0.0, None, float(levels.max(initial=-100.0)), 0.0, -100.0, None, None,
                             None, 0.0, 0.0, 0.0)
    speech_levels = levels[speech]
    power_mean = 10 * np.log10(np.mean(10 ** (speech_levels / 10)))
    hz = track.hz if track is not None and track.samples == samples.size else yin_pitch(samples, sample_rate)[0]
    count = min(hz.size, speech.size)
    voiced = hz[:count][speech[:count] & (hz[:count] > 0)]
    voiced = _drop_octave_errors(voiced)
    pitch = pitch_range = pitch_high = None
    if voiced.size >= 5:
        pitch = float(np.median(voiced))
        low, high = np.percentile(voiced, [10, 90])
        pitch_range = float(12 * np.log2(high / low))
        pitch_high = float(high)
    # spectral balance of *voiced* frames only: fricatives (s, sh, t) are bright whatever the mood
    voiced_frames = speech.copy()
    voiced_frames[:count] &= hz[:count] > 0
    tilt, centroid = band_energy_db(samples, sample_rate, voiced_frames if voiced_frames.sum() >= 5 else speech)
    p10, p90 = np.percentile(speech_levels, [10, 90])
    return VoiceFeatures(
        duration_s=duration,
        speech_s=float(speech.sum() * HOP_S),
        speech_span_s=float((np.flatnonzero(speech)[-1] - np.flatnonzero(speech)[0]) * HOP_S + FRAME_S),
        loudest_s=float(np.argmax(np.where(speech, levels, -200.0)) * HOP_S + FRAME_S / 2),
        level_db=float(power_mean),
        level_swing_db=float(p90 - p10),
        loud_level_db=float(p90),
        pitch_hz=pitch,
        pitch_range_semitones=pitch_range,
        pitch_high_hz=pitch_high,
        voiced_fraction=float(voiced.size / max(speech.sum(), 1)),
        tilt_db=tilt,
        centroid_hz=centroid,
    )


def _drop_octave_errors(hz: Floats) -> Floats:
    """Keep F0 values within an octave of the median: YIN's rare halvings/doublings skew ranges."""
    if hz.size < 5:
        return hz
    centre = np.median(hz)
    return hz[(hz > centre / 2 ** 0.9) & (hz < centre * 2 ** 0.9)]
