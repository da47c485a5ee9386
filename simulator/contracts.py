"""Typed values passed between the stages of a call.

    mic -> endpoint -> transcribe -> analyse -> engine -> speak -> speaker

Every stage hands the next one of these frozen values, never a loose dict.  This module is
pure Python (no numpy, audio, UI or database imports) so the engine, the scorers, text mode
and the fast tests all share it.  Audio samples travel as ``AudioClip`` from ``simulator.audio``;
here a turn only refers to its audio by path.

The most important value is ``TurnAnalysis``: what the trainee did in one turn.  Analysers fill
it; the dialogue engine reacts to it; the scorers and the store keep it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# A call's seed picks the customer's line variants; the store keeps it as a signed 64-bit integer, so a
# larger one (accepted once by every file and flag) failed only when the finished call was saved.
MAX_SEED = 2**63 - 1


class Speaker(enum.StrEnum):
    CUSTOMER = "customer"
    TRAINEE = "trainee"


class CustomerLineSource(enum.StrEnum):
    """Where the customer's words come from: a scenario's written line (a practice call: spoken by the
    voice, read as written), or a speech recogniser's words from a recorded call."""

    WRITTEN = "written"
    HEARD = "heard"


class EmpathyLevel(enum.IntEnum):
    """EPITOME-style levels: none, weak (generic), strong (specific to what the customer said)."""

    NONE = 0
    WEAK = 1
    STRONG = 2

    @classmethod
    def parse(cls, value: str | int) -> EmpathyLevel:
        if isinstance(value, int):
            return cls(value)
        return cls[value.strip().upper()]


class Severity(enum.IntEnum):
    MINOR = 1
    MAJOR = 2
    CRITICAL = 3


class MatchKind(enum.StrEnum):
    """How a phrase or step was recognised: its literal words/keywords, the behaviour model's reading
    of a standard kind, or likeness to the scenario's own examples."""

    LITERAL = "literal"
    MODEL = "model"
    SEMANTIC = "semantic"


class ToneLabel(enum.StrEnum):
    ANGRY = "angry"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Outcome(enum.StrEnum):
    """How a call ended."""

    RESOLVED = "resolved"
    ESCALATED = "escalated"
    HUNG_UP = "hung_up"
    UNRESOLVED = "unresolved"  # ran out of turns, or the trainee hung up first


class EngineEvent(enum.StrEnum):
    """What the dialogue engine noticed in a turn; shown in transcripts and stored with the turn."""

    STEP_HIT = "step_hit"
    FORBIDDEN_PHRASE = "forbidden_phrase"
    SILENCE = "silence"
    INTERRUPTED_CUSTOMER = "interrupted_customer"
    EMPATHY_STRONG = "empathy_strong"
    EMPATHY_NONE = "empathy_none"
    RAISED_VOICE = "raised_voice"
    POOR_REPLY = "poor_reply"
    PATIENCE_LOST = "patience_lost"
    MAX_TURNS = "max_turns"
    CALL_ENDED = "call_ended"


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its timing inside the utterance (seconds from its start)."""

    text: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """What the trainee said in one turn.  Typed replies have no words and no audio duration."""

    text: str
    words: tuple[Word, ...] = ()
    duration_s: float | None = None
    no_speech_prob: float = 0.0
    language: str = "en"

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a judgement was made: the words that triggered it and the rule or example they met.

    ``rule`` is a stable identifier (``empathy.acknowledge``, ``step.verify``, ``tone.pace``...);
    ``detail`` is plain words for the trainee; ``start_s`` points into the turn's audio if any.
    """

    rule: str
    quote: str
    detail: str
    start_s: float | None = None
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class EmpathyJudgement:
    level: EmpathyLevel
    score: float  # 0..1
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class StepHit:
    step_id: str
    quote: str
    match: MatchKind
    confidence: float  # 0..1
    start_s: float | None = None


@dataclass(frozen=True, slots=True)
class ForbiddenHit:
    phrase_id: str
    quote: str
    severity: Severity
    match: MatchKind
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class ToneMeasures:
    """Voice measures of one trainee turn.  ``None`` fields were not measurable (e.g. typed)."""

    label: ToneLabel
    words_per_minute: float | None = None
    loudness_db: float | None = None  # mean level, dBFS
    loudness_swing_db: float | None = None  # spread of level over the turn
    pitch_hz: float | None = None  # median F0
    pitch_range_semitones: float | None = None
    fillers: int = 0
    fillers_per_minute: float | None = None
    raised_voice: bool = False
    angry_probability: float | None = None
    evidence: tuple[Evidence, ...] = ()
    speech_s: float | None = None  # time actually speaking in the turn
    # relative to the trainee's own voice earlier in the call (None: no baseline yet)
    level_rise_db: float | None = None
    pitch_rise_semitones: float | None = None
    tilt_rise_db: float | None = None  # more 1-4 kHz energy = tenser, pressed voice
    arousal: float | None = None  # the combined rise the hostile-tone call is made on
    tilt_db: float | None = None  # 1-4 kHz minus 80-1000 Hz energy of voiced speech (absolute)
    loudest_s: float | None = None  # the loudest moment, seconds into the turn's audio


@dataclass(frozen=True, slots=True)
class TurnTiming:
    """When the trainee's turn happened relative to the customer's line (seconds on the call clock).

    All fields are optional so a typed reply (no clock) uses the defaults.
    """

    start_s: float | None = None
    end_s: float | None = None
    response_delay_s: float | None = None  # end of customer speech -> start of trainee speech
    overlap_s: float = 0.0  # trainee speech while the customer was still talking
    # when that silence began, where it is not simply start_s - response_delay_s (a recorded call
    # whose agent made a sound before the turn the VAD found: simulator.qa.timing)
    waited_from_s: float | None = None
    # a recorded call: the longest silence on the line inside the trainee's own floor before this turn
    # (after their own words, no hold announced: simulator.qa.timing.unexplained_silence)
    unexplained_silence_s: float | None = None


@dataclass(frozen=True, slots=True)
class TurnAnalysis:
    """The analysis of one trainee turn: the contract between analysers, engine and scorers.

    A silent turn has ``silence=True`` and an empty transcript.  ``interrupted_customer`` means the
    trainee barged in on the customer's line.  ``tone`` is ``None`` when there is no audio.
    """

    turn_index: int
    transcript: Transcript
    empathy: EmpathyJudgement
    steps_hit: tuple[StepHit, ...] = ()
    forbidden: tuple[ForbiddenHit, ...] = ()
    intents: tuple[str, ...] = ()
    silence: bool = False
    silence_s: float = 0.0
    interrupted_customer: bool = False
    timing: TurnTiming = field(default_factory=TurnTiming)
    tone: ToneMeasures | None = None
    analyser: str = ""  # which analyser produced this (for evidence and reproducibility)
    # how likely the customer's words before this turn show frustration, worry or anger (0..1;
    # None when the analyser does not judge it or there were no words)
    customer_distress: float | None = None
    customer_distressed: bool | None = None  # that likelihood over the analyser's threshold

    @property
    def shows_empathy(self) -> bool:
        return not self.silence and self.empathy.level > EmpathyLevel.NONE

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(hit.step_id for hit in self.steps_hit)

    @property
    def forbidden_ids(self) -> tuple[str, ...]:
        return tuple(hit.phrase_id for hit in self.forbidden)


@dataclass(frozen=True, slots=True)
class CustomerTurn:
    """What the customer says next, decided by the dialogue engine."""

    text: str
    node_id: str
    mood: int  # anger 0..100 after this turn's reaction
    mood_delta: int = 0
    events: tuple[EngineEvent, ...] = ()
    outcome: Outcome | None = None  # set when this line ends the call
    may_interrupt: bool = False  # the persona would talk over a long reply (drills)

    @property
    def ends_call(self) -> bool:
        return self.outcome is not None
