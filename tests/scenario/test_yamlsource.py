"""Hostile and broken YAML ends in one clean diagnostic naming file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.loader import load_scenario
from simulator.scenario.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, load_yaml


def problem(path: Path) -> tuple[str, int, int, str]:
    with pytest.raises(FileProblems) as caught:
        load_scenario(path)
    first = caught.value.diagnostics[0]
    return first.code, first.position.line, first.position.column, first.message


def write(tmp_path: Path, content: bytes | str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path):
    path = write(tmp_path, "id: one\ntitle: t\nid: two\n")
    code, line, column, message = problem(path)
    assert (code, line, column) == ("yaml.duplicate-key", 3, 1)
    assert "first defined at line 1" in message


def test_duplicate_key_deep_inside_nodes(tmp_path, reference_text):
    text = reference_text.replace("    lines:\n      - \"Three working days.",
                                  "    lines: []\n    lines:\n      - \"Three working days.")
    path = write(tmp_path, text)
    code, line, _, _ = problem(path)
    assert code == "yaml.duplicate-key"
    assert text.splitlines()[line - 1].strip().startswith("lines:")


def test_alias_bomb_is_refused_quickly(tmp_path):
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, previous in zip("bcdefgh", "abcdefg", strict=True):
        rows.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    code, _, _, message = problem(write(tmp_path, "\n".join(rows) + "\n"))
    assert code == "yaml.too-large"
    assert "aliases" in message or "values" in message


def test_too_many_aliases(tmp_path):
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 300) + "]\n"
    assert problem(write(tmp_path, text))[0] == "yaml.too-many-aliases"


def test_deep_block_nesting(tmp_path):
    text = "".join("  " * depth + f"k{depth}:\n" for depth in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v: 1\n"
    code, line, _, _ = problem(write(tmp_path, text))
    assert code == "yaml.too-deep"
    assert line == MAX_DEPTH + 1  # the first mapping deeper than the limit


@pytest.mark.parametrize("depth", [100, 20_000])
def test_deep_flow_nesting_never_crashes(tmp_path, depth):
    code, line, _, _ = problem(write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"))
    assert code in {"yaml.too-deep", "yaml.syntax"}
    assert line == 1


def test_oversized_file(tmp_path):
    code, line, _, message = problem(write(tmp_path, "a" * (MAX_FILE_BYTES + 1)))
    assert (code, line) == ("file.too-large", 1)
    assert f"{MAX_FILE_BYTES:,}" in message


def test_binary_file(tmp_path):
    code, line, column, _ = problem(write(tmp_path, b"id: x\ntitle: \x00\x01\x02\n"))
    assert (code, line, column) == ("file.binary", 2, 8)


def test_non_utf8_file_points_at_the_bad_byte(tmp_path):
    code, line, column, message = problem(write(tmp_path, b"id: x\ntitle: caf" + b"\xe9\n"))
    assert (code, line, column) == ("file.encoding", 2, 11)
    assert "0xe9" in message


def test_tab_indentation(tmp_path):
    code, line, column, _ = problem(write(tmp_path, "persona:\n\tname: x\n"))
    assert (code, line, column) == ("yaml.tab", 2, 1)


def test_syntax_error_position(tmp_path):
    code, line, _, message = problem(write(tmp_path, "id: x\ntags: [a, b\ntitle: y\n"))
    assert code == "yaml.syntax"
    assert line >= 2 and "YAML syntax" in message


def test_merge_keys_are_refused(tmp_path):
    assert problem(write(tmp_path, "base: &b {a: 1}\nother:\n  <<: *b\n"))[0] == "yaml.merge-key"


def test_non_mapping_document(tmp_path):
    assert problem(write(tmp_path, "- just\n- a list\n"))[0] == "schema.not-a-mapping"
    assert problem(write(tmp_path, "", name="empty.yaml"))[0] == "schema.not-a-mapping"


def test_missing_file_and_directory(tmp_path):
    assert problem(tmp_path / "absent.yaml")[0] == "file.unreadable"
    (tmp_path / "folder.yaml").mkdir()
    assert problem(tmp_path / "folder.yaml")[0] == "file.unreadable"


def test_byte_order_mark_is_accepted(tmp_path):
    document = load_yaml(write(tmp_path, "\ufeffid: x\n"))
    assert document.data == {"id": "x"}


def test_positions_are_recorded_for_keys_and_values(tmp_path):
    document = load_yaml(write(tmp_path, "a:\n  b: [1, 2]\n  c: {d: x}\n"))
    assert document.position(("a", "b", 1)).line == 2
    assert document.position(("a", "c", "d")).line == 3
    assert document.position(("a", "c"), key=True).column == 3
    assert document.position(("a", "missing", "deeper")).line == 2  # nearest ancestor: the value of a


def test_an_alias_inside_the_block_it_names_is_refused_not_a_recursion_crash(tmp_path):
    """``levels: &a [*a]`` loops for ever; it ended every command that read the file on RecursionError."""
    for text in ("levels: &a\n  - *a\n", "id: &a c\ntitle: *a\nscenarios: &s\n  - *s\n"):
        assert problem(write(tmp_path, text))[0] == "yaml.recursive-alias"


def test_a_control_character_in_text_is_refused_at_its_line(tmp_path):
    """A scenario line with an escape sequence ("\\e[2J") passed the linter and cleared the screen when shown."""
    code, line, _, message = problem(write(tmp_path, 'id: x\ntitle: "hi \\e[2J there"\n'))
    assert (code, line) == ("yaml.control-character", 2) and "'\\x1b'" in message
    assert problem(write(tmp_path, 'id: x\ntitle: "tab\\tand new\\nline"\n'))[0] != "yaml.control-character"
