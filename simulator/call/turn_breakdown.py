"""Where a voiced turn's latency goes, from the end of the trainee's speech to the customer's answer playing.

The trainee waits through two clocks: the endpointer's (samples of the capture stream: how long
after the last speech the pause and the end of the turn were heard) and the app's (wall clock,
``time.monotonic``: Whisper, the analysis and engine, the line).  ``TurnClock`` collects the wall
times as a turn goes; ``TurnBreakdown`` is one finished turn, logged as one line that
``callsim bench latency`` reads back (``parse_breakdowns``) and summarises per stage.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass

PREFIX = "breakdown"


@dataclass(frozen=True, slots=True)
class DecodeTimes:
    """One Whisper pass on the ASR thread (wall clock)."""

    started: float
    finished: float


@dataclass(frozen=True, slots=True)
class TurnBreakdown:
    """One trainee turn to the customer's answer; seconds.  Stream-time stages first, then wall clock."""

    pause_heard_s: float  # stream: last speech -> the VAD hears the pause (the early Whisper pass is queued)
    turn_end_heard_s: float  # stream: last speech -> the end-of-turn silence is complete
    early: bool  # the transcript came from the pass queued at the pause (else one queued at the turn's end)
    decode_queued_s: float  # wall: pass queued -> Whisper starts (waiting behind another pass)
    decode_s: float  # wall: Whisper's pass (VAD gate, features, encoder, decoder)
    decode_done_after_turn_end_s: float  # wall: > 0 the turn's end waited for Whisper, < 0 Whisper was first
    turn_end_to_transcript_s: float  # wall: the call thread has the end of the turn -> has the words
    reply_ready_s: float  # wall: words -> reply handed to the session (WAV saved, analyser loaded)
    analysis_and_engine_s: float  # wall: reply -> the customer's answer chosen (analysis, dialogue engine)
    line_ready_s: float  # wall: answer chosen -> its audio in hand (cache or render)
    start_playing_s: float  # wall: audio in hand -> handed to the output stream

    @property
    def turn_end_to_playing_s(self) -> float:
        """Wall clock from the call thread seeing the turn end to the answer handed to the device."""
        return (self.turn_end_to_transcript_s + self.reply_ready_s + self.analysis_and_engine_s
                + self.line_ready_s + self.start_playing_s)

    def log_line(self, turn_index: int) -> str:
        values = " ".join(f"{field.name}={_value(getattr(self, field.name))}" for field in dataclasses.fields(self))
        return f"{PREFIX} turn {turn_index}: {values} turn_end_to_playing_s={self.turn_end_to_playing_s:.3f}"


def _value(value: float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:.3f}"


class TurnClock:
    """The wall-clock marks of the turn being answered; filled on the call thread."""

    def __init__(self) -> None:
        self.pause_heard_s = 0.0
        self.turn_end_heard_s = 0.0
        self.early = False
        self.queued: float | None = None
        self.decode: DecodeTimes | None = None
        self.turn_ended: float | None = None
        self.transcript: float | None = None
        self.reply: float | None = None

    @staticmethod
    def now() -> float:
        return time.monotonic()

    def finish(self, speak_called: float, line_ready: float, playing: float) -> TurnBreakdown | None:
        """The breakdown once the answer plays; None if a mark is missing (a silence turn, a failed decode)."""
        if None in (self.queued, self.decode, self.turn_ended, self.transcript, self.reply):
            return None
        assert self.queued is not None and self.decode is not None and self.turn_ended is not None
        assert self.transcript is not None and self.reply is not None
        return TurnBreakdown(
            pause_heard_s=round(self.pause_heard_s, 3), turn_end_heard_s=round(self.turn_end_heard_s, 3),
            early=self.early,
            decode_queued_s=round(self.decode.started - self.queued, 3),
            decode_s=round(self.decode.finished - self.decode.started, 3),
            decode_done_after_turn_end_s=round(self.decode.finished - self.turn_ended, 3),
            turn_end_to_transcript_s=round(self.transcript - self.turn_ended, 3),
            reply_ready_s=round(self.reply - self.transcript, 3),
            analysis_and_engine_s=round(speak_called - self.reply, 3),
            line_ready_s=round(line_ready - speak_called, 3),
            start_playing_s=round(playing - line_ready, 3))


_FIELD = re.compile(r"(\w+)=(true|false|-?\d+(?:\.\d+)?)")


def parse_breakdowns(log_text: str) -> list[dict[str, float]]:
    """The breakdown lines of a voice log, as ``{stage: seconds}`` (``early`` as 1.0 / 0.0)."""
    found = []
    for line in log_text.splitlines():
        _, marker, rest = line.partition(f"{PREFIX} turn ")
        if not marker:
            continue
        found.append({name: 1.0 if value == "true" else 0.0 if value == "false" else float(value)
                      for name, value in _FIELD.findall(rest)})
    return found
