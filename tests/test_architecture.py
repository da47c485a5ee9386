"""The package order, checked on every import in the code (lazy ones inside functions included).

Data flows one way: a package may import only packages listed before it, and no two modules import
each other, directly or round a loop.  There is no list of exceptions: a new package must be placed in
``ORDER`` and a new dependency must point downwards.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"

# Lowest first.  One line is one layer: its members may not import one another.
ORDER: tuple[tuple[str, ...], ...] = (
    ("arguments", "contracts", "declared_length", "heap", "lazy", "private_files", "registry", "text",
     "wavfile"),  # neutral: shared types and helpers
    ("config", "record"),  # settings; the typed call record and call events
    ("scenario",),  # the scenario language, its linter and the dialogue engine
    ("analysis",),  # what a trainee turn says and how it sounds
    ("scoring",),  # the scorecard from a call record
    ("audio",),  # devices, clips, endpointing
    ("asr",),
    ("tts",),
    ("call",),  # one call: text or voiced
    ("qa",),  # recordings made elsewhere become scored call records
    ("store",),
    ("lab",),  # the service lab, on the store
    ("ui",),
    ("commands",),
    ("cli",),
    ("__main__",),
)
CORE = ("scenario", "analysis", "scoring")
HEAVY = {"torch", "transformers", "faster_whisper", "whisper", "ctranslate2", "sounddevice", "pyttsx3",
         "sqlalchemy", "alembic", "psycopg", "textual", "onnxruntime"}
CORE_MAY_NOT_IMPORT = {"sounddevice", "pyttsx3", "textual", "sqlalchemy", "alembic", "psycopg"}

RANK = {name: rank for rank, layer in enumerate(ORDER) for name in layer}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def top_part(module: str) -> str:
    """``simulator.call.voiced`` -> ``call``; ``simulator.record`` -> ``record``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported_modules(module: str) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import, absolute or relative, at any depth of the file."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # "from pkg import submodule" imports the submodule
                yield (f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base), node.lineno


def internal_imports(module: str) -> Iterator[tuple[str, int]]:
    for target, line in imported_modules(module):
        if target in MODULES and target != module:
            yield target, line


def test_every_package_has_a_place_in_the_order():
    unplaced = sorted({top_part(m) for m in MODULES if top_part(m)} - set(RANK))
    assert unplaced == [], f"add these to ORDER in {Path(__file__).name}: {unplaced}"


def test_every_import_points_down_the_order():
    upward = []
    for module in MODULES:
        source = top_part(module)
        for target, line in internal_imports(module):
            destination = top_part(target)
            if source and destination and destination != source and RANK[destination] >= RANK[source]:
                upward.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} {module} -> {target}")
    assert upward == []


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import loop as a list of modules (first == last), or [] when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (loop := visit(nxt)):
                return loop
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (loop := visit(start)):
            return loop
    return []


def test_no_two_modules_import_each_other_even_round_a_loop():
    # A package's __init__ runs before any of its modules anyway: an edge to one's own
    # parent package is not a dependency.
    graph = {m: {t for t, _ in internal_imports(m) if not m.startswith(t + ".")} for m in MODULES}
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_a_loop():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_core_imports_no_device_ui_or_database_library():
    offenders = [f"{module} -> {target}" for module in MODULES if top_part(module) in CORE
                 for target, _ in imported_modules(module) if target.split(".")[0] in CORE_MAY_NOT_IMPORT]
    assert offenders == []


def test_only_the_ui_imports_textual():
    offenders = [module for module in MODULES if top_part(module) != "ui"
                 and any(target.split(".")[0] == "textual" for target, _ in imported_modules(module))]
    assert offenders == []


def test_the_cli_and_text_mode_load_no_heavy_library():
    code = ("import sys, simulator.cli as c; c.build_parser(); "
            "import simulator.call.textcall, simulator.scenario.lint; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
