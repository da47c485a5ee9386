"""Mandarin text as the G2P should read it: numbers in words, split at sentence ends.

Kokoro reads a whole line best (its own pauses at punctuation; on the tuning lines, sentences
rendered apart were heard worse, and comma-sized pieces worse still), but its input holds at most
510 phonemes, so only a longer line is cut, at sentence ends.  misaki's G2P reads Chinese
characters only: Arabic numbers become Chinese numerals first (digit by digit when they are codes:
a leading zero or five digits and more, as phone numbers, card tails and work numbers are read
aloud), amounts and dates by value, clock times as 点/分, a counting 2 as 两; acronyms are spelled
in the letter names Mandarin speakers use.  Tones as spoken: ``mandarin_g2p``.
"""

from __future__ import annotations

import re

from simulator.lazy import require

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_DIGIT_CODE = re.compile(r"(?<![\d.])(?:0\d+|\d{5,})(?![\d.])")
_DIGITS = "零一二三四五六七八九"
_HALF_WIDTH = str.maketrans({"!": "！", "?": "？", ";": "；", ",": "，"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:])")
_CURRENCY = re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)")
_ZERO_CENTS = re.compile(r"(?<=\d)\.0+(?=[元块])|(?<=\.\d)0+(?=[元块])")
# a lone 2 counting things is 两 (两个, 两天), as everyone says it; 2 in 12, 20 or 2.5 stays 二
_TWO_COUNTING = re.compile(r"(?<![\d.第])2(?=[个件台位次天张本条只种家辆块岁周年月点分]|小时|公斤)")
# English letters as Mandarin speakers name them (kept to acronyms such as ID or APP, which are
# spelled out; the G2P would otherwise read the letters as phoneme symbols)
LETTER_NAMES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        ("诶", "比", "西", "迪", "伊", "艾弗", "吉", "艾尺", "艾", "杰", "开", "艾勒", "艾姆",
                         "恩", "欧", "批", "丘", "阿尔", "艾斯", "提", "优", "维", "达布溜", "艾克斯", "歪", "贼德"),
                        strict=True))
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{1,6}(?![A-Za-z])")
# a code read digit by digit (an account, card or phone number): callers say it in groups
_CODE_RUN = re.compile(f"[{_DIGITS}幺]{{7,}}")
MOBILE_DIGITS = 11  # a mainland mobile number, said 3-4-4 (138 1234 5678)
GROUP_DIGITS = 4


def _clock(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes == 0:
        return f"{hours}点"
    return f"{hours}点{'0' if minutes < 10 else ''}{minutes}分"


def spoken_numbers(text: str) -> str:
    """``text`` with every Arabic number in Chinese words (codes digit by digit, clock times as
    点 and 分, a counting 2 as 两, others by value) and acronyms spelled in letter names."""
    text = _ACRONYM.sub(lambda match: "".join(LETTER_NAMES[c] for c in match.group()), text)
    text = _THOUSANDS.sub("", text)
    text = _ZERO_CENTS.sub("", _CURRENCY.sub(r"\1元", text))
    text = _CLOCK.sub(_clock, text)
    text = _DIGIT_CODE.sub(lambda match: "".join(_DIGITS[int(d)] for d in match.group()), text)
    text = _TWO_COUNTING.sub("两", text)
    if not re.search(r"\d", text):
        return text
    cn2an = require("cn2an", "cn2an==0.5.24", feature="reading numbers in the Mandarin voice")
    return str(cn2an.transform(text, "an2cn"))


def digit_groups(code: str) -> list[str]:
    """A long code as callers say it: a mobile number 3-4-4, others in fours with no one-digit
    group left at the end (4-3-2 for nine digits)."""
    if len(code) == MOBILE_DIGITS:
        return [code[:3], code[3:7], code[7:]]
    groups = [code[start:start + GROUP_DIGITS] for start in range(0, len(code), GROUP_DIGITS)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2][:-1], groups[-2][-1] + groups[-1]]
    return groups


def grouped_codes(text: str) -> str:
    """Codes of seven digits and more with a short pause (a comma) between their groups: read in
    one breath, Whisper lost the run's ends on the tuning line with an account number."""
    return _CODE_RUN.sub(lambda match: "，".join(digit_groups(match.group())), text)


def sentences(text: str) -> list[str]:
    """The line's sentences with numbers spelled out and long codes grouped, each ending on its
    punctuation (the G2P turns a question mark into a rising ending)."""
    text = grouped_codes(spoken_numbers(" ".join(text.split()).translate(_HALF_WIDTH)))
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]
