"""The semantic analyser on the real MiniLM model and the shipped behaviour model: empathy levels,
standard kinds and a scenario's own items, evidence, context, determinism.  Replies are
project-written or quoted from what trainers reported."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import CustomerLineSource, EmpathyLevel, MatchKind, Transcript, Word
from simulator.scenario.loader import load_scenario

pytestmark = pytest.mark.models

CUSTOMER = "You've charged me sixty-four ninety-nine twice this month and now I'm overdrawn!"


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(threads=1)


@pytest.fixture(scope="session")
def billing(scenarios_dir):
    return load_scenario(scenarios_dir / "billing-overcharge.yaml").scenario


@pytest.fixture(scope="session")
def analyser(billing, encoder) -> SemanticAnalyser:
    return SemanticAnalyser(billing, encoder)


@pytest.fixture(scope="session")
def bare(encoder) -> SemanticAnalyser:
    return SemanticAnalyser(None, encoder)


def analyse(analyser: SemanticAnalyser, text: str, customer: str = CUSTOMER, words=()):
    return analyser.analyse(TurnInput(1, Transcript(text, words=tuple(words)), customer))


def kinds(analyser: SemanticAnalyser, text: str) -> set[str]:
    reading = analyser.read(text)
    return {f.kind for f in (*reading.steps, *reading.forbidden)}


@pytest.mark.parametrize("dismissive, generic, specific", [
    ("Calm down, it's only one payment.",
     "Sorry for the inconvenience.",
     "I'm so sorry you've been charged twice and left overdrawn, that must be really worrying for you."),
    ("That's not my department, you'll have to ring the bank.",
     "I understand your frustration.",
     "Being left overdrawn because we took your payment twice is awful, and I can completely see why "
     "you're upset."),
])
def test_empathy_orders_dismissive_below_generic_below_specific(analyser, dismissive, generic, specific):
    low, mid, high = (analyse(analyser, text).empathy for text in (dismissive, generic, specific))
    assert low.level == EmpathyLevel.NONE
    assert mid.level == EmpathyLevel.WEAK
    assert high.level == EmpathyLevel.STRONG
    assert low.score < mid.score < high.score


def test_an_acknowledgement_inside_a_long_firm_sentence_counts(bare):
    # reported by a trainer: this used to read "no empathy heard"
    text = ("I can hear how angry you are about this fine, and I want to help, but I need you to stop swearing "
            "so we can sort it out.")
    analysis = analyse(bare, text, customer="This ****ing fine is a joke!")
    assert analysis.empathy.level >= EmpathyLevel.WEAK
    acknowledged = [e for e in analysis.empathy.evidence if e.rule == "empathy.acknowledge"]
    assert acknowledged and acknowledged[0].quote == "I can hear how angry you are about this fine"


def test_the_same_words_with_or_without_emphasis_read_alike(bare):
    pairs = [("I understand.", "I do understand."), ("I'm sorry.", "Sorry.")]
    for plain, emphatic in pairs:
        assert analyse(bare, plain).empathy.level == analyse(bare, emphatic).empathy.level, (plain, emphatic)


@pytest.mark.parametrize("text", ["Oh dear, what a tragedy, your parcel is a day late.",
                                  "Oh no, poor you. Anyway, account number?"])
def test_sarcasm_is_no_empathy_and_is_quoted_against_the_reply(bare, text):
    analysis = analyse(bare, text)
    assert analysis.empathy.level == EmpathyLevel.NONE
    assert [e.rule for e in analysis.empathy.evidence][:1] == ["empathy.dismissive"]
    assert analysis.empathy.evidence[0].weight < 0


def test_sorry_you_feel_that_way_is_dismissive_not_an_apology(bare):
    assert kinds(bare, "I'm sorry you feel that way.") == {"dismiss_feelings"}


def test_refusals_and_blame_are_not_offers(bare):
    assert "offer_alternative" not in kinds(bare, "Look, it renewed because you didn't cancel it.")
    assert "offer_alternative" not in kinds(bare, "You can't cancel, you're locked in for twelve months now.")
    assert "blame_customer" in kinds(bare, "It was clearly in the terms and conditions you signed up to.")


def test_a_curt_anything_else_is_still_anything_else(bare):
    assert "anything_else" in kinds(bare, "Anything else?")
    assert "anything_else" in kinds(bare, "Anything else I can do for you today?")


def test_procedure_is_not_empathy_even_on_the_customers_topic(analyser):
    for text in ("Can I take your account number, please?", "You need to pay the full balance by Friday.", "OK."):
        assert analyse(analyser, text).empathy.level == EmpathyLevel.NONE, text


def test_a_lookup_is_not_a_security_check(bare):
    assert "verify_identity" in kinds(bare, "For security, can I take your date of birth and postcode?")
    assert "verify_identity" not in kinds(bare, "What's the tracking number on the parcel?")


def test_a_step_with_a_kind_is_found_by_the_model_in_other_words(analyser):
    text = "Before we go any further, could you give me the first line of your address and when you were born?"
    hits = {h.step_id: h for h in analyse(analyser, text).steps_hit}
    assert hits["verify"].match == MatchKind.MODEL  # billing's verify step has kind: verify_identity
    assert 0.0 < hits["verify"].confidence <= 1.0 and hits["verify"].quote in text


def test_a_custom_step_is_found_by_likeness_to_its_examples(analyser):
    text = "I'll put the duplicate payment back into your account by Friday."
    hits = {h.step_id: h for h in analyse(analyser, text).steps_hit}
    assert hits["resolve"].match == MatchKind.SEMANTIC  # resolve has no kind: its say_like decides


def test_literal_keywords_still_count_as_literal(analyser):
    hit = {h.step_id: h for h in analyse(analyser, "Could you confirm your date of birth?").steps_hit}["verify"]
    assert hit.match == MatchKind.LITERAL and hit.confidence == 1.0


def test_unrelated_reply_hits_no_step(analyser):
    analysis = analyse(analyser, "The weather has been lovely this week.")
    assert analysis.steps_hit == () and analysis.forbidden == ()


def test_forbidden_kind_by_the_model_with_the_scenarios_severity(analyser, billing):
    analysis = analyse(analyser, "There's really no need to get so worked up about one payment.")
    hits = {h.phrase_id: h for h in analysis.forbidden}
    assert hits["calm-down"].match in (MatchKind.MODEL, MatchKind.SEMANTIC)
    assert hits["calm-down"].severity == billing.forbidden_phrase("calm-down").severity.level
    literal = {h.phrase_id: h for h in analyse(analyser, "Just calm down.").forbidden}
    assert literal["calm-down"].match == MatchKind.LITERAL
    assert analyse(analyser, "I can see why you're upset, I'd be upset too.").forbidden == ()


def test_the_customers_words_decide_whether_they_are_distressed(bare):
    calm = analyse(bare, "Good morning, how can I help?", customer="Hi, I'd like to update my address please.")
    upset = analyse(bare, "I'm so sorry.", customer="This is the third time I've rung and nobody has fixed it!")
    assert calm.customer_distressed is False and upset.customer_distressed is True
    assert calm.customer_distress < upset.customer_distress
    assert analyse(bare, "Hello?", customer="").customer_distress is None


def heard(analyser: SemanticAnalyser, customer: str):
    """A reply on a recorded call: the customer's line is what the recogniser wrote."""
    return analyser.analyse(TurnInput(1, Transcript("Okay."), customer, customer_line_source=CustomerLineSource.HEARD))


@pytest.mark.parametrize("line", [
    "you.", "seven one nine", "it's m as in mike o r g a n", "yeah that's the one", "Thank you.",
    "the postcode is l s six four q t", "oh okay right so do i need to bring anything with me", "mm-hmm",
    "Yes, that's me.", "i think it was about uh half past three"])
def test_a_calm_phone_turn_on_a_recording_is_not_read_as_distress(bare, line):
    assert heard(bare, line).customer_distressed is False


@pytest.mark.parametrize("line", [
    "this is the fourth time i've called and nobody's fixed it i'm fed up",
    "someone's been taking money out of my account and i'm panicking", "are you kidding me",
    "I've been on hold for an hour, this is unacceptable.", "i'm really worried the payment won't go through in time"])
def test_an_upset_phone_turn_on_a_recording_is_read_as_distress(bare, line):
    assert heard(bare, line).customer_distressed is True


def test_a_scenarios_written_line_is_read_by_the_regression_of_written_lines(bare):
    # taught phone turns, the regression for recordings reads this worried line as calm; a scenario's
    # customer keeps the reading its golden calls were written against
    worried = "It's his birthday present. His birthday is tomorrow, and I really need it here in time."
    assert analyse(bare, "Order number?", customer=worried).customer_distressed is True


def test_intents_by_meaning(analyser):
    assert "blame-bank" in analyse(analyser, "Maybe the bank made the mistake, have you asked them?").intents


def test_step_start_comes_from_word_timings(analyser):
    text = "Right. Could you confirm your date of birth?"
    words = [Word(w, 0.4 * i, 0.4 * i + 0.3) for i, w in enumerate(text.split())]
    hit = {h.step_id: h for h in analyse(analyser, text, words=words).steps_hit}["verify"]
    assert hit.start_s == pytest.approx(0.4 * 3)  # "confirm your" starts at the 4th word


def test_same_input_gives_identical_output(billing, encoder):
    text = "I'm sorry, let me look into the two payments for you. Can I take your postcode?"
    first = SemanticAnalyser(billing, encoder).analyse(TurnInput(2, Transcript(text), CUSTOMER))
    encoder.clear_cache()
    second = SemanticAnalyser(billing, encoder).analyse(TurnInput(2, Transcript(text), CUSTOMER))
    assert first == second


def test_silence_is_no_empathy_and_no_hits(analyser):
    analysis = analyser.analyse(TurnInput(1, Transcript(""), CUSTOMER, silence=True, silence_s=5.0))
    assert analysis.empathy.level == EmpathyLevel.NONE and analysis.steps_hit == () and analysis.silence


def test_prepare_embeds_the_customers_line_so_the_reply_analysis_embeds_only_the_reply(billing):
    from simulator.analysis.tone import ToneAnalyser

    encoder = SentenceEncoder(threads=1)
    analyser = ToneAnalyser(SemanticAnalyser(billing, encoder))  # as the registry builds it for a call
    analyse(analyser, "Hello.", customer="Hi.")  # loads the model and the scenario's examples
    embedded: list[str] = []
    real_embed = encoder._embed_batch

    def spy(sentences):
        embedded.extend(sentences)
        return real_embed(sentences)

    encoder._embed_batch = spy
    line = "My parcel was left in the rain and everything inside is ruined!"
    analyser.prepare(line)
    assert embedded == [line]
    embedded.clear()
    reply = "I'm so sorry your things were ruined. I'll send a replacement today."
    prepared = analyse(analyser, reply, customer=line)
    assert line not in embedded and sorted(embedded) == sorted(["I'm so sorry your things were ruined.",
                                                                "I'll send a replacement today."])
    encoder._embed_batch = real_embed
    assert prepared == analyse(SemanticAnalyser(billing, SentenceEncoder(threads=1)), reply, customer=line)


def test_a_model_without_a_regression_for_heard_lines_reads_them_as_written(encoder):
    # the Mandarin model, or an English file built before the phone turns: one regression for both
    import dataclasses

    from simulator.analysis.behaviour.model import BehaviourModel, shipped_weights

    weights = dataclasses.replace(shipped_weights(), heard_distress_weights=None, heard_distress_bias=None,
                                  heard_distress_threshold=None)
    model = BehaviourModel(weights, encoder.encode)
    line = "it's m as in mike o r g a n"
    assert model.customer_distress(line, CustomerLineSource.HEARD) == model.customer_distress(line)
    assert model.distress_threshold_for(CustomerLineSource.HEARD) == model.distress_threshold
