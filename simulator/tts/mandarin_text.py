"""Mandarin text as the G2P should read it: numbers in words, split at sentence ends.

Kokoro reads a whole line best (its own pauses at punctuation; on the tuning lines, sentences
rendered apart were heard worse, and comma-sized pieces worse still), but its input holds at most
510 phonemes, so only a longer line is cut, at sentence ends.  misaki's G2P reads Chinese
characters only: Arabic numbers become Chinese numerals first (digit by digit when they are codes:
a leading zero or five digits and more, as phone numbers, card tails and work numbers are read
aloud), amounts and dates by value.
"""

from __future__ import annotations

import re

from simulator.lazy import require

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_DIGIT_CODE = re.compile(r"(?<![\d.])(?:0\d+|\d{5,})(?![\d.])")
_DIGITS = "零一二三四五六七八九"
_HALF_WIDTH = str.maketrans({"!": "！", "?": "？", ";": "；", ",": "，"})


def spoken_numbers(text: str) -> str:
    """``text`` with every Arabic number in Chinese words (codes digit by digit, others by value)."""
    text = _DIGIT_CODE.sub(lambda match: "".join(_DIGITS[int(d)] for d in match.group()), text)
    if not re.search(r"\d", text):
        return text
    cn2an = require("cn2an", "cn2an==0.5.24", feature="reading numbers in the Mandarin voice")
    return str(cn2an.transform(text, "an2cn"))


def sentences(text: str) -> list[str]:
    """The line's sentences with numbers spelled out, each ending on its punctuation (the G2P turns
    a question mark into a rising ending)."""
    text = spoken_numbers(" ".join(text.split()).translate(_HALF_WIDTH))
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]
