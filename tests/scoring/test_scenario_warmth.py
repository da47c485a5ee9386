"""A scenario's own acknowledgement or apology step counts as empathy under the semantic analyser,
as docs/scoring.md promises: the scenario's keywords and say_like are its definition of the
feeling in its story, even where the general behaviour model is unsure.  Replies are project-written."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import EmpathyLevel, Transcript

pytestmark = pytest.mark.models

CUSTOMER = "Right, listen. You lot have rejected my bloody appeal. I paid for that ticket."
ACKNOWLEDGED = ("Good morning, parking services, you're speaking to Alex. I understand how frustrating it is "
                "that the appeal was rejected, and I do want to help you, but I need you to stop swearing at me, "
                "otherwise I'll have to end the call.")


@pytest.fixture(scope="module")
def parking(semantic_for) -> SemanticAnalyser:
    return semantic_for("abusive-caller")


def analyse(analyser: SemanticAnalyser, text: str):
    return analyser.analyse(TurnInput(1, Transcript(text), CUSTOMER))


def test_the_scenarios_own_acknowledgement_is_at_least_weak_empathy(parking, minilm):
    # Without the scenario the model alone hears some warmth (judged without the greeting) but no
    # named feeling; the scenario's acknowledge step is what names it.
    alone = analyse(SemanticAnalyser(None, minilm), ACKNOWLEDGED).empathy
    assert not any(e.rule == "empathy.acknowledge" for e in alone.evidence)
    analysis = analyse(parking, ACKNOWLEDGED)
    assert "acknowledge" in {s.step_id for s in analysis.steps_hit}
    assert analysis.empathy.level == EmpathyLevel.WEAK
    evidence = [e for e in analysis.empathy.evidence if e.rule == "empathy.acknowledge"]
    assert evidence and "acknowledge" in evidence[0].detail
    assert not any(e.rule in ("empathy.none", "empathy.warmth") for e in analysis.empathy.evidence)


def test_sarcasm_with_the_scenarios_word_stays_no_empathy(parking):
    analysis = analyse(parking, "Oh how frustrating for you, what a tragedy. Truly heartbreaking.")
    assert analysis.empathy.level == EmpathyLevel.NONE


def test_a_reply_without_the_scenarios_acknowledgement_gains_nothing(parking):
    analysis = analyse(parking, "Can I take the penalty charge number and your vehicle registration?")
    assert analysis.empathy.level == EmpathyLevel.NONE


def test_the_steps_keywords_alone_are_not_empathy(parking):
    # "the appeal was rejected" is one of the acknowledge step's keywords, and the clause is close to
    # its say_like "... annoyed you are that the appeal was rejected"; the model reads no feeling in it.
    analysis = analyse(parking, "The appeal was rejected because the officer's photos don't show a ticket on the "
                                "dashboard.")
    assert "acknowledge" in {s.step_id for s in analysis.steps_hit}
    assert analysis.empathy.level == EmpathyLevel.NONE
