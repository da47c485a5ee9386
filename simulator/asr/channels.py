"""Decode a recording with its channels kept apart: what QA needs from a stereo call recording.

``simulator.asr.audio_file.read_audio`` downmixes to mono for transcription; scoring a call needs the
agent and the customer on their own channels.  PyAV (installed with faster-whisper) reads what phone
systems write: MP3, mu-law and A-law WAV, 8-bit, 8 kHz, FLAC, OGG...  Without PyAV only integer PCM WAV
is read (``simulator.wavfile``).

Memory: decoded frames are resampled as they arrive (when a rate is asked for), gathered into 4-MB blocks
and joined into one array per channel, so a 60-minute stereo call at 16 kHz holds about 460 MB of float32,
never a float64 copy, an interleaved copy or the decoder's small arrays beside the per-channel ones.  Past
``compact_after_s`` of audio the channels are kept as 16-bit integers (``Pcm16``) instead, half that: how
call QA holds a long call.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np

from simulator.declared_length import declared_s
from simulator.heap import hand_back_freed_memory
from simulator.lazy import MissingPackage, require
from simulator.wavfile import (
    AUDIO_SUFFIXES,
    Audio,
    AudioFileError,
    Pcm16,
    existing_file,
    read_wav,
    resample,
    to_pcm16,
)

_EMPTY = np.zeros(0, np.float32)
_BLOCK = 1 << 20  # samples (4 MB of float32): a decoded channel is kept in blocks of this size
__all__ = ["AUDIO_SUFFIXES", "decoded_mono", "read_channels"]


def read_channels(path: Path | str, sample_rate: int | None = None, *, compact_after_s: float | None = None
                  ) -> Audio:
    """The recording as float32 in [-1, 1], shape (frames, channels), at ``sample_rate`` (None: the file's own);
    a recording longer than ``compact_after_s`` as 16-bit ``Pcm16`` instead, whose ranges read as float32 (half
    the memory; a shorter one is read exactly as without it).

    Raises ``AudioFileError`` naming the file for anything missing, unreadable or without audio.
    """
    path = existing_file(path)
    try:
        av = require("av", "av", feature="decoding call recordings")
    except MissingPackage:
        audio = _read_pcm_wav(path, sample_rate)  # raises NotPcmWav, naming sox/ffmpeg, for other formats
        if compact_after_s is not None and audio.duration_s > compact_after_s:
            return replace(audio, samples=Pcm16.of(audio.samples[:]))
        return audio
    try:
        return _decode(av, path, sample_rate, compact_after_s)
    except AudioFileError:
        raise
    except Exception as err:  # PyAV raises its own error classes for every kind of bad input
        raise AudioFileError(f"{path}: not a readable audio file ({type(err).__name__}: {err})") from None


def decoded_mono(path: Path | str, sample_rate: int) -> np.ndarray:
    """The recording mixed to one channel at ``sample_rate`` (recorded replies played in as the microphone)."""
    return read_channels(path, sample_rate).mono()


def _read_pcm_wav(path: Path, sample_rate: int | None) -> Audio:
    audio = replace(read_wav(path), declared_s=declared_s(path))
    if sample_rate is None or sample_rate == audio.sample_rate:
        return audio
    planes = np.empty((audio.channels, round(len(audio.samples) * sample_rate / audio.sample_rate)), np.float32)
    for channel in range(audio.channels):
        converted = resample(audio.samples[:, channel], audio.sample_rate, sample_rate)
        planes[channel, : converted.size] = converted[: planes.shape[1]]
    return Audio(planes.T, sample_rate, declared_s=audio.declared_s)


def _decode(av: ModuleType, path: Path, sample_rate: int | None, compact_after_s: float | None) -> Audio:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise AudioFileError(f"{path}: the file has no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 1
        rate = sample_rate or stream.codec_context.sample_rate
        # planar float keeps each channel in its own row; the resampler also converts mu-law, 8-bit, ...
        resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=rate)
        compact_after = None if compact_after_s is None else round(compact_after_s * rate)
        gathered = [_Blocks(compact_after) for _ in range(channels)]
        skipped = 0
        # packet by packet: a damaged packet (or MP3s joined end to end, a tag in the middle) costs that packet,
        # not the rest of the file, as it would if the decoding generator raised and stopped
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                skipped += 1
                continue
            for frame in frames:
                _keep(resampler.resample(frame), gathered)
        _keep(resampler.resample(None), gathered)  # what the resampler still holds
    for blocks in gathered:
        blocks.close()
    pieces = [blocks.blocks for blocks in gathered]
    if skipped and not pieces[0]:
        raise AudioFileError(f"{path}: not a readable audio file (none of its {skipped} packets could be decoded)")
    compact = gathered[0].compact  # the channels gather in step: all or none passed the length
    joined = _joined(pieces, np.int16 if compact else np.float32)
    hand_back_freed_memory()  # blocks the allocator served from its heap (in a long batch it may) go back too
    return Audio(Pcm16(joined.T) if compact else joined.T, rate, skipped, declared_s(path))


class _Blocks:
    """One channel's decoded samples, gathered into blocks of ``_BLOCK`` samples as they arrive.

    A decoder hands out a few thousand samples at a time.  Kept as they came, a 90-minute channel was
    hundreds of thousands of small arrays on the heap, which the allocator keeps for the process once they
    are freed: reading such a call held twice its audio (1.4 GB for 0.66 GB of samples).  Blocks of a few
    MB are memory mapped on their own, returned to the system as each is copied into the channel.  Once the
    channel passes ``compact_after`` samples, the blocks so far are rounded to 16 bits and each later one as
    it is made, so a long call is never held whole in float32."""

    def __init__(self, compact_after: int | None) -> None:
        self.compact_after = compact_after
        self.blocks: list[np.ndarray] = []
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._size = 0

    @property
    def compact(self) -> bool:
        """Past ``compact_after`` samples: the blocks are 16-bit."""
        return self.compact_after is not None and self._size > self.compact_after

    def add(self, samples: np.ndarray) -> None:
        self._pending.append(samples)
        self._pending_size += samples.size
        if self._pending_size >= _BLOCK:
            self.close()

    def close(self) -> None:
        if self._pending:
            block = np.concatenate(self._pending)
            was_compact = self.compact
            self._size += block.size
            self._pending, self._pending_size = [], 0
            if self.compact and not was_compact:
                for index, kept in enumerate(self.blocks):
                    self.blocks[index] = to_pcm16(kept)  # the float32 block goes as its 16-bit copy is kept
            self.blocks.append(to_pcm16(block) if self.compact else block)


def _keep(frames: list, channels: list[_Blocks]) -> None:
    for frame in frames:
        planes = frame.to_ndarray()
        for channel, blocks in enumerate(channels):
            blocks.add(planes[min(channel, planes.shape[0] - 1)])


def _joined(pieces: list[list[np.ndarray]], kept_as: type[np.float32 | np.int16]) -> np.ndarray:
    """(channels, frames), filled one channel at a time so the decoded pieces are freed as they are copied.

    16-bit blocks (2 MB) are below the size glibc maps on its own once a 4-MB float32 block has been freed,
    so they live on the heap, and a freed one is only handed back by a trim: one after each block keeps
    the reading at about one copy of the call (two, without it)."""
    frames = sum(piece.size for piece in pieces[0])
    planes = np.empty((len(pieces), frames), kept_as)
    for channel, chunk in enumerate(pieces):
        position = 0
        for index, piece in enumerate(chunk):
            planes[channel, position: position + piece.size] = piece
            position += piece.size
            chunk[index] = _EMPTY  # let the decoded piece go now, not when the whole channel is copied
            if kept_as is np.int16:
                hand_back_freed_memory()
    return planes
