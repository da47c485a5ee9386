"""A clause of a reply: what the English and the Mandarin splitters both return."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    start: int  # character offsets into the reply
    end: int
    sentence: int  # index of the sentence it belongs to
