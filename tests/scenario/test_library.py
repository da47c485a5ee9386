"""The shipped scenario library: clean under the linter, every golden call passing, every ending
reachable, and the customer's lines fit for text-to-speech.

English golden calls are replayed twice: with the lexical analyser (instant, no model, so these run
everywhere) and with the semantic analyser, the default a trainee gets (``models``: it loads MiniLM;
``callsim test scenarios/ --analyser semantic`` replays all 15 scenarios in 27 s wall on this shared
machine, 4 minutes when it is overloaded), so a change to the behaviour model, the matcher or the
engine that breaks a shipped call fails the suite.  A few English calls are still read otherwise
than they were written for: they are listed by name with the reason, and must keep failing until
fixed (then they come off the list).

Mandarin golden calls (``language: zh``) are replayed with the semantic analyser only: the lexical
analyser's empathy word lists are English, so it cannot hear a Mandarin agent's empathy and no good
Mandarin call can pass under it.  Reading them loads the multilingual sentence encoder (``models``).
The Mandarin scenarios are held to everything else, warnings included (their voice is Kokoro's
Mandarin, so the linter's ``voice.unintelligible`` note about espeak-ng's no longer applies).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simulator.analysis.registry import builtin_analysers
from simulator.call.golden import GOLDEN_DIR, ScenarioCoverage, load_golden, run_golden_for_paths
from simulator.cli import main
from simulator.contracts import Outcome
from simulator.scenario.loader import LoadedScenario, load_scenario, scenario_files

ANALYSER = "lexical"  # English golden calls
DEFAULT_ANALYSER = builtin_analysers().default  # what a trainee's calls are read with: English golden calls too
MANDARIN_ANALYSER = "semantic"  # lexical matches English empathy words only
SCHEMA_LINE = "# yaml-language-server: $schema=scenario.schema.json"
MIN_SCENARIOS = 10
MIN_NODE_COVERAGE = 90.0
MIN_TRANSITION_COVERAGE = 75.0
# Symbols text-to-speech reads badly or spells out ("pound sign", "slash"): write amounts as words.
TTS_UNFRIENDLY = re.compile(r"[£$€%&#@/\\<>{}\[\]*_^~|+=]")


@pytest.fixture(scope="module")
def library(scenarios_dir: Path) -> dict[str, LoadedScenario]:
    loaded = [load_scenario(path) for path in scenario_files([scenarios_dir])]
    return {item.scenario.id: item for item in loaded}


MANDARIN = "zh"


@pytest.fixture(scope="module")
def with_golden(library) -> dict[str, LoadedScenario]:
    """The scenarios whose golden calls the lexical analyser replays: the English ones."""
    return {key: item for key, item in library.items() if item.scenario.language != MANDARIN}


@pytest.fixture(scope="module")
def mandarin(library) -> dict[str, LoadedScenario]:
    return {key: item for key, item in library.items() if item.scenario.language == MANDARIN}


@pytest.fixture(scope="module")
def coverage(with_golden) -> list[ScenarioCoverage]:
    return run_golden_for_paths([item.path for item in with_golden.values()], builtin_analysers(), ANALYSER)


@pytest.fixture(scope="module")
def default_coverage(with_golden) -> list[ScenarioCoverage]:
    return run_golden_for_paths([item.path for item in with_golden.values()], builtin_analysers(), DEFAULT_ANALYSER)


@pytest.fixture(scope="module")
def mandarin_coverage(mandarin) -> list[ScenarioCoverage]:
    return run_golden_for_paths([item.path for item in mandarin.values()], builtin_analysers(), MANDARIN_ANALYSER)


def test_library_size_and_difficulty_spread(library):
    assert len(library) >= MIN_SCENARIOS
    assert {item.scenario.difficulty for item in library.values()} == {1, 2, 3, 4, 5}


def test_ids_are_unique_and_equal_file_stems(scenarios_dir: Path, library):
    paths = scenario_files([scenarios_dir])
    assert len(library) == len(paths), "two files share a scenario id"
    for item in library.values():
        assert item.scenario.id == item.path.stem


def test_every_file_starts_with_the_schema_line(library):
    for item in library.values():
        first_line = item.document.text.splitlines()[0]
        assert first_line == SCHEMA_LINE, f"{item.path}: first line must be the editor schema line"


def test_check_reports_no_errors_and_no_warnings(scenarios_dir: Path, capsys, library):
    exit_code = main(["check", str(scenarios_dir), "--json"])
    reported = json.loads(capsys.readouterr().out)
    assert any(item.scenario.language == "zh" for item in library.values()), "the library has Mandarin scenarios"
    assert reported == [], "\n".join(f"{d['path']}:{d['line']}: {d['level']}: {d['message']}"
                                   for d in reported)
    assert exit_code == 0


def test_every_scenario_has_each_kind_of_ending(library):
    for item in library.values():
        scenario = item.scenario
        outcomes = {node.end for node in scenario.nodes.values() if node.end is not None}
        assert outcomes == set(Outcome), f"{scenario.id}: endings {sorted(outcomes)}"
        assert scenario.nodes[scenario.on_patience_lost].end == Outcome.HUNG_UP
        assert scenario.nodes[scenario.on_max_turns].end == Outcome.UNRESOLVED


def test_customer_lines_are_fit_for_speech(library):
    for item in library.values():
        scenario = item.scenario
        spoken = [scenario.silence_prompt]
        for node in scenario.nodes.values():
            spoken += [*node.lines, *node.angry_lines, *node.calm_lines]
            spoken += [t.say for t in node.transitions if t.say]
        for line in spoken:
            assert not TTS_UNFRIENDLY.search(line), f"{scenario.id}: write this for the voice: {line!r}"


def test_every_scenario_has_a_good_and_a_poor_golden_call(scenarios_dir: Path, library):
    for scenario_id in library:
        golden = load_golden(scenarios_dir / GOLDEN_DIR / f"{scenario_id}.yaml")
        assert golden.scenario == scenario_id
        expectations = [call.expect for call in golden.calls]
        assert any(e.outcome == Outcome.RESOLVED and e.passed is True for e in expectations), \
            f"{scenario_id}: no good call (resolved, passed)"
        assert any(e.outcome in (Outcome.HUNG_UP, Outcome.ESCALATED) and e.passed is False
                   for e in expectations), f"{scenario_id}: no poor call (hung up or escalated, not passed)"


def assert_golden_calls_pass_through_the_cli(capsys, scenarios: dict[str, LoadedScenario], analyser: str):
    exit_code = main(["test", *(str(item.path) for item in scenarios.values()), "--analyser", analyser, "--json"])
    report = json.loads(capsys.readouterr().out)
    failures = [f"{s['scenario']}: {s['errors']} " + "; ".join(
        f"{c['name']}: {', '.join(c['problems'])}" for c in s["calls"] if not c["passed"])
        for s in report if not s["passed"]]
    assert not failures, "\n".join(failures)
    assert exit_code == 0


def test_golden_calls_pass_through_the_cli(capsys, with_golden):
    assert_golden_calls_pass_through_the_cli(capsys, with_golden, ANALYSER)


def assert_pass_and_reach_every_ending(coverage: list[ScenarioCoverage], scenarios: dict[str, LoadedScenario]):
    assert {c.scenario_id for c in coverage} == set(scenarios)
    for scenario_coverage in coverage:
        assert scenario_coverage.passed, (scenario_coverage.scenario_id, scenario_coverage.errors,
                                          [(r.name, r.problems) for r in scenario_coverage.results if not r.passed])
        reached = {r.finished.record.outcome for r in scenario_coverage.results}
        assert reached == set(Outcome), f"{scenario_coverage.scenario_id}: golden calls reach only {reached}"


def test_golden_calls_pass_and_reach_every_ending(coverage, with_golden):
    assert_pass_and_reach_every_ending(coverage, with_golden)


def assert_coverage_of_nodes_and_transitions(coverage: list[ScenarioCoverage]):
    nodes_total = sum(c.nodes_total for c in coverage)
    transitions_total = sum(c.transitions_total for c in coverage)
    node_percent = 100.0 * sum(len(c.nodes_visited) for c in coverage) / nodes_total
    transition_percent = 100.0 * sum(len(c.transitions_taken) for c in coverage) / transitions_total
    assert node_percent >= MIN_NODE_COVERAGE
    assert transition_percent >= MIN_TRANSITION_COVERAGE
    for scenario_coverage in coverage:  # no scenario may hide behind the others' coverage
        assert scenario_coverage.node_percent >= MIN_NODE_COVERAGE, scenario_coverage.scenario_id
        assert scenario_coverage.transition_percent >= MIN_TRANSITION_COVERAGE, scenario_coverage.scenario_id


def test_golden_coverage_of_nodes_and_transitions(coverage):
    assert_coverage_of_nodes_and_transitions(coverage)


def test_the_default_analyser_is_the_learned_one():
    assert DEFAULT_ANALYSER == "semantic" != ANALYSER  # else the replay below repeats the lexical one


# English golden calls the default analyser still reads otherwise than they were written for, and
# why (docs/scoring.md, "What it still gets wrong").  Each must still fail and every other call
# pass: a fix shows up as a call to take off this list, a regression as a failure.
STILL_READ_OTHERWISE = {
    ("billing-overcharge", "going-round"): "'I'd feel exactly the same' read as dismissing her feelings",
    ("abusive-caller", "ended-professionally"):
        "after the call the reader takes 'The appeal was rejected because the officer's photos don't show a ticket "
        "on the dashboard.' for blame (0.83, cut 0.80), and the scorecard ends under its pass mark",
    ("broadband-outage-repeat", "slips"):
        "'I don't want you to cancel' matched the let-him-go example and 'I'll make sure this gets fixed' "
        "read as a false promise, so the recovery counts as a poor reply and he hangs up",
    ("insurance-claim-denied", "recovers"): "the second apology that recovers the call read as weak, not strong",
    ("refund-refused", "going-round"): "'being turned away in the shop is annoying' read as dismissing his feelings",
}


@pytest.mark.models
def test_english_golden_calls_pass_with_the_default_analyser_but_the_known_few(default_coverage, with_golden):
    assert {c.scenario_id for c in default_coverage} == set(with_golden)
    outcomes = {(c.scenario_id, r.name): r for c in default_coverage for r in c.results}
    assert set(STILL_READ_OTHERWISE) <= set(outcomes), "a listed call no longer exists"
    assert not [c.errors for c in default_coverage if c.errors]
    failing = {key: result.problems for key, result in outcomes.items() if not result.passed}
    unexpected = {key: problems for key, problems in failing.items() if key not in STILL_READ_OTHERWISE}
    assert not unexpected, f"golden calls that fail under {DEFAULT_ANALYSER}: {unexpected}"
    now_passing = set(STILL_READ_OTHERWISE) - set(failing)
    assert not now_passing, f"these pass under {DEFAULT_ANALYSER} now: take them off the list: {now_passing}"


@pytest.mark.models
def test_mandarin_golden_calls_pass_through_the_cli_with_the_semantic_analyser(capsys, mandarin):
    assert len(mandarin) >= 5
    assert_golden_calls_pass_through_the_cli(capsys, mandarin, MANDARIN_ANALYSER)


@pytest.mark.models
def test_mandarin_golden_calls_reach_every_ending_and_cover_the_scenarios(mandarin_coverage, mandarin):
    assert_pass_and_reach_every_ending(mandarin_coverage, mandarin)
    assert_coverage_of_nodes_and_transitions(mandarin_coverage)


def test_mandarin_scenarios_cover_the_service_lines_in_native_service_language(library):
    mandarin = [item.scenario for item in library.values() if item.scenario.language == "zh"]
    assert len(mandarin) >= 5
    tags = {tag for scenario in mandarin for tag in scenario.tags}
    assert {"telecom", "banking", "e-commerce", "utilities", "hotline-12345"} <= tags
    for scenario in mandarin:
        greet = next(step for step in scenario.script if step.kind == "greet")
        assert "您好" in greet.keywords, scenario.id  # the standard opening on a Chinese service line
        assert any("还有什么可以帮您" in step.keywords for step in scenario.script), scenario.id
        for node in scenario.nodes.values():  # customer lines are written in Chinese, not pinyin or English
            for line in node.lines:
                assert sum("\u4e00" <= c <= "\u9fff" for c in line) >= len(line) // 2, (scenario.id, line)
