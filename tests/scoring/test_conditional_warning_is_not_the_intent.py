"""A warning of an act is not the act: "if it goes on I will end the call" is not abusive-caller's
end-call intent (the call used to end on the warning), while ending the call still is."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.contracts import Transcript

pytestmark = pytest.mark.models

ABUSE = "You're all useless, every last one of you."


def intents(analyser, reply: str) -> tuple[str, ...]:
    return analyser.analyse(TurnInput(3, Transcript(reply), ABUSE)).intents


@pytest.mark.parametrize("warning", [
    "Sir, I'm happy to keep helping, but if the shouting goes on I will end this call.",
    "Let's keep it civil please, otherwise I'm going to have to end the call.",
    "I want to sort this for you, but please stop the abuse or I'll end our call.",
    "I'll have to end the call if you keep using that language.",
    "Unless the language stops, I will be ending this call.",
])
def test_a_warning_that_the_call_will_end_is_not_ending_it(semantic_for, warning):
    assert "end-call" not in intents(semantic_for("abusive-caller"), warning)


@pytest.mark.parametrize("ending", [
    "As I warned you, I'm ending the call now. You're welcome to ring back.",
    "I'm going to end our call here, goodbye.",
    "I'm ending this call now, if you want to call back later you're welcome to.",
])
def test_ending_the_call_is_still_the_intent(semantic_for, ending):
    assert "end-call" in intents(semantic_for("abusive-caller"), ending)


def test_a_polite_conditional_offer_is_still_the_offer(semantic_for):
    assert "offer-voucher" in intents(semantic_for("refund-refused"), "If you'd like, I can offer you a voucher.")
