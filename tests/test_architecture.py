"""Import rules that keep the data flow one-way and the core pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"
HEAVY = {"torch", "transformers", "faster_whisper", "whisper", "ctranslate2", "sounddevice", "pyttsx3",
         "sqlalchemy", "alembic", "psycopg", "textual", "onnxruntime"}
IMPURE_FOR_CORE = {"sounddevice", "pyttsx3", "textual", "sqlalchemy", "alembic", "psycopg",
                   "simulator.audio", "simulator.ui", "simulator.store", "simulator.lab", "simulator.call.voiced"}
PURE_CORE = ("scenario", "scoring", "analysis", "contracts.py")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(*parts: str) -> list[Path]:
    paths = []
    for part in parts:
        target = PACKAGE / part
        paths.extend([target] if target.is_file() else sorted(target.rglob("*.py")))
    return paths


def is_under(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_engine_and_scorers_import_no_audio_ui_or_database():
    offenders = {str(p.relative_to(PACKAGE)): sorted(i for i in imports_of(p) if is_under(i, IMPURE_FOR_CORE))
                 for p in modules(*PURE_CORE)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_ui_imports_textual():
    offenders = [str(p.relative_to(PACKAGE)) for p in modules(".")
                 if "ui" not in p.relative_to(PACKAGE).parts and any(is_under(i, {"textual"}) for i in imports_of(p))]
    assert offenders == []


def test_the_cli_and_text_mode_load_no_heavy_library():
    code = ("import sys, simulator.cli as c; c.build_parser(); "
            "import simulator.call.textcall, simulator.scenario.lint; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
