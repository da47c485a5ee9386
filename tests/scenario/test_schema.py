"""The shipped JSON Schema matches the model and every scenario points editors at it."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.cli import main
from simulator.scenario.loader import scenario_files
from simulator.scenario.schema import SCHEMA_FILE, scenario_schema

ROOT = Path(__file__).resolve().parents[2]


def test_callsim_schema_prints_the_shipped_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    shipped = json.loads((ROOT / "scenarios" / SCHEMA_FILE).read_text())
    assert printed == shipped == scenario_schema(), "regenerate: callsim schema > scenarios/scenario.schema.json"
    assert "persona" in printed["required"] and "nodes" in printed["properties"]


def test_every_scenario_starts_with_the_schema_line():
    for path in scenario_files([ROOT / "scenarios"]):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema={SCHEMA_FILE}", path
