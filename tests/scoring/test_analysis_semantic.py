"""The semantic analyser on the real MiniLM model: empathy ordering, steps and forbidden phrases by
meaning, evidence, determinism.  All replies here are project-written."""

from __future__ import annotations

import pytest

from simulator.analysis.base import TurnInput
from simulator.analysis.embeddings import SentenceEncoder
from simulator.analysis.empathy import EmpathyJudge, load_examples
from simulator.analysis.semantic import SemanticAnalyser
from simulator.contracts import EmpathyLevel, MatchKind, Transcript, Word
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


def analyse(analyser: SemanticAnalyser, text: str, customer: str = CUSTOMER, words=()):
    return analyser.analyse(TurnInput(1, Transcript(text, words=tuple(words)), customer))


@pytest.mark.parametrize("dismissive, generic, specific", [
    ("Calm down, it's only one payment.",
     "I'm sorry about that.",
     "I'm so sorry you've been charged twice and left overdrawn, that must be really worrying."),
    ("That's not my department, you'll have to ring the bank.",
     "I understand.",
     "Being overdrawn because we took your payment twice is awful, I can see why you're upset."),
    ("As I already said, refunds take five days.",
     "Sorry for the inconvenience.",
     "I can hear how stressful it is to find two payments gone and your account overdrawn."),
])
def test_empathy_orders_dismissive_below_generic_below_specific(analyser, dismissive, generic, specific):
    low, mid, high = (analyse(analyser, text).empathy for text in (dismissive, generic, specific))
    assert low.level == EmpathyLevel.NONE
    assert mid.level == EmpathyLevel.WEAK
    assert high.level == EmpathyLevel.STRONG
    assert low.score < mid.score < high.score


def test_empathy_evidence_names_sentence_and_rule(analyser):
    empathy = analyse(analyser, "Let me check that. I'm so sorry you've been charged twice, that must be "
                                "really worrying.").empathy
    assert empathy.level == EmpathyLevel.STRONG
    quotes = {e.quote for e in empathy.evidence}
    assert "I'm so sorry you've been charged twice, that must be really worrying." in quotes
    assert any(e.rule == "empathy.specific" for e in empathy.evidence)
    assert all(e.detail for e in empathy.evidence)
    dismissive = analyse(analyser, "There's no need to get so worked up about it.").empathy
    assert [e.rule for e in dismissive.evidence] == ["empathy.dismissive"]
    assert dismissive.evidence[0].weight < 0


def test_procedure_is_not_empathy_even_on_the_customers_topic(analyser):
    for text in ("Can I take your account number, please?", "You need to pay the full balance by Friday.", "OK."):
        assert analyse(analyser, text).empathy.level == EmpathyLevel.NONE, text


def test_paraphrased_steps_are_detected_semantically(analyser):
    cases = {
        "Hi there, I'm Sam from billing, what can I do for you today?": "greet",
        "I'll put the duplicate payment back into your account by Friday.": "resolve",
    }
    for text, step in cases.items():
        hits = {h.step_id: h for h in analyse(analyser, text).steps_hit}
        assert step in hits, text
        assert hits[step].match == MatchKind.SEMANTIC
        assert 0.5 < hits[step].confidence <= 1.0
        assert hits[step].quote == text


def test_literal_keywords_still_count_as_literal(analyser):
    hit = {h.step_id: h for h in analyse(analyser, "Could you confirm your date of birth?").steps_hit}["verify"]
    assert hit.match == MatchKind.LITERAL and hit.confidence == 1.0


def test_unrelated_reply_hits_no_step(analyser):
    analysis = analyse(analyser, "The weather has been lovely this week.")
    assert analysis.steps_hit == () and analysis.forbidden == ()


def test_forbidden_by_meaning_with_severity(analyser, billing):
    analysis = analyse(analyser, "There's no need to get so upset about it.")
    hits = {h.phrase_id: h for h in analysis.forbidden}
    assert hits["calm-down"].match == MatchKind.SEMANTIC
    assert hits["calm-down"].severity == billing.forbidden_phrase("calm-down").severity.level
    literal = {h.phrase_id: h for h in analyse(analyser, "Just calm down.").forbidden}
    assert literal["calm-down"].match == MatchKind.LITERAL
    # Empathy about being upset is not the forbidden "no need to get upset".
    assert analyse(analyser, "I can see why you're upset, I'd be upset too.").forbidden == ()


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


def test_example_bank_is_valid_and_balanced():
    examples = load_examples()
    kinds = {e.kind.value for e in examples}
    assert kinds == {"strong", "weak", "none", "dismissive"}
    assert len(examples) >= 100


def test_a_trainers_bank_file_with_a_mistake_names_the_file(tmp_path, encoder):
    from simulator.analysis.empathy import ExampleBankError

    bad = tmp_path / "bank.yaml"
    bad.write_text("strong: [{text: hi}]\n", encoding="utf-8")
    with pytest.raises(ExampleBankError, match="bank.yaml"):
        load_examples(bad)
    assert EmpathyJudge(encoder).judge("", CUSTOMER).level == EmpathyLevel.NONE


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
    prepared = analyse(analyser, "I'm so sorry your things were ruined. I'll send a replacement today.", customer=line)
    assert line not in embedded and len(embedded) == 2
    encoder._embed_batch = real_embed
    assert prepared == analyse(SemanticAnalyser(billing, SentenceEncoder(threads=1)),
                               "I'm so sorry your things were ruined. I'll send a replacement today.", customer=line)
