"""The linter reports every problem as FILE:LINE:COL with a useful hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.scenario.diagnostics import Level
from simulator.scenario.lint import check_paths

from .conftest import line_of


def lint(project: Path, text: str, name: str = "case.yaml"):
    path = project / "scenarios" / name
    path.write_text(text, encoding="utf-8")
    return path, list(check_paths([path]))


def codes(diagnostics) -> set[str]:
    return {d.code for d in diagnostics}


def test_reference_scenario_is_clean(project, reference_text):
    _, found = lint(project, reference_text)
    assert found == []


def test_unknown_key_with_did_you_mean(project, reference_text):
    text = reference_text.replace("  patience:", "  patiense:")
    path, found = lint(project, text)
    [diagnostic] = found
    assert diagnostic.code == "schema.extra_forbidden"
    assert diagnostic.position.line == line_of(text, "patiense:")
    assert diagnostic.hint == 'did you mean "patience"?'
    assert diagnostic.format().startswith(f"{path}:{diagnostic.position.line}:3: error: unknown key 'patiense'")


def test_every_schema_problem_is_reported_not_just_the_first(project, reference_text):
    text = (reference_text.replace("difficulty: 2", "difficulty: 9")
            .replace("  mood: 65 ", "  mood: 165 ")
            .replace("expected_minutes: 4", "expected_minuets: 4"))
    _, found = lint(project, text)
    lines = sorted(d.position.line for d in found)
    assert lines == sorted([line_of(text, "difficulty: 9"), line_of(text, "mood: 165"),
                            line_of(text, "expected_minuets")])


def test_missing_required_key_points_at_its_parent(project, reference_text):
    text = reference_text.replace("  situation: Charged", "  situatio: Charged")
    _, found = lint(project, text)
    assert {"schema.missing", "schema.extra_forbidden"} <= codes(found)


def test_goto_unknown_node_with_hint(project, reference_text):
    text = reference_text.replace("        goto: reassured", "        goto: reasured")
    _, found = lint(project, text)
    [diagnostic] = [d for d in found if d.code == "ref.unknown-node"]
    assert diagnostic.position.line == line_of(text, "goto: reasured")
    assert diagnostic.hint == 'did you mean "reassured"?'


def test_unreachable_node(project, reference_text):
    text = reference_text.replace("  resolved:\n    end: resolved",
                                  "  orphan:\n    lines: [\"Nobody gets here.\"]\n    transitions:\n"
                                  "      - goto: resolved\n  resolved:\n    end: resolved")
    _, found = lint(project, text)
    [diagnostic] = [d for d in found if d.code == "graph.unreachable"]
    assert diagnostic.position.line == line_of(text, "  orphan:")


def test_loop_with_no_exit_and_node_with_no_way_out(project, reference_text):
    loop = ("  spin-a:\n    lines: [\"Round and round.\"]\n    transitions:\n      - goto: spin-b\n"
            "  spin-b:\n    lines: [\"And again.\"]\n    transitions:\n      - goto: spin-a\n"
            "  into-loop:\n    lines: [\"Here we go.\"]\n    transitions:\n      - goto: spin-a\n")
    text = reference_text.replace("  reassured:\n", loop + "  reassured:\n").replace(
        "      - goto: impatient\n",
        "      - when: {mood_at_least: 95}\n        goto: into-loop\n      - goto: impatient\n")
    _, found = lint(project, text)
    loops = [d for d in found if d.code == "graph.loop-no-exit"]
    assert len(loops) == 1 and "spin-a, spin-b" in loops[0].message
    assert loops[0].position.line == line_of(text, "  spin-a:")
    assert [d.position.line for d in found if d.code == "graph.no-ending"] == [line_of(text, "  into-loop:")]


def test_dead_end_and_silent_stay(project, reference_text):
    text = reference_text.replace(
        "  reassured:\n    lines:\n"
        "      - \"Three working days. Well, that's a relief. Make sure it doesn't happen again.\"\n"
        "    transitions:\n      - goto: resolved\n",
        "  reassured:\n    lines:\n      - \"Three working days.\"\n")
    text = text.replace("      - when: {silence: true}\n        say: \"Hello? Is anybody there?\"\n",
                        "      - when: {silence: true}\n        mood: 3\n")
    _, found = lint(project, text)
    assert {"graph.dead-end", "graph.silent-stay"} <= codes(found)


def test_step_references_duplicates_and_undetectable_steps(project, reference_text):
    text = (reference_text
            .replace("    after: [verify]\n", "    after: [verfy]\n")
            .replace("  - id: close\n",
                     "  - id: close\n    description: again\n    required: false\n  - id: close\n", 1)
            .replace("      - when: {steps_done: [verify, resolve]}", "      - when: {steps_done: [verify, refund]}"))
    text = text.replace("script:\n", "script:\n  - id: wrap-up\n    description: Wrap up\n    required: false\n", 1)
    _, found = lint(project, text)
    assert {"ref.unknown-step", "ids.duplicate", "step.undetectable"} <= codes(found)
    unknown = [d for d in found if d.code == "ref.unknown-step"]
    assert {d.position.line for d in unknown} == {line_of(text, "after: [verfy]"),
                                                   line_of(text, "steps_done: [verify, refund]")}


def test_a_critical_step_must_be_required_and_the_error_points_at_its_flag(project, reference_text):
    text = reference_text.replace("script:\n", "script:\n  - id: wrap-up\n    kind: close\n    description: Wrap up\n"
                                  "    required: false\n    critical: true\n", 1)
    _, found = lint(project, text)
    [wrong] = [d for d in found if d.code == "step.critical-optional"]
    assert "'wrap-up'" in wrong.message and wrong.position.line == line_of(text, "    critical: true")
    _, fine = lint(project, text.replace("    required: false\n    critical: true\n", "    critical: true\n"))
    assert "step.critical-optional" not in codes(fine)


def test_order_cycle(project, reference_text):
    text = reference_text.replace("    after: [greet]\n", "    after: [greet, resolve]\n")
    _, found = lint(project, text)
    assert any(d.code == "step.order-cycle" and "resolve" in d.message for d in found)


def test_missing_and_broken_voice_profiles(project, reference_text):
    text = reference_text.replace("voice: older-woman-brisk", "voice: older-woman-brusk")
    _, found = lint(project, text)
    [missing] = [d for d in found if d.code == "voice.missing"]
    assert missing.hint == 'did you mean "older-woman-brisk"?'
    assert missing.position.line == line_of(text, "voice: older-woman-brusk")
    (project / "voices" / "older-woman-brisk.yaml").write_text("id: older-woman-brisk\nrate_wpm: fast\n")
    _, found = lint(project, reference_text, "case2.yaml")
    assert "voice.unreadable" in codes(found)


def test_rubric_override_must_keep_weights_summing_to_one(project, reference_text):
    text = reference_text.replace("  pass_marks: {compliance: 65}", "  weights: {tone: 0.5}")
    _, found = lint(project, text)
    assert "rubric.weights" in codes(found)


def test_warnings_do_not_fail_the_check(project, reference_text, capsys):
    text = reference_text.replace("intents:\n  - id: blame-bank", "intents:\n  - id: unused-intent\n"
                                  "    keywords: [\"never\"]\n  - id: blame-bank")
    path, found = lint(project, text)
    assert [d.level for d in found] == [Level.WARNING]
    assert main(["check", str(path)]) == 0


def test_duplicate_scenario_ids_across_files(project, reference_text):
    (project / "scenarios" / "a.yaml").write_text(reference_text)
    (project / "scenarios" / "b.yaml").write_text(reference_text)
    found = list(check_paths([project / "scenarios"]))
    assert [d.code for d in found] == ["ids.duplicate-scenario"]
    assert found[0].path.endswith("b.yaml")


def test_cli_exit_codes_and_json(project, reference_text, capsys):
    bad = project / "scenarios" / "bad.yaml"
    bad.write_text(reference_text.replace("difficulty: 2", "difficulty: six"))
    assert main(["check", str(project / "scenarios"), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload[0]["path"] == str(bad)
    assert payload[0]["line"] == line_of(bad.read_text(), "difficulty: six")
    assert payload[0]["level"] == "error" and payload[0]["code"].startswith("schema.")
    bad.unlink()
    (project / "scenarios" / "good.yaml").write_text(reference_text)
    assert main(["check", str(project / "scenarios")]) == 0
    assert main(["check", str(project / "nowhere.yaml")]) == 1


@pytest.mark.parametrize("ref", ["../../etc/passwd", "/etc/passwd", "voices/../../x"])
def test_voice_reference_cannot_escape_the_project(project, reference_text, ref):
    _, found = lint(project, reference_text.replace("voice: older-woman-brisk", f"voice: {ref}"))
    [diagnostic] = found
    assert "not a valid id" in diagnostic.message


@pytest.mark.parametrize("first, later, shadowed", [
    ("{forbidden: true}", "{forbidden: [calm-down]}", True),
    ("{forbidden: [calm-down]}", "{forbidden: true}", False),
    ("{mood_at_least: 50}", "{mood_at_least: 70, empathy_at_least: weak}", True),
    ("{mood_at_least: 70}", "{mood_at_least: 50}", False),
    ("{steps_hit: [greet]}", "{steps_hit: [greet, verify]}", True),
    ("{empathy_at_least: weak}", "{empathy_at_least: strong}", True),
    ("{empathy_at_least: strong}", "{empathy_at_least: weak}", False),
    ("{said_any: [refund, money]}", "{said_any: [refund]}", True),
    ("{mood_at_least: 0}", "{silence: true}", False),  # a silent turn skips non-silence transitions
])
def test_shadowed_transitions(project, reference_text, first, later, shadowed):
    text = reference_text.replace(
        "      - when: {forbidden: true}\n        mood: 10\n        goto: escalating\n",
        f"      - when: {first}\n        goto: escalating\n      - when: {later}\n        goto: impatient\n", 1)
    _, found = lint(project, text)
    later_line = line_of(text, f"when: {later}")
    hits = [d for d in found if d.code == "graph.shadowed-transition" and d.position.line == later_line]
    assert bool(hits) == shadowed


def test_ending_only_fields(project, reference_text):
    text = reference_text.replace(
        "  manager:\n    end: escalated\n",
        "  manager:\n    end: escalated\n    handled: true\n    excuse_steps: [resolve, closing]\n")
    text = text.replace("  reassured:\n", "  reassured:\n    handled: false\n")
    _, found = lint(project, text)
    assert sorted(d.code for d in found) == ["graph.ending-only", "ref.unknown-step"]


def test_an_unknown_step_kind_is_named_with_did_you_mean(project, reference_text):
    text = reference_text.replace("    kind: verify_identity", "    kind: verify_identy")
    _, found = lint(project, text)
    [diagnostic] = found
    assert diagnostic.position.line == line_of(text, "kind: verify_identy")
    assert "unknown value 'verify_identy'" in diagnostic.message
    assert diagnostic.hint == 'did you mean "verify_identity"?'


def test_a_step_or_forbidden_entry_with_a_kind_needs_no_examples(project, reference_text):
    text = reference_text.replace(
        "forbidden:\n", "forbidden:\n  - id: sarcasm\n    kind: rude_or_sarcastic\n", 1).replace(
        "script:\n", "script:\n  - id: timescale\n    kind: set_timeline\n    description: Say when it will be "
        "sorted\n    required: false\n", 1)
    _, found = lint(project, text)
    assert found == []
    without = text.replace("    kind: rude_or_sarcastic\n", "")
    _, found = lint(project, without)
    assert any("give 'phrases'" in d.message for d in found)


def test_an_id_that_is_a_kind_name_is_that_kind(project, reference_text):
    from simulator.scenario.loader import load_scenario

    text = reference_text.replace("script:\n", "script:\n  - id: anything-else\n    description: Offer more help\n"
                                  "    required: false\n", 1)
    path, found = lint(project, text)
    assert found == []
    step = load_scenario(path).scenario.step("anything-else")
    assert step.kind is None and step.standard_kind == "anything_else"


def test_two_steps_of_one_kind_are_a_warning(project, reference_text):
    text = reference_text.replace("script:\n", "script:\n  - id: hello\n    kind: greet\n    description: Say hello\n"
                                  "    required: false\n", 1)
    _, found = lint(project, text)
    [diagnostic] = found
    assert diagnostic.level == Level.WARNING and diagnostic.code == "script.shared-kind"
    assert "same kind (greet)" in diagnostic.message
