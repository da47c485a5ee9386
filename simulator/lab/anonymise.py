"""Take names, numbers and emails out of text before a call leaves the store (case exports, meeting
playlists).  The store keeps the original: this works on copies of the text only.

Names come from the people roster and the scenario (its customer), so the anonymiser knows whom to
hide rather than guessing at every capitalised word: a full name is replaced wherever it appears,
in any case; a one-word name, or one part of a name ("Maria" of "Maria Lopez"), only where it is
written capitalised, so a first name that is also a word ("Will", "Grace") leaves the lower-case
word alone.

Numbers: any run of four or more digits, optionally split by spaces, hyphens or brackets (card,
account, phone, sort code, date-of-birth digits), and four or more spoken digits in a row ("four
five six seven", as speech recognition sometimes writes a number read out).  Shorter numbers
("3 working days", "£45.99") stay: they carry the call's meaning and identify no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NUMBER_MARK = "[number]"
EMAIL_MARK = "[email]"
MIN_DIGITS = 4
MIN_NAME_PART_CHARS = 2

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A digit, then at least three more, each optionally after one separator; a leading + or ( is kept in.
_DIGITS = re.compile(r"(?<![\w])[+(]?\d(?:[ \-()]{0,2}\d){" + str(MIN_DIGITS - 1) + r",}(?![\w])")
_SPOKEN = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_SPOKEN_DIGITS = re.compile(rf"\b{_SPOKEN}(?:[ ,-]+{_SPOKEN}){{{MIN_DIGITS - 1},}}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Anonymiser:
    """Replaces each known name with its label (``{"Ana Silva": "Trainee A"}``), and numbers and emails."""

    labels: Mapping[str, str]

    def __call__(self, text: str) -> str:
        text = _EMAIL.sub(EMAIL_MARK, text)
        text = _SPOKEN_DIGITS.sub(NUMBER_MARK, text)
        text = _DIGITS.sub(NUMBER_MARK, text)
        names, labels = self._names()
        # one pass over the text, so a label put in ("Trainee A") is never itself taken for a name ("Trainee")
        return names.sub(lambda match: labels[(match.lastindex or 1) - 1], text) if labels else text

    def _names(self) -> tuple[re.Pattern[str], list[str]]:
        """One pattern with a group per name, tried longest first; the labels in the same order."""
        whole: dict[str, str] = {}
        parts: dict[str, str] = {}
        for name, label in self.labels.items():
            words = name.split()
            if len(words) > 1:
                whole.setdefault(" ".join(words), label)
            for word in words:
                if len(word) >= MIN_NAME_PART_CHARS:
                    parts.setdefault(word[0].upper() + word[1:], label)  # a shared part goes to the first named
        alternatives = [(r"(?i:" + r"\s+".join(map(re.escape, name.split())) + ")", label)
                        for name, label in sorted(whole.items(), key=lambda item: -len(item[0]))]
        alternatives += [(re.escape(word), label)
                         for word, label in sorted(parts.items(), key=lambda item: -len(item[0]))]
        pattern = "|".join(f"(?<!\\w)({regex})(?!\\w)" for regex, _ in alternatives)
        return re.compile(pattern or "(?!)"), [label for _, label in alternatives]


def letter_labels(names: Iterable[str], prefix: str) -> dict[str, str]:
    """Each distinct name a label in the order first met: Trainee A, Trainee B, ... Trainee AA."""
    labels: dict[str, str] = {}
    for name in names:
        if name and name not in labels:
            labels[name] = f"{prefix} {_letters(len(labels))}"
    return labels


def _letters(number: int) -> str:
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text
