"""A clause that says one of the scenario's own steps in the scenario's words is not also a forbidden
move by the general behaviour model's reading; literal forbidden phrases and the model's other
findings still count.  Replies are project-written."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import MatchKind, Transcript

pytestmark = pytest.mark.models

CUSTOMER = "Policy number is H P four one seven seven two. Date of birth, ninth of June, nineteen seventy-one."
# (With "I understand why the letter was upsetting" in it, the model taught real agents' steps no longer
# reads this reply as blame at all, 2026-12-06; without it, it still does, which is what is tested here.)
EXPLAINS = ("Thank you, Mrs Bennett. Let me be honest about what the letter says. The claim was declined because "
            "the assessor thought the water had leaked slowly over time, which the policy doesn't cover.")


@pytest.fixture(scope="module")
def insurance(semantic_for) -> SemanticAnalyser:
    return semantic_for("insurance-claim-denied")


def analyse(analyser: SemanticAnalyser, text: str):
    return analyser.analyse(TurnInput(3, Transcript(text), CUSTOMER))


def test_the_scenarios_explanation_is_not_blame(insurance):
    # The model alone reads the explanation the scenario asks for as blaming the customer.
    assert insurance.read(EXPLAINS).found("blame_customer") is not None
    analysis = analyse(insurance, EXPLAINS)
    assert "explain-decision" in {s.step_id for s in analysis.steps_hit}
    assert analysis.forbidden == ()


def test_blame_in_other_words_is_still_found_by_the_model(insurance):
    analysis = analyse(insurance, "Honestly that's on you, you let that pipe leak for months and never noticed.")
    assert [(f.phrase_id, f.match) for f in analysis.forbidden] == [("small-print", MatchKind.MODEL)]


def test_the_forbidden_entrys_own_phrases_still_count(insurance):
    analysis = analyse(insurance, "The claim was declined because of a gradual leak, you should have read your policy.")
    assert ("small-print", MatchKind.LITERAL) in {(f.phrase_id, f.match) for f in analysis.forbidden}


@pytest.fixture(scope="module")
def refund(semantic_for) -> SemanticAnalyser:
    return semantic_for("refund-refused")


def refund_forbidden(analyser: SemanticAnalyser, text: str) -> set[tuple[str, MatchKind]]:
    analysis = analyser.analyse(TurnInput(4, Transcript(text), "Are you going to tell me the same as the shop?"))
    return {(f.phrase_id, f.match) for f in analysis.forbidden}


def test_explaining_the_rights_is_not_the_policy_wall(refund):
    # Closer to the explain-rights example (0.74) than to the policy-wall example (0.73).
    assert refund_forbidden(refund, "The thirty days is for changing your mind, but a faulty item is covered well "
                                    "beyond that, so the returns window doesn't apply to you.") == set()


def test_the_policy_wall_in_other_words_is_still_found(refund):
    assert ("policy-wall", MatchKind.SEMANTIC) in refund_forbidden(
        refund, "I'm afraid it's been over thirty days, so we can't do anything.")
