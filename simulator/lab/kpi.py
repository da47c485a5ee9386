"""Read a KPI CSV (Kirkpatrick level 4: results on real work) with an error per bad line.

Columns (header row required; order free; empty cells allowed except trainee and period)::

    trainee,period,satisfaction,first_call_resolution,handle_time_s,complaints
    ana,2026-11,86.5,78,312,0

``satisfaction`` (CSAT) and ``first_call_resolution`` (percent) are 0-100, ``handle_time_s`` is the
average handle time in seconds, ``complaints`` a whole count.  Common aliases are accepted (csat,
fcr, aht_s).  The file imports all or nothing: one bad line and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from simulator.store.types import KpiRow

COLUMNS = ("trainee", "period", "satisfaction", "first_call_resolution", "handle_time_s", "complaints")
ALIASES = {"agent": "trainee", "name": "trainee", "month": "period", "csat": "satisfaction",
           "fcr": "first_call_resolution", "aht_s": "handle_time_s", "handle_time": "handle_time_s"}
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class KpiProblem:
    path: str
    line: int
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: error: {self.message}"


class KpiFileError(ValueError):
    def __init__(self, problems: list[KpiProblem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


def _number(value: str, column: str, low: float | None, high: float | None) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"column {column!r}: {value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"column {column!r}: {value!r} is not a number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"column {column!r}: {number:g} is outside {low:g}..{high:g}" if high is not None
                         else f"column {column!r}: {number:g} must be at least {low:g}")
    return number


def _header_problems(name: str, header: list[str], columns: list[str]) -> list[KpiProblem]:
    problems = []
    unknown = [h for h, c in zip(header, columns, strict=True) if c not in COLUMNS]
    if unknown:
        problems.append(KpiProblem(name, 1, f"unknown column(s) {', '.join(map(repr, unknown))}; "
                                            f"expected {', '.join(COLUMNS)}"))
    twice = sorted({c for c in columns if columns.count(c) > 1 and c in COLUMNS})
    if twice:  # the last one silently won
        problems.append(KpiProblem(name, 1, f"column(s) {', '.join(map(repr, twice))} given more than once"))
    for required in ("trainee", "period"):
        if required not in columns:
            problems.append(KpiProblem(name, 1, f"missing column {required!r}"))
    return problems


MAX_TRAINEE_CHARS = 100  # the store's columns
MAX_PERIOD_CHARS = 40
MAX_COMPLAINTS = 1_000_000  # a count the store's integer keeps, far past any month's complaints


def read_kpi_csv(path: Path) -> list[KpiRow]:
    """Every row, or ``KpiFileError`` listing every bad line (FILE:LINE: message)."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise KpiFileError([KpiProblem(name, 1, f"cannot read file: {err.strerror or err}")]) from None
    if len(raw) > MAX_BYTES:
        raise KpiFileError([KpiProblem(name, 1, f"file is larger than {MAX_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise KpiFileError([KpiProblem(name, line, "not UTF-8 text; save the CSV as UTF-8")]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise KpiFileError([KpiProblem(name, 1, "empty file: expected a header row "
                                                f"({', '.join(COLUMNS)})")]) from None
    columns = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    problems = _header_problems(name, header, columns)
    if problems:
        raise KpiFileError(problems)
    rows: list[KpiRow] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            problems.append(KpiProblem(name, line, f"{len(cells)} cell(s), the header has {len(columns)}"))
            continue
        values = {c: cell.strip() for c, cell in zip(columns, cells, strict=True)}
        try:
            if not values["trainee"]:
                raise ValueError("column 'trainee' is empty")
            if not values["period"]:
                raise ValueError("column 'period' is empty")
            # cut short, two long names or periods became one row and the later silently replaced the earlier
            for column, longest in (("trainee", MAX_TRAINEE_CHARS), ("period", MAX_PERIOD_CHARS)):
                if len(values[column]) > longest:
                    raise ValueError(f"column {column!r} is longer than {longest} characters")
            key = (values["trainee"], values["period"])
            if key in seen:
                raise ValueError(f"{key[0]} {key[1]} already given on line {seen[key]}")
            seen[key] = line
            complaints = values.get("complaints") or None
            if complaints is not None:
                count = _number(complaints, "complaints", 0, MAX_COMPLAINTS)
                if count != int(count):
                    raise ValueError(f"column 'complaints': {complaints!r} is not a whole number")
            rows.append(KpiRow(
                values["trainee"], values["period"],
                _number(values["satisfaction"], "satisfaction", 0, 100) if values.get("satisfaction") else None,
                _number(values["first_call_resolution"], "first_call_resolution", 0, 100)
                if values.get("first_call_resolution") else None,
                _number(values["handle_time_s"], "handle_time_s", 0, None) if values.get("handle_time_s") else None,
                int(float(complaints)) if complaints is not None else None))
        except ValueError as err:
            problems.append(KpiProblem(name, line, str(err)))
    if problems:
        raise KpiFileError(problems)
    return rows
