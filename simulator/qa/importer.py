"""Score an outside WAV recording end to end: the one place that wires VAD, Whisper and the analyser.

``simulator.qa.external`` does the pure work (turns, timing, tone, batching) with the VAD and
the transcriber passed in; this module chooses them from the settings, lazily (faster-whisper is
imported on first use), and returns the call record with its scorecard.  ``callsim score`` and the
service lab's real-call scoring both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.asr.base import Transcriber
from simulator.config import Settings
from simulator.contracts import Transcript
from simulator.lazy import MissingPackage, require
from simulator.qa.external import (
    SAMPLE_RATE,
    ExternalOptions,
    RecordingReaders,
    Span,
    SpanFinder,
    analyse_external,
)
from simulator.record import CallRecord
from simulator.scenario.kinds import ForbiddenKind, StepKind
from simulator.scenario.loader import default_rubric, effective_rubric, load_scenario
from simulator.scenario.model import Rubric, Scenario
from simulator.scoring.outside import CORE_STEPS, FORBIDDEN_SEVERITY, LIBRARY_TAG
from simulator.scoring.scorecard import Scorecard

GENERIC_SCENARIO_ID = "external-call"


def generic_scenario() -> Scenario:
    """For recordings with no scenario: the built-in contact-centre behaviour library.

    Every standard step kind and forbidden kind, found by the behaviour model in any wording.  The
    steps every service call has are required; the scorer makes the situational ones required or
    excused from the call itself (``simulator.scoring.outside.library_requirements``).
    """
    return Scenario.model_validate({
        "id": GENERIC_SCENARIO_ID, "title": "External call", "summary": "A call recorded outside callsim.",
        "difficulty": 1, "tags": [LIBRARY_TAG],
        "persona": {"name": "Customer", "situation": "unknown", "voice": "default", "mood": 50},
        "script": [{"id": kind.value, "kind": kind.value, "description": kind.description,
                    "required": kind in CORE_STEPS} for kind in StepKind],
        "forbidden": [{"id": kind.value, "kind": kind.value, "severity": FORBIDDEN_SEVERITY[kind],
                       "why": kind.description} for kind in ForbiddenKind],
        "start": "call", "on_patience_lost": "call", "on_max_turns": "call",
        "nodes": {"call": {"lines": ["(recorded call)"], "end": "unresolved"}},
    })


def vad_span_finder() -> SpanFinder:
    """Silero VAD (shipped in faster-whisper) with tight padding: turn timing matters here."""
    vad = require("faster_whisper.vad", "faster-whisper", feature="finding speech in a recording")
    options = vad.VadOptions(threshold=0.5, min_speech_duration_ms=150, min_silence_duration_ms=300,
                             speech_pad_ms=60)

    def find(samples: np.ndarray) -> list[Span]:
        if samples.size == 0:
            return []
        spans = vad.get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
        return [Span(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]

    return find


def transcriber_for(settings: Settings) -> Transcriber:
    try:
        from simulator.asr.registry import transcriber_from_settings
    except ImportError as err:
        raise MissingPackage(f"speech recognition is not available ({err})") from None
    return transcriber_from_settings(settings)


class LazyTranscriber:
    """The configured Whisper backend, created on first use (scoring only callsim folders never loads it)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._transcriber: Transcriber | None = None

    @property
    def name(self) -> str:
        return self.settings.asr_backend

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        transcriber = self._transcriber
        if transcriber is None:
            transcriber = self._transcriber = transcriber_for(self.settings)
        return transcriber.transcribe(audio, prompt=prompt)


@dataclass(frozen=True)
class ScoredRecording:
    record: CallRecord
    scorecard: Scorecard
    scenario: Scenario
    rubric: Rubric
    stereo: bool
    duration_s: float


def score_recording(path: Path, settings: Settings, *, scenario_path: Path | None = None,
                    analyser: str | None = None, agent_channel: int = 0,
                    transcribe_customer: bool = True, transcriber: Transcriber | None = None) -> ScoredRecording:
    """Raises ``AudioFileError`` (bad WAV), ``FileProblems`` (bad scenario), ``MissingPackage``."""
    from simulator.analysis.registry import builtin_analysers
    from simulator.scoring.call_scorer import score_call
    from simulator.wavfile import read_wav

    if scenario_path is not None:
        loaded = load_scenario(scenario_path)
        scenario, rubric, sha = loaded.scenario, effective_rubric(loaded), loaded.sha256
    else:
        scenario, sha = generic_scenario(), ""
        rubric = default_rubric(settings.scenarios_dir / "rubric.yaml") if settings.scenarios_dir.is_dir() else Rubric()
    audio = read_wav(path)
    readers = RecordingReaders(vad_span_finder(), transcriber or transcriber_for(settings),
                               builtin_analysers().create(analyser or settings.analyser, scenario))
    call = analyse_external(audio, readers, thresholds=rubric.tone, scenario_id=scenario.id, scenario_sha256=sha,
                            source=Path(path).resolve(),
                            options=ExternalOptions(agent_channel=agent_channel,
                                                    transcribe_customer=transcribe_customer))
    card = score_call(call.record, scenario, rubric, recording_s=call.duration_s)
    return ScoredRecording(call.record, card, scenario, rubric, call.stereo, call.duration_s)
