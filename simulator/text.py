"""Small text helpers shared by the analysers: normalisation and phrase search with positions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# Chinese, Japanese and Korean text has no spaces between words: each character becomes a token, so
# a phrase matches as a run of characters (the scenario format allows language: zh).
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})

STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is",
    "are", "was", "were", "be", "been", "am", "i", "you", "we", "it", "this", "that", "these", "those", "my", "your",
    "our", "me", "us", "he", "she", "they", "them", "his", "her", "their", "its", "do", "does", "did", "so", "just",
    "can", "could", "would", "should", "will", "shall", "may", "might", "must", "have", "has", "had", "not", "no",
    "yes", "please", "ok", "okay"
})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    return " ".join(_WORD.findall(_CJK.sub(r" \1 ", text)))


def words(text: str) -> list[str]:
    return normalise(text).split()


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS and (len(w) > 2 or _CJK.fullmatch(w))}


def find_phrase(text: str, phrase: str) -> str | None:
    """The phrase as it appears in ``text`` (whole words, case- and punctuation-insensitive)."""
    target = normalise(phrase)
    if not target:
        return None
    haystack = f" {normalise(text)} "
    if f" {target} " in haystack:
        return target
    return None


def text_after(text: str, phrase: str) -> str | None:
    """What follows the first whole-word occurrence of ``phrase`` in ``text`` (lower case, with its
    punctuation), or None where the phrase is absent; punctuation between the phrase's words is allowed."""
    tokens = normalise(phrase).split()
    if not tokens:
        return None
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(t) for t in tokens) + r"(?![^\W_])"
    found = re.search(pattern, unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower())
    return None if found is None else found.string[found.end():]


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\s*[;\n]\s*", text.strip())
    return [p for p in parts if p.strip()]


# Full-width punctuation that ends or separates Chinese clauses: no space goes around it either.
_CJK_PUNCTUATION = frozenset("，。！？；：、（）《》“”‘’…—")


def _joins_without_space(character: str) -> bool:
    return bool(_CJK.fullmatch(character)) or character in _CJK_PUNCTUATION


def join_words(texts: Iterable[str]) -> str:
    """Recognised words as one text: a space between words, none between Chinese (or Japanese) ones.

    Whisper's word timings split Mandarin into characters and short words; "广 州 市" is not how
    the text is written, and a space inside a phrase would also stop literal phrase matching.
    """
    joined = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if joined and not (_joins_without_space(joined[-1]) or _joins_without_space(text[0])):
            joined += " "
        joined += text
    return joined


def is_mostly_chinese(text: str) -> bool:
    """At least half the letters are Chinese characters: the turn was spoken in Mandarin.

    Tone and pace read the language from what was said, so a recording scored without its scenario
    is judged the same way as a call."""
    letters = [c for c in text if c.isalnum()]
    return bool(letters) and 2 * sum(bool(_CJK.fullmatch(c)) for c in letters) >= len(letters)
