"""Recordings are scored as a fresh install would score them, whatever the developer's own settings say."""

from __future__ import annotations

from pathlib import Path

import pytest

# settings that change what a scored recording says (the store and data folder are each test's own)
SCORING_SETTINGS = ("CALLSIM_ASR_MODEL", "CALLSIM_ASR_MODELS", "CALLSIM_ASR_BACKEND", "CALLSIM_ANALYSER",
                    "CALLSIM_QA_ASR_MODEL", "CALLSIM_QA_REQUIRED_STEPS")


@pytest.fixture(autouse=True)
def default_scoring_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    for name in SCORING_SETTINGS:
        monkeypatch.delenv(name, raising=False)
