"""Golden calls: recorded reply files with the outcome each must reach, replayed like unit tests.

``scenarios/golden/<scenario-id>.yaml``::

    scenario: billing-overcharge
    calls:
      - name: good
        replies: billing-overcharge.good.txt   # beside this file
        seed: 1
        expect: {outcome: resolved, passed: true}

``callsim test`` takes scenario files, scenario folders, golden files or a golden folder; a golden
file is replayed against the scenario beside its folder (``scenarios/<id>.yaml``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from simulator.analysis.base import AnalyserRegistry
from simulator.call.text_io import ScriptedReplies, SilentVoice, read_reply_file
from simulator.call.textcall import FinishedCall, run_call
from simulator.config import SCENARIO_SUFFIXES
from simulator.contracts import MAX_SEED, Outcome
from simulator.scenario.diagnostics import START, FileProblems
from simulator.scenario.lint import load_playable_scenario
from simulator.scenario.loader import NOT_SCENARIOS, LoadedScenario, scenario_files
from simulator.scenario.model import Identifier, Scenario, Strict
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import YamlDocument, load_yaml

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
    seed: int = Field(0, ge=0, le=MAX_SEED)
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


@dataclass(frozen=True, slots=True)
class NodeRef:
    node_id: str
    line: int

    def describe(self) -> str:
        return f"{self.node_id} (line {self.line})"


@dataclass(frozen=True, slots=True)
class TransitionRef:
    """One transition of a scenario, named the way a trainer finds it in the file."""

    node_id: str
    index: int  # 0-based position in the node's ``transitions``, as the engine counts them
    goto: str | None  # None: the customer stays on the node
    line: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.node_id, self.index)

    def describe(self) -> str:
        target = f"-> {self.goto}" if self.goto else "(stays)"
        return f"{self.node_id} transition {self.index + 1} {target} (line {self.line})"


@dataclass
class ScenarioCoverage:
    scenario_id: str
    nodes: tuple[NodeRef, ...] = ()  # every node, in file order
    transitions: tuple[TransitionRef, ...] = ()  # every transition of a node that does not end the call
    nodes_visited: set[str] = field(default_factory=set)
    transitions_taken: set[tuple[str, int]] = field(default_factory=set)
    results: list[GoldenResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, loaded: LoadedScenario) -> ScenarioCoverage:
        scenario = loaded.scenario
        transitions = tuple(
            TransitionRef(node_id, index, transition.goto,
                          loaded.document.position(("nodes", node_id, "transitions", index)).line)
            for node_id, node in scenario.nodes.items() if node.end is None
            for index, transition in enumerate(node.transitions))
        nodes = tuple(NodeRef(node_id, loaded.document.position(("nodes", node_id), key=True).line)
                      for node_id in scenario.nodes)
        return cls(scenario.id, nodes, transitions)

    @property
    def nodes_total(self) -> int:
        return len(self.nodes)

    @property
    def transitions_total(self) -> int:
        return len(self.transitions)

    @property
    def untaken_nodes(self) -> tuple[NodeRef, ...]:
        return tuple(n for n in self.nodes if n.node_id not in self.nodes_visited)

    @property
    def untaken_transitions(self) -> tuple[TransitionRef, ...]:
        return tuple(t for t in self.transitions if t.key not in self.transitions_taken)

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
    coverage = ScenarioCoverage.of(loaded)
    try:
        document = load_yaml(golden_path)
        golden = validate_document(document, GoldenFile)
    except FileProblems as problems:
        coverage.errors.extend(d.format() for d in problems.diagnostics)
        return coverage
    if golden.scenario != scenario.id:
        coverage.errors.append(f"{golden_path}:1:1: golden file is for {golden.scenario!r}, not {scenario.id!r}")
        return coverage
    coverage.errors.extend(_golden_file_problems(golden, scenario, document))
    if coverage.errors:
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
        differences = _check(call.expect, finished)
        coverage.results.append(GoldenResult(call.name, not differences, differences, finished))
    return coverage


def _golden_file_problems(golden: GoldenFile, scenario: Scenario, document: YamlDocument) -> list[str]:
    """Mistakes a replay would hide: two calls of one name (the report could not tell them apart) and
    an expected step the scenario does not have (it read as "steps not hit", a failure of the trainee's)."""
    def at(*key: str | int) -> str:
        where = document.position(tuple(key))
        return f"{document.path}:{where.line}:{where.column}"

    problems = []
    first: dict[str, int] = {}
    steps = {step.id for step in scenario.script}
    for index, call in enumerate(golden.calls):
        if call.name in first:
            problems.append(f"{at('calls', index, 'name')}: a second golden call named {call.name!r} (the first is "
                            f"call {first[call.name] + 1}); give each its own name")
        first.setdefault(call.name, index)
        for number, step in enumerate(call.expect.steps_hit):
            if step not in steps:
                problems.append(f"{at('calls', index, 'expect', 'steps_hit', number)}: call {call.name!r} expects "
                                f"step {step!r}, which {scenario.id} does not have (its steps: "
                                f"{', '.join(sorted(steps))})")
    return problems


def golden_path_for(scenario_path: Path, scenario_id: str) -> Path:
    return scenario_path.parent / GOLDEN_DIR / f"{scenario_id}.yaml"


def scenario_beside(golden_path: Path, scenario_id: str) -> Path:
    """``golden_path_for`` read backwards: ``<folder>/golden/x.yaml`` -> ``<folder>/x.yaml``."""
    return golden_path.parent.parent / f"{scenario_id}.yaml"


def is_golden_file(path: Path) -> bool:
    """A file in a ``golden/`` folder, or any YAML file shaped like one (``scenario:`` + ``calls:``, no ``nodes:``)."""
    if path.suffix not in SCENARIO_SUFFIXES:
        return False
    if path.parent.name == GOLDEN_DIR:
        return True
    try:
        data = load_yaml(path).data
    except FileProblems:
        return False  # loading it as a scenario reports the problem
    return isinstance(data, dict) and "calls" in data and "scenario" in data and "nodes" not in data


@dataclass(frozen=True, slots=True)
class _Job:
    """One thing to replay: a scenario file and, when known, the golden file that drives it."""

    given: Path  # what was named on the command line (or found in a folder named there)
    scenario_path: Path | None
    golden_path: Path | None = None
    problem: str | None = None


def _jobs(paths: list[Path], find_scenario: Callable[[str], Path] | None) -> Iterator[_Job]:
    for path in paths:
        if path.is_dir() and path.name == GOLDEN_DIR:
            for golden in sorted(p for p in path.iterdir() if p.suffix in SCENARIO_SUFFIXES and p.is_file()):
                yield _golden_job(golden, find_scenario)
        elif path.is_dir():
            yield from (_Job(p, p) for p in scenario_files([path]))
        elif not path.exists():
            yield _Job(path, None, problem=f"{path}:1:1: no such file or folder")
        elif path.suffix not in SCENARIO_SUFFIXES or path.name in NOT_SCENARIOS:
            yield _Job(path, None, problem=f"{path}:1:1: not a scenario or golden file: pass a scenario file or "
                                           f"folder (scenarios/), or a golden file ({GOLDEN_DIR}/<scenario-id>.yaml)")
        elif is_golden_file(path):
            yield _golden_job(path, find_scenario)
        else:
            yield _Job(path, path)


def _golden_job(golden_path: Path, find_scenario: Callable[[str], Path] | None) -> _Job:
    try:
        scenario_id = load_golden(golden_path).scenario
    except FileProblems as problems:
        return _Job(golden_path, None, golden_path, str(problems))
    beside = scenario_beside(golden_path, scenario_id)
    if beside.is_file():
        return _Job(golden_path, beside, golden_path)
    if find_scenario is not None:
        try:
            return _Job(golden_path, find_scenario(scenario_id), golden_path)
        except LookupError as err:
            return _Job(golden_path, None, golden_path, f"{golden_path}:1:1: {err}")
    return _Job(golden_path, None, golden_path, f"{golden_path}:1:1: no scenario file {beside} for this golden "
                                                "file; pass the scenario file or its folder instead")


def run_golden_for_paths(paths: list[Path], registry: AnalyserRegistry, analyser_name: str | None = None,
                         find_scenario: Callable[[str], Path] | None = None) -> list[ScenarioCoverage]:
    """Replay golden calls for scenario files/folders (each with ``golden/<id>.yaml`` beside it) and for
    golden files or a ``golden/`` folder (each against its scenario: beside its folder, else ``find_scenario``)."""
    results = []
    seen: set[tuple[Path | None, Path | None]] = set()
    for job in _jobs(paths, find_scenario):
        key = (_resolved(job.scenario_path), _resolved(job.golden_path))
        if job.problem is None and key in seen:
            continue  # named twice, e.g. scenarios/ and scenarios/golden/x.yaml
        seen.add(key)
        results.append(_run_job(job, registry, analyser_name))
    return results


def _run_job(job: _Job, registry: AnalyserRegistry, analyser_name: str | None) -> ScenarioCoverage:
    path = job.scenario_path
    if job.problem is not None or path is None:
        return ScenarioCoverage(job.given.stem, errors=[job.problem or f"{job.given}: no scenario to replay"])
    try:
        loaded = load_playable_scenario(path)
    except FileProblems as problems:
        return ScenarioCoverage(path.stem, errors=[d.format() for d in problems.diagnostics])
    golden = job.golden_path or golden_path_for(path, loaded.scenario.id)
    if not golden.is_file():
        coverage = ScenarioCoverage.of(loaded)
        coverage.errors.append(f"{path}:{START.line}:{START.column}: no golden calls: create {golden}")
        return coverage
    return run_golden(loaded, golden, registry, analyser_name)


def _resolved(path: Path | None) -> Path | None:
    return None if path is None else path.resolve()
