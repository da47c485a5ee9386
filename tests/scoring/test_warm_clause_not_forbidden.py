"""A clause the behaviour model reads as acknowledging the customer's feeling is not a forbidden move
by likeness alone: sentence likeness cannot tell "that must be worrying" from "I wouldn't worry".
Replies are project-written."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import MatchKind, Transcript

pytestmark = pytest.mark.models

CUSTOMER = "And the thing is, I'm still getting the palpitations. Dizzy spells too."
ACKNOWLEDGES = ("I understand, and it must be really worrying when you're still having the palpitations and dizzy "
                "spells. I'll do everything I can to get you seen. Could I take your full name and date of birth, "
                "please?")


@pytest.fixture(scope="module")
def medical(semantic_for) -> SemanticAnalyser:
    return semantic_for("medical-appointment-mixup")


def forbidden(analyser: SemanticAnalyser, text: str) -> set[tuple[str, MatchKind]]:
    analysis = analyser.analyse(TurnInput(2, Transcript(text), CUSTOMER))
    return {(f.phrase_id, f.match) for f in analysis.forbidden}


def test_acknowledging_her_worry_is_not_false_reassurance(medical):
    assert forbidden(medical, ACKNOWLEDGES) == set()


def test_false_reassurance_in_other_words_is_still_found_by_likeness(medical):
    assert ("clinical-reassurance", MatchKind.SEMANTIC) in forbidden(
        medical, "I wouldn't worry about it, palpitations are really common.")


def test_false_reassurance_in_its_own_words_still_counts(medical):
    assert ("clinical-reassurance", MatchKind.LITERAL) in forbidden(
        medical, "I know it's worrying, but I'm sure it's nothing.")
