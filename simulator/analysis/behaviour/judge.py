"""From a behaviour reading to the judgements a call keeps: empathy with its evidence.

The level is the model's (none / weak / strong), held to the labelling conventions where the
reading is plain: an apology, a named feeling or a stated understanding ("I understand.") is at least
weak empathy; a dismissive or sarcastic clause leaves none.  The evidence quotes the clauses that carried it:
an acknowledged feeling, an apology, ownership, or, where the warmth is implied rather than said in
so many words, the clause the model found warmest.  A dismissive, sarcastic or blaming clause is
quoted against the reply.
"""

from __future__ import annotations

import re

from simulator.analysis.behaviour.clauses import sentences_of
from simulator.analysis.behaviour.model import BehaviourReading, KindFinding
from simulator.contracts import EmpathyJudgement, EmpathyLevel, Evidence
from simulator.scenario.kinds import ForbiddenKind, StepKind

IMPLIED_WARMTH_RULE = "empathy.warmth"  # warmth the model heard without a named feeling or apology
WARM_KINDS: dict[StepKind, tuple[str, str]] = {
    StepKind.ACKNOWLEDGE_EMOTION: ("empathy.acknowledge", "acknowledged the customer's feeling"),
    StepKind.APOLOGISE: ("empathy.apology", "apologised for the problem"),
    StepKind.TAKE_OWNERSHIP: ("empathy.ownership", "took ownership of the problem"),
}
COLD_KINDS: dict[ForbiddenKind, str] = {
    ForbiddenKind.DISMISS_FEELINGS: "dismissed the customer's feelings",
    ForbiddenKind.RUDE_OR_SARCASTIC: "rude or sarcastic",
    ForbiddenKind.BLAME_CUSTOMER: "blamed the customer",
}
# Dismissal and sarcasm leave no empathy standing; blame can sit beside a real apology.
CAPPING_KINDS = (ForbiddenKind.DISMISS_FEELINGS, ForbiddenKind.RUDE_OR_SARCASTIC)
DISMISSIVE_RULE = "empathy.dismissive"  # a cold clause's evidence; its weight is minus the model's confidence
UNDERSTANDING_RULE = "empathy.understanding"
UNDERSTANDING_WEIGHT = 0.5  # formulaic: as much as a generic apology weighs in the lexical analyser

# The label scheme: "I understand" tacked on is weak, formulaic empathy (not acknowledge_emotion, which
# needs the feeling named).  The clause model has no label for it and read "I understand. The appeal
# was rejected because..." as none, so the few words are a cue: said at the head of a sentence and
# standing alone there (punctuation, the sentence's end, or a word that starts the next job follows),
# not "I understand your account was..." (a restatement) or "I don't understand".
_STATED_UNDERSTANDING = re.compile(
    r"^(?:(?:okay|ok|right|yeah|yes|oh|alright|well|look|no|so|and|sir|madam)[,.]?\s+)*"
    r"(?P<said>i\s+(?:(?:do|totally|completely|fully|really|absolutely|definitely|can)\s+){0,2}"
    r"(?:understand(?:\s+that)?|get\s+that|hear\s+you)"  # not "I get it": as often impatience ("I get it, move on")
    r"(?:\s+(?:completely|totally|sir|madam))?)"
    r"(?:\s*(?:[,.!;:\u2014-]|$)|\s+(?:but|and|so|though|although|let|i|i'll|i'm|we|we'll|what|now|okay|ok|right"
    r"|please|can|could)\b)",
    re.IGNORECASE)


def _model(confidence: float) -> str:
    return f"(model {confidence:.2f})"


def empathy_judgement(reading: BehaviourReading) -> EmpathyJudgement:
    level = reading.empathy
    evidence: list[Evidence] = []
    cold = [(kind, f) for kind in COLD_KINDS if (f := reading.found(kind)) is not None]
    for cold_kind, finding in cold:
        evidence.append(Evidence(DISMISSIVE_RULE, finding.quote,
                                 f"{COLD_KINDS[cold_kind]} {_model(finding.confidence)}",
                                 weight=-finding.confidence))
    warm = [(kind, f) for kind in WARM_KINDS if (f := reading.found(kind)) is not None]
    understood = stated_understanding(reading.reply)
    if understood is not None or any(kind in (StepKind.ACKNOWLEDGE_EMOTION, StepKind.APOLOGISE) for kind, _ in warm):
        level = max(level, EmpathyLevel.WEAK)  # an apology, a named feeling, "I understand": at least weak empathy
    if any(kind in CAPPING_KINDS for kind, _ in cold):
        level = EmpathyLevel.NONE
    if level > EmpathyLevel.NONE:
        for warm_kind, finding in warm:
            rule, detail = WARM_KINDS[warm_kind]
            evidence.append(Evidence(rule, finding.quote, f"{detail} {_model(finding.confidence)}",
                                     weight=finding.confidence))
        if not warm and understood is not None:  # the words themselves explain it better than the model's warmth
            evidence.append(Evidence(UNDERSTANDING_RULE, understood, "said they understand (formulaic)",
                                     weight=UNDERSTANDING_WEIGHT))
        elif not warm:
            implied = _warmest(reading)
            if implied is not None:
                evidence.append(Evidence(IMPLIED_WARMTH_RULE, implied.quote,
                                         "warmth without naming the feeling "
                                         f"{_model(reading.some_empathy_probability)}",
                                         weight=reading.some_empathy_probability))
        if level == EmpathyLevel.STRONG:
            evidence.append(Evidence("empathy.specific", reading.reply.strip(),
                                     f"specific to this customer and warm {_model(reading.strong_empathy_probability)}",
                                     weight=reading.strong_empathy_probability))
    elif not cold:
        evidence.append(Evidence("empathy.none", reading.reply.strip(),
                                 "no acknowledgement, apology or warmth heard "
                                 f"{_model(reading.some_empathy_probability)}"))
    return EmpathyJudgement(level, _score(level, reading, bool(cold)), tuple(evidence))


def stated_understanding(reply: str) -> str | None:
    """The words "I understand" (or "I get that", "I hear you") where a sentence states them alone."""
    for sentence in sentences_of(reply):
        if found := _STATED_UNDERSTANDING.match(sentence.strip()):
            return found["said"]
    return None


def _score(level: EmpathyLevel, reading: BehaviourReading, cold: bool) -> float:
    """0..1 within the level's band (none < 0.3 <= weak < 0.8 <= strong), higher the surer the model."""
    if level == EmpathyLevel.NONE:
        return 0.0 if cold else round(0.3 * reading.some_empathy_probability, 3)
    if level == EmpathyLevel.WEAK:
        return round(0.5 + 0.3 * reading.strong_empathy_probability, 3)
    return round(0.8 + 0.2 * reading.strong_empathy_probability, 3)


def _warmest(reading: BehaviourReading) -> KindFinding | None:
    candidates = [f for kind in WARM_KINDS if (f := reading.best(kind)) is not None]
    return max(candidates, key=lambda f: f.confidence, default=None)
