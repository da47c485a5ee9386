"""The one thread that owns the TTS engine: renders lines on demand, and ahead of time.

A line the customer must say now jumps the queue; lines rendered ahead (the scenario's possible
next lines) wait behind it.  Results land in the cache, so a prefetched line plays at once, and
from its first sound: the engine's lead-in silence would only add to the trainee's wait.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from concurrent.futures import Future

from simulator.audio.clip import AudioClip
from simulator.scenario.voices import Prosody, VoiceProfile
from simulator.tts.base import TtsEngine
from simulator.tts.cache import LineCache, LineKey

NOW, AHEAD, LATER = 0, 1, 2  # a line needed now; the next turn's candidates; the rest of the scenario
# After each line rendered for LATER, the worker rests this many times the render's duration (or until
# a more urgent line arrives): rendering a whole scenario ahead then takes at most about half a core,
# and the call's own thread (the VAD, the barge-in hold) is not starved on a busy two-core PC.
LATER_REST_RATIO = 1.0


class TtsWorker:
    def __init__(self, make_engine, cache: LineCache | None = None):
        """``make_engine`` is called on the worker thread (pyttsx3 must live on one thread)."""
        self.cache = cache if cache is not None else LineCache()  # an empty cache is falsy (len 0)
        self._make_engine = make_engine
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._pending: dict[LineKey, Future] = {}
        self._lock = threading.Lock()
        self._engine_name = "?"
        self._ready: Future = Future()
        self._urgent = threading.Event()  # a NOW or AHEAD line is waiting: stop resting
        self._thread = threading.Thread(target=self._run, name="callsim-tts", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout_s: float | None = None) -> TtsEngine:
        """The engine, once created; re-raises the creation error (missing package or espeak-ng)."""
        return self._ready.result(timeout_s)

    def _run(self) -> None:
        try:
            engine = self._make_engine()
            self._engine_name = engine.name
            self._ready.set_result(engine)
        except BaseException as err:
            self._ready.set_exception(err)
            engine = None
        while True:
            priority, _order, job = self._jobs.get()
            if job is None:
                break
            key, voice, future = job
            if future.done():
                continue
            rest_s = 0.0
            if engine is None:
                future.set_exception(self._ready.exception())
            else:
                # rendered meanwhile (a duplicate job)? peek first: the caller already counted the miss
                clip = self.cache.get(key) if self.cache.peek(key) else None
                try:
                    if clip is None:
                        began = time.monotonic()
                        clip = engine.render(key.text, voice, key.prosody).from_first_sound()
                        self.cache.put(key, clip)
                        if priority >= LATER:
                            rest_s = time.monotonic() - began
                    future.set_result(clip)
                except Exception as err:
                    future.set_exception(err)
            with self._lock:
                self._pending.pop(key, None)
            if rest_s and self._urgent.wait(rest_s * LATER_REST_RATIO):
                self._urgent.clear()
        close = getattr(engine, "close", None)
        if close is not None:
            close()

    def key(self, text: str, voice: VoiceProfile, prosody: Prosody) -> LineKey:
        self.wait_ready()
        return LineKey.of(self._engine_name, voice, prosody, text)

    def submit(self, text: str, voice: VoiceProfile, prosody: Prosody, *, priority: int = NOW) -> Future:
        key = self.key(text, voice, prosody)
        with self._lock:
            future: Future = Future()
            clip = self.cache.get(key) if self.cache.peek(key) else None
            if clip is not None:
                future.set_result(clip)
                return future
            existing = self._pending.get(key)
            if existing is not None:
                return existing
            self._pending[key] = future
        self._jobs.put((priority, next(self._order), (key, voice, future)))
        if priority < LATER:
            self._urgent.set()
        return future

    def render(self, text: str, voice: VoiceProfile, prosody: Prosody, timeout_s: float = 30.0) -> AudioClip:
        key = self.key(text, voice, prosody)
        clip = self.cache.get(key)
        if clip is not None:
            return clip
        with self._lock:
            queued = self._pending.get(key)
        if queued is not None:
            # Rendered ahead but not yet done: a NOW job for the same key jumps the queue.
            now: Future = Future()
            self._jobs.put((NOW, next(self._order), (key, voice, now)))
            self._urgent.set()
            return now.result(timeout_s)
        return self.submit(text, voice, prosody).result(timeout_s)

    def prefetch(self, lines, voice: VoiceProfile, prosodies, *, priority: int = AHEAD) -> int:
        """Queue ``lines`` x ``prosodies`` behind any line needed now; returns how many were queued."""
        queued = 0
        for prosody in prosodies:
            for text in lines:
                if not self.cache.peek(self.key(text, voice, prosody)):
                    self.submit(text, voice, prosody, priority=priority)
                    queued += 1
        return queued

    def close(self) -> None:
        self._jobs.put((NOW, -1, None))
        self._urgent.set()
        self._thread.join(timeout=5)
