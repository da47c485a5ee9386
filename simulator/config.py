"""Settings: defaults < config file < environment (CALLSIM_*) < command-line flags.

The config file is TOML at ``$CALLSIM_CONFIG`` or ``<user config dir>/callsim/config.toml``::

    analyser = "semantic"
    asr_backend = "faster-whisper"
    asr_model = "tiny.en"          # or a local model folder / checkpoint path
    tts_engine = "pyttsx3"
    input_device = "default"
    output_device = "default"
    data_dir = "/srv/callsim"      # recordings and the database
    database_url = "postgresql+psycopg://user:pw@host/db"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, ValidationError

PACKAGE_ROOT = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_ROOT.parent


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = SOURCE_ROOT  # holds scenarios/ and voices/
    data_dir: Path = Path(platformdirs.user_data_dir("callsim"))
    analyser: str | None = None  # None = the registry's default
    asr_backend: str = "faster-whisper"
    asr_model: str = "tiny.en"
    asr_threads: int = 2
    tts_engine: str = "pyttsx3"
    input_device: str | None = None
    output_device: str | None = None
    database_url: str | None = None

    @property
    def scenarios_dir(self) -> Path:
        return self.home / "scenarios"

    @property
    def voices_dir(self) -> Path:
        return self.home / "voices"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "calls"


class SettingsError(ValueError):
    pass


def config_file() -> Path:
    explicit = os.environ.get("CALLSIM_CONFIG")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir("callsim")) / "config.toml"


def load_settings(**flags: Any) -> Settings:
    values: dict[str, Any] = {}
    path = config_file()
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
