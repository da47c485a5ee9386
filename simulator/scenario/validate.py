"""Turn pydantic validation errors into diagnostics at the right line, with "did you mean" hints."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator.scenario.diagnostics import Diagnostic, FileProblems, Level
from simulator.scenario.yamlsource import PathKey, YamlDocument

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_document(document: YamlDocument, model: type[ModelT]) -> ModelT:
    """Build ``model`` from the document or raise ``FileProblems`` listing every error."""
    if not isinstance(document.data, dict):
        kind = "empty" if document.data is None else type(document.data).__name__
        raise FileProblems.single(document.path, document.position(()), "schema.not-a-mapping",
                                  f"expected a mapping of keys at the top level, found {kind}")
    try:
        return model.model_validate(document.data)
    except ValidationError as err:
        raise FileProblems([_diagnostic(document, model, e) for e in err.errors()]) from None


def _diagnostic(document: YamlDocument, model: type[BaseModel], error: ErrorDetails) -> Diagnostic:
    loc = _data_path(document, tuple(error["loc"]))
    kind = error["type"]
    hint = None
    if kind == "extra_forbidden":
        allowed = sorted(_allowed_keys(model, loc[:-1]))
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else "allowed keys: " + ", ".join(allowed)
        message = f"unknown key {loc[-1]!r}"
        position = document.position(loc, key=True)
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}" if loc else "missing required key"
        position = document.position(loc[:-1])
    elif kind == "string_pattern_mismatch" and error["ctx"].get("pattern", "").startswith("^[a-z0-9]"):
        where = ".".join(str(part) for part in loc)
        message = f"{where}: {error['input']!r} is not a valid id"
        hint = "use lower-case letters, digits, '-' and '_'; an id names a file and cannot be a path"
        position = document.position(loc)
    elif kind == "enum":
        where = ".".join(str(part) for part in loc)
        choices = [c.strip(" '") for c in error["ctx"]["expected"].replace(" or ", ", ").split(",") if c.strip(" '")]
        message = f"{where}: unknown value {error['input']!r}"
        close = difflib.get_close_matches(str(error["input"]).strip().lower().replace("-", "_"), choices, n=1,
                                          cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else "choose one of: " + ", ".join(choices)
        position = document.position(loc)
    else:
        message = _message(loc, error)
        position = document.position(loc)
        expected = (error.get("ctx") or {}).get("expected")
        if expected:
            hint = f"expected {expected}"
    return Diagnostic(str(document.path), position, Level.ERROR, f"schema.{kind}", message, hint)


def _message(loc: PathKey, error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in loc) or "document"
    text = error["msg"]
    if text.startswith("Value error, "):
        text = text.removeprefix("Value error, ")
    return f"{where}: {text}"


def _data_path(document: YamlDocument, loc: tuple[Any, ...]) -> PathKey:
    """Drop pydantic's union/type tags from ``loc`` so it is a path into the YAML data."""
    path: list[str | int] = []
    node: Any = document.data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
        elif isinstance(node, (dict, list)) and not _is_type_tag(part):
            path.append(part)  # a key that is absent (missing) or not allowed (extra)
            node = None
    return tuple(path)


def _is_type_tag(part: Any) -> bool:
    return (isinstance(part, str) and any(ch in part for ch in "[]()'")) or part in {
        "bool", "int", "float", "str", "tuple", "list", "dict", "none", "function-after", "enum",
    }


def _allowed_keys(model: type[BaseModel], path: PathKey) -> set[str]:
    """The field names of the model found at ``path`` (through tuples, dicts and optionals)."""
    current: Any = model
    for part in path:
        current = _descend(current, part)
        if current is None:
            return set()
    cls = _as_model(current)
    return set(cls.model_fields) if cls else set()


def _descend(annotation: Any, part: str | int) -> Any:
    cls = _as_model(annotation)
    if cls is not None:
        field = cls.model_fields.get(str(part))
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (tuple, list) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _as_model(arg)
            if found is not None:
                return found
    return None
