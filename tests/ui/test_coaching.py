"""The coaching panel's lines, from a real typed call (word-list analyser, the reference scenario)."""

from __future__ import annotations

from simulator.analysis.registry import builtin_analysers
from simulator.call.session import CustomerSpoke, TraineeAnswered
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import run_call
from simulator.scenario.loader import load_scenario
from simulator.ui.coaching import coach


def coaching_after_each_reply(scenarios_dir, tmp_path, replies):
    loaded = load_scenario(scenarios_dir / "billing-overcharge.yaml")
    turns, lines = [], []

    def on_event(event):
        if isinstance(event, (CustomerSpoke, TraineeAnswered)):
            turns.append(event.record)
        if isinstance(event, TraineeAnswered):
            lines.append(coach(loaded.scenario, turns).lines())

    run_call(loaded, builtin_analysers().create("lexical", loaded.scenario), SilentVoice(),
             ScriptedReplies(parse_reply(r) for r in replies), tmp_path / "call", on_event=on_event)
    return lines


def test_coaching_flags_missing_empathy_where_it_was_called_for_and_forbidden_phrases(scenarios_dir, tmp_path):
    lines = coaching_after_each_reply(scenarios_dir, tmp_path, [
        "What is your account number?",  # a cold first reply to an upset customer
        "Please calm down.",
        "[silence]",
    ])
    assert lines[0][0].startswith("Empathy was called for (your first reply to the customer's complaint): no empathy")
    assert any(line.startswith("Avoid “calm down”: Telling an upset caller") for line in lines[1])
    assert "Dead air: say what you are doing." in lines[2]
    assert "Still to do:" in lines[2] and "• Refund the duplicate payment and give a timescale" in lines[2]


def test_a_business_turn_gets_no_empathy_nag_and_finished_steps_leave_the_list(scenarios_dir, tmp_path):
    lines = coaching_after_each_reply(scenarios_dir, tmp_path, [
        "Thank you for calling, my name is Sam. I'm so sorry you've been charged twice, that must be worrying.",
        "Can you confirm your date of birth for security?",
    ])
    assert not any(line.startswith("Empathy was called for") for line in lines[1])
    assert not any("Verify the account holder" in line for line in lines[1])
    assert any("Refund the duplicate payment" in line for line in lines[1])


def test_an_out_of_policy_promise_is_coached_with_the_card(scenarios_dir, tmp_path):
    lines = coaching_after_each_reply(scenarios_dir, tmp_path, [
        "I'm so sorry you've been charged twice, that must be worrying.",
        "I've refunded the second payment, you'll have the money back today.",
    ])
    [warning] = [line for line in lines[1] if line.startswith("Out of policy")]
    assert "\"today\"" in warning and "Refund of a duplicate payment" in warning and "3 working days" in warning
    assert not any(line.startswith("Out of policy") for line in lines[0])
