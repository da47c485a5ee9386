"""Settings: defaults < config file < environment (CALLSIM_*) < command-line flags.

The config file is TOML at ``$CALLSIM_CONFIG`` or ``<user config dir>/callsim/config.toml``::

    analyser = "semantic"
    asr_backend = "faster-whisper"
    asr_model = "tiny.en"          # English; or a local model folder / checkpoint path
    asr_models = { zh = "base" }   # other scenario languages' models (CALLSIM_ASR_MODELS="zh=base")
    ui_language = "zh"             # the terminal app's own labels: "en" (default) or "zh"
    tts_engine = "hibari"         # or "pyttsx3"/"espeak-ng"; unset: each voice profile's engine
    input_device = "default"
    output_device = "default"
    data_dir = "/srv/callsim"      # recordings and the database
    database_url = "postgresql+psycopg://user:pw@host/db"
    home = "/srv/callsim-content"  # holds scenarios/ and voices/ (or CALLSIM_HOME)
    qa_required_steps = ["restate_problem"]  # callsim score: library steps your QA form also requires
    qa_critical_steps = ["verify_identity"]  # ... and those whose miss fails a call (fatal items)
    qa_asr_model = "tiny.en"       # callsim score: the agent's words heard by this model (default base; "": asr_model)

Scenarios are looked up in the current folder's ``scenarios/`` first, then the configured home's,
then the ones shipped with callsim (``ScenarioLocations``).
"""

from __future__ import annotations

import enum
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PACKAGE_ROOT = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_ROOT.parent
SCENARIOS_FOLDER = "scenarios"
SHIPPED_SCENARIOS = SOURCE_ROOT / SCENARIOS_FOLDER
SCENARIO_SUFFIXES = (".yaml", ".yml")


class ScenarioOrigin(enum.StrEnum):
    CURRENT_FOLDER = "the current folder"
    HOME = "the configured home (CALLSIM_HOME)"
    SHIPPED = "shipped with callsim"


@dataclass(frozen=True, slots=True)
class ScenarioFolder:
    path: Path
    origin: ScenarioOrigin


class ScenarioNotFound(LookupError):
    """A scenario name matched no file; the message lists every place looked in."""


@dataclass(frozen=True, slots=True)
class ScenarioLocations:
    """Where scenarios come from, in the order they are searched.

    A trainer working in a folder of their own scenarios expects ``callsim play my-call`` to find
    ``./scenarios/my-call.yaml``; the configured home comes next, and the shipped library last, so
    that running from the install folder does not put the shipped files ahead of CALLSIM_HOME.
    """

    folders: tuple[ScenarioFolder, ...]

    @classmethod
    def search_order(cls, home: Path, current_folder: Path) -> ScenarioLocations:
        candidates = (ScenarioFolder(current_folder / SCENARIOS_FOLDER, ScenarioOrigin.CURRENT_FOLDER),
                      ScenarioFolder(home / SCENARIOS_FOLDER, ScenarioOrigin.HOME),
                      ScenarioFolder(SHIPPED_SCENARIOS, ScenarioOrigin.SHIPPED))
        kept: list[ScenarioFolder] = []
        for index, candidate in enumerate(candidates):
            same_later = any(_same_folder(candidate.path, later.path) for later in candidates[index + 1:])
            if not same_later:  # a folder listed twice keeps its last, lowest-priority place
                kept.append(candidate)
        return cls(tuple(kept))

    @property
    def folder(self) -> Path:
        """The folder whose ladder, drills, competitions and scenario list are used: the first that exists."""
        existing = [f.path for f in self.folders if f.path.is_dir()]
        if existing:
            return existing[0]
        # Nothing exists: name the configured place in the messages that follow ("no ladder.yaml in ...").
        return next((f.path for f in self.folders if f.origin == ScenarioOrigin.HOME), self.folders[-1].path)

    def find(self, name: str) -> Path:
        """A path that exists, else ``<name>.yaml`` in the first folder that has it."""
        given = Path(name).expanduser()
        if given.is_file():
            return given
        if given.is_dir():
            raise ScenarioNotFound(f"{given} is a folder; give a scenario file in it, or a scenario id")
        if len(given.parts) > 1:  # clearly a path, not an id: searching folders would only confuse
            raise ScenarioNotFound(f"{given}: cannot read file: no such scenario file")
        stem = given.stem if given.suffix in SCENARIO_SUFFIXES else given.name
        looked: list[str] = []
        for candidate in self.folders:
            for suffix in SCENARIO_SUFFIXES:
                path = candidate.path / f"{stem}{suffix}"
                if path.is_file():
                    return path
            looked.append(f"{candidate.path / (stem + SCENARIO_SUFFIXES[0])} ({candidate.origin})")
        raise ScenarioNotFound(
            f"no scenario {stem!r}: looked for {'; '.join(looked)}. Give the scenario file's path, run callsim "
            f"in the folder that holds scenarios/, or set CALLSIM_HOME (or `home` in {config_file()}) "
            "to that folder")

    def describe(self) -> str:
        return "; ".join(f"{f.path} ({f.origin})" for f in self.folders)


def _current_folder(fallback: Path) -> Path:
    try:
        return Path.cwd()
    except OSError:  # the folder callsim was started in has been deleted since
        return fallback


def _same_folder(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return first == second


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = SOURCE_ROOT  # holds scenarios/ and voices/
    data_dir: Path = Path(platformdirs.user_data_dir("callsim"))
    analyser: str | None = None  # None = the registry's default
    asr_backend: str = "faster-whisper"
    asr_model: str = "tiny.en"  # English calls' model
    asr_models: dict[str, str] = {}  # language -> model for the other languages (the asr package has defaults)
    asr_threads: int = Field(2, ge=1, le=256)  # a thread count past the library's limits crashes the process
    asr_window: Literal["fitted", "full"] = "fitted"  # faster-whisper: encode the speech and a margin, or all 30 s
    ui_language: str = "en"
    tts_engine: str | None = None  # None: each voice profile's engine (auto = neural when installed)
    input_device: str | None = None
    output_device: str | None = None
    database_url: str | None = None
    # Library steps a centre's QA form requires on every recorded call scored without a scenario, on
    # top of those every service call has (e.g. ["restate_problem"]): ``callsim score``, which checks the
    # names (the scenario layer knows the kinds; settings sit below it).
    qa_required_steps: tuple[str, ...] = ()
    # ... and the library steps whose miss fails any such call whatever its score (a form's fatal items,
    # e.g. ["verify_identity"] for a bank).
    qa_critical_steps: tuple[str, ...] = ()
    # The Whisper model the agent's words in English recordings are heard with (callsim score, behaviour
    # add; the customer's keep asr_model); None (set blank): asr_model.  "base" (the packaged multilingual
    # model) agrees with the analyst more often than tiny.en and keeps 20x real time per core (docs/qa.md).
    qa_asr_model: str | None = "base"

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_named(cls, value: Any) -> Any:
        """An empty ``data_dir`` would be the current folder, which callsim would then make owner-only."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("is empty: name the folder for recordings and the database")
        return value

    @field_validator("ui_language", mode="before")
    @classmethod
    def _language_code(cls, value: Any) -> Any:
        """``--lang ZH``, ``zh-CN`` or a locale such as ``zh_CN.UTF-8`` all mean the labels in ``zh``."""
        if not isinstance(value, str):
            return value
        return re.split(r"[-_.]", value.strip().lower(), maxsplit=1)[0]

    @field_validator("qa_asr_model", mode="before")
    @classmethod
    def _model_named(cls, value: Any) -> Any:
        """``qa_asr_model = " base "`` is base; an empty or blank value is unset (asr_model)."""
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("qa_required_steps", "qa_critical_steps", mode="before")
    @classmethod
    def _steps_from_text(cls, value: Any) -> Any:
        """``CALLSIM_QA_REQUIRED_STEPS="verify_identity,restate_problem"``: the environment gives a string."""
        return [item for item in value.split(",") if item.strip()] if isinstance(value, str) else value

    @field_validator("input_device", "output_device", mode="before")
    @classmethod
    def _device_as_text(cls, value: Any) -> Any:
        """``input_device = 5`` in TOML is a number: the device index ``--input 5`` takes."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("asr_models", mode="before")
    @classmethod
    def _models_from_text(cls, value: Any) -> Any:
        """``CALLSIM_ASR_MODELS="zh=base,ja=small"``: the environment can only give a string."""
        if not isinstance(value, str):
            return value
        pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError("write language=model pairs separated by commas, e.g. zh=base")
        return {language.strip(): model.strip() for language, model in pairs}

    def scenario_locations(self, current_folder: Path | None = None) -> ScenarioLocations:
        return ScenarioLocations.search_order(self.home, current_folder or _current_folder(self.home))

    @property
    def scenarios_dir(self) -> Path:
        """The scenario folder in use: the current folder's scenarios/, else the home's, else the shipped one."""
        return self.scenario_locations().folder

    def find_scenario(self, name: str) -> Path:
        """The one resolver every command uses for a scenario named on its command line."""
        return self.scenario_locations().find(name)

    @property
    def voices_dir(self) -> Path:
        return self.home / "voices"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "calls"

    @property
    def voice_cache_dir(self) -> Path:
        """Customer lines rendered ahead, reused across calls (``simulator.tts.cache``)."""
        return self.data_dir / "voice-cache"


class SettingsError(ValueError):
    pass


def config_file() -> Path:
    explicit = os.environ.get("CALLSIM_CONFIG")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir("callsim")) / "config.toml"


def load_settings(**flags: Any) -> Settings:
    values: dict[str, Any] = {}
    path = config_file()
    if path.exists() and not path.is_file():  # a folder named by CALLSIM_CONFIG was passed over in silence
        raise SettingsError(f"{path}: not a config file (a folder?); point CALLSIM_CONFIG at a config.toml")
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise SettingsError(f"{path}: {err}") from None
    for name in Settings.model_fields:
        env = os.environ.get(f"CALLSIM_{name.upper()}")
        if env:
            values[name] = env
    values.update({k: v for k, v in flags.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise SettingsError(f"invalid settings ({path} / CALLSIM_* / flags): {problems}") from None
