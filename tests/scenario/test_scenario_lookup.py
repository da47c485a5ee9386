"""Scenario names resolve from the current folder's scenarios/, then CALLSIM_HOME, then the shipped library,
for every command (play, lab check, the app's scenario list) and with a message that says where it looked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.config import SHIPPED_SCENARIOS, ScenarioNotFound, load_settings

REFERENCE = SHIPPED_SCENARIOS / "billing-overcharge.yaml"
LADDER = """\
levels:
  - stars: 1
    title: Getting started
    require:
      - {passed: 1, difficulty_at_least: 1, min_overall: 60}
"""


def write_scenario(folder: Path, scenario_id: str, title: str) -> Path:
    """The reference scenario under another id and title (the id must equal the file name)."""
    text = REFERENCE.read_text(encoding="utf-8")
    text = text.replace("id: billing-overcharge", f"id: {scenario_id}", 1)
    text = text.replace("\ntitle: ", f"\ntitle: {title} - ", 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CALLSIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CALLSIM_HOME", raising=False)


def test_play_finds_a_scenario_in_the_current_folder(tmp_path, monkeypatch, clean_env, capsys):
    workdir = tmp_path / "trainer"
    write_scenario(workdir / "scenarios", "my-call", "Local")
    (workdir / "replies.txt").write_text("/hangup\n", encoding="utf-8")
    monkeypatch.chdir(workdir)

    code = main(["play", "my-call", "--text", "--replies", "replies.txt", "--analyser", "lexical",
                 "--record-to", str(tmp_path / "calls"), "--json"])

    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["scenario"] == "my-call"


def test_the_current_folder_comes_before_the_home_and_the_home_before_the_shipped_library(
        tmp_path, monkeypatch, clean_env):
    workdir, home = tmp_path / "trainer", tmp_path / "home"
    local = write_scenario(workdir / "scenarios", "my-call", "Local")
    write_scenario(home / "scenarios", "my-call", "Home")
    only_at_home = write_scenario(home / "scenarios", "home-call", "Home")
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    monkeypatch.chdir(workdir)

    settings = load_settings()
    assert settings.find_scenario("my-call") == workdir / "scenarios" / "my-call.yaml"
    assert settings.find_scenario("my-call").samefile(local)
    assert settings.find_scenario("home-call").samefile(only_at_home)
    assert settings.find_scenario("billing-overcharge").samefile(REFERENCE)
    assert settings.find_scenario("my-call.yaml").samefile(local)  # a file name is looked up like an id
    assert settings.scenarios_dir == workdir / "scenarios"


def test_running_from_the_install_folder_does_not_hide_the_home(tmp_path, monkeypatch, clean_env):
    home = tmp_path / "home"
    own_copy = write_scenario(home / "scenarios", "billing-overcharge", "Home copy")
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    monkeypatch.chdir(SHIPPED_SCENARIOS.parent)  # the install folder has a scenarios/ of its own

    settings = load_settings()
    assert settings.find_scenario("billing-overcharge").samefile(own_copy)
    assert settings.scenarios_dir.samefile(home / "scenarios")


def test_an_unknown_name_says_where_it_looked_and_mentions_callsim_home(tmp_path, monkeypatch, clean_env, capsys):
    workdir, home = tmp_path / "trainer", tmp_path / "home"
    (workdir / "scenarios").mkdir(parents=True)
    (home / "scenarios").mkdir(parents=True)
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    monkeypatch.chdir(workdir)

    code = main(["play", "no-such-call", "--text"])

    error = capsys.readouterr().err
    assert code == 1
    assert "no scenario 'no-such-call'" in error and "CALLSIM_HOME" in error
    for folder in (workdir / "scenarios", home / "scenarios", SHIPPED_SCENARIOS):
        assert str(folder / "no-such-call.yaml") in error
    assert "Traceback" not in error
    with pytest.raises(ScenarioNotFound, match="no such scenario file"):
        load_settings().find_scenario("elsewhere/no-such-call.yaml")


def test_lab_check_checks_the_current_folders_files(tmp_path, monkeypatch, clean_env, capsys):
    workdir = tmp_path / "trainer"
    (workdir / "scenarios").mkdir(parents=True)
    (workdir / "scenarios" / "ladder.yaml").write_text(LADDER, encoding="utf-8")
    monkeypatch.chdir(workdir)

    code = main(["lab", "check"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{workdir / 'scenarios' / 'ladder.yaml'}: ok (ladder)" in out
    assert str(SHIPPED_SCENARIOS) not in out


def test_lab_check_without_a_ladder_names_the_folders_and_callsim_home(tmp_path, monkeypatch, clean_env, capsys):
    workdir = tmp_path / "trainer"
    write_scenario(workdir / "scenarios", "my-call", "Local")
    monkeypatch.chdir(workdir)

    code = main(["lab", "check"])

    out = capsys.readouterr().out
    assert code == 1
    assert f"{workdir / 'scenarios' / 'ladder.yaml'}:1:1: error: no such file" in out
    assert "CALLSIM_HOME" in out


def test_the_apps_scenario_list_comes_from_the_current_folder(tmp_path, monkeypatch, clean_env):
    from simulator.ui.context import AppContext

    workdir = tmp_path / "trainer"
    write_scenario(workdir / "scenarios", "my-call", "Local")
    monkeypatch.chdir(workdir)

    context = AppContext.from_settings(load_settings(), use_store=False, voice_enabled=False)

    assert [entry.scenario_id for entry in context.catalog.playable] == ["my-call"]
