"""``callsim test``: golden files are accepted as input, and what no golden call reaches is listed by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from simulator.call.golden import GOLDEN_DIR, load_golden
from simulator.cli import main
from simulator.config import SHIPPED_SCENARIOS
from simulator.contracts import Outcome
from simulator.scenario.loader import load_scenario

SCENARIO = "billing-overcharge"
ANALYSER = "lexical"  # instant, and the golden calls pass with it


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("CALLSIM_HOME", raising=False)


def run_test_command(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["test", *args, "--analyser", ANALYSER])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def only_the_good_call(project: Path) -> Path:
    """A copy of the reference scenario whose golden file keeps only the call that ends resolved."""
    shutil.copy(SHIPPED_SCENARIOS / f"{SCENARIO}.yaml", project / "scenarios")
    golden = project / "scenarios" / GOLDEN_DIR
    golden.mkdir()
    good = next(c for c in load_golden(SHIPPED_SCENARIOS / GOLDEN_DIR / f"{SCENARIO}.yaml").calls if c.name == "good")
    shutil.copy(SHIPPED_SCENARIOS / GOLDEN_DIR / good.replies, golden)
    (golden / f"{SCENARIO}.yaml").write_text(
        f"scenario: {SCENARIO}\ncalls:\n  - name: good\n    replies: {good.replies}\n    seed: {good.seed}\n"
        "    expect: {outcome: resolved}\n", encoding="utf-8")
    return project / "scenarios"


def test_a_golden_file_is_replayed_against_its_scenario(capsys):
    golden = SHIPPED_SCENARIOS / GOLDEN_DIR / f"{SCENARIO}.yaml"

    code, out, err = run_test_command(capsys, str(golden), "--json")

    assert code == 0, out + err
    [report] = json.loads(out)
    assert report["scenario"] == SCENARIO and report["passed"] and not report["errors"]
    assert [c["name"] for c in report["calls"]] == [c.name for c in load_golden(golden).calls]
    assert report["node_coverage"] > 0 and "unknown key" not in out + err


def test_a_golden_folder_and_a_scenario_folder_give_the_same_replay(capsys, only_the_good_call):
    _, by_folder, _ = run_test_command(capsys, str(only_the_good_call), "--json")
    _, by_golden_folder, _ = run_test_command(capsys, str(only_the_good_call / GOLDEN_DIR), "--json")
    assert json.loads(by_folder) == json.loads(by_golden_folder)


def test_a_golden_file_elsewhere_finds_its_scenario_by_id(tmp_path, capsys, only_the_good_call):
    elsewhere = tmp_path / "regressions"
    elsewhere.mkdir()
    for file in (only_the_good_call / GOLDEN_DIR).iterdir():
        shutil.copy(file, elsewhere)

    code, out, err = run_test_command(capsys, str(elsewhere / f"{SCENARIO}.yaml"), "--json")

    assert code == 0, out + err
    assert json.loads(out)[0]["calls"][0]["outcome"] == Outcome.RESOLVED


def test_untaken_nodes_and_transitions_are_listed_by_name(capsys, only_the_good_call):
    loaded = load_scenario(only_the_good_call / f"{SCENARIO}.yaml")
    nodes = loaded.scenario.nodes
    resolved_end = next(n for n, node in nodes.items() if node.end == Outcome.RESOLVED)
    other_ends = {n for n, node in nodes.items() if node.end not in (None, Outcome.RESOLVED)}

    code, out, err = run_test_command(capsys, str(only_the_good_call), "--json")

    assert code == 0, out + err
    [report] = json.loads(out)
    untaken_nodes = {n["node"] for n in report["untaken_nodes"]}
    # One call that ends resolved cannot reach any other ending, and does reach the resolved one.
    assert other_ends <= untaken_nodes and resolved_end not in untaken_nodes
    untaken = report["untaken_transitions"]
    assert untaken
    for transition in untaken:  # each names a real transition, with the line it starts on
        written = nodes[transition["node"]].transitions[transition["number"] - 1]
        assert written.goto == transition["goto"]
        assert loaded.document.text.splitlines()[transition["line"] - 1].strip().startswith("- ")
    # No call reached those endings, so no call took a transition into them.
    into_other_ends = {(n, i) for n, node in nodes.items() if node.end is None
                       for i, t in enumerate(node.transitions) if t.goto in other_ends}
    assert into_other_ends <= {(t["node"], t["number"] - 1) for t in untaken}

    code, text, _ = run_test_command(capsys, str(only_the_good_call))
    assert code == 0
    assert "nodes no golden call reaches:" in text and "transitions no golden call takes:" in text
    for name in other_ends:
        assert name in text
    first = untaken[0]
    assert f"{first['node']} transition {first['number']}" in text


def test_a_reply_file_or_a_missing_file_says_what_to_pass(capsys):
    reply_file = SHIPPED_SCENARIOS / GOLDEN_DIR / f"{SCENARIO}.good.txt"

    code, out, _ = run_test_command(capsys, str(reply_file), str(SHIPPED_SCENARIOS / "no-such.yaml"))

    assert code == 1
    assert "not a scenario or golden file" in out and "golden/<scenario-id>.yaml" in out
    assert "no such file or folder" in out
    assert "unknown key" not in out and "(100%)" not in out  # no coverage claimed for files never loaded
