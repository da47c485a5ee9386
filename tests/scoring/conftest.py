"""Shared by the tests of how the semantic analyser and a scenario's own words work together: one
MiniLM for the session (loading it is most of such a test's time), an analyser per scenario."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.semantic import SemanticAnalyser
from simulator.scenario.loader import load_scenario


@pytest.fixture(scope="session")
def minilm() -> SentenceEncoder:
    return SentenceEncoder(threads=1)


@pytest.fixture(scope="session")
def semantic_for(scenarios_dir, minilm) -> Callable[[str], SemanticAnalyser]:
    """``semantic_for("refund-refused")``: the semantic analyser of that shipped scenario."""
    def analyser(scenario_id: str) -> SemanticAnalyser:
        return SemanticAnalyser(load_scenario(scenarios_dir / f"{scenario_id}.yaml").scenario, minilm)

    return analyser
