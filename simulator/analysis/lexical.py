"""A fast, transparent word-list analyser.

It needs no model, so it runs everywhere (text-mode dry runs, fast tests) and every judgement is a
literal quote.  The semantic analyser is more robust to wording; this one is the reference for
what each rule means.
"""

from __future__ import annotations

from simulator.analysis.base import TurnInput
from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    Evidence,
    ForbiddenHit,
    MatchKind,
    StepHit,
    TurnAnalysis,
)
from simulator.scenario.model import Scenario
from simulator.text import content_words, find_phrase

ACKNOWLEDGE = (
    "i understand", "i can understand", "i completely understand", "i can see why", "i hear you",
    "i can imagine", "that must be", "that sounds", "must have been", "i know how", "i get it",
    "frustrating", "upsetting", "annoying", "stressful", "worrying", "inconvenient", "unacceptable",
    "you have every right", "you're right to", "i'd feel the same", "i would feel the same",
)
APOLOGY = ("i'm sorry", "i am sorry", "i'm so sorry", "i apologise", "i apologize", "my apologies",
           "sorry about", "sorry for", "sorry to hear")
OWNERSHIP = ("i'll sort", "i will sort", "i'll fix", "i will fix", "i'll make sure", "i will make sure",
             "let me fix", "let me sort", "let me help", "i'll take care", "i will take care",
             "i'll personally", "i will personally", "i'm going to", "i am going to", "i'll get this",
             "i will get this", "i'll look into", "i will look into", "i can help", "let me look")
DISMISSIVE = ("calm down", "relax", "not my department", "not my problem", "not my fault",
              "as i already said", "as i said", "like i said", "nothing i can do", "that's the policy",
              "it's policy", "you should have", "you need to calm", "there's no need to shout",
              "it is what it is", "you're wrong", "whatever")


def _first_hit(text: str, phrases: tuple[str, ...]) -> str | None:
    for phrase in phrases:
        found = find_phrase(text, phrase)
        if found:
            return found
    return None


def judge_empathy_lexically(reply: str, customer_line: str) -> EmpathyJudgement:
    evidence: list[Evidence] = []
    dismissive = _first_hit(reply, DISMISSIVE)
    if dismissive:
        evidence.append(Evidence("empathy.dismissive", dismissive,
                                 "dismissive wording counts against empathy", weight=-1.0))
        return EmpathyJudgement(EmpathyLevel.NONE, 0.0, tuple(evidence))
    acknowledged = _first_hit(reply, ACKNOWLEDGE)
    apologised = _first_hit(reply, APOLOGY)
    owned = _first_hit(reply, OWNERSHIP)
    shared = sorted(content_words(reply) & content_words(customer_line))
    if acknowledged:
        evidence.append(
            Evidence("empathy.acknowledge", acknowledged, "acknowledged the customer's feeling", weight=1.0))
    if apologised:
        evidence.append(Evidence("empathy.apology", apologised, "apologised", weight=0.5))
    if owned:
        evidence.append(Evidence("empathy.ownership", owned, "took ownership of the problem", weight=0.7))
    if shared and (acknowledged or apologised):
        evidence.append(Evidence("empathy.specific", ", ".join(shared[:4]),
                                 "named the customer's actual problem", weight=0.5))
    signals = sum(bool(x) for x in (acknowledged, apologised, owned))
    if (acknowledged and (owned or shared)) or (signals >= 2 and shared):
        level, score = EmpathyLevel.STRONG, min(1.0, 0.7 + 0.1 * signals)
    elif signals:
        level, score = EmpathyLevel.WEAK, 0.3 + 0.1 * signals
    else:
        level, score = EmpathyLevel.NONE, 0.0
    return EmpathyJudgement(level, round(score, 3), tuple(evidence))


class LexicalAnalyser:
    name = "lexical"

    def __init__(self, scenario: Scenario | None, after_call: bool = False):
        self.scenario = scenario  # after_call changes nothing here: the word lists have no slower reader

    def analyse(self, turn: TurnInput) -> TurnAnalysis:
        text = turn.transcript.text
        steps: list[StepHit] = []
        forbidden: list[ForbiddenHit] = []
        intents: list[str] = []
        if self.scenario is not None and not turn.silence:
            for step in self.scenario.script:
                quote = _first_hit(text, step.keywords) or _first_hit(text, step.say_like)
                if quote:
                    steps.append(StepHit(step.id, quote, MatchKind.LITERAL, 1.0))
            for phrase in self.scenario.forbidden:
                quote = _first_hit(text, phrase.phrases)
                if quote:
                    forbidden.append(ForbiddenHit(phrase.id, quote, phrase.severity.level, MatchKind.LITERAL))
            for intent in self.scenario.intents:
                if _first_hit(text, intent.keywords) or _first_hit(text, intent.say_like):
                    intents.append(intent.id)
        empathy = (EmpathyJudgement(EmpathyLevel.NONE, 0.0) if turn.silence
                   else judge_empathy_lexically(text, turn.customer_line))
        return TurnAnalysis(
            turn_index=turn.turn_index,
            transcript=turn.transcript,
            empathy=empathy,
            steps_hit=tuple(steps),
            forbidden=tuple(forbidden),
            intents=tuple(intents),
            silence=turn.silence,
            silence_s=turn.silence_s,
            interrupted_customer=turn.interrupted_customer,
            timing=turn.timing,
            analyser=self.name,
        )
