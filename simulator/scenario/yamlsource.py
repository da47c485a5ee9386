"""Safe YAML reading that remembers where every key and value came from.

Plain ``yaml.safe_load`` keeps the last of two duplicate keys, loses line numbers and will expand
an alias bomb until memory runs out.  This reader works in two passes over PyYAML: a streaming
pass over parser events (no recursion, so any nesting depth is safe to inspect) that enforces the
depth and alias limits, then a construction pass over the composed node graph that rejects
duplicate keys, caps the number of values built (aliases included) and records a
``Position`` for every path into the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from simulator.scenario.diagnostics import START, FileProblems, Position

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 24
MAX_VALUES = 50_000
MAX_ALIASES = 200

PathKey = tuple[str | int, ...]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    text: str
    data: Any
    value_positions: dict[PathKey, Position] = field(repr=False)
    key_positions: dict[PathKey, Position] = field(repr=False)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that exists."""
        table = self.key_positions if key else self.value_positions
        for cut in range(len(path), -1, -1):
            prefix = path[:cut]
            if prefix in table:
                return table[prefix]
            if prefix in self.value_positions:
                return self.value_positions[prefix]
        return START


class _Mark(Protocol):
    """Where PyYAML saw something: the pure-Python ``yaml.Mark`` or, with libyaml, the C one."""

    line: int
    column: int


def _mark_position(mark: _Mark | None) -> Position:
    if mark is None:
        return START
    return Position(mark.line + 1, mark.column + 1)


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a trainer file as UTF-8 text, refusing huge, binary or mis-encoded files."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileProblems.single(path, START, "file.too-large",
                                      f"file is {size:,} bytes; the limit is {max_bytes:,}",
                                      "split the scenario or remove pasted data")
        raw = path.read_bytes()
    except FileProblems:
        raise
    except IsADirectoryError:
        raise FileProblems.single(path, START, "file.unreadable", "is a directory, not a file") from None
    except OSError as err:
        raise FileProblems.single(path, START, "file.unreadable",
                                  f"cannot read file: {err.strerror or err}") from None
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise FileProblems.single(path, _offset_position(raw, offset), "file.binary",
                                  "file contains NUL bytes: this looks like a binary file, not YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FileProblems.single(path, _offset_position(raw, err.start), "file.encoding",
                                  f"not valid UTF-8 (byte 0x{raw[err.start]:02x})",
                                  "save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _offset_position(raw: bytes, offset: int) -> Position:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Position(line, column)


def _check_tabs(path: Path, text: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise FileProblems.single(path, Position(number, indent.index("\t") + 1), "yaml.tab",
                                      "tab character in indentation", "indent with spaces only")


def _check_events(path: Path, text: str) -> None:
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise FileProblems.single(path, _mark_position(event.start_mark), "yaml.too-deep",
                                          f"nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise FileProblems.single(path, _mark_position(event.start_mark), "yaml.too-many-aliases",
                                          f"more than {MAX_ALIASES} aliases (*name)")


def _is_control(ch: str) -> bool:
    """A C0 or C1 control character or DEL; tab and line breaks are text."""
    code = ord(ch)
    return (code < 0x20 and ch not in "\t\n\r") or 0x7F <= code <= 0x9F


class _Builder:
    def __init__(self, path: Path):
        self.path = path
        self.values = 0
        self.value_positions: dict[PathKey, Position] = {}
        self.key_positions: dict[PathKey, Position] = {}
        self._scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, at: PathKey) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise FileProblems.single(self.path, _mark_position(node.start_mark), "yaml.too-large",
                                      f"document expands to more than {MAX_VALUES:,} values",
                                      "aliases (*name) that repeat large blocks multiply its size")
        self.value_positions.setdefault(at, _mark_position(node.start_mark))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, index)) for index, item in enumerate(node.value)]
        try:
            value = self._scalars.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            raise FileProblems.single(self.path, _mark_position(node.start_mark), "yaml.bad-value",
                                      f"cannot read value: {getattr(err, 'problem', err)}") from None
        if isinstance(value, str):
            hidden = next((ch for ch in value if _is_control(ch)), None)
            if hidden is not None:  # "\e[2J" in a line cleared the trainee's screen when it was shown
                raise FileProblems.single(self.path, _mark_position(node.start_mark), "yaml.control-character",
                                          f"the text holds the control character {hidden!r}, which would act on "
                                          "the terminal that shows it; take it out")
        return value

    def _mapping(self, node: yaml.MappingNode, at: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key_pos = _mark_position(key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise FileProblems.single(self.path, key_pos, "yaml.merge-key",
                                          "merge keys ('<<') are not supported", "write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise FileProblems.single(self.path, key_pos, "yaml.complex-key",
                                          "a key must be a plain word, not a list or mapping")
            key = str(key_node.value)
            if key in first_seen:
                earlier = first_seen[key]
                raise FileProblems.single(
                    self.path, key_pos, "yaml.duplicate-key",
                    f"duplicate key {key!r} (first defined at line {earlier.line})",
                    "remove one of them; YAML would silently keep only the last")
            first_seen[key] = key_pos
            self.key_positions[(*at, key)] = key_pos
            result[key] = self.build(value_node, (*at, key))
        return result


def load_yaml(path: Path, text: str | None = None) -> YamlDocument:
    """Parse one YAML document with positions; raise ``FileProblems`` naming file:line:col."""
    path = Path(path)
    if text is None:
        text = read_text(path)
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise FileProblems.single(path, START, "file.too-large", f"file exceeds {MAX_FILE_BYTES:,} bytes")
    _check_tabs(path, text)
    try:
        _check_events(path, text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise FileProblems.single(path, _mark_position(mark), "yaml.syntax", f"YAML syntax: {problem}") from None
    except yaml.YAMLError as err:
        raise FileProblems.single(path, START, "yaml.syntax", f"YAML syntax: {err}") from None
    except RecursionError:
        raise FileProblems.single(path, START, "yaml.too-deep", "nesting too deep") from None
    builder = _Builder(path)
    try:
        data = None if root is None else builder.build(root, ())
    except RecursionError:  # ``key: &a [*a]``: an alias inside the block it names never ends
        raise FileProblems.single(path, START, "yaml.recursive-alias",
                                  "an alias (*name) refers to a block that contains it, so it never ends") from None
    return YamlDocument(path, text, data, builder.value_positions, builder.key_positions)
