from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "billing-overcharge.yaml"


@pytest.fixture
def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project folder with scenarios/ and the shipped voices/ and rubric."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    voices = tmp_path / "voices"
    voices.mkdir()
    for profile in (REFERENCE.parents[1] / "voices").glob("*.yaml"):
        (voices / profile.name).write_text(profile.read_text(encoding="utf-8"), encoding="utf-8")
    rubric = REFERENCE.parent / "rubric.yaml"
    (tmp_path / "scenarios" / "rubric.yaml").write_text(rubric.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]
