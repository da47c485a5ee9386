"""Response delay and dead air of an outside recording, from both channels.

A contact-centre analyst's *dead air* is a silence on the line that the agent owes: the customer
has finished and nobody speaks.  So an agent turn has a response delay only when the turn right
before it is the customer's, and the delay runs from the last moment *anyone* was speaking (the
customer's last word, or a backchannel of either side) to the agent's first word.  A pause between
two of the agent's own turns (an announced hold, reading out a record) is the agent's floor, not a
wait for an answer; the customer's own pauses are theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from simulator.contracts import Speaker


class _Timed(Protocol):
    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...


class _Turn(_Timed, Protocol):
    @property
    def speaker(self) -> Speaker: ...


def last_speech_before(at_s: float, spans: Sequence[_Timed]) -> float | None:
    """When the latest stretch of speech that started before ``at_s`` ended (capped at ``at_s``)."""
    ends = [min(span.end_s, at_s) for span in spans if span.start_s < at_s]
    return max(ends) if ends else None


def response_delay_s(turn: _Turn, previous: _Turn | None, all_spans: Sequence[_Timed]) -> float | None:
    """Silence before an agent turn that answers the customer; None when it does not answer one
    (the first turn of the call, or the agent continuing after their own pause)."""
    if previous is None or previous.speaker != Speaker.CUSTOMER:
        return None
    silent_from = last_speech_before(turn.start_s, all_spans)
    if silent_from is None:
        return None
    return round(max(0.0, turn.start_s - silent_from), 2)
