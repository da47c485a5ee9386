"""UI test fixtures: the app on a private data dir, a frozen clock, and a helper to wait on it."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.config import load_settings
from simulator.ui.app import CallsimApp
from simulator.ui.context import AppContext


def _voice_fixtures():
    """The voiced-call fixtures (ALSA file device, espeak-ng replies) from tests/voice/conftest.py."""
    path = Path(__file__).resolve().parents[1] / "voice" / "conftest.py"
    spec = importlib.util.spec_from_file_location("callsim_tests_voice_conftest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


_voice = _voice_fixtures()
file_device = _voice.file_device
replies = _voice.replies

TEST_LADDER = """\
levels:
  - stars: 1
    title: Getting started
    require:
      - {passed: 1, difficulty_at_least: 1, min_overall: 60}
  - stars: 2
    title: Steady hands
    require:
      - {passed: 2, difficulty_at_least: 2, min_overall: 70}
"""

REPLIES = (
    "Thank you for calling, my name is Sam. I'm so sorry you've been charged twice, that must be worrying.",
    "Can you confirm your date of birth for security?",
    "I've refunded the second payment, it will be back within three working days.",
    "Is there anything else I can help with?",
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(folder))
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    # Screens and snapshots use the word-list analyser (no model load); the full-call test uses the default.
    monkeypatch.setenv("CALLSIM_ANALYSER", "lexical")
    return folder


@pytest.fixture
def fixed_home(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with only the reference scenario, so screens do not change as scenarios are added."""
    home = tmp_path / "home"
    (home / "scenarios").mkdir(parents=True)
    for name in ("billing-overcharge.yaml", "rubric.yaml"):
        shutil.copy(repo_root / "scenarios" / name, home / "scenarios" / name)
    (home / "scenarios" / "ladder.yaml").write_text(TEST_LADDER, encoding="utf-8")
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    return home


CHINESE_SCENARIO = "zh-parcel-lost"


@pytest.fixture
def chinese_home(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with a Mandarin scenario (and the English reference one), the app's labels in Chinese."""
    home = tmp_path / "home"
    (home / "scenarios").mkdir(parents=True)
    for name in (f"{CHINESE_SCENARIO}.yaml", "billing-overcharge.yaml", "rubric.yaml"):
        shutil.copy(repo_root / "scenarios" / name, home / "scenarios" / name)
    shutil.copytree(repo_root / "voices", home / "voices")
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    monkeypatch.setenv("CALLSIM_UI_LANGUAGE", "zh")
    return home


@pytest.fixture
def make_app(data_dir: Path) -> Callable[..., CallsimApp]:
    def build(**options) -> CallsimApp:
        options.setdefault("clock", lambda: 0.0)
        options.setdefault("voice_enabled", False)
        return CallsimApp(AppContext.from_settings(load_settings(), **options))

    return build


def signed_in_app(make_app, name: str = "Ada Trainee", team: str | None = "Blue", **options) -> CallsimApp:
    app = make_app(**options)
    app.context.sign_in(name, team)
    return app


def results_shown(app) -> bool:
    """The results screen is up and filled in (a pushed screen mounts a moment later)."""
    from simulator.ui.screens.results import ResultsScreen

    screen = app.screen
    if not isinstance(screen, ResultsScreen):
        return False
    tables = screen.query("#dimensions")
    return bool(tables) and tables.first().row_count > 0


def screen_ready(app, screen_type: type) -> bool:
    """``app.screen`` is a ``screen_type`` and is mounted.  ``push_screen``/``switch_screen`` put
    the new screen on the stack at once and mount it later, so the type alone is not enough to
    query its widgets or press its keys."""
    screen = app.screen
    return isinstance(screen, screen_type) and screen.is_mounted


async def wait_for(pilot, condition: Callable[[], bool], timeout_s: float = 30.0, *, poll_s: float = 0.05) -> None:
    """Let the app run until ``condition`` holds, then until it has handled what it had queued.

    Workers post messages asynchronously, so a condition can come true halfway through the app's
    work: a switched-to screen may be mounted while its ``Header`` still has title updates queued
    on the app.  Acting on the app, or closing it, at that moment is a race a loaded machine
    loses (Textual's Header then raises ``NoMatches: HeaderTitle`` from the closed screen), so
    every wait ends with ``pilot.pause()``: the screen, its widgets and the app have processed
    everything pending.  ``timeout_s`` is generous: it only bounds a wait that has already failed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s on screen {pilot.app.screen!r}")
        await asyncio.sleep(poll_s)
    await pilot.pause()
