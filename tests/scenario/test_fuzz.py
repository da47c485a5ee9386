"""Property-based fuzzing of the real scenarios: any mutation ends in a valid scenario or in clean
diagnostics naming the file and a real line — never an exception, never a hang."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.scenario.diagnostics import FileProblems
from simulator.scenario.lint import lint_scenario
from simulator.scenario.loader import load_scenario, scenario_files

SCENARIOS = scenario_files([Path(__file__).resolve().parents[2] / "scenarios"])
VOICES = Path(__file__).resolve().parents[2] / "voices"

NASTY = ["\t", "\x00", "&a", "*a", "<<: *a", "{", "}", "[", "]", ":", "- ", "'", '"', "#", "!!python/object:os.system",
         "\ud800", "\u202e", "é", "😠", "~", "null", "1e999", "-1", "yes", "..", "---", "../../etc/passwd", "%YAML 1.1"]


@st.composite
def mutated(draw) -> tuple[Path, bytes]:
    source = draw(st.sampled_from(SCENARIOS))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "indent", "truncate"]))
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, lines[where])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        elif action == "insert":
            junk = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)))
            column = draw(st.integers(0, len(lines[where])))
            lines[where] = lines[where][:column] + junk + lines[where][column:]
        elif action == "replace":
            key, sep, _ = lines[where].partition(":")
            if sep:
                value = draw(st.one_of(st.sampled_from(NASTY), st.integers(-10**6, 10**6).map(str),
                                       st.text(max_size=8)))
                lines[where] = f"{key}: {value}\n"
        elif action == "indent":
            lines[where] = draw(st.sampled_from(["  ", " ", "\t", "      "])) + lines[where]
        else:
            cut = draw(st.integers(0, len(lines[where])))
            lines = [*lines[:where], lines[where][:cut]]
    text = "".join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and data:
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1:]
    return source, data


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_any_mutation_is_valid_or_cleanly_reported(tmp_path_factory, case):
    source, data = case
    path = tmp_path_factory.mktemp("fuzz") / source.name
    path.write_bytes(data)
    line_count = data.count(b"\n") + 1
    try:
        loaded = load_scenario(path)
    except FileProblems as problems:
        assert problems.diagnostics, "an error must come with at least one diagnostic"
        for diagnostic in problems.diagnostics:
            assert diagnostic.path == str(path)
            assert 1 <= diagnostic.position.line <= line_count + 1
            assert diagnostic.position.column >= 1
            assert diagnostic.message
        return
    for diagnostic in lint_scenario(loaded, VOICES):
        assert diagnostic.path == str(path)
        assert 1 <= diagnostic.position.line <= line_count + 1
