"""Word error rate, after normalising both texts the same way.

Normalisation: lower case; punctuation removed (apostrophes inside words kept: "don't");
hyphens split words ("forty-five" -> "forty five"); "%" -> "percent", "&" -> "and"; whole numbers
written as spoken ("10" -> "ten", "2,500" -> "two thousand five hundred", "3rd" -> "third").
Optionally fillers ("um", "uh"...) are dropped, for comparing against references that omit them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "mhm"})

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
             "nine": "ninth", "twelve": "twelfth"}


def number_words(value: int) -> str:
    """``2500`` -> ``"two thousand five hundred"`` (non-negative integers below 10**12)."""
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise ValueError(value)  # unreachable for value >= 0


def _ordinal_words(value: int) -> str:
    words = number_words(value).split()
    last = words[-1]
    if last in _ORDINALS:
        words[-1] = _ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def _spell_number(match: re.Match) -> str:
    digits = match.group(1).replace(",", "")
    if len(digits) > 12:
        return " ".join(_ONES[int(d)] for d in digits)
    value = int(digits)
    return f" {_ordinal_words(value) if match.group(2) else number_words(value)} "


_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)?(?![\w])")


def normalise(text: str, *, drop_fillers: bool = False) -> list[str]:
    """The words of ``text`` after normalisation (see the module docstring)."""
    text = text.lower().replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"(\d+)\.(\d+)", lambda m: f"{m.group(1)} point {' '.join(_ONES[int(d)] for d in m.group(2))}", text)
    text = _NUMBER.sub(_spell_number, text)
    text = re.sub(r"\d", lambda m: f" {_ONES[int(m.group())]} ", text)
    text = re.sub(r"[‘’`]", "'", text)
    text = re.sub(r"[^\w\s']|_", " ", text)  # punctuation and hyphens become word breaks
    words = [w.strip("'") for w in text.split()]
    return [w for w in words if w and not (drop_fillers and w in FILLERS)]


@dataclass(frozen=True, slots=True)
class WordErrors:
    """Edit-distance counts between a reference and a hypothesis (in words)."""

    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """Errors per reference word; an empty reference scores 0 if the hypothesis is empty, else 1 per word."""
        if self.reference_words == 0:
            return float(self.insertions)
        return self.errors / self.reference_words

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(self.substitutions + other.substitutions, self.deletions + other.deletions,
                          self.insertions + other.insertions, self.reference_words + other.reference_words)


def word_errors(reference: str, hypothesis: str, *, drop_fillers: bool = False) -> WordErrors:
    return _edit_counts(normalise(reference, drop_fillers=drop_fillers),
                        normalise(hypothesis, drop_fillers=drop_fillers))


def _edit_counts(ref: list[str], hyp: list[str]) -> WordErrors:
    """Levenshtein over tokens; each cell holds (cost, substitutions, deletions, insertions)."""
    previous = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i, ref_word in enumerate(ref, start=1):
        current = [(i, 0, i, 0)]
        for j, hyp_word in enumerate(hyp, start=1):
            diagonal = previous[j - 1]
            if ref_word == hyp_word:
                best = diagonal
            else:
                sub = (diagonal[0] + 1, diagonal[1] + 1, diagonal[2], diagonal[3])
                dele = (previous[j][0] + 1, previous[j][1], previous[j][2] + 1, previous[j][3])
                ins = (current[j - 1][0] + 1, current[j - 1][1], current[j - 1][2], current[j - 1][3] + 1)
                best = min(sub, dele, ins)
            current.append(best)
        previous = current
    _cost, substituted, deleted, inserted = previous[-1]
    return WordErrors(substituted, deleted, inserted, len(ref))


def characters(text: str) -> list[str]:
    """The characters CER counts: letters and digits after NFKC (full-width forms folded), no punctuation or space."""
    return [c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum()]


def character_errors(reference: str, hypothesis: str) -> WordErrors:
    """Edit counts over characters, the usual measure for Chinese (which has no spaces between words).

    ``WordErrors.wer`` of the result is the character error rate; ``reference_words`` counts characters.
    """
    return _edit_counts(characters(reference), characters(hypothesis))


def corpus_cer(pairs: Iterable[tuple[str, str]]) -> WordErrors:
    """Summed character errors over (reference, hypothesis) pairs."""
    total = WordErrors(0, 0, 0, 0)
    for reference, hypothesis in pairs:
        total = total + character_errors(reference, hypothesis)
    return total


def wer(reference: str, hypothesis: str, *, drop_fillers: bool = False) -> float:
    """Word error rate of one hypothesis against one reference (0.0 = identical after normalising)."""
    return word_errors(reference, hypothesis, drop_fillers=drop_fillers).wer


def corpus_wer(pairs: Iterable[tuple[str, str]], *, drop_fillers: bool = False) -> WordErrors:
    """Summed errors over (reference, hypothesis) pairs: total errors / total reference words."""
    total = WordErrors(0, 0, 0, 0)
    for reference, hypothesis in pairs:
        total = total + word_errors(reference, hypothesis, drop_fillers=drop_fillers)
    return total
