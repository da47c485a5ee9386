"""Lab fixtures: a real store on a SQLite file and on PostgreSQL (when CALLSIM_TEST_DATABASE_URL is
set, as CI sets it), each test in its own schema; helpers that play real text-mode calls."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import FinishedCall, new_call_folder, run_call
from simulator.scenario.loader import load_scenario
from tests.conftest import absent

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

GOOD_REPLIES = (
    "Thank you for calling, my name is Sam. I'm so sorry you've been charged twice, that must be worrying.",
    "Can you confirm your date of birth for security?",
    "I've refunded the second payment, it will be back within three working days.",
    "Is there anything else I can help with?",
)
POOR_REPLIES = ("What do you want?", "Calm down.", "Not my department.")


def postgres_url() -> str | None:
    return os.environ.get("CALLSIM_TEST_DATABASE_URL") or None


def _schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'callsim.db'}"
        return
    base = postgres_url()
    if base is None:
        absent("CALLSIM_TEST_DATABASE_URL is not set (CI sets it; see .ci/postgres)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def store(db_url: str):
    from simulator.store import open_store

    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def lab_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data dir and no user config, so CLI runs touch nothing outside tmp_path."""
    data = tmp_path / "data"
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(data))
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("CALLSIM_DATABASE_URL", raising=False)
    return data


def play(scenario_id: str, replies: tuple[str, ...], calls_dir: Path, *, seed: int = 0,
         on_event=None, start_mood: int | None = None, folder: Path | None = None) -> FinishedCall:
    """A real text-mode call with scripted replies (the lexical analyser, the real engine and scorer)."""
    loaded = load_scenario(SCENARIOS / f"{scenario_id}.yaml")
    analyser = builtin_analysers().create("lexical", loaded.scenario)  # no model: fast, deterministic
    folder = folder or new_call_folder(calls_dir, loaded.scenario.id)
    options = {"start_mood": start_mood} if start_mood is not None else {}
    return run_call(loaded, analyser, SilentVoice(), ScriptedReplies([parse_reply(r) for r in replies]), folder,
                    seed=seed, on_event=on_event, **options)
