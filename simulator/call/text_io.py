"""Typed replies for text-mode calls: from the keyboard or from a reply file.

Reply files hold one trainee reply per line.  Blank lines and lines starting with ``#`` are
skipped, and ``/hangup`` ends the call there, as typed.  Two markers stand for what typing cannot show:

    [silence]            the trainee said nothing (dead air); optional seconds: [silence 8]
    [interrupt] words    the trainee talked over the customer's line
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from simulator.call.session import SpokenLine, TraineeReply
from simulator.contracts import CustomerTurn, Transcript

_SILENCE = re.compile(r"^\[silence(?:\s+(\d+(?:\.\d+)?))?\]$", re.IGNORECASE)
_INTERRUPT = re.compile(r"^\[interrupt\]\s*", re.IGNORECASE)
DEFAULT_SILENCE_S = 6.0
MAX_REPLY_CHARS = 2000
# A reply file is a few hundred lines; a device or a runaway file (--replies /dev/zero) was read whole
# until the machine ran out of memory.
MAX_REPLY_FILE_BYTES = 4 * 1024 * 1024
HANG_UP_COMMANDS = frozenset({"/hangup", "/quit", "/exit"})


@dataclass(frozen=True, slots=True)
class ParsedReply:
    text: str
    silence: bool = False
    silence_s: float = 0.0
    interrupted: bool = False

    def to_reply(self) -> TraineeReply:
        return TraineeReply(Transcript(self.text), silence=self.silence, silence_s=self.silence_s,
                            interrupted_customer=self.interrupted)


def parse_reply(line: str) -> ParsedReply:
    line = line.strip()[:MAX_REPLY_CHARS]
    silence = _SILENCE.match(line)
    if silence or not line:
        seconds = float(silence.group(1)) if silence and silence.group(1) else DEFAULT_SILENCE_S
        return ParsedReply("", silence=True, silence_s=seconds)
    if _INTERRUPT.match(line):
        return ParsedReply(_INTERRUPT.sub("", line), interrupted=True)
    return ParsedReply(line)


def reply_lines(path: Path) -> list[str]:
    """The reply lines of a reply file: blank lines and ``#`` comments skipped, none after ``/hangup``.
    A ``[silence ...]`` marker written wrongly is an error naming its line, not words said to the customer."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_REPLY_FILE_BYTES + 1)
    if len(data) > MAX_REPLY_FILE_BYTES:
        raise ValueError(f"{path}: more than {MAX_REPLY_FILE_BYTES // 2**20} MB, which is no reply file "
                         "(one trainee reply a line)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; save the reply file as UTF-8") from None
    kept = []
    for number, line in enumerate(text.splitlines(), start=1):
        said = line.strip()
        if not said or said.startswith("#"):
            continue
        if said.lower() in HANG_UP_COMMANDS:
            break
        if said.lower().startswith("[silence") and not _SILENCE.match(said):
            raise ValueError(f"{path}:{number}: {said!r} is not a silence marker; write [silence] or "
                             "[silence 8] (seconds)")
        kept.append(line)
    return kept


def read_reply_file(path: Path) -> list[ParsedReply]:
    return [parse_reply(line) for line in reply_lines(path)]


class ScriptedReplies:
    """Replies from a list; the call ends (trainee hangs up) when they run out."""

    def __init__(self, replies: Iterable[ParsedReply]):
        self._replies = list(replies)
        self._next = 0

    @property
    def remaining(self) -> int:
        return len(self._replies) - self._next

    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        if self._next >= len(self._replies):
            return None
        reply = self._replies[self._next]
        self._next += 1
        return reply.to_reply()


def read_answer(read_line: Callable[[str], str], prompt: str) -> str | None:
    """One line typed at ``prompt``, or ``None`` when input ends there (Ctrl-D, Ctrl-C)."""
    try:
        return read_line(prompt)
    except (EOFError, KeyboardInterrupt):
        return None
    except RuntimeError:  # input() with standard input closed (``<&-``): input has ended too
        return None


def read_typed_line(read_line: Callable[[str], str]) -> str | None:
    """One line typed at the prompt, or ``None`` when the trainee hangs up (Ctrl-D, Ctrl-C, /hangup)."""
    line = read_answer(read_line, "you> ")
    return None if line is None or line.strip().lower() in HANG_UP_COMMANDS else line


CARD_COMMANDS = frozenset({"/cards", "/card"})
CARDS_UNAVAILABLE = "Knowledge cards are not available in this call."
CardsOpener = Callable[[int], str]  # trainee turns answered so far -> what to show (the cards or why not)


class TypedReplies:
    """Replies typed at a prompt; end of input (Ctrl-D) or ``/hangup`` ends the call.  ``/cards`` is
    not a reply: it asks ``open_cards`` (``simulator.call.cards_desk``) and shows its answer."""

    def __init__(self, read_line: Callable[[str], str] = input, *, open_cards: CardsOpener | None = None,
                 show: Callable[[str], None] = print):
        self._read_line = read_line
        self._open_cards = open_cards
        self._show = show
        self._answered = 0

    def next_reply(self, customer: CustomerTurn, spoken: SpokenLine, turn_index: int) -> TraineeReply | None:
        while True:
            line = read_typed_line(self._read_line)
            if line is None:
                return None
            if line.strip().lower() not in CARD_COMMANDS:
                self._answered += 1
                return parse_reply(line).to_reply()
            self._show(self._open_cards(self._answered) if self._open_cards else CARDS_UNAVAILABLE)


class SilentVoice:
    """Text mode: the customer's line is shown, not spoken."""

    def speak(self, turn: CustomerTurn, turn_index: int) -> SpokenLine:
        return SpokenLine()
