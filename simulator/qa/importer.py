"""Score an outside WAV recording end to end: the one place that wires VAD, Whisper and the analyser.

``simulator.qa.external`` does the pure work (turns, timing, tone, batching) with the VAD and
the transcriber passed in; this module chooses them from the settings, lazily (faster-whisper is
imported on first use), and returns the call record with its scorecard.  ``callsim score`` and the
service lab's real-call scoring both use it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simulator.analysis.base import TurnAnalyser
from simulator.asr.base import (
    AsrModelError,
    LanguageIdentifier,
    Transcriber,
    transcribe_packed,
    transcribe_words_only,
)
from simulator.config import Settings
from simulator.contracts import Transcript
from simulator.declared_length import cut_off_note
from simulator.lazy import MissingPackage, require
from simulator.qa.diarise import AgentChoice, Greets, VoiceSplitter
from simulator.qa.duplicate_channels import DuplicateChannels
from simulator.qa.external import (
    PASS_S,
    SAMPLE_RATE,
    ExternalOptions,
    RecordingReaders,
    Span,
    SpanFinder,
    SpeakerSplit,
    analyse_external,
)
from simulator.qa.mono import MonoContent, without_speakers
from simulator.qa.silent_channel import SilentChannel
from simulator.qa.speech_pieces import PIECE_S, speech_in_pieces
from simulator.qa.spoken_language import OtherLanguage, language_name, other_language
from simulator.record import CallRecord, RecordingFacts
from simulator.scenario.kinds import ForbiddenKind, StepKind, step_kinds_named
from simulator.scenario.loader import default_rubric, effective_rubric, load_scenario, rubric_with
from simulator.scenario.model import Rubric, Scenario
from simulator.scoring.outside import CORE_STEPS, FORBIDDEN_SEVERITY, LIBRARY_TAG
from simulator.scoring.scorecard import Scorecard
from simulator.scoring.wording import wording_for
from simulator.wavfile import AudioFileError, StoredSamples

GENERIC_SCENARIO_ID = "external-call"
# A call longer than this is held at 16 bits (half the memory of float32) while it is scored.  Not every call:
# the scorer's words, steps and timings move under the -96 dB rounding of resampled audio (docs/qa.md, "The
# call held at 16 bits"), so calls up to this length, every judged call and most a centre records, are read
# exactly as before; past it, memory is what matters.
COMPACT_AFTER_S = 30 * 60.0
# The standard phone opening a QA form checks for, word for word, beside the behaviour model: the
# model misses the greeting and the introduction when they are said in a short sentence of their own
# ("Thank you for calling X." / "My name is Y.": docs/qa.md, "Openings the behaviour model misses"),
# and two rounds of corpus writing did not teach it without costing other readings.  Only phrases
# that cannot mean anything else in an agent's mouth; "this is" (also "this is a known issue") is not one.
STANDARD_OPENING_WORDS: dict[StepKind, tuple[str, ...]] = {
    StepKind.GREET: ("thank you for calling", "thanks for calling", "thank you for contacting",
                     "thanks for contacting", "welcome to"),
    StepKind.IDENTIFY_SELF: ("my name is", "my name's", "you're speaking with", "you are speaking with",
                             "you're speaking to", "you're through to", "you've reached", "you have reached"),
}


def generic_scenario(also_required: Collection[StepKind] = (), language: str = "en",
                     critical: Collection[StepKind] = ()) -> Scenario:
    """For recordings with no scenario: the built-in contact-centre behaviour library.

    Every standard step kind and forbidden kind, found by the behaviour model in any wording.  The
    steps every service call has are required, and ``also_required`` (a centre's own QA form asks them of
    every call) and ``critical`` (its fatal items: a bank's identity check); the scorer makes the
    situational ones required or excused from the call itself
    (``simulator.scoring.outside.library_requirements``).  ``language`` picks the behaviour model and the
    recogniser (the standard opening's English words are checked in English only).

    As on a QA form, the library's and ``also_required`` steps are weighted items (they count in compliance
    and the overall score, but compliance has no mark of its own) and ``critical`` ones fatal items (a miss
    fails the call): docs/qa.md, "The library's steps as weighted items".
    """
    opening_words = STANDARD_OPENING_WORDS if language == "en" else {}
    words = wording_for(language)  # the kinds described in the scorecard's language
    return Scenario.model_validate({
        "id": GENERIC_SCENARIO_ID, "title": "External call", "summary": "A call recorded outside callsim.",
        "difficulty": 1, "tags": [LIBRARY_TAG], "language": language,
        "persona": {"name": "Customer", "situation": "unknown", "voice": "default", "mood": 50},
        "script": [{"id": kind.value, "kind": kind.value, "description": words.kind(kind),
                    "required": kind in CORE_STEPS or kind in also_required or kind in critical,
                    "critical": kind in critical,
                    "keywords": list(opening_words.get(kind, ()))}
                   for kind in StepKind],
        "forbidden": [{"id": kind.value, "kind": kind.value, "severity": FORBIDDEN_SEVERITY[kind],
                       "why": kind.description} for kind in ForbiddenKind],
        "start": "call", "on_patience_lost": "call", "on_max_turns": "call",
        "nodes": {"call": {"lines": ["(recorded call)"], "end": "unresolved"}},
        "rubric": {"pass_marks": {"compliance": 0}},
    })


def vad_span_finder(piece_s: float = PIECE_S) -> SpanFinder:
    """Silero VAD (shipped in faster-whisper) with tight padding: turn timing matters here; a channel longer
    than ``piece_s`` is read a piece at a time (``speech_pieces``)."""
    vad = require("faster_whisper.vad", "faster-whisper", feature="finding speech in a recording")
    options = vad.VadOptions(threshold=0.5, min_speech_duration_ms=150, min_silence_duration_ms=300,
                             speech_pad_ms=60)

    def in_piece(samples: np.ndarray) -> list[tuple[int, int]]:
        return [(s["start"], s["end"]) for s in vad.get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)]

    def find(samples: StoredSamples) -> list[Span]:
        if samples.size == 0:
            return []
        # a long call a piece at a time: the VAD's own copies of a whole channel set a 90-min call's peak memory
        spans = speech_in_pieces(samples, in_piece, SAMPLE_RATE, piece_s=piece_s)
        return [Span(start / SAMPLE_RATE, end / SAMPLE_RATE) for start, end in spans]

    return find


def transcriber_for(settings: Settings, language: str = "en", model: str | None = None) -> Transcriber:
    """The recogniser recorded calls are heard with: ``model``, else the agent's (``qa_model_name``)."""
    try:
        from simulator.asr.registry import transcriber_from_settings
    except ImportError as err:
        raise MissingPackage(f"speech recognition is not available ({err})") from None
    return transcriber_from_settings(settings, language=language, model=model or qa_model_name(settings, language))


def qa_model_name(settings: Settings, language: str = "en", *, customer: bool = False) -> str:
    """The Whisper model recordings in ``language`` are heard with: ``qa_asr_model`` for an English
    agent's words when it is set (they are what is scored, and QA can afford a slower, surer model than a
    practice call's live turn), else the language's model; the customer's words, read only for distress,
    keep the language's model, which keeps a surer agent model's cost to half the speech."""
    from simulator.asr.registry import model_for_language

    if language == "en" and settings.qa_asr_model and not customer:
        return settings.qa_asr_model
    return model_for_language(settings, language)


class LazyTranscriber:
    """The configured Whisper backend, created on first use (scoring only callsim folders never loads it).

    One per language and side: ``speaking(language, customer=...)`` gives the sibling for another scenario
    language or the customer's side, kept so that a batch of recordings loads each model once (two sides
    heard by one model share it)."""

    def __init__(self, settings: Settings, language: str = "en", *, customer: bool = False):
        self.settings = settings
        self.language = language
        self.model_name = qa_model_name(settings, language, customer=customer)
        self._transcriber: Transcriber | None = None
        self._siblings: dict[tuple[str, str], LazyTranscriber] = {(language, self.model_name): self}

    def speaking(self, language: str, *, customer: bool = False) -> LazyTranscriber:
        key = (language, qa_model_name(self.settings, language, customer=customer))
        sibling = self._siblings.get(key)
        if sibling is None:
            sibling = LazyTranscriber(self.settings, language, customer=customer)
            sibling._siblings = self._siblings
            self._siblings[key] = sibling
        return sibling

    @property
    def name(self) -> str:
        return self.settings.asr_backend

    def backend(self) -> Transcriber:
        """The configured backend's transcriber, created now if it was not (its model loads on first use)."""
        if self._transcriber is None:
            self._transcriber = transcriber_for(self.settings, self.language, self.model_name)
        return self._transcriber

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        with self._model_named():
            return self.backend().transcribe(audio, prompt=prompt)

    def transcribe_words(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        """The word decode alone where the backend decodes fillers apart (else ``transcribe``)."""
        with self._model_named():
            return transcribe_words_only(self.backend(), audio, prompt=prompt)

    def transcribe_parts(self, audio: np.ndarray, parts_s: Sequence[tuple[float, float]], *, fillers: bool = True
                         ) -> Transcript:
        """Turns packed end to end, each judged on its own where the backend can (``transcribe_packed``)."""
        with self._model_named():
            return transcribe_packed(self.backend(), audio, parts_s, fillers=fillers)

    @contextmanager
    def _model_named(self) -> Iterator[None]:
        """A model that will not load, named by the setting it came from when that is ``qa_asr_model`` (the
        backend's own message names ``asr_model``)."""
        try:
            yield
        except AsrModelError as err:
            if self.model_name != self.settings.qa_asr_model:
                raise
            from simulator.asr.registry import model_for_language

            if self.model_name == model_for_language(self.settings, self.language):
                # '' would fall back to the same model: both settings must change
                raise AsrModelError(f"{err} (Both the asr_model and the qa_asr_model settings name this model; "
                                    "qa_asr_model is the one the agent's words in recordings are heard with: set it "
                                    "to 'base' (its default), and asr_model to a model that loads.)") from None
            raise AsrModelError(f"{err} (This model is the qa_asr_model setting, which names the model the agent's "
                                "words in recordings are heard with: set it to 'base' (its default), or to '' for "
                                "asr_model.)") from None


@dataclass(frozen=True)
class ScoredRecording:
    record: CallRecord
    scorecard: Scorecard
    scenario: Scenario
    rubric: Rubric
    stereo: bool
    duration_s: float
    speakers_separated: bool = True  # False: a mono recording of both voices, scored without a speaker
    split: SpeakerSplit | None = None  # a mixed mono call: its voices as told apart (or not) by clustering
    silent: SilentChannel | None = None  # a stereo file with one channel silent, scored as mono
    damaged_packets: int = 0  # compressed packets that could not be decoded (left out)
    duplicate: DuplicateChannels | None = None  # a stereo file with the same signal on both channels, scored as mono
    declared_s: float | None = None  # a cut-off file: how long its header says it is (duration_s is what it holds)
    file_channels: int = 0  # the file's channels, when more than the two a call is read from
    asr_models: dict[str, str] | None = None  # side -> the Whisper model that heard it (None: the caller's recogniser)

    @property
    def speakers_note(self) -> str | None:
        return self.split.note if self.split is not None else None

    @property
    def notes(self) -> list[str]:
        """What the reader must know about how the file was read: a silent or duplicate channel, how the voices
        were split."""
        notes = [found.note for found in (self.silent, self.duplicate) if found is not None]
        if self.damaged_packets:
            notes.insert(0, f"{self.damaged_packets} damaged packet(s) of the file could not be decoded and were "
                            "left out (a few milliseconds each)")
        if self.declared_s is not None:
            notes.insert(0, cut_off_note(self.declared_s, self.duration_s))
        if self.file_channels > 2:
            notes.insert(0, f"the file has {self.file_channels} channels: channels 0 and 1 were read as the call's two "
                            f"sides and the other {self.file_channels - 2} were not read")
        return [*notes, self.speakers_note] if self.speakers_note else notes


@dataclass(frozen=True, slots=True)
class RecordingOptions:
    """How outside recordings are scored: the same for every call of a batch (and picklable for its workers)."""

    scenario_path: Path | None = None  # None: the generic call (no script: compliance is not judged)
    analyser: str | None = None  # None: the configured one
    agent_channel: int = 0
    transcribe_customer: bool = True
    mono: MonoContent = MonoContent.MIXED
    agent: AgentChoice = AgentChoice.AUTO  # a mixed mono call: which of the two voices is the agent
    asr_pass_s: float = PASS_S  # audio of packed turns per Whisper pass (a benchmark's knob, not a user's)
    compact_after_s: float = COMPACT_AFTER_S  # a call longer than this is held at 16 bits (a benchmark's knob too)
    # With no scenario: library steps the centre's QA form requires on every call besides the core ones,
    # and those it treats as fatal items (a miss fails the call)
    required_steps: tuple[StepKind, ...] = ()
    critical_steps: tuple[StepKind, ...] = ()
    library_language: str = "en"  # with no scenario: the language the calls are heard and read in


# --language beside --scenario (score, behaviour add): the language shapes only the built-in library
LANGUAGE_BESIDE_SCENARIO = ("--language is the built-in behaviour library's; with --scenario the scenario's "
                            "language is used")


def required_library_steps(settings: Settings, given: str | None = None) -> tuple[StepKind, ...]:
    """The library steps a centre requires on every call: ``given`` (``--require``), else the config's
    ``qa_required_steps``.  ``ValueError`` names the unknown kind and where it was written."""
    return _steps_named(given, settings.qa_required_steps, "--require", "qa_required_steps")


def critical_library_steps(settings: Settings, given: str | None = None) -> tuple[StepKind, ...]:
    """The library steps whose miss fails any call (a QA form's fatal items): ``given`` (``--critical``),
    else the config's ``qa_critical_steps``."""
    return _steps_named(given, settings.qa_critical_steps, "--critical", "qa_critical_steps")


def _steps_named(given: str | None, configured: tuple[str, ...], flag: str, setting: str) -> tuple[StepKind, ...]:
    try:
        return step_kinds_named(given if given is not None else configured)
    except ValueError as err:
        where = flag if given is not None else f"{setting} (config file or CALLSIM_{setting.upper()})"
        raise ValueError(f"{where}: {err}") from None


def greeting_finder(analyser: TurnAnalyser) -> Greets | None:
    """The behaviour model's greet/identify_self, if the analyser has it (the semantic analyser)."""
    from simulator.analysis.semantic import SemanticAnalyser

    inner = getattr(analyser, "inner", analyser)  # ToneAnalyser wraps the one that reads words
    if not isinstance(inner, SemanticAnalyser):
        return None

    def greets(text: str) -> bool:
        if not text.strip():
            return False
        reading = inner.read(text)
        return reading.found("greet") is not None or reading.found("identify_self") is not None

    return greets


class RecordingScorer:
    """Scores recordings one after another with Whisper, the VAD and the analyser's model loaded once."""

    def __init__(self, settings: Settings, options: RecordingOptions = RecordingOptions(),
                 transcriber: Transcriber | None = None):
        self.settings = settings
        self.options = options
        if options.scenario_path is not None:
            loaded = load_scenario(options.scenario_path)
            self.scenario, self.rubric, self.scenario_sha256 = loaded.scenario, effective_rubric(loaded), loaded.sha256
        else:
            self.scenario = generic_scenario(options.required_steps, options.library_language, options.critical_steps)
            self.scenario_sha256 = ""
            self.rubric = library_rubric(settings.scenarios_dir, self.scenario)
        chosen = transcriber or LazyTranscriber(settings)
        # a recording is heard in its scenario's language (Mandarin calls by the multilingual Whisper)
        language = str(self.scenario.language)
        self.transcriber: Transcriber = chosen.speaking(language) if isinstance(chosen, LazyTranscriber) else chosen
        self.customer_transcriber: Transcriber = (chosen.speaking(language, customer=True)
                                                  if isinstance(chosen, LazyTranscriber) else chosen)
        self._find_spans: SpanFinder | None = None
        self._analyser: TurnAnalyser | None = None
        self._identifier: LanguageIdentifier | None = None

    def _fresh_analyser(self) -> TurnAnalyser:
        from simulator.analysis.registry import builtin_analysers
        from simulator.analysis.tone import ToneAnalyser

        if self._analyser is None:
            # Not the post-call forbidden-move reader: trained on written replies, it read the phone
            # recogniser's rambling fragments of the tuning calls as sarcasm (docs/qa.md).
            self._analyser = builtin_analysers().create(self.options.analyser or self.settings.analyser, self.scenario)
        if isinstance(self._analyser, ToneAnalyser):  # its voice baseline belongs to one call: start a new one
            return ToneAnalyser(self._analyser.inner, self._analyser.thresholds)
        return self._analyser

    def _heard_by(self) -> dict[str, str] | None:
        agent, customer = self.transcriber, self.customer_transcriber
        if isinstance(agent, LazyTranscriber) and isinstance(customer, LazyTranscriber):
            return {"agent": agent.model_name, "customer": customer.model_name}
        return None

    def _language_identifier(self) -> LanguageIdentifier | None:
        if self._identifier is None:  # made on first need; its model loads only when a call is in doubt
            from simulator.asr.registry import language_identifier_from_settings

            agent = self.transcriber  # agents are heard with base by default: the identifier's model
            shared = agent.backend() if isinstance(agent, LazyTranscriber) else agent
            self._identifier = language_identifier_from_settings(self.settings, sharing=shared)
        return self._identifier

    def score(self, path: Path) -> ScoredRecording:
        """Raises ``AudioFileError`` (unreadable audio, or ``NothingHeard``: no words in it), ``MissingPackage``."""
        from simulator.asr.channels import read_channels

        # resampled while decoding (no full-rate copy is kept); a long call kept at 16 bits
        audio = read_channels(path, SAMPLE_RATE, compact_after_s=self.options.compact_after_s)
        if self._find_spans is None:
            self._find_spans = vad_span_finder()
        options, scenario, rubric = self.options, self.scenario, self.rubric
        analyser = self._fresh_analyser()
        splitter = None
        if options.mono == MonoContent.MIXED:
            transcriber = self.transcriber
            splitter = VoiceSplitter(options.agent, lambda clip: transcriber.transcribe(clip).text,
                                     greeting_finder(analyser))
        readers = RecordingReaders(self._find_spans, self.transcriber, analyser, splitter, self.customer_transcriber)
        call = analyse_external(audio, readers, thresholds=rubric.tone, scenario_id=scenario.id,
                                scenario_sha256=self.scenario_sha256, source=Path(path).resolve(),
                                options=ExternalOptions(agent_channel=options.agent_channel,
                                                        transcribe_customer=options.transcribe_customer,
                                                        asr_pass_s=options.asr_pass_s))
        foreign = other_language(audio, call.record.turns, str(scenario.language), self._language_identifier())
        if foreign is not None:
            how = None if options.scenario_path is None else (
                f"score it with a scenario in {language_name(foreign.language)}" if foreign.language in ("en", "zh")
                else "callsim scores English and Mandarin calls only")
            raise OtherLanguage(path, foreign, str(scenario.language), how)
        damaged, declared_s = audio.damaged_packets, audio.declared_s if audio.cut_off else None
        file_channels = audio.channels if audio.channels > 2 else 0
        del audio
        if not any(turn.text.strip() for turn in call.record.turns):
            raise NothingHeard(path, call.duration_s, str(scenario.language))
        split_by_voice = call.split is not None and call.split.confident
        separated = call.stereo or options.mono == MonoContent.AGENT or split_by_voice
        library = options.scenario_path is None
        facts = replace(call.record.header.recording or RecordingFacts(), speakers_told_apart=separated,
                        separation=call.split.separation if call.split else None,
                        required_steps=options.required_steps if library else (),
                        critical_steps=options.critical_steps if library else (), language=str(scenario.language))
        scenario_path = None if options.scenario_path is None else str(Path(options.scenario_path).resolve())
        record = replace(call.record, header=replace(call.record.header, scenario_path=scenario_path, recording=facts))
        card = score_recording(record, scenario, rubric)
        return ScoredRecording(record, card, scenario, rubric, call.stereo, call.duration_s, separated,
                               call.split, call.silent, damaged, call.duplicate, declared_s, file_channels,
                               self._heard_by())


def score_recording(record: CallRecord, scenario: Scenario, rubric: Rubric) -> Scorecard:
    """An imported recording's scorecard from its turns and the facts its header keeps (the length, whether
    its two voices were told apart): what ``callsim score`` gives it, and what a review scores again."""
    from simulator.scoring.call_scorer import score_call

    facts = record.header.recording or RecordingFacts()
    card = score_call(record, scenario, rubric, recording_s=facts.duration_s,
                      speakers_told_apart=facts.speakers_told_apart)
    if facts.speakers_told_apart:
        return card
    return without_speakers(card, rubric, facts.separation, words=wording_for(scenario.language))


def library_scenario(facts: RecordingFacts) -> Scenario:
    """The built-in library a recording was scored against, with the centre's steps its header keeps."""
    return generic_scenario(step_kinds_named(facts.required_steps), facts.language,
                            step_kinds_named(facts.critical_steps))


def library_rubric(scenarios_dir: Path, scenario: Scenario) -> Rubric:
    """The project's rubric (``rubric.yaml`` in the scenarios folder) under the library's own marks."""
    rubric_file = scenarios_dir / "rubric.yaml"
    project = default_rubric(rubric_file) if scenarios_dir.is_dir() else Rubric()
    return rubric_with(project, scenario.rubric)


class NothingHeard(AudioFileError):
    """A readable recording in which no words were recognised: there is no call to score (a silent or
    cut-off file, or speech in another language than the scenario's), which is not a failed call."""

    def __init__(self, path: Path, duration_s: float, language: str):
        super().__init__(f"{path}: no words were recognised in its {duration_s:.1f} s of audio, so there is no "
                         f"call to score (not scored, not stored). Check that the file holds the call and not "
                         f"silence or a cut-off recording, and that it is spoken in the scenario's language "
                         f"({language}).")
