"""Load scenario and rubric files into validated models, keeping positions for the linter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from simulator.config import SCENARIO_SUFFIXES
from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.model import Rubric, RubricOverride, Scenario
from simulator.scenario.validate import validate_document
from simulator.scenario.yamlsource import YamlDocument, load_yaml

RUBRIC_FILE = "rubric.yaml"
NOT_SCENARIOS = {RUBRIC_FILE, "ladder.yaml"}  # ladder.yaml: the service lab's star levels (simulator.lab.ladder)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    document: YamlDocument
    sha256: str

    @property
    def path(self) -> Path:
        return self.document.path


def load_scenario(path: Path | str) -> LoadedScenario:
    document = load_yaml(Path(path))
    scenario = validate_document(document, Scenario)
    digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    return LoadedScenario(scenario, document, digest)


def load_rubric(path: Path | str) -> Rubric:
    return validate_document(load_yaml(Path(path)), Rubric)


def default_rubric(scenario_path: Path) -> Rubric:
    """The project-wide rubric beside the scenario (or in a parent folder), else built-in defaults."""
    for folder in (scenario_path.parent, *scenario_path.parent.parents):
        candidate = folder / RUBRIC_FILE
        if candidate.is_file():
            return load_rubric(candidate)
        if (folder / "pyproject.toml").exists():
            break
    return Rubric()


def rubric_with(base: Rubric, override: RubricOverride) -> Rubric:
    """``base`` with a scenario's partial rubric laid over it (a ValueError names a value out of range)."""
    merged = base.model_dump()
    merged["weights"].update(override.weights)
    merged["pass_marks"].update(override.pass_marks)
    merged["tone"].update(override.tone)
    return Rubric.model_validate(merged)


def effective_rubric(loaded: LoadedScenario) -> Rubric:
    """Project defaults with the scenario's partial ``rubric:`` laid over them."""
    try:
        return rubric_with(default_rubric(loaded.path), loaded.scenario.rubric)
    except ValueError as err:
        position = loaded.document.position(("rubric",))
        raise FileProblems.single(loaded.path, position, "rubric.invalid", f"rubric override: {err}") from None


def scenario_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their scenario files (drills and golden folders have their own formats)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Not only regular files: a folder or a broken link named like a scenario is reported as
            # unreadable by whoever reads the list, rather than left out without a word.
            found.extend(sorted(p for p in path.glob("*") if p.suffix in SCENARIO_SUFFIXES
                                and p.name not in NOT_SCENARIOS))
        else:
            found.append(path)
    return found
