"""Response delay and dead air of an outside recording, from both channels.

A contact-centre analyst's *dead air* is a silence on the line that the agent owes: the customer
has finished and nobody speaks.  So an agent turn has a response delay only when the turn right
before it is the customer's, and the delay runs from the last moment *anyone* was speaking (the
customer's last word, or a backchannel of either side) to the agent's first word.  A pause between
two of the agent's own turns (an announced hold, reading out a record) is the agent's floor, not a
wait for an answer; the customer's own pauses are theirs.

The turns come from a VAD, which misses short sounds; with the line's sounds
(``simulator.qa.line_sound``) the silence the VAD leaves is read again: on two channels the
customer's sounds in it extend their turn and the agent's first sound is the answer; on one channel
holding both voices a sound belongs to neither for sure, so the wait is the longest silence in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simulator.contracts import Speaker


class HasBounds(Protocol):
    """Anything with a start and an end on the call clock: a VAD span, a turn, a sound."""

    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...


class _Turn(HasBounds, Protocol):
    @property
    def speaker(self) -> Speaker: ...


def last_speech_before(at_s: float, spans: Sequence[HasBounds]) -> float | None:
    """When the latest stretch of speech that started before ``at_s`` ended (capped at ``at_s``)."""
    ends = [min(span.end_s, at_s) for span in spans if span.start_s < at_s]
    return max(ends) if ends else None


@dataclass(frozen=True, slots=True)
class LineSounds:
    """Sounds heard on the line (``simulator.qa.line_sound.sounds``): the agent's channel and the
    customer's, or one channel holding both voices (``customer`` None)."""

    agent: Sequence[HasBounds]
    customer: Sequence[HasBounds] | None = None


@dataclass(frozen=True, slots=True)
class Wait:
    """The silence before an agent's answer: when it began and how long it lasted."""

    from_s: float
    delay_s: float

    @property
    def until_s(self) -> float:
        """When the silence ended: the answer, or the sound that broke it."""
        return self.from_s + self.delay_s


def response_wait(turn: _Turn, previous: _Turn | None, all_spans: Sequence[HasBounds],
                  line: LineSounds | None = None) -> Wait | None:
    """The silence before an agent turn that answers the customer; None when it does not answer one
    (the first turn of the call, or the agent continuing after their own pause)."""
    if previous is None or previous.speaker != Speaker.CUSTOMER:
        return None
    silent_from = last_speech_before(turn.start_s, all_spans)
    if silent_from is None:
        return None
    if line is None or silent_from >= turn.start_s:
        return Wait(round(silent_from, 2), round(max(0.0, turn.start_s - silent_from), 2))
    if line.customer is None:
        return _longest_silence(silent_from, turn.start_s, line.agent)
    answered = min((s.start_s for s in line.agent if silent_from < s.start_s < turn.start_s), default=turn.start_s)
    # whatever sounded across the VAD's end, or after it from the customer, kept the line busy
    busy_until = max((min(s.end_s, answered) for s in [*line.agent, *line.customer]
                      if s.start_s < answered and s.end_s > silent_from), default=silent_from)
    waited_from = max(silent_from, busy_until)
    return Wait(round(waited_from, 2), round(max(0.0, answered - waited_from), 2))


# Words that tell the caller the silence to come is the agent at work ("one moment", "let me check"):
# a silence after them is an announced hold, not dead air.  A few explainable cues, both languages.
HOLD_CUES = ("one moment", "one second", "just a moment", "just a second", "give me a moment", "give me a second",
             "bear with me", "hold on", "please hold", "on hold", "let me check", "let me look", "let me see",
             "let me just", "let me pull", "稍等", "请等一下", "等一下", "我查一下", "我看一下", "我帮您查")


def announces_hold(text: str) -> bool:
    said = " ".join(text.lower().split())
    return any(cue in said for cue in HOLD_CUES)


def unexplained_silence(turn: _Turn, previous: _Turn | None, previous_text: str, line: LineSounds,
                        answered_at_s: float | None = None) -> Wait | None:
    """The longest silence on the line inside the agent's floor before this turn, when no hold was
    announced; None when the agent did not hold the floor.  The floor is the agent's from their
    previous turn (``previous_text``: its words, checked for a hold), or from ``answered_at_s``, a
    sound of theirs before this turn that answered the customer (an "okay" the VAD made no turn of)."""
    if turn.speaker != Speaker.TRAINEE or previous is None:
        return None
    if previous.speaker == Speaker.TRAINEE:
        if announces_hold(previous_text):
            return None
        floor_from = previous.end_s
    elif answered_at_s is not None and answered_at_s < turn.start_s:
        floor_from = answered_at_s
    else:
        return None
    return _longest_silence(floor_from, turn.start_s, [*line.agent, *(line.customer or ())])


def _longest_silence(from_s: float, to_s: float, sounds: Sequence[HasBounds]) -> Wait:
    inside = sorted((max(s.start_s, from_s), min(s.end_s, to_s)) for s in sounds
                    if s.start_s < to_s and s.end_s > from_s)
    longest = Wait(round(from_s, 2), 0.0)
    quiet_from = from_s
    for start, end in [*inside, (to_s, to_s)]:
        if start - quiet_from > longest.delay_s:
            longest = Wait(round(quiet_from, 2), round(start - quiet_from, 2))
        quiet_from = max(quiet_from, end)
    return longest
