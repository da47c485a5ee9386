"""The shipped behaviour model reads real-phone openings, holds and closings as a speech recogniser
writes them, and not their near misses (corpus writer l; docs/qa.md).  The lines are written for this
test, not taken from the corpus or from any recording.  Main's weights before writer l missed the
"you're speaking with NAME" introduction and read a customer's "this is carl i'm ringing because..." as
the agent introducing themself."""

from __future__ import annotations

import pytest

from simulator.analysis.semantic import SemanticAnalyser

pytestmark = pytest.mark.models

PERFORMS = [
    ("thank you for calling metro cable you're speaking with deepak how may i assist you", "identify_self"),
    ("thanks for calling harbor city honda this is renee how can i help you today", "greet"),
    ("thanks for calling harbor city honda this is renee how can i help you today", "identify_self"),
    ("um thank you for calling sun valley dental my name's uh carmen what can i do for you", "identify_self"),
    ("uh good morning westfield plumbing this is gary speaking", "identify_self"),
    ("let me pop you on hold for a second while i check with the workshop", "explain_next_steps"),
    ("i'm gonna transfer you over to our billing team now they can sort that refund out", "explain_next_steps"),
    ("was there anything else i could help you with today", "anything_else"),
    ("alright well thanks for calling and you have a good one bye", "close"),
]

NEAR_MISSES = [
    ("yeah hi um this is carl i'm ringing because my internet keeps dropping", "identify_self"),
    ("hi yes this is margaret i'm calling about my prescription refill", "identify_self"),
    ("okay and what's the order number on that", "verify_identity"),
]


@pytest.fixture(scope="module")
def analyser() -> SemanticAnalyser:
    return SemanticAnalyser(None)


@pytest.mark.parametrize(("text", "kind"), PERFORMS)
def test_a_phone_opening_hold_or_close_is_read_as_its_step(analyser, text, kind):
    assert analyser.read(text).found(kind), f"{kind} not found in {text!r}"


@pytest.mark.parametrize(("text", "kind"), NEAR_MISSES)
def test_a_near_miss_is_not_read_as_the_step_it_resembles(analyser, text, kind):
    assert not analyser.read(text).found(kind), f"{kind} wrongly found in {text!r}"
