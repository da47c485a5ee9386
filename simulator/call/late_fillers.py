"""Counting a spoken turn's fillers after the customer has started to answer.

The customer's answer depends only on the trainee's words, so the voiced call transcribes the
words on the turn path and leaves the filler decode (``FillersApart.add_fillers``, a whole second
Whisper decode) for later: it is queued on the call's ASR worker when the customer's line starts
to play, and the session collects it for the turn's record and tone once the line has played.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future

import numpy as np

from simulator.asr.base import FillersApart
from simulator.asr.worker import AsrWorker
from simulator.contracts import Transcript

log = logging.getLogger("callsim.voice")
WAIT_S = 30.0  # a filler pass stuck longer than this leaves the turn with its words alone


class LateFillers:
    """One turn's filler pass: ``start()`` queues it (once), ``result()`` waits for the transcript."""

    def __init__(self, worker: AsrWorker, transcriber: FillersApart, audio: np.ndarray, words: Transcript):
        self._worker = worker
        self._transcriber = transcriber
        self._audio = audio
        self.words = words
        self._future: Future[Transcript] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._future is None:
                self._future = self._worker.submit(self._transcriber.add_fillers, self._audio, self.words)

    def result(self, timeout_s: float = WAIT_S) -> Transcript:
        """The words with the fillers; the words alone if the pass failed (the turn is never lost for it)."""
        try:
            self.start()
            assert self._future is not None
            return self._future.result(timeout_s)
        except Exception as err:  # a failed or stuck pass costs the filler count, not the turn
            log.warning("filler pass failed (%s: %s); the turn keeps its words without fillers",
                        type(err).__name__, err)
            return self.words
