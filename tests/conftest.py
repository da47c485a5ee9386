"""Shared fixtures.  Area-specific fixtures live in each tests/<area>/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    return REPO / "scenarios"


@pytest.fixture(scope="session")
def voices_dir() -> Path:
    return REPO / "voices"
