"""Shared fixtures.  Area-specific fixtures live in each tests/<area>/conftest.py."""

from __future__ import annotations

import os
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


def absent(reason: str) -> None:
    """Skip for something a developer's clone may lack; in CI (CI=true) it must be there, so fail."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}, but CI must provide it (.ci/run sets it up)")
    pytest.skip(reason)
