"""Problems found in a trainer-edited file, each pointing at FILE:LINE:COL."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from pathlib import Path


class Level(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


START = Position(1, 1)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    position: Position
    level: Level
    code: str  # stable id, e.g. "yaml.duplicate-key", "graph.unreachable"
    message: str
    hint: str | None = None

    def format(self) -> str:
        text = f"{self.path}:{self.position.line}:{self.position.column}: {self.level}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("position")
        return {"line": self.position.line, "column": self.position.column, **data}

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.position.line, self.position.column, self.code)


class FileProblems(Exception):
    """Raised when a file cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: d.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @classmethod
    def single(cls, path: Path | str, position: Position, code: str, message: str,
               hint: str | None = None) -> FileProblems:
        return cls([Diagnostic(str(path), position, Level.ERROR, code, message, hint)])
