"""Mandarin phonemes for Kokoro, with the tone changes speakers make (tone sandhi).

misaki's Chinese G2P for Kokoro v1.0 (``ZHG2P()``, its "legacy" path) reads each jieba word's
dictionary tones from pypinyin and stops there: 你好 is read ni3 hao3, 一下 yi1 xia4, 不对 as the
dictionary has it.  Nobody says that, and Whisper hears the citation tones as other words.  Here the
same segmentation and dictionary tones go through the three sandhi rules of standard Mandarin
before misaki's own pinyin-to-IPA tables turn them into Kokoro's symbols:

- third tone before third tone becomes second (你好 ni2 hao3; a run: all but the last), within a
  phrase between punctuation marks;
- 不 before a fourth tone becomes second (不对 bu2 dui4);
- 一 before a fourth tone becomes second, before another tone fourth (一下 yi2 xia4, 一天 yi4 tian1),
  but stays first as a number: after or before another numeral (十一, 零二一八), after 第, or
  ending its phrase.  Service lines read it yao1 (幺) in phone and account numbers; Whisper then
  misheard the two tuning lines with codes worse (19 wrong characters against 15: docs/voice.md),
  so the customer says yi1.
- 喂 alone (hello? on the telephone) is wéi, not the dictionary's wèi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.lazy import require

FEATURE = "the Mandarin customer voice"
G2P_PACKAGE = "misaki[zh]==0.9.4"
NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True, slots=True)
class Syllable:
    char: str
    pinyin: str  # tone3 style with 5 for the neutral tone, e.g. "hao3", "ma5"

    @property
    def tone(self) -> int:
        return int(self.pinyin[-1]) if self.pinyin[-1:].isdigit() else 5

    def with_tone(self, tone: int) -> Syllable:
        base = self.pinyin[:-1] if self.pinyin[-1:].isdigit() else self.pinyin
        return Syllable(self.char, f"{base}{tone}")


def sandhi(phrase: list[Syllable]) -> list[Syllable]:
    """``phrase`` (one stretch between punctuation marks) with the tones as spoken."""
    out = list(phrase)
    # hello? on the telephone is wéi, not the dictionary's wèi (which Whisper writes 为)
    if "".join(s.char for s in phrase) == "喂":
        return [phrase[0].with_tone(2)]
    for i, syllable in enumerate(out):
        after = out[i + 1] if i + 1 < len(out) else None
        if syllable.char == "一" and syllable.pinyin.startswith("yi"):
            out[i] = _yi(out, i)
        elif syllable.char == "不" and after is not None and after.tone == 4:
            out[i] = syllable.with_tone(2)
    # a run of third tones: all but the last rise (wo2 xiang2 mai3), judged on the dictionary tones
    for i in range(len(out) - 1):
        if phrase[i].tone == 3 and phrase[i + 1].tone == 3:
            out[i] = out[i].with_tone(2)
    return out


def _yi(out: list[Syllable], i: int) -> Syllable:
    syllable = out[i]
    before = out[i - 1].char if i > 0 else ""
    after = out[i + 1] if i + 1 < len(out) else None
    if after is None or before in NUMERALS or before == "第" or after.char in NUMERALS:
        return syllable.with_tone(1)
    return syllable.with_tone(2 if after.tone == 4 else 4)


class MandarinG2P:
    """Text (numbers already in words) to Kokoro's phoneme string, word by word as misaki does."""

    def __init__(self) -> None:
        self._jieba = require("jieba", G2P_PACKAGE, feature=FEATURE)
        pypinyin = require("pypinyin", G2P_PACKAGE, feature=FEATURE)
        misaki_zh = require("misaki.zh", G2P_PACKAGE, feature=FEATURE)
        self._pinyin = pypinyin.lazy_pinyin
        self._style = pypinyin.Style.TONE3
        self._to_ipa = misaki_zh.ZHG2P.py2ipa
        self._punctuation = misaki_zh.ZHG2P.map_punctuation

    def pinyin(self, text: str) -> list[list[list[Syllable]]]:
        """Per stretch of Chinese characters, its words, each a list of syllables, tones as spoken."""
        stretches = []
        for match in _HAN.finditer(text):
            words = [w for w in self._jieba.lcut(match.group(), cut_all=False) if w]
            syllables = [Syllable(c, p) for w in words
                         for c, p in zip(w, self._pinyin(w, style=self._style, neutral_tone_with_five=True),
                                         strict=False)]
            spoken = iter(sandhi(syllables))
            stretches.append([[next(spoken) for _ in word] for word in words])
        return stretches

    def __call__(self, text: str) -> str:
        text = self._punctuation(text)
        out: list[str] = []
        stretches = iter(self.pinyin(text))
        last = 0
        for match in _HAN.finditer(text):
            out.append(text[last:match.start()])
            words = next(stretches)
            out.append(" ".join("".join(self._to_ipa(s.pinyin) for s in word) for word in words))
            last = match.end()
        out.append(text[last:])
        return "".join(out).replace(chr(815), "")
