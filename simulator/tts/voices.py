"""Voice profiles (``voices/<id>.yaml``): how a customer sounds, and how that changes with mood."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from simulator.scenario.diagnostics import FileProblems, START
from simulator.scenario.model import Identifier, Strict
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


class VoiceProfile(Strict):
    id: Identifier
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    engine: Identifier = "pyttsx3"
    system_voice: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+/.-]{1,64}$")] = "gmw/en"
    gender: Gender = Gender.NEUTRAL
    age: AgeGroup = AgeGroup.MIDDLE
    accent: Annotated[str, StringConstraints(max_length=60)] = ""
    rate_wpm: float = Field(165, ge=80, le=400)
    pitch: float = Field(50, ge=0, le=99)
    volume: float = Field(0.8, ge=0, le=1)
    mood: MoodProsody = MoodProsody()


def voice_path(voices_dir: Path, voice_id: str) -> Path:
    return voices_dir / f"{voice_id}{VOICE_SUFFIX}"


def load_voice(path: Path) -> VoiceProfile:
    profile = validate_document(load_yaml(path), VoiceProfile)
    if profile.id != path.stem:
        raise FileProblems.single(path, START, "voice.id-mismatch",
                                  f"voice id {profile.id!r} does not match the file name {path.stem!r}")
    return profile
