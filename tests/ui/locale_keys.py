"""The app's English message ids, read from its source: the English catalogue the others must match.

A message id is a string literal given to a catalogue (``say("...")``, ``self.text("...")``,
``context.text("...")``), to ``message_id("...")`` or ``Phrase("...")`` (directly or through a
module-level constant), a footer ``Binding``'s description, or a screen's ``TITLE``."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "simulator" / "ui"
CATALOGUE_CALLS = {"say", "message_id", "Phrase"}
CATALOGUE_ATTRIBUTES = {"text", "say"}  # self.text(...), context.text(...), self.say(...)
# Textual's own words that pass through the catalogue like ours: the bindings on the app and every
# screen (the palette key in the footer, the others in its key panel) and the palette's system
# commands (``CallsimApp.get_system_commands``), as Textual 8 writes them.
TEXTUAL_IDS = {
    "palette", "Focus Next", "Focus Previous", "Copy selected text",
    "Theme", "Change the current theme", "Quit", "Quit the application as soon as possible",
    "Keys", "Hide the keys and widget help panel", "Show help for the focused widget and a summary of available keys",
    "Minimize", "Minimize the widget and restore to normal size", "Maximize", "Maximize the focused widget",
    "Screenshot", "Save an SVG 'screenshot' of the current screen",
}


def _module_constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    constants = {}
    for tree in trees.values():
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                constants[node.targets[0].id] = node.value.value
    return constants


def _literals(node: ast.expr | None, constants: dict[str, str]) -> list[str]:
    """The ids an argument can be: a literal, a module constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _literals(node.body, constants) + _literals(node.orelse, constants)
    return []


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name) and call.func.id in CATALOGUE_CALLS:
        return call.func.id
    if isinstance(call.func, ast.Attribute) and call.func.attr in CATALOGUE_ATTRIBUTES:
        return call.func.attr
    if isinstance(call.func, ast.Name) and call.func.id == "Binding":
        return "Binding"
    return None


def english_message_ids() -> set[str]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in UI.rglob("*.py")}
    constants = _module_constants(trees)
    found = set(TEXTUAL_IDS)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (kind := _called(node)) is not None:
                if kind == "Binding":
                    argument = node.args[2] if len(node.args) > 2 else next(
                        (k.value for k in node.keywords if k.arg == "description"), None)
                else:
                    argument = node.args[0] if node.args else None
                found.update(text for text in _literals(argument, constants) if text)
            elif isinstance(node, ast.ClassDef) and path.parent.name == "screens":
                for item in node.body:
                    if (isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name)
                            and item.targets[0].id == "TITLE" and isinstance(item.value, ast.Constant)):
                        found.add(item.value.value)
    app_subtitle = next(node.value.value for tree in trees.values() for node in ast.walk(tree)
                        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                        and node.targets[0].id == "SUB_TITLE")
    return found | {app_subtitle}
