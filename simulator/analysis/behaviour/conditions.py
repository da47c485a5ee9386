"""Clauses that say what would happen under a condition, not what is being done.

"If the language continues, I will end the call" and "please stop swearing, or I'll have to end
the call" warn of an action; they do not take it.  A scenario's intent is something the agent does
in the reply (ends the call, offers a voucher), and likeness cannot tell the warning from the act:
the two share every content word.  Grammar can: the act under a condition is a consequence.

A clause is read as conditional when it states its own condition (if / unless / otherwise / or
else / "or I'll ..."), or when the clause before it in the same sentence is the condition ("If it
continues, | I will end the call"), or the clause after it is ("I'll end the call | if you keep
swearing") and it does not say the act is happening now.  A condition on what the customer wants
("if you'd like, I can refund the tickets", "if you need anything else") is politeness around an
offer, not a condition the act waits on, so it does not count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.analysis.behaviour.clause import Span
from simulator.analysis.behaviour.clauses import sentence_spans_of

_WISH = r"(?:like|want|wish|prefer|rather|need|happy)"
# "if" / "unless" not followed within three words by a wish of the customer's.
_NOT_A_WISH = r"\b(?!(?:\s+\S+){0,3}?\s+" + _WISH + r"\b)"
_CONDITION_EN = re.compile(r"\b(?:if|unless)" + _NOT_A_WISH, re.IGNORECASE)
# "if" that means "whether" after a verb of finding out ("let me check if the refund went through")
# asks; it sets no condition.
_WHETHER_EN = re.compile(r"\b(?:see|seeing|check|checking|ask|asking|know|wonder|find out|look|tell|sure|confirm)"
                         r"\s+if\b", re.IGNORECASE)
_OWN_CONDITION_EN = re.compile(
    r"\b(?:otherwise|or else)\b|\bor\s+(?:i|we)(?:'ll|\s+will|'d|\s+would|\s+shall)\b", re.IGNORECASE)
# A clause that opens with its condition (within its first words: "madam, and if it carries on")
# is the condition of what follows it in the sentence.
_CONDITION_OPENS_EN = re.compile(r"^\W*(?:[\w']+\W+){0,2}?(?:if|unless)" + _NOT_A_WISH, re.IGNORECASE)
# A condition added after the act, without a conjunction that would start a new point ("I'll end
# the call | if you keep swearing", not "..., | and if it continues I will end the call").
_CONDITION_FOLLOWS_EN = re.compile(r"^\W*(?:if|unless)" + _NOT_A_WISH, re.IGNORECASE)
# The clause splitter leaves a short "otherwise" / "or" at the end of the clause before the act; a
# bare "or" is a warning only before "I'll" / "we will"..., else it joins alternatives ("a refund or
# I can rebook you").
_LEADS_TO_CONSEQUENCE_EN = re.compile(r"\b(?:otherwise|or else)\W*$", re.IGNORECASE)
_OR_AT_END_EN = re.compile(r"\bor\W*$", re.IGNORECASE)
_OPENS_WITH_FUTURE_EN = re.compile(r"^\W*(?:i|we)(?:'ll|\s+will|'d|\s+would|\s+shall)\b", re.IGNORECASE)
_NOW_EN = re.compile(r"\bnow\b", re.IGNORECASE)

_WISH_ZH = r"(?:您|你)?(?:需要|愿意|想|希望|方便|同意)"
_CONDITION_ZH = re.compile(r"(?:如果|要是|假如|万一)(?!" + _WISH_ZH + r")")
_OWN_CONDITION_ZH = re.compile(r"否则|不然|要不然")
_CONDITION_OPENS_ZH = re.compile(r"^\W*(?:如果|要是|假如|万一)(?!" + _WISH_ZH + r")")
_LEADS_TO_CONSEQUENCE_ZH = re.compile(r"(?:否则|不然|要不然)\W*$")
_NOW_ZH = re.compile(r"现在|马上")


def _states_condition(text: str, language: str) -> bool:
    if language == "zh":
        return bool(_CONDITION_ZH.search(text) or _OWN_CONDITION_ZH.search(text))
    without_whether = _WHETHER_EN.sub(" ", text)
    return bool(_CONDITION_EN.search(without_whether) or _OWN_CONDITION_EN.search(text))


def _opens_with_condition(text: str, language: str) -> bool:
    if language == "zh":
        return bool(_CONDITION_OPENS_ZH.search(text))
    return bool(_CONDITION_OPENS_EN.search(_WHETHER_EN.sub(" whether", text)))


def _condition_follows(text: str, language: str) -> bool:
    pattern = _CONDITION_OPENS_ZH if language == "zh" else _CONDITION_FOLLOWS_EN
    return bool(pattern.search(text))


def _leads_to_consequence(text: str, language: str) -> bool:
    pattern = _LEADS_TO_CONSEQUENCE_ZH if language == "zh" else _LEADS_TO_CONSEQUENCE_EN
    return bool(pattern.search(text))


def _or_before_future(before: str, text: str, language: str) -> bool:
    return language != "zh" and bool(_OR_AT_END_EN.search(before) and _OPENS_WITH_FUTURE_EN.search(text))


def _says_now(text: str, language: str) -> bool:
    return bool((_NOW_ZH if language == "zh" else _NOW_EN).search(text))


def conditional_clauses(reply: str, clauses: Sequence[Span], language: str = "en") -> tuple[bool, ...]:
    """Per clause (character spans into ``reply``, in order): whether it says what would happen
    under a condition rather than what is being done."""
    sentences = sentence_spans_of(reply, language)

    def sentence_of(span: Span) -> int:
        return next((i for i, (start, end) in enumerate(sentences) if start <= span[0] < end), -1)

    texts = [reply[start:end] for start, end in clauses]
    sentence = [sentence_of(span) for span in clauses]
    flags = []
    for i, text in enumerate(texts):
        same_as_before = i > 0 and sentence[i - 1] == sentence[i]
        before = same_as_before and (_opens_with_condition(texts[i - 1], language)
                                     or _leads_to_consequence(texts[i - 1], language)
                                     or _or_before_future(texts[i - 1], text, language))
        after = i + 1 < len(texts) and sentence[i + 1] == sentence[i] \
            and _condition_follows(texts[i + 1], language) and not _says_now(text, language)
        own = _states_condition(text, language) and not _leads_to_consequence(text, language)
        flags.append(own or before or after)
    return tuple(flags)
