"""Voice profiles (``voices/<id>.yaml``): how a customer sounds, and how that changes with mood."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from simulator.scenario.diagnostics import START, FileProblems
from simulator.scenario.model import Identifier, Language, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import load_yaml

VOICE_SUFFIX = ".yaml"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    NEUTRAL = "neutral"


class AgeGroup(enum.StrEnum):
    YOUNG = "young"
    MIDDLE = "middle"
    OLDER = "older"


class MoodProsody(Strict):
    """Change at full anger (100); scaled linearly with anger, negative below the neutral point."""

    rate_wpm: float = Field(35, ge=-150, le=150)
    pitch: float = Field(12, ge=-50, le=50)
    volume: float = Field(0.2, ge=-1, le=1)
    neutral_anger: int = Field(40, ge=0, le=100, description="anger at which the base prosody applies")


class NeuralShape(Strict):
    """How a neural engine's one shipped voice is reshaped into this customer.

    The engine predicts a pitch curve and a spectral envelope per frame; we move the pitch, stretch the
    envelope (a longer or shorter vocal tract: the formants move, which is what makes a voice sound
    male, female, older or younger rather than just higher or lower) and widen or flatten the melody."""

    pitch_semitones: float = Field(0, ge=-14, le=8, description="pitch shift from the shipped voice")
    formant_ratio: float = Field(1.0, ge=0.75, le=1.25,
                                 description="spectral envelope scale: below 1 a longer vocal tract (deeper)")
    speed: float = Field(1.0, ge=0.6, le=1.6, description="speaking rate at the neutral mood (1 = as shipped)")
    pitch_range: float = Field(1.0, ge=0.3, le=2.0, description="melody: below 1 flatter, above 1 livelier")


@dataclass(frozen=True, slots=True)
class Prosody:
    """How one line is spoken; what the TTS cache keys on (with the text and the voice)."""

    rate_wpm: int
    pitch: int  # 0..99, espeak's scale; 50 is the voice's normal pitch
    volume: float  # 0..1
    arousal: float = 0.0  # -1 calm .. 0 the voice's neutral mood .. 1 full anger (neural engines' energy)


MOOD_STEP = 10  # anger is rounded to this step so lines rendered ahead still match after a reaction


def mood_bucket(anger: int) -> int:
    """``anger`` rounded half up to ``MOOD_STEP`` within 0..100 (the prosody it is spoken with)."""
    return max(0, min(100, int(anger / MOOD_STEP + 0.5) * MOOD_STEP))


class VoiceProfile(Strict):
    """A customer voice: the engine's voice and its prosody at the neutral mood, and how that
    prosody changes with anger (faster, higher and louder as the customer gets angrier)."""

    id: Identifier
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    engine: Identifier = Field("auto", description="auto: the neural voice when installed, else espeak-ng; "
                                                    "or hibari, kokoro-zh (Mandarin), pyttsx3, espeak-ng")
    system_voice: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+/.-]{1,64}$")] = "gmw/en"
    language: Language = Field(Language.EN, description="the language the voice speaks; a scenario's language "
                                                         "picks a voice that speaks it")
    gender: Gender = Gender.NEUTRAL
    age: AgeGroup = AgeGroup.MIDDLE
    accent: Annotated[str, StringConstraints(max_length=60)] = ""
    rate_wpm: float = Field(165, ge=80, le=400)
    pitch: float = Field(50, ge=0, le=99)
    volume: float = Field(0.8, ge=0, le=1)
    mood: MoodProsody = MoodProsody()
    neural: NeuralShape = NeuralShape()

    def prosody(self, anger: int) -> Prosody:
        """Prosody at ``anger`` (0..100), rounded to ``MOOD_STEP``: linear from the neutral point
        to full anger, and down towards calm (0) below it."""
        anger = mood_bucket(anger)
        neutral = self.mood.neutral_anger
        # above neutral the scale runs 0..1 towards full anger, below it 0..-1 towards calm
        scale = (anger - neutral) / max(1, 100 - neutral) if anger >= neutral else -(neutral - anger) / max(1, neutral)
        return Prosody(rate_wpm=round(min(450, max(80, self.rate_wpm + scale * self.mood.rate_wpm))),
                       pitch=round(min(99, max(0, self.pitch + scale * self.mood.pitch))),
                       volume=round(min(1.0, max(0.05, self.volume + scale * self.mood.volume)), 3),
                       arousal=round(scale, 2))


ESPEAK_ENGINES = frozenset({"pyttsx3", "espeak", "espeak-ng"})


def is_espeak_mandarin(profile: VoiceProfile) -> bool:
    """espeak-ng's Mandarin (``cmn``, ``sit/cmn``): it reads Chinese as pinyin letters nobody follows."""
    base = profile.system_voice.split("+")[0].lower()
    return profile.engine in ESPEAK_ENGINES and base.rsplit("/", 1)[-1] in {"cmn", "zh", "yue", "cmn-latn-pinyin"}


SCHEMA_FILE = "voice.schema.json"


def voice_schema() -> dict[str, Any]:
    schema = VoiceProfile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://callsim.invalid/voice.schema.json",
        "title": "callsim voice profile",
        "description": "How a customer sounds (voices/<id>.yaml); see docs/voice.md, Voices.",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def write_voice_schema(voices_dir: Path) -> Path:
    path = voices_dir / SCHEMA_FILE
    path.write_text(json.dumps(voice_schema(), indent=2) + "\n", encoding="utf-8")
    return path


def load_voices(voices_dir: Path) -> list[VoiceProfile]:
    """Every profile in the folder; raises ``FileProblems`` for the first invalid file."""
    return [load_voice(path) for path in sorted(voices_dir.glob(f"*{VOICE_SUFFIX}"))]


def voice_path(voices_dir: Path, voice_id: str) -> Path:
    return voices_dir / f"{voice_id}{VOICE_SUFFIX}"


def load_voice(path: Path) -> VoiceProfile:
    profile = validate_document(load_yaml(path), VoiceProfile)
    if profile.id != path.stem:
        raise FileProblems.single(path, START, "voice.id-mismatch",
                                  f"voice id {profile.id!r} does not match the file name {path.stem!r}")
    return profile


_ESPEAK_MANDARIN = {Gender.FEMALE: "sit/cmn+f3", Gender.MALE: "sit/cmn+m3", Gender.NEUTRAL: "sit/cmn"}


def voice_for_language(profile: VoiceProfile, language: Language, voices_dir: Path) -> VoiceProfile:
    """The persona's voice if it speaks ``language``; else the registered profile that does and is closest
    (same gender, then same age, a real voice before espeak-ng's Mandarin); else, for Mandarin, the
    persona's prosody on espeak-ng's ``cmn`` (the linter warns that nobody understands it)."""
    if profile.language == language:
        return profile
    speakers = [other for other in _readable_voices(voices_dir) if other.language == language]
    if speakers:
        return min(speakers, key=lambda other: (other.gender != profile.gender, other.age != profile.age,
                                                is_espeak_mandarin(other), other.id))
    if language is Language.ZH:
        return espeak_mandarin_voice(profile)
    return profile


def espeak_mandarin_voice(profile: VoiceProfile) -> VoiceProfile:
    """``profile``'s prosody on espeak-ng's Mandarin voice of its gender (the fallback voice for Chinese)."""
    return profile.model_copy(update={"language": Language.ZH, "engine": "pyttsx3",
                                      "system_voice": _ESPEAK_MANDARIN[profile.gender]})


def _readable_voices(voices_dir: Path) -> list[VoiceProfile]:
    """Profiles that load; a broken file is the linter's business, not a reason to fail a call."""
    readable = []
    for path in sorted(voices_dir.glob(f"*{VOICE_SUFFIX}")):
        try:
            readable.append(load_voice(path))
        except FileProblems:
            continue
    return readable
