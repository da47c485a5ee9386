"""The scenarios a trainee can pick: each file loaded, or the problems that stopped it loading."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from simulator.scenario.diagnostics import START, Diagnostic, FileProblems
from simulator.scenario.lint import load_playable_scenario
from simulator.scenario.loader import LoadedScenario, scenario_files


@dataclass(frozen=True)
class CatalogEntry:
    path: Path
    loaded: LoadedScenario | None = None
    problems: FileProblems | None = None

    @property
    def scenario_id(self) -> str:
        return self.loaded.scenario.id if self.loaded else self.path.stem

    @property
    def first_problem(self) -> str:
        """The first diagnostic as ``scenarios/file:line:col: message`` (what a banner shows)."""
        if self.problems is None:
            return ""
        if not self.problems.diagnostics:
            return str(self.problems)
        return self.short(self.problems.diagnostics[0])

    def short(self, diagnostic: Diagnostic) -> str:
        """A diagnostic with its path relative to the scenarios folder's parent: short and still findable."""
        try:
            shown = Path(diagnostic.path).resolve().relative_to(self.path.resolve().parent.parent)
        except ValueError:
            shown = Path(diagnostic.path)
        return replace(diagnostic, path=str(shown)).format()


@dataclass(frozen=True)
class ScenarioCatalog:
    folder: Path
    entries: tuple[CatalogEntry, ...]

    @property
    def playable(self) -> tuple[CatalogEntry, ...]:
        return tuple(e for e in self.entries if e.loaded is not None)

    @property
    def broken(self) -> tuple[CatalogEntry, ...]:
        return tuple(e for e in self.entries if e.loaded is None)

    def find(self, scenario_id: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.scenario_id == scenario_id), None)


def load_catalog(folder: Path) -> ScenarioCatalog:
    """Load every scenario file in ``folder``; a bad file becomes an entry with its problems."""
    entries = []
    for path in scenario_files([folder]) if folder.is_dir() else []:
        try:
            entries.append(CatalogEntry(path, loaded=load_playable_scenario(path)))
        except FileProblems as problems:
            entries.append(CatalogEntry(path, problems=problems))
        except OSError as err:
            entries.append(CatalogEntry(path, problems=FileProblems.single(
                path, START, "file.unreadable", f"cannot read: {err.strerror or err}")))
    return ScenarioCatalog(folder, tuple(_one_file_per_id(entries)))


def _one_file_per_id(entries: list[CatalogEntry]) -> list[CatalogEntry]:
    """A second file with a scenario's id (a copy made to edit) becomes a bad file naming the first: two
    rows of one id crashed the picker's table, and a call could not say which file it played.  The file
    named after the id keeps it, else the first in name order."""
    owner: dict[str, Path] = {}
    for entry in sorted((e for e in entries if e.loaded is not None),
                        key=lambda e: (e.path.stem != e.scenario_id, e.path.name)):
        owner.setdefault(entry.scenario_id, entry.path)
    kept = []
    for entry in entries:
        first = owner.get(entry.scenario_id) if entry.loaded is not None else None
        if entry.loaded is not None and first is not None and first != entry.path:
            entry = CatalogEntry(entry.path, problems=FileProblems.single(
                entry.path, entry.loaded.document.position(("id",)), "ids.duplicate-scenario",
                f"scenario id {entry.scenario_id!r} is already used by {first.name}; give the copy its own id"))
        kept.append(entry)
    return kept


def matches_filter(entry: CatalogEntry, text: str) -> bool:
    """Every word typed must appear in the id, title, tags or skills (case-insensitive)."""
    words = text.lower().split()
    if not words:
        return True
    if entry.loaded is None:
        haystack = entry.path.name.lower()
    else:
        scenario = entry.loaded.scenario
        haystack = " ".join((scenario.id, scenario.title, *scenario.tags, *scenario.skills)).lower()
    return all(word in haystack for word in words)


def difficulty_stars(difficulty: int, out_of: int = 5) -> str:
    return "★" * difficulty + "☆" * (out_of - difficulty)
