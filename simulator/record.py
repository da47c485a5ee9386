"""The call record: every turn of a call, written to disk as it happens.

A call folder holds ``call.jsonl`` (one header line, one line per turn, one end line) and the
turns' WAV files.  Each line is flushed and fsynced when written, so a crash, a pulled headset or
a killed process keeps every finished turn; ``read_call`` accepts a file whose last line was cut.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import TypeAdapter, ValidationError

from simulator.contracts import CustomerTurn, EngineEvent, Outcome, Speaker, TurnAnalysis, Word
from simulator.private_files import make_private_dir, open_private

CALL_FILE = "call.jsonl"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class TurnRecord:
    index: int  # 0-based position in the call
    speaker: Speaker
    text: str
    start_s: float | None = None  # on the call clock (seconds since the call started)
    end_s: float | None = None
    audio_path: str | None = None  # relative to the call folder
    words: tuple[Word, ...] = ()
    node_id: str | None = None
    mood: int | None = None
    mood_delta: int = 0
    events: tuple[EngineEvent, ...] = ()
    interrupted: bool = False  # this speaker was cut off
    analysis: TurnAnalysis | None = None  # trainee turns only


class CallMode(enum.StrEnum):
    TEXT = "text"
    VOICE = "voice"
    IMPORTED = "imported"  # an outside recording scored with `callsim score`


@dataclass(frozen=True, slots=True)
class RecordingFacts:
    """What an imported recording's scorecard was worked out with beside its turns, so that a review scores
    it again exactly as ``callsim score`` did."""

    source: str | None = None  # the file it was read from
    duration_s: float | None = None  # its length: a call cut before its close is told by it
    speakers_told_apart: bool = True  # False: one channel whose two voices could not be told apart
    separation: float | None = None  # ... how well voice clustering told them apart, when it was tried
    required_steps: tuple[str, ...] = ()  # scored against the library: the steps the centre's form adds
    critical_steps: tuple[str, ...] = ()  # ... and its fatal items
    language: str = "en"  # scored against the library: the language it was heard and read in


@dataclass(frozen=True, slots=True)
class CallHeader:
    scenario_id: str
    scenario_sha256: str
    seed: int
    mode: CallMode
    analyser: str
    started_at: str
    scenario_path: str | None = None
    trainee: str | None = None
    drill: str | None = None
    format_version: int = FORMAT_VERSION
    recording: RecordingFacts | None = None  # an imported recording (stored by callsim from 2026-12-07)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", CallMode(self.mode))  # accept "text" as well as CallMode.TEXT


@dataclass(frozen=True, slots=True)
class CardLookup:
    """The trainee opened the scenario's knowledge cards during the call."""

    at: str  # ISO time
    after_turn: int  # trainee turns answered so far


class LookupLog:
    """Knowledge-card openings during one call: added by the UI's thread, read by the call's thread
    when it writes the end line (so a lock, not a shared list)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lookups: list[CardLookup] = []

    def add(self, after_turn: int) -> CardLookup:
        lookup = CardLookup(now_iso(), after_turn)
        with self._lock:
            self._lookups.append(lookup)
        return lookup

    def snapshot(self) -> tuple[CardLookup, ...]:
        with self._lock:
            return tuple(self._lookups)


@dataclass(frozen=True, slots=True)
class CallRecord:
    header: CallHeader
    turns: tuple[TurnRecord, ...] = ()
    outcome: Outcome | None = None
    ended_at: str | None = None
    complete: bool = False  # False when the end line is missing (crash, kill, power cut)
    folder: Path | None = field(default=None, compare=False)
    card_lookups: tuple[CardLookup, ...] = ()  # knowledge cards opened (written with the end line)

    @property
    def trainee_turns(self) -> tuple[TurnRecord, ...]:
        return tuple(t for t in self.turns if t.speaker == Speaker.TRAINEE)

    @property
    def analyses(self) -> tuple[TurnAnalysis, ...]:
        return tuple(t.analysis for t in self.turns if t.analysis is not None)

    def audio(self, turn: TurnRecord) -> Path | None:
        if turn.audio_path is None or self.folder is None:
            return None
        return self.folder / turn.audio_path

    def recording_span(self, turn: TurnRecord) -> tuple[Path, float, float] | None:
        """Where an imported call's turn is heard: the recording it was read from and the turn's times on it."""
        facts = self.header.recording
        if facts is None or facts.source is None or turn.start_s is None or turn.end_s is None:
            return None
        return Path(facts.source), turn.start_s, turn.end_s

    def audible(self, turn: TurnRecord) -> bool:
        """The turn can be played: its own WAV, or its stretch of an imported recording."""
        return self.audio(turn) is not None or self.recording_span(turn) is not None


_TURN = TypeAdapter(TurnRecord)
_ANALYSIS = TypeAdapter(TurnAnalysis)
_HEADER = TypeAdapter(CallHeader)


def turn_to_json(turn: TurnRecord) -> dict[str, Any]:
    data: dict[str, Any] = _TURN.dump_python(turn, mode="json")  # a dataclass dumps to a JSON object
    return data


def turn_from_json(data: dict[str, Any]) -> TurnRecord:
    return _TURN.validate_python(data)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class RecordingError(RuntimeError):
    """The call record could not be written (full disk, read-only folder...).  Earlier turns are kept."""


class CallRecorder:
    """Appends a call to ``folder/call.jsonl`` one durable line at a time."""

    def __init__(self, folder: Path, header: CallHeader):
        self.folder = Path(folder)
        self.path = self.folder / CALL_FILE
        self.header = header
        self.turns: list[TurnRecord] = []
        self.outcome: Outcome | None = None
        self._file: IO[str] | None = None
        try:
            make_private_dir(self.folder)  # trainees' words: owner-only whatever the umask
            self._file = open_private(self.path, "x")  # never overwrite a call
        except FileExistsError:
            raise
        except OSError as err:
            raise RecordingError(f"cannot create the call record {self.path}: {err.strerror or err}; "
                                 "choose another folder with --record-to") from None
        self._write({"type": "call", **_HEADER.dump_python(header, mode="json")})

    def _write(self, payload: dict[str, Any]) -> None:
        file = self._file
        if file is None:
            raise RuntimeError("the call record is closed")
        line = json.dumps(payload, ensure_ascii=False) + "\n"
        try:
            file.write(line)
            file.flush()
            os.fsync(file.fileno())
        except OSError as err:
            self._file = None
            self._drop_partial_line(file)
            raise RecordingError(
                f"cannot write to {self.path}: {err.strerror or err}. The {len(self.turns)} turn(s) recorded "
                "so far are kept there; free some disk space or record elsewhere with --record-to") from None

    def _drop_partial_line(self, file: IO[str]) -> None:
        """After a failed write, cut the file back to its last complete line so it stays readable."""
        with contextlib.suppress(OSError):
            file.close()
        try:
            data = self.path.read_bytes()
            keep = data.rfind(b"\n") + 1
            if keep < len(data):
                with open(self.path, "r+b") as handle:
                    handle.truncate(keep)
        except OSError:
            pass  # read_call ignores a cut-off last line anyway

    def add(self, turn: TurnRecord) -> TurnRecord:
        turn = replace(turn, index=len(self.turns))
        self._write({"type": "turn", **turn_to_json(turn)})
        self.turns.append(turn)
        return turn

    def reread(self, index: int, analysis: TurnAnalysis) -> TurnRecord:
        """Keep turn ``index``'s analysis as read again after the call.  Appended like every line: the
        live analysis stays in the file above it, and a call killed here keeps every turn."""
        self._write({"type": "reread", "turn": index, "analysis": _ANALYSIS.dump_python(analysis, mode="json")})
        turn = replace(self.turns[index], analysis=analysis)
        self.turns[index] = turn
        return turn

    def finish(self, outcome: Outcome, card_lookups: tuple[CardLookup, ...] = ()) -> CallRecord:
        ended_at = now_iso()
        end: dict[str, Any] = {"type": "end", "outcome": outcome.value, "ended_at": ended_at}
        if card_lookups:
            end["card_lookups"] = [{"at": c.at, "after_turn": c.after_turn} for c in card_lookups]
        self._write(end)
        self.outcome = outcome
        self.close()
        return CallRecord(self.header, tuple(self.turns), outcome, ended_at, True, self.folder, card_lookups)

    def snapshot(self) -> CallRecord:
        return CallRecord(self.header, tuple(self.turns), self.outcome, None, self.outcome is not None, self.folder)

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):  # the failing write already reported the problem
                self._file.close()
            self._file = None


def read_call(path: Path) -> CallRecord:
    """Read a call folder or its ``call.jsonl``; a cut-off last line (crash) is dropped, not fatal."""
    path = Path(path)
    file = path / CALL_FILE if path.is_dir() else path
    header: CallHeader | None = None
    turns: list[TurnRecord] = []
    outcome = ended_at = None
    lookups: tuple[CardLookup, ...] = ()
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"{file}: not a callsim call record (not UTF-8 text)") from None
    for number, line in enumerate(lines, start=1):
        try:
            payload = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break  # the process died mid-write; every earlier turn is intact
            raise ValueError(f"{file}:{number}: not a JSON line") from None
        if not isinstance(payload, dict):
            raise ValueError(f"{file}:{number}: not a call record line (a JSON object with a \"type\")")
        kind = payload.pop("type", None)
        try:
            header, outcome, ended_at, lookups = _take_line(file, number, kind, payload, header, turns,
                                                           (outcome, ended_at, lookups))
        except ValidationError as err:  # a damaged or hand-edited record: say where and what, not pydantic's dump
            first = err.errors()[0]
            where = ".".join(map(str, first["loc"])) or "the line"
            raise ValueError(f"{file}:{number}: {where}: {first['msg']}") from None
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            if str(err).startswith(f"{file}:"):
                raise
            raise ValueError(f"{file}:{number}: not a valid {kind or 'record'} line ({type(err).__name__}: {err})"
                             ) from None
    if header is None:
        raise ValueError(f"{file}:1: not a callsim call record (no header line)")
    return CallRecord(header, tuple(turns), outcome, ended_at, outcome is not None, file.parent, lookups)


def _take_line(file: Path, number: int, kind: object, payload: dict[str, Any], header: CallHeader | None,
               turns: list[TurnRecord], ending: tuple[Outcome | None, str | None, tuple[CardLookup, ...]]
               ) -> tuple[CallHeader | None, Outcome | None, str | None, tuple[CardLookup, ...]]:
    """One line of a call record read into the header, the turns (in place) or the ending."""
    outcome, ended_at, lookups = ending
    if kind == "call":
        header = _HEADER.validate_python(payload)
        if header.format_version > FORMAT_VERSION:  # read as this version's, its turns could mean other things
            raise ValueError(f"{file}:{number}: written by a newer callsim (record format {header.format_version}; "
                             f"this one reads {FORMAT_VERSION}); update callsim to read it")
    elif kind == "turn":
        turns.append(turn_from_json(payload))
    elif kind == "reread":
        index = payload.get("turn")
        if not isinstance(index, int) or not 0 <= index < len(turns):
            raise ValueError(f"{file}:{number}: a re-read of turn {index!r}, which is not recorded above it")
        turns[index] = replace(turns[index], analysis=_ANALYSIS.validate_python(payload["analysis"]))
    elif kind == "end":
        outcome, ended_at = Outcome(payload["outcome"]), payload.get("ended_at")
        lookups = tuple(CardLookup(str(c["at"]), int(c["after_turn"])) for c in payload.get("card_lookups", ()))
    return header, outcome, ended_at, lookups


# -- what a running call reports, turn by turn (the session yields these; the UI, the CLI and the
# store's mirror consume them) ----------

@dataclass(frozen=True, slots=True)
class CustomerSpoke:
    turn: CustomerTurn
    record: TurnRecord


@dataclass(frozen=True, slots=True)
class TraineeAnswered:
    analysis: TurnAnalysis
    record: TurnRecord


@dataclass(frozen=True, slots=True)
class CallEnded:
    record: CallRecord


CallEvent = CustomerSpoke | TraineeAnswered | CallEnded
