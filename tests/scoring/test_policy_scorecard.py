"""A real text call on the reference scenario: an out-of-policy promise is a critical compliance
finding quoting the trainee's clause and the card, and fails the call; the in-policy wording passes."""

from __future__ import annotations

from pathlib import Path

from simulator.analysis.lexical import LexicalAnalyser
from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
from simulator.call.textcall import run_call
from simulator.record import LookupLog, read_call
from simulator.scenario.loader import load_scenario
from simulator.scoring.scorecard import Dimension

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "billing-overcharge.yaml"
OPENING = ("Thank you for calling, my name is Sam. I'm so sorry you've been charged twice, that must be worrying.",
           "Can you confirm your date of birth for security?")
CLOSE = "Is there anything else I can help with?"


def play(tmp_path: Path, fix: str, lookups: LookupLog | None = None):
    loaded = load_scenario(REFERENCE)
    replies = ScriptedReplies([parse_reply(r) for r in (*OPENING, fix, CLOSE)])
    return run_call(loaded, LexicalAnalyser(loaded.scenario), SilentVoice(), replies, tmp_path / "call",
                    card_lookups=lookups)


def test_an_out_of_policy_promise_fails_the_call_with_both_quoted(tmp_path: Path) -> None:
    finished = play(tmp_path, "I've refunded the second payment, it will be back in your account today.")
    card = finished.scorecard
    [violation] = card.violations
    assert violation.phrase_id == "card.refund-timescale" and violation.severity == "critical"
    assert violation.quote == "it will be back in your account today."
    assert "the card \"Refund of a duplicate payment\" says: \"A refunded direct debit" in (violation.why or "")
    evidence = [e for e in card.dimension(Dimension.COMPLIANCE).evidence if e.rule == "card.refund-timescale"]
    assert evidence and evidence[0].weight < 0 and evidence[0].turn_index == 3
    assert not card.passed
    assert any(r.startswith("critical out-of-policy promise \"it will be back in your account today.\" in turn 3")
               for r in card.fail_reasons)


def test_the_policy_wording_passes_and_lookups_are_counted_in_the_record(tmp_path: Path) -> None:
    lookups = LookupLog()
    lookups.add(after_turn=2)
    lookups.add(after_turn=3)
    finished = play(tmp_path, "I've refunded the second payment, it will be back in your account within three "
                              "working days.", lookups)
    assert finished.scorecard.violations == () and finished.scorecard.passed
    assert finished.scorecard.cards_opened == 2  # counted, not penalised
    assert [c.after_turn for c in read_call(tmp_path / "call").card_lookups] == [2, 3]


def test_a_promised_weekday_counts_from_the_day_of_the_call(tmp_path: Path) -> None:
    """ "by Friday" said on a Thursday is one day: sooner than the card allows; on a Monday it is four."""
    from dataclasses import replace

    from simulator.scenario.loader import effective_rubric
    from simulator.scoring.call_scorer import score_call

    loaded = load_scenario(REFERENCE)
    record = play(tmp_path, "I've refunded the second payment, it will be back in your account by Friday.").record
    rubric = effective_rubric(loaded)
    thursday = score_call(replace(record, header=replace(record.header, started_at="2026-12-03T10:00:00Z")),
                          loaded.scenario, rubric)
    monday = score_call(replace(record, header=replace(record.header, started_at="2026-11-30T10:00:00Z")),
                        loaded.scenario, rubric)
    assert [v.phrase_id for v in thursday.violations] == ["card.refund-timescale"]
    assert "by friday" in (thursday.violations[0].why or "").lower()
    assert monday.violations == ()
