"""Transcribe a turn while it is being spoken, so the final text is ready soon after it ends.

The capture loop calls ``feed(samples)`` as audio arrives.  Every ``check_interval_s`` of new audio
a pass is queued on the ``AsrWorker`` (at most one queued at a time, so a slow CPU skips passes
instead of falling behind).  A pass runs the Silero VAD over the recent audio (milliseconds) and
decodes with Whisper only when there is speech not yet decoded and either

* the speech has paused (``pause_s`` of silence): the likely end of the turn, decoded at once, or
* ``interval_s`` of audio has passed since the last decode while the speech goes on -- stretched
  to three decode times on a slow or busy CPU, because a decode still running when the turn ends
  delays the final one (the model cannot be interrupted).

If all the speech heard lies inside the audio already decoded, the previous transcript stands.
That makes ``finish()`` cheap: the endpointer ends a turn after ~0.5-1 s of silence, the pause pass
has already decoded (or is decoding) the complete speech, and ``finish()`` reuses it.

One ``IncrementalTranscriber`` per turn; one ``AsrWorker`` per call (it owns the model).
``feed``, ``partial`` and ``finish`` may be called from any thread.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from simulator.asr.base import SAMPLE_RATE, Transcriber
from simulator.asr.guards import VadSettings, empty_transcript, speech_spans
from simulator.asr.worker import AsrWorker
from simulator.contracts import Transcript

VAD_WINDOW_S = 10.0  # a pass looks this far back for speech (older speech was seen by earlier passes)


@dataclass(frozen=True, slots=True)
class IncrementalStats:
    passes: int  # partial and final passes run on the worker
    decodes: int  # passes that ran Whisper (the others reused the previous transcript)
    final_reused: bool | None  # None until finish()


@dataclass(frozen=True, slots=True)
class _Decoded:
    transcript: Transcript
    samples: int  # how much audio the transcript was decoded from


class IncrementalTranscriber:
    def __init__(self, worker: AsrWorker | Transcriber, *, prompt: str | None = None, interval_s: float = 1.0,
                 check_interval_s: float = 0.25, pause_s: float = 0.2,
                 on_partial: Callable[[Transcript], None] | None = None):
        """``worker``: the call's ``AsrWorker`` (or a bare transcriber, which then gets its own worker).

        ``on_partial`` is called on the worker thread with the new partial each time a pass decodes.
        """
        self._owns_worker = not isinstance(worker, AsrWorker)
        self._worker = worker if isinstance(worker, AsrWorker) else AsrWorker(worker)
        self.prompt = prompt
        self.interval_samples = max(1, int(interval_s * SAMPLE_RATE))
        self.check_samples = max(1, int(check_interval_s * SAMPLE_RATE))
        # Short padding: a span must end inside the audio already decoded for the decode to count.
        self.vad = VadSettings(min_silence_s=pause_s, pad_s=min(0.1, pause_s / 2))
        self.on_partial = on_partial
        self._lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._length = 0
        self._queued_upto = 0  # audio length when the last pass was queued
        self._queued: Future | None = None
        self._decoded: _Decoded | None = None
        self._speech_end = 0  # samples: where the last speech heard so far ends (0 = none yet)
        self._decode_s = 0.0  # how long the last decode took (wall clock)
        self._final: Future[Transcript] | None = None
        self._passes = 0
        self._decodes = 0
        self._final_reused: bool | None = None

    # -- called by the capture side -------------------------------------------------------------

    def feed(self, samples: np.ndarray) -> None:
        """Append captured audio: mono 16 kHz, float32 in [-1, 1] (int16 is scaled)."""
        block = _as_float_mono(samples)
        with self._lock:
            if self._final is not None:
                raise RuntimeError("feed() after finish(): start a new IncrementalTranscriber for the next turn")
            if len(block):
                self._chunks.append(block)
                self._length += len(block)
            self._queue_pass_if_due()

    def partial(self) -> Transcript:
        """The latest partial transcript (empty until the first pass has heard speech)."""
        with self._lock:
            decoded, length = self._decoded, self._length
        return decoded.transcript if decoded else empty_transcript(length / SAMPLE_RATE)

    def finish(self, timeout: float | None = None) -> Transcript:
        """The final transcript of everything fed, reusing the last partial if no speech came since."""
        with self._lock:
            if self._final is None:
                self._final = self._worker.submit(self._final_pass, self._length)
            final = self._final
        try:
            return final.result(timeout)
        finally:
            if self._owns_worker and final.done():
                self._worker.close(wait=False)

    def wait_for_pending(self, timeout: float | None = None) -> None:
        """Block until no pass is queued (a pass may queue the next one); for tests and tidy shutdowns."""
        while True:
            with self._lock:
                queued = self._queued
            if queued is None:
                return
            queued.result(timeout)

    @property
    def duration_s(self) -> float:
        with self._lock:
            return self._length / SAMPLE_RATE

    def audio(self) -> np.ndarray:
        """Everything fed so far, as one array."""
        with self._lock:
            return self._audio_locked(self._length)

    @property
    def stats(self) -> IncrementalStats:
        with self._lock:
            return IncrementalStats(self._passes, self._decodes, self._final_reused)

    # -- on the worker thread -------------------------------------------------------------------

    def _queue_pass_if_due(self) -> None:  # caller holds the lock
        if self._final is None and self._queued is None and \
                self._length - self._queued_upto >= self.check_samples:
            self._queued_upto = self._length
            self._queued = self._worker.submit(self._partial_pass, self._length)

    def _partial_pass(self, samples: int) -> None:
        try:
            changed = self._run_pass(samples, final=False)
        finally:
            with self._lock:
                self._queued = None
                self._queue_pass_if_due()  # audio kept arriving while this pass ran
        if changed and self.on_partial is not None:
            self.on_partial(self.partial())

    def _final_pass(self, samples: int) -> Transcript:
        decoded_before = self._decodes
        self._run_pass(samples, final=True)
        with self._lock:
            self._final_reused = self._decodes == decoded_before
            decoded = self._decoded
        duration_s = samples / SAMPLE_RATE
        if decoded is None:
            return empty_transcript(duration_s)
        return dataclasses.replace(decoded.transcript, duration_s=duration_s)

    def _run_pass(self, samples: int, *, final: bool) -> bool:
        """Bring the transcript up to ``samples`` of audio if needed; True if it was decoded afresh."""
        with self._lock:
            audio = self._audio_locked(samples)
            previous = self._decoded
            self._passes += 1
        window_start = max(0, samples - int(VAD_WINDOW_S * SAMPLE_RATE))
        spans = speech_spans(audio[window_start:], self.vad)
        if spans:
            self._speech_end = max(self._speech_end, window_start + int(spans[-1].end_s * SAMPLE_RATE))
        decoded_upto = previous.samples if previous else 0
        if self._speech_end == 0 or self._speech_end <= decoded_upto:
            return False  # nothing said since the audio already decoded
        still_speaking = bool(spans) and self._speech_end >= samples - 1
        interval = max(self.interval_samples, int(3 * self._decode_s * SAMPLE_RATE))
        if not final and still_speaking and samples - decoded_upto < interval:
            return False
        started = time.perf_counter()
        transcript = self._worker.transcriber.transcribe(audio, prompt=self.prompt)
        self._decode_s = time.perf_counter() - started
        with self._lock:
            self._decoded = _Decoded(transcript, samples)
            self._decodes += 1
        return True

    def _audio_locked(self, samples: int) -> np.ndarray:
        if len(self._chunks) > 1:  # keep one contiguous array so later passes copy less
            self._chunks = [np.concatenate(self._chunks)]
        whole = self._chunks[0] if self._chunks else np.zeros(0, np.float32)
        return whole[:samples]


def _as_float_mono(samples: np.ndarray) -> np.ndarray:
    """A private float32 copy (the capture side may reuse its buffer), downmixed, ints scaled."""
    block = np.asarray(samples)
    if block.ndim == 2:
        block = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
    if block.dtype.kind == "i":
        return (block.astype(np.float32) / (float(np.iinfo(block.dtype).max) + 1.0)).ravel()
    if block.dtype.kind == "u":
        half = (float(np.iinfo(block.dtype).max) + 1.0) / 2
        return ((block.astype(np.float32) - half) / half).ravel()
    return np.array(block, dtype=np.float32, copy=True).ravel()
