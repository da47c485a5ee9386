"""Golden calls: recorded reply files with the outcome each must reach, replayed like unit tests.

``scenarios/golden/<scenario-id>.yaml``::

    scenario: billing-overcharge
    calls:
      - name: good
        replies: billing-overcharge.good.txt   # beside this file
        seed: 1
        expect: {outcome: resolved, passed: true}
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from simulator.analysis.base import AnalyserRegistry
from simulator.call.text_io import ScriptedReplies, SilentVoice, read_reply_file
from simulator.call.textcall import FinishedCall, run_call
from simulator.contracts import Outcome
from simulator.scenario.diagnostics import FileProblems, START
from simulator.scenario.loader import LoadedScenario, load_scenario, scenario_files
from simulator.scenario.model import Identifier, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import load_yaml

GOLDEN_DIR = "golden"


class Expectation(Strict):
    outcome: Outcome
    passed: bool | None = None
    min_overall: float | None = Field(None, ge=0, le=100)
    max_overall: float | None = Field(None, ge=0, le=100)
    steps_hit: tuple[Identifier, ...] = ()


class GoldenCall(Strict):
    name: Identifier
    replies: str = Field(pattern=r"^[A-Za-z0-9_.-]+\.txt$", description="reply file beside the golden file")
    seed: int = Field(0, ge=0)
    expect: Expectation


class GoldenFile(Strict):
    scenario: Identifier
    calls: tuple[GoldenCall, ...] = Field(min_length=1)


@dataclass(frozen=True)
class GoldenResult:
    name: str
    passed: bool
    problems: tuple[str, ...]
    finished: FinishedCall


@dataclass
class ScenarioCoverage:
    scenario_id: str
    nodes_total: int
    transitions_total: int
    nodes_visited: set[str] = field(default_factory=set)
    transitions_taken: set[tuple[str, int]] = field(default_factory=set)
    results: list[GoldenResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def node_percent(self) -> float:
        return 100.0 * len(self.nodes_visited) / self.nodes_total if self.nodes_total else 100.0

    @property
    def transition_percent(self) -> float:
        return 100.0 * len(self.transitions_taken) / self.transitions_total if self.transitions_total else 100.0

    @property
    def passed(self) -> bool:
        return not self.errors and bool(self.results) and all(r.passed for r in self.results)


def load_golden(path: Path) -> GoldenFile:
    return validate_document(load_yaml(path), GoldenFile)


def _check(expect: Expectation, finished: FinishedCall) -> tuple[str, ...]:
    card = finished.scorecard
    problems = []
    if finished.record.outcome != expect.outcome:
        problems.append(f"outcome {finished.record.outcome} != expected {expect.outcome.value}")
    if expect.passed is not None and card.passed != expect.passed:
        problems.append(f"passed={card.passed} (overall {card.overall}), expected passed={expect.passed}")
    if expect.min_overall is not None and card.overall < expect.min_overall:
        problems.append(f"overall {card.overall} < {expect.min_overall}")
    if expect.max_overall is not None and card.overall > expect.max_overall:
        problems.append(f"overall {card.overall} > {expect.max_overall}")
    hit = {s.step_id for s in card.steps if s.hit}
    missing = [s for s in expect.steps_hit if s not in hit]
    if missing:
        problems.append("steps not hit: " + ", ".join(missing))
    return tuple(problems)


def run_golden(loaded: LoadedScenario, golden_path: Path, registry: AnalyserRegistry,
               analyser_name: str | None = None) -> ScenarioCoverage:
    scenario = loaded.scenario
    transitions_total = sum(len(n.transitions) for n in scenario.nodes.values() if n.end is None)
    coverage = ScenarioCoverage(scenario.id, len(scenario.nodes), transitions_total)
    try:
        golden = load_golden(golden_path)
    except FileProblems as problems:
        coverage.errors.extend(d.format() for d in problems.diagnostics)
        return coverage
    if golden.scenario != scenario.id:
        coverage.errors.append(f"{golden_path}:1:1: golden file is for {golden.scenario!r}, not {scenario.id!r}")
        return coverage
    analyser = registry.create(analyser_name, scenario)
    for call in golden.calls:
        replies_path = golden_path.parent / call.replies
        try:
            replies = read_reply_file(replies_path)
        except (OSError, ValueError) as err:
            coverage.errors.append(f"{replies_path}: {err}")
            continue
        with tempfile.TemporaryDirectory(prefix="callsim-golden-") as scratch:
            finished = run_call(loaded, analyser, SilentVoice(), ScriptedReplies(replies), Path(scratch) / "call",
                                seed=call.seed)
        coverage.nodes_visited.update(finished.visited_nodes)
        coverage.transitions_taken.update(finished.taken_transitions)
        problems = _check(call.expect, finished)
        coverage.results.append(GoldenResult(call.name, not problems, problems, finished))
    return coverage


def golden_path_for(scenario_path: Path, scenario_id: str) -> Path:
    return scenario_path.parent / GOLDEN_DIR / f"{scenario_id}.yaml"


def run_golden_for_paths(paths: list[Path], registry: AnalyserRegistry, analyser_name: str | None = None
                         ) -> list[ScenarioCoverage]:
    results = []
    for path in scenario_files(paths):
        try:
            loaded = load_scenario(path)
        except FileProblems as problems:
            coverage = ScenarioCoverage(path.stem, 0, 0)
            coverage.errors.extend(d.format() for d in problems.diagnostics)
            results.append(coverage)
            continue
        golden = golden_path_for(path, loaded.scenario.id)
        if not golden.is_file():
            coverage = ScenarioCoverage(loaded.scenario.id, len(loaded.scenario.nodes), 0)
            coverage.errors.append(f"{path}:{START.line}:{START.column}: no golden calls: create {golden}")
            results.append(coverage)
            continue
        results.append(run_golden(loaded, golden, registry, analyser_name))
    return results
