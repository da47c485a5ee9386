"""A reply read clause by clause.

One clause usually does one job ("I'm so sorry about that, | let me pull up your account"), so the
behaviour model judges clauses, and evidence quotes the clause that did it.  Sentences end at
. ! ? ; and line breaks; inside a sentence a clause starts at a comma or a discourse word that
opens a new job ("but", "so", "and I'll", "let me", "can I"...).  Speech-recogniser text has no
punctuation at all, so there the discourse words alone split it.  Fragments shorter than
``MIN_WORDS`` words join their neighbour: "Okay," on its own means nothing.  Mandarin replies
(``language="zh"``) are split by ``clauses_zh``.
"""

from __future__ import annotations

import re

from simulator.analysis.behaviour.clause import Clause, merge_short_spans
from simulator.analysis.behaviour.clauses_zh import sentence_spans, split_clauses_zh

MIN_WORDS = 3

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*[;\n]\s*")
# Where a new job may start inside a sentence: after a comma or a dash, or before a discourse word.
_OPENERS = (
    r"but", r"so", r"and then", r"and i'll", r"and i will", r"and we'll", r"and we will", r"and i'm going to",
    r"and i can", r"and i've", r"and if", r"and is there", r"and can i", r"and could you", r"although",
    r"however", r"because", r"let me", r"i'll", r"i will", r"i'm going to", r"what i'll do", r"what i can do",
    r"can i", r"could i", r"could you", r"can you", r"would you", r"is there", r"if you", r"please",
    r"thank you", r"thanks", r"okay", r"ok", r"right", r"alright", r"now",
)
_COMMA_SPLIT = re.compile(r"(?<=[,\u2014\u2013])\s+|\s+-\s+")
_OPENER_SPLIT = re.compile(r"\s+(?=(?:" + "|".join(_OPENERS) + r")\b)", re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str], offset: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in pattern.finditer(text):
        if match.start() > start:
            spans.append((offset + start, offset + match.start()))
        start = match.end()
    if start < len(text):
        spans.append((offset + start, offset + len(text)))
    return spans


# Words that carry no job on their own: "Okay, right, so" is not a clause.
_FILLERS = frozenset(["okay", "ok", "right", "so", "well", "um", "uh", "erm", "er", "oh", "yeah", "yes", "alright",
                      "and", "but"])


def _word_count(reply: str, span: tuple[int, int]) -> int:
    return sum(word.strip(",.!?-").lower() not in _FILLERS for word in reply[span[0]:span[1]].split())


def _merge_short(reply: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Short fragments join a neighbour: the next one while nothing longer came before them in the
    sentence ("Okay, right, so | can I take..." reads as one), else the previous one."""
    return merge_short_spans(spans, lambda span: _word_count(reply, span), MIN_WORDS)


def split_clauses(reply: str, language: str = "en") -> list[Clause]:
    """The reply's clauses in order, each with its place in the reply."""
    if language == "zh":
        return split_clauses_zh(reply)
    clauses: list[Clause] = []
    sentences = _spans(reply, _SENTENCE_END, 0)
    for sentence_index, (s_start, s_end) in enumerate(sentences):
        sentence = reply[s_start:s_end]
        pieces: list[tuple[int, int]] = []
        for c_start, c_end in _spans(sentence, _COMMA_SPLIT, s_start):
            pieces.extend(_spans(reply[c_start:c_end], _OPENER_SPLIT, c_start))
        for start, end in _merge_short(reply, pieces):
            text = reply[start:end].strip(" ,\u2014\u2013-")
            if text:
                clauses.append(Clause(text, start, end, sentence_index))
    return clauses


def sentence_spans_of(reply: str, language: str = "en") -> list[tuple[int, int]]:
    """Where the reply's sentences start and end (character offsets)."""
    return sentence_spans(reply) if language == "zh" else _spans(reply, _SENTENCE_END, 0)


def sentences_of(reply: str, language: str = "en") -> list[str]:
    """The reply's sentences (the wider windows a clause sits in)."""
    return [reply[a:b].strip() for a, b in sentence_spans_of(reply, language) if reply[a:b].strip()]
