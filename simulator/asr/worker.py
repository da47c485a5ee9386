"""The one thread that owns a Whisper model.

Whisper models are not meant to be driven from several threads, and loading one takes a second,
so a call creates one ``AsrWorker`` (warmed up with ``load()`` while the customer speaks) and every
transcription -- partial or final, any turn -- runs on its thread::

    with AsrWorker(transcriber_from_settings(settings)) as worker:
        worker.load()                                  # returns at once; loads in the background
        transcript = worker.transcribe(audio).result()
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from simulator.asr.base import Transcriber
from simulator.contracts import Transcript

if TYPE_CHECKING:
    import numpy as np

Result = TypeVar("Result")


class AsrWorker:
    def __init__(self, transcriber: Transcriber, *, thread_name: str = "asr"):
        self.transcriber = transcriber
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)

    def submit(self, job: Callable[..., Result], *args, **kwargs) -> Future[Result]:
        """Run ``job`` on the model's thread, after the jobs already queued (first in, first out)."""
        return self._executor.submit(job, *args, **kwargs)

    def load(self) -> Future[None]:
        """Load the model on the worker thread now, so the first turn does not wait for it."""
        loader = getattr(self.transcriber, "load", None)
        return self.submit(loader if callable(loader) else (lambda: None))

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Future[Transcript]:
        return self.submit(self.transcriber.transcribe, audio, prompt=prompt)

    def close(self, *, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self) -> AsrWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
