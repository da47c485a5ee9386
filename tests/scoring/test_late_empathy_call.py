"""An outside call whose agent takes the details first and acknowledges the customer's distress two
replies later (``tests/data/calls/late-empathy/call.jsonl``, written for this test): read by the
shipped behaviour model and scored as an outside call, the late acknowledgement is credited at half."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import CustomerLineSource, EmpathyLevel, Speaker, Transcript
from simulator.qa.importer import generic_scenario
from simulator.record import CallRecord, TurnRecord, read_call
from simulator.scenario.model import Rubric
from simulator.scoring.call_scorer import score_call
from simulator.scoring.scorecard import Dimension

pytestmark = pytest.mark.models

CALL = Path(__file__).resolve().parents[1] / "data" / "calls" / "late-empathy"


@pytest.fixture(scope="module")
def analysed(minilm) -> CallRecord:
    """The call's agent replies read by the semantic analyser, as an imported recording's are."""
    record = read_call(CALL)
    analyser = SemanticAnalyser(generic_scenario(), minilm)
    turns, customer_line, reply = [], "", 0
    for turn in record.turns:
        if turn.speaker == Speaker.CUSTOMER:
            customer_line = turn.text
        else:
            reply += 1
            heard = TurnInput(reply, Transcript(turn.text), customer_line,
                              customer_line_source=CustomerLineSource.HEARD)
            turn = replace(turn, analysis=analyser.analyse(heard))
        turns.append(turn)
    return replace(record, turns=tuple(turns))


def test_the_model_reads_the_call_as_written(analysed):
    levels = [t.analysis.empathy.level for t in analysed.turns if t.analysis is not None]
    assert levels[1] == levels[2] == EmpathyLevel.NONE  # the account number, the address
    assert levels[3] > EmpathyLevel.NONE  # "I'm really sorry about the boiler, that sounds so stressful"


def test_empathy_two_replies_late_is_credited_at_half(analysed):
    card = score_call(analysed, generic_scenario(), Rubric(), recording_s=45.0)
    empathy = card.dimension(Dimension.EMPATHY)
    sorry = next(t for t in analysed.turns if t.analysis is not None and t.analysis.turn_index == 4)
    assert empathy.judged_turns == (2,)
    assert empathy.score == pytest.approx(100 * sorry.analysis.empathy.score * 0.5, abs=0.1)
    owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
    assert owed.turn_index == 2 and "acknowledged 2 replies later, in turn 4" in owed.detail
    assert "credited at 50%" in owed.detail
    late = [e for e in empathy.evidence if e.rule == "empathy.late"]
    assert [e.turn_index for e in late] == [4] and "2 replies late" in late[0].detail



def test_on_one_channel_with_the_voices_not_told_apart_the_distress_steps_are_not_required(minilm):
    # With no customer on the recording, words that answer a feeling show that the customer was upset;
    # on a mixed one-channel call those words may be the customer's own, so who was upset is unknown.
    analyser = SemanticAnalyser(generic_scenario(), minilm)
    texts = ["Good morning, Northfield Energy, my name is Priya, how can I help you today?",
             "I can hear how worried you are, that must be really frightening with the kids at home.",
             "I've booked an engineer to come out to you tomorrow morning, between eight and twelve."]
    turns = tuple(TurnRecord(i, Speaker.TRAINEE, text, 5.0 * i, 5.0 * i + 4,
                             analysis=analyser.analyse(TurnInput(i + 1, Transcript(text), "")))
                  for i, text in enumerate(texts))
    one_channel = replace(read_call(CALL), turns=turns)
    distress_steps = {"acknowledge_emotion", "apologise"}

    def required(told_apart: bool) -> set[str]:
        card = score_call(one_channel, generic_scenario(), Rubric(), recording_s=20.0, speakers_told_apart=told_apart)
        return {s.step_id for s in card.steps if s.required}

    assert distress_steps <= required(True)  # an agent-only recording: the agent answered a feeling
    assert required(True) - required(False) == distress_steps
