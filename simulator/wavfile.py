"""PCM WAV files as float32 samples, and band-limited resampling: the one reader every layer uses.

Standard library ``wave`` plus numpy, so the scoring core can read a recording without any audio
device library.  8-, 16-, 24- and 32-bit integer PCM at any rate and channel count; anything else
raises ``NotPcmWav`` (the ASR layer then tries a general decoder).
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma", ".amr",
                            ".au", ".aiff", ".aif", ".gsm", ".webm", ".mka"})
"""File endings taken as recordings when a folder is searched (any PyAV-readable file can be named directly)."""
RESAMPLE_BLOCK_S = 60  # long recordings are resampled in blocks so an hour of 48 kHz stays small
RESAMPLE_MARGIN_S = 1  # overlap that keeps block edges free of the FFT's wrap-around

Samples = npt.NDArray[np.float32]
"""Audio as float32 in [-1, 1]: one channel is 1-D, several are (frames, channels)."""


PCM_SCALE = 32768.0  # 16-bit full scale


@dataclass(frozen=True, slots=True)
class Pcm16:
    """Samples kept as 16-bit integers, half the memory of float32, and widened to float32 a range at a time.

    A long recorded call is held this way while it is scored (a two-hour stereo call is 0.46 GB instead of
    0.92 GB).  Lossless for 16-bit and narrower sources read at their own rate; resampled or compressed audio
    is rounded, -96 dB below full scale (which moves Whisper's words on some calls: docs/qa.md).  Only ``len``,
    ``size``, ``shape`` and indexing by a range are offered, and indexing returns float32 in [-1, 1]: code
    written for a float32 array either works unchanged on a range or fails loudly, never reading the integers
    as amplitudes.
    """

    pcm: npt.NDArray[np.int16]  # 1-D, or (frames, channels)

    @classmethod
    def of(cls, samples: npt.NDArray[np.floating]) -> Pcm16:
        """``samples`` (floats in [-1, 1]) rounded to 16 bits, clipping what lies beyond full scale."""
        return cls(to_pcm16(samples))

    def __len__(self) -> int:
        return len(self.pcm)

    @property
    def size(self) -> int:
        return int(self.pcm.size)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.pcm.shape)

    def __getitem__(self, index: slice | tuple[slice, slice | int]) -> Samples:
        if not isinstance(index[0] if isinstance(index, tuple) else index, slice):
            # a single sample would let numpy read the whole call as a sequence, one Python call per sample
            raise TypeError(f"Pcm16 is read a range at a time (samples[a:b]), not by {type(index).__name__}")
        widened = self.pcm[index].astype(np.float32)
        widened *= 1.0 / PCM_SCALE  # a power of two: exact
        return widened

    def column(self, index: int) -> Pcm16:
        """One channel of (frames, channels) samples, still 16-bit (a view, no copy when it is contiguous)."""
        return Pcm16(np.ascontiguousarray(self.pcm[:, index]))


def to_pcm16(samples: npt.NDArray[np.floating]) -> npt.NDArray[np.int16]:
    """Floats in [-1, 1] as 16-bit integers, rounded, clipped at full scale."""
    scaled = np.rint(np.asarray(samples, np.float32) * np.float32(PCM_SCALE))
    np.clip(scaled, -PCM_SCALE, PCM_SCALE - 1, out=scaled)
    pcm: npt.NDArray[np.int16] = scaled.astype(np.int16)
    return pcm


StoredSamples = Samples | Pcm16
"""A channel as a reader keeps it: float32, or 16-bit for a long call (``Pcm16``); a range of either is float32."""


class AudioFileError(ValueError):
    """An audio file that cannot be read; the message names the file and what to do."""


class NotPcmWav(AudioFileError):
    """The file exists but is not integer PCM WAV (compressed, float, or not a WAV at all)."""


# A file shorter than its header by less than this is not called cut off (an encoder's padding, rounding).
CUT_OFF_TOLERANCE_S = 0.5


@dataclass(frozen=True, slots=True)
class Audio:
    samples: StoredSamples  # shape (frames, channels)
    sample_rate: int
    damaged_packets: int = 0  # compressed packets that could not be decoded and were left out (a few ms each)
    declared_s: float | None = None  # how long the file's header says its audio is (None: it does not say)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def cut_off(self) -> bool:
        """The file holds less audio than its header says: a copy or download left incomplete, or a recorder
        stopped before it finished writing."""
        return self.declared_s is not None and self.declared_s - self.duration_s > CUT_OFF_TOLERANCE_S

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    def channel(self, index: int) -> StoredSamples:
        if isinstance(self.samples, Pcm16):
            return self.samples.column(index)
        return np.ascontiguousarray(self.samples[:, index])

    def mono(self) -> Samples:
        if isinstance(self.samples, Pcm16):
            mixed_pcm: Samples = self.samples.pcm.mean(axis=1, dtype=np.float32)
            mixed_pcm *= 1.0 / PCM_SCALE
            return mixed_pcm
        mixed: Samples = self.samples.mean(axis=1, dtype=np.float32)  # numpy types a reduction as Any
        return mixed


def existing_file(path: Path | str) -> Path:
    """``path`` as a Path, or ``AudioFileError`` when there is no file there (before any decoder runs)."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file")
    if not path.is_file():
        raise AudioFileError(f"{path}: not a file")
    return path


def read_wav(path: Path | str) -> Audio:
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as handle:
            width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
            raw = handle.readframes(handle.getnframes())
    except FileNotFoundError:
        raise AudioFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AudioFileError(f"{path}: a folder, not an audio file") from None
    except OSError as err:
        raise AudioFileError(f"{path}: cannot read ({err.strerror or err})") from None
    # wave raises wave.Error, EOFError (a header cut short) or struct.error for what is not PCM WAV
    except Exception as err:
        raise NotPcmWav(f"{path}: not a PCM WAV file ({err or 'truncated'}); convert it with "
                        f"'sox {path.name} -b 16 out.wav' or 'ffmpeg -i {path.name} out.wav'") from None
    if rate <= 0 or channels <= 0:
        raise NotPcmWav(f"{path}: the WAV header says {rate} Hz, {channels} channel(s)")
    data = _pcm_to_float(raw, width, path)
    frames = data.size // channels
    return Audio(data[: frames * channels].reshape(frames, channels), rate)


def _pcm_to_float(raw: bytes, width: int, path: Path) -> Samples:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    if width == 3:
        triples = np.frombuffer(raw[: len(raw) - len(raw) % 3], np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float32) / float(1 << 23)
    if width == 4:
        return (np.frombuffer(raw, "<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    raise NotPcmWav(f"{path}: unsupported WAV sample width of {width} bytes")


def resample(samples: npt.NDArray[np.floating], from_rate: int, to_rate: int) -> Samples:
    """Band-limited (FFT) resampling of mono samples, as float32."""
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    block, margin = RESAMPLE_BLOCK_S * from_rate, RESAMPLE_MARGIN_S * from_rate
    if samples.size <= block + 2 * margin:
        return _resample_whole(samples, from_rate, to_rate)
    pieces = []
    for start in range(0, samples.size, block):
        end = min(start + block, samples.size)
        lo, hi = max(0, start - margin), min(samples.size, end + margin)
        converted = _resample_whole(samples[lo:hi], from_rate, to_rate)
        first = round((start - lo) * to_rate / from_rate)  # the block's own share, without the margins
        pieces.append(converted[first: first + round(end * to_rate / from_rate) - round(start * to_rate / from_rate)])
    return np.concatenate(pieces)


def _resample_whole(samples: npt.NDArray[np.floating], from_rate: int, to_rate: int) -> Samples:
    count = round(samples.size * to_rate / from_rate)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = count // 2 + 1
    if keep <= spectrum.size:
        spectrum = spectrum[:keep]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(keep - spectrum.size, spectrum.dtype)])
    return (np.fft.irfft(spectrum, count) * (count / samples.size)).astype(np.float32)
