"""A clause of a reply: what the English and the Mandarin splitters both return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    start: int  # character offsets into the reply
    end: int
    sentence: int  # index of the sentence it belongs to


Span = tuple[int, int]  # character offsets into the reply


def merge_short_spans(spans: list[Span], size: Callable[[Span], int], minimum: int, *,
                      empty_leads_on: bool = False) -> list[Span]:
    """Spans whose ``size`` is below ``minimum`` join a neighbour: the next one while nothing longer
    came before them in the sentence, else the previous one.  With ``empty_leads_on`` a span of size
    0 (fillers alone) always leads into the next one instead."""
    merged: list[Span] = []
    pending: Span | None = None  # leading short spans waiting for the next piece
    for span in spans:
        if pending is not None:
            span = (pending[0], span[1])
            pending = None
        measured = size(span)
        if measured >= minimum:
            merged.append(span)
        elif merged and (measured > 0 or not empty_leads_on):
            merged[-1] = (merged[-1][0], span[1])
        else:
            pending = span
    if pending is not None:
        merged.append(pending)
    return merged
