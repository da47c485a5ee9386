"""The JSON Schema of the scenario format, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

from typing import Any

from simulator.scenario.model import Scenario

SCHEMA_FILE = "scenario.schema.json"


def scenario_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://callsim.invalid/scenario.schema.json",
        "title": "callsim scenario",
        "description": "A difficult-customer call for callsim; see scenarios/README.md.",
        **{k: v for k, v in schema.items() if k != "title"},
    }
