"""The scenario language as pydantic models: the single source of truth for validation and the
JSON Schema that editors use (``callsim schema``).

Cross-references (goto targets, step ids, voice files) are checked in ``lint.py``, which can
point at the exact line of the offending value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulator.contracts import EmpathyLevel, Outcome, Severity
from simulator.scenario.kinds import ForbiddenKind, StepKind, kind_from_name
from simulator.text import is_mostly_chinese

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    Field(description="lower-case id: letters, digits, '-' and '_' (max 64)"),
]
Line = Annotated[str, StringConstraints(min_length=1, max_length=600, strip_whitespace=True)]
Anger = Annotated[int, Field(ge=0, le=100, description="customer anger, 0 calm .. 100 furious")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Language(enum.StrEnum):
    EN = "en"
    ZH = "zh"


class SpeakingPace(enum.StrEnum):
    SLOW = "slow"
    NORMAL = "normal"
    FAST = "fast"


class NoiseKind(enum.StrEnum):
    NONE = "none"
    OFFICE = "office"
    STREET = "street"
    BAD_LINE = "bad_line"


_EMPATHY_NAMES = [level.name.lower() for level in EmpathyLevel]


def _empathy_level_from_name(value: object) -> object:
    """A scenario names a level ("weak"); the engine compares levels as numbers."""
    if isinstance(value, str):
        try:
            return EmpathyLevel[value.strip().upper()]
        except KeyError:
            raise PydanticCustomError("enum", "Input should be {expected}",
                                      {"expected": ", ".join(repr(n) for n in _EMPATHY_NAMES)}) from None
    return value


# An empathy level written by its name in YAML and in the JSON schema.
EmpathyLevelByName = Annotated[
    EmpathyLevel,
    BeforeValidator(_empathy_level_from_name),
    PlainSerializer(lambda level: level.name.lower(), return_type=str),
    WithJsonSchema({"type": "string", "enum": _EMPATHY_NAMES}),
]


class SeverityName(enum.StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def level(self) -> Severity:
        return Severity[self.name]


class Patience(Strict):
    poor_replies: int = Field(3, ge=1, le=20, description="poor replies in a row before hanging up")
    dead_air_s: float = Field(12.0, gt=0, le=120, description="seconds of total silence before hanging up")


class Reactions(Strict):
    """Mood change (anger points) applied every turn on top of a transition's own ``mood``."""

    empathy_strong: int = Field(-8, ge=-50, le=50)
    empathy_weak: int = Field(-3, ge=-50, le=50)
    empathy_none: int = Field(4, ge=-50, le=50)
    step_hit: int = Field(-2, ge=-50, le=50)
    forbidden_minor: int = Field(6, ge=-50, le=50)
    forbidden_major: int = Field(12, ge=-50, le=50)
    forbidden_critical: int = Field(25, ge=-50, le=50)
    silence: int = Field(5, ge=-50, le=50)
    interrupted: int = Field(8, ge=-50, le=50)
    raised_voice: int = Field(10, ge=-50, le=50)


class Persona(Strict):
    name: Line
    situation: Line
    voice: Identifier = Field(description="a voice profile in voices/<voice>.yaml")
    mood: Anger = Field(description="anger at the start of the call")
    patience: Patience = Patience()
    talk_over: float = Field(0.0, ge=0, le=1, description="tendency to talk over a long reply, 0..1")
    pace: SpeakingPace = SpeakingPace.NORMAL
    fillers: tuple[Line, ...] = ()
    reactions: Reactions = Reactions()


class ScriptStep(Strict):
    id: Identifier
    kind: StepKind | None = Field(
        None, description="a standard contact-centre step (verify_identity, apologise, ...): the built-in "
                          "behaviour model recognises it in any wording; "
                          "say_like/keywords add this scenario's specifics")
    description: Line
    say_like: tuple[Line, ...] = Field((), description="example phrasings of this step")
    keywords: tuple[Line, ...] = Field((), description="words or phrases that show the step literally")
    required: bool = True
    critical: bool = Field(False, description="a fatal item of a QA form (an identity check, a disclosure): "
                                              "missing it fails the call whatever its score")
    before: tuple[Identifier, ...] = Field((), description="steps that must come after this one")
    after: tuple[Identifier, ...] = Field((), description="steps that must come before this one")
    within_turns: int | None = Field(None, ge=1, le=50, description="must be done by this trainee turn")

    @property
    def standard_kind(self) -> StepKind | None:
        """The standard step this is: its ``kind``, or its id when that is a kind's name."""
        named = kind_from_name(self.id)
        return self.kind or (named if isinstance(named, StepKind) else None)


class ForbiddenPhrase(Strict):
    id: Identifier
    kind: ForbiddenKind | None = Field(
        None, description="a standard forbidden move (blame_customer, dismiss_feelings, ...): the built-in "
                          "behaviour model recognises it in any wording")
    phrases: tuple[Line, ...] = Field((), description="caught literally (case-insensitive)")
    examples: tuple[Line, ...] = Field((), description="caught by meaning")
    severity: SeverityName = SeverityName.MAJOR
    why: Line | None = None

    @property
    def standard_kind(self) -> ForbiddenKind | None:
        """The standard forbidden move this is: its ``kind``, or its id when that is a kind's name."""
        named = kind_from_name(self.id)
        return self.kind or (named if isinstance(named, ForbiddenKind) else None)

    @model_validator(mode="after")
    def _recognisable(self) -> ForbiddenPhrase:
        if self.standard_kind is None and not self.phrases:
            raise ValueError("give 'phrases' (caught literally) or a 'kind' (recognised by the behaviour model)")
        return self


class Intent(Strict):
    id: Identifier
    say_like: tuple[Line, ...] = ()
    keywords: tuple[Line, ...] = ()


class DimensionWeights(Strict):
    empathy: float = Field(0.4, ge=0, le=1)
    compliance: float = Field(0.4, ge=0, le=1)
    tone: float = Field(0.2, ge=0, le=1)


class PassMarks(Strict):
    overall: float = Field(70, ge=0, le=100)
    empathy: float = Field(60, ge=0, le=100)
    compliance: float = Field(60, ge=0, le=100)
    tone: float = Field(50, ge=0, le=100)


class ToneThresholds(Strict):
    """Defaults follow published contact-centre practice; see docs/scoring.md, "Tone thresholds"."""

    pace_min_wpm: float = Field(130, gt=0)
    pace_max_wpm: float = Field(175, gt=0)
    dead_air_s: float = Field(3.0, gt=0)
    # a recorded call's silence after the agent's own words with no hold announced (Genesys's QA example
    # question marks unexplained silence over 15 s; dead-air detection commonly flags 5-10 s): docs/scoring.md
    unexplained_silence_s: float = Field(10.0, gt=0)
    max_fillers_per_minute: float = Field(6.0, ge=0)
    max_overlap_s: float = Field(1.0, ge=0)
    raised_voice_db: float = Field(6.0, gt=0, description="level rise over the trainee's own baseline")
    min_talk_ratio: float = Field(0.3, ge=0, le=1)
    max_talk_ratio: float = Field(0.7, ge=0, le=1)
    hostile_arousal: float = Field(1.0, gt=0, description="combined rise of level/6 dB + pitch/4 st + tilt/6 dB "
                                   "over the trainee's own baseline that sounds hostile")
    min_pitch_range_semitones: float = Field(2.0, ge=0, description="below this a reply sounds flat (monotone)")
    # Mandarin replies are timed in characters (one syllable each): the English band's syllable rate,
    # at about 1.4 syllables per conversational English word (docs/scoring.md, "Tone thresholds").
    pace_min_cpm: float = Field(180, gt=0, description="slowest comfortable Mandarin pace, characters a minute")
    pace_max_cpm: float = Field(245, gt=0, description="fastest comfortable Mandarin pace, characters a minute")

    def pace_band(self, text: str) -> PaceBand:
        """The comfortable pace for a reply in the language it was spoken in."""
        if is_mostly_chinese(text):
            return PaceBand(self.pace_min_cpm, self.pace_max_cpm, "characters")
        return PaceBand(self.pace_min_wpm, self.pace_max_wpm, "words")


@dataclass(frozen=True, slots=True)
class PaceBand:
    """A comfortable speaking rate: ``low``..``high`` ``unit`` a minute."""

    low: float
    high: float
    unit: str  # "words" or "characters" (Mandarin)


class Rubric(Strict):
    weights: DimensionWeights = DimensionWeights()
    pass_marks: PassMarks = PassMarks()
    tone: ToneThresholds = ToneThresholds()


class RubricOverride(Strict):
    """A scenario's partial rubric: only the fields given replace the project defaults."""

    weights: dict[Literal["empathy", "compliance", "tone"], float] = {}
    pass_marks: dict[Literal["overall", "empathy", "compliance", "tone"], float] = {}
    tone: dict[str, float] = {}


class Noise(Strict):
    kind: NoiseKind = NoiseKind.NONE
    level_db: float = Field(-30.0, ge=-80, le=0, description="noise level relative to full scale")


class DrillKnobs(Strict):
    turn_time_limit_s: float | None = Field(None, gt=0, le=600)
    noise: Noise = Noise()
    interrupt_rate: float = Field(0.0, ge=0, le=1, description="how often the customer cuts in")


class Condition(Strict):
    """All given fields must hold.  An empty condition always holds."""

    empathy_at_least: EmpathyLevelByName | None = None
    empathy_below: EmpathyLevelByName | None = None
    steps_hit: tuple[Identifier, ...] = Field((), description="hit in this turn")
    steps_done: tuple[Identifier, ...] = Field((), description="hit in this or an earlier turn")
    steps_missing: tuple[Identifier, ...] = Field((), description="not yet hit in any turn")
    forbidden: bool | tuple[Identifier, ...] | None = None
    silence: bool | None = None
    interrupted: bool | None = None
    raised_voice: bool | None = None
    said_any: tuple[Line, ...] = Field((), description="any of these words or phrases")
    intent: Identifier | None = None
    mood_at_least: Anger | None = None
    mood_below: Anger | None = None
    turn_at_least: int | None = Field(None, ge=1)


class Transition(Strict):
    when: Condition = Condition()
    mood: int = Field(0, ge=-100, le=100, description="anger change when taken")
    say: Line | None = Field(None, description="a reaction line said before the target's line")
    goto: Identifier | None = Field(None, description="next node; omitted = stay (needs 'say')")


class Node(Strict):
    lines: tuple[Line, ...] = Field(min_length=1, description="variants; one is picked by the seed")
    angry_lines: tuple[Line, ...] = Field((), description="used when anger >= scenario.angry_at")
    calm_lines: tuple[Line, ...] = Field((), description="used when anger <= scenario.calm_at")
    end: Outcome | None = Field(None, description="this node ends the call with this outcome")
    handled: bool | None = Field(
        None, description="ending only: whether ending here counts as handling the call well "
                          "(default: true for resolved, false otherwise); a call can only pass if it does")
    excuse_steps: tuple[Identifier, ...] = Field(
        (), description="ending only: required steps that no longer count as missed when the call ends here")
    transitions: tuple[Transition, ...] = ()

    @property
    def counts_as_handled(self) -> bool:
        if self.handled is not None:
            return self.handled
        return self.end == Outcome.RESOLVED


class DurationUnit(enum.StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"

    @property
    def days(self) -> float:
        """Length in days; a working day counts as a day (promises are compared generously)."""
        return {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "working_days": 1.0, "weeks": 7.0}[self.value]


Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"),
                     Field(description="ISO 4217 code: GBP, EUR, USD...")]


class Timescale(Strict):
    """How long something takes: 3-5 working days is ``{min: 3, max: 5, unit: working_days}``."""

    min: float = Field(ge=0, description="the soonest it can happen; promising sooner breaks policy")
    max: float | None = Field(None, ge=0, description="the latest it takes (omitted: no stated limit)")
    unit: DurationUnit

    def describe(self) -> str:
        unit = self.unit.value.replace("_", " ")
        if self.max is None:
            return f"at least {self.min:g} {unit}"
        if self.max == self.min:
            return f"{self.min:g} {unit}"
        return f"{self.min:g}-{self.max:g} {unit}"


class Fee(Strict):
    amount: float = Field(gt=0)
    currency: Currency = "GBP"
    waivable: bool = Field(description="whether staff may waive it; false: promising no charge breaks policy")


class Allowance(Strict):
    """The most staff may offer, e.g. a goodwill credit of up to 20 GBP."""

    amount: float = Field(ge=0, description="offering more than this breaks policy")
    currency: Currency = "GBP"


class KnowledgeCard(Strict):
    """A policy fact the trainee can open during a call; the scorecard checks promises against it."""

    id: Identifier
    title: Line
    text: Line = Field(description="what the trainee reads, in the centre's own words")
    about: tuple[Line, ...] = Field(
        (), description="words that tie a promise to this card ('refund', 'replacement'); looked for in the "
                        "promise's sentence and the one before; empty: every promise of the card's kind")
    takes: Timescale | None = Field(None, description="how long it takes: promising sooner than min is a breach")
    fee: Fee | None = Field(None, description="a fee; with waivable: false, promising no charge is a breach")
    offer_up_to: Allowance | None = Field(None, description="the most that may be offered; more is a breach")
    severity: SeverityName = Field(SeverityName.CRITICAL, description="of a promise that breaks this card")

    def facts(self) -> tuple[str, ...]:
        """The facts the scorecard checks promises against, in words (shown with the card)."""
        facts = []
        if self.takes is not None:
            facts.append(f"takes {self.takes.describe()}")
        if self.fee is not None:
            facts.append(f"fee {self.fee.amount:g} {self.fee.currency}, "
                         + ("can be waived" if self.fee.waivable else "cannot be waived"))
        if self.offer_up_to is not None:
            facts.append(f"offer at most {self.offer_up_to.amount:g} {self.offer_up_to.currency}")
        return tuple(facts)


class Scenario(Strict):
    id: Identifier
    title: Line
    summary: Line
    difficulty: int = Field(ge=1, le=5)
    tags: tuple[Identifier, ...] = ()
    skills: tuple[Identifier, ...] = ()
    language: Language = Language.EN
    expected_minutes: float = Field(5, gt=0, le=60)
    max_turns: int = Field(14, ge=1, le=100)
    angry_at: Anger = 70
    calm_at: Anger = 30
    silence_prompt: Line = Field("Hello? Are you still there?",
                                 description="said when the trainee is silent and no transition handles it")
    persona: Persona
    script: tuple[ScriptStep, ...] = ()
    forbidden: tuple[ForbiddenPhrase, ...] = ()
    intents: tuple[Intent, ...] = ()
    knowledge: tuple[KnowledgeCard, ...] = Field(
        (), description="policy facts the trainee can open during a call (K in the app); promises are checked "
                        "against them")
    rubric: RubricOverride = RubricOverride()
    drill: DrillKnobs = DrillKnobs()
    start: Identifier
    on_patience_lost: Identifier = Field(description="ending node used when patience runs out")
    on_max_turns: Identifier = Field(description="ending node used when max_turns is reached")
    nodes: dict[Identifier, Node] = Field(min_length=1)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Scenario:
        if self.calm_at >= self.angry_at:
            raise ValueError("calm_at must be lower than angry_at")
        return self

    def step(self, step_id: str) -> ScriptStep:
        return next(s for s in self.script if s.id == step_id)

    def forbidden_phrase(self, phrase_id: str) -> ForbiddenPhrase:
        return next(f for f in self.forbidden if f.id == phrase_id)
