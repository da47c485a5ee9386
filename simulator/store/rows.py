"""Row-level helpers of the SQL store: each runs inside the caller's transaction (a Connection)."""

from __future__ import annotations

import hashlib
import os
import socket
import unicodedata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter

from simulator.contracts import Outcome
from simulator.record import CallHeader, TurnRecord, now_iso, read_call, turn_to_json
from simulator.scoring.scorecard import Scorecard, scorecard_to_json
from simulator.store import models as m
from simulator.store.types import Attempt, CallKind, CallStatus, RecoveredCall, StoreError, TeamInfo, TraineeInfo

HOST = socket.gethostname()[:255]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an invalid database URL)"


def check_name(name: str, what: str) -> None:
    # Invisible characters (DEL, zero-width spaces, right-to-left overrides) and spaces at either end made
    # a second "alice" that looked like the first on every board and report.
    if (not name or not name.strip() or len(name) > 100 or name != name.strip()
            or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)):
        raise StoreError(f"invalid {what} name {name!r}: 1-100 printable characters, no spaces at either end")


def team_info(conn: Any, name: str) -> TeamInfo | None:
    row = conn.execute(sa.select(m.teams).where(m.teams.c.name == name)).first()
    return TeamInfo(row.id, row.name, row.created_at) if row else None


def trainee_info(conn: Any, name: str) -> TraineeInfo | None:
    row = conn.execute(sa.select(m.trainees.c.id, m.trainees.c.name, m.teams.c.name.label("team"),
                                 m.trainees.c.created_at).select_from(m.trainees.outerjoin(m.teams))
                       .where(m.trainees.c.name == name)).first()
    return TraineeInfo(row.id, row.name, row.team, row.created_at) if row else None


HEADER_ADAPTER = TypeAdapter(CallHeader)


def header_json(header: CallHeader) -> dict[str, Any]:
    return HEADER_ADAPTER.dump_python(header, mode="json")


def header_from_json(data: dict[str, Any]) -> CallHeader:
    return HEADER_ADAPTER.validate_python(data)


def call_values(call_id: str, header: CallHeader, folder: Path | None, trainee_id: int | None,
                 kind: CallKind, competition: str | None) -> dict[str, Any]:
    return {
        "id": call_id, "trainee_id": trainee_id, "scenario_id": header.scenario_id,
        "scenario_sha256": header.scenario_sha256, "seed": header.seed, "mode": header.mode, "kind": kind.value,
        "status": CallStatus.IN_PROGRESS.value, "analyser": header.analyser, "drill": header.drill,
        "competition_id": competition, "started_at": header.started_at,
        "folder": str(Path(folder).resolve()) if folder is not None else None, "host": HOST, "pid": os.getpid(),
        "header": header_json(header)}


def resolve_call_prefix(conn: Any, prefix: str) -> str:
    """A full call id from an unambiguous prefix (as printed: the first 8 characters are enough)."""
    prefix = prefix.strip().lower()
    if not prefix:
        raise StoreError("empty call id")
    found = conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id.startswith(prefix, autoescape=True))
                         .limit(3)).scalars().all()
    if not found:
        raise StoreError(f"no call with id {prefix!r} (see `callsim history`)")
    if len(found) > 1:
        raise StoreError(f"call id {prefix!r} is ambiguous; give more characters")
    return str(found[0])


def call_folder(conn: Any, call_id: str) -> Path | None:
    folder = conn.execute(sa.select(m.calls.c.folder).where(m.calls.c.id == call_id)).scalar()
    return Path(folder) if folder else None


def insert_turn(conn: Any, call_id: str, turn: TurnRecord, folder: Path | None) -> bool:
    """Store a turn; True when it was new.  A turn already stored takes this one's data (the call
    record is the truth: a turn read again after the call replaces its live analysis)."""
    exists = conn.execute(sa.select(m.turns.c.id).where(m.turns.c.call_id == call_id,
                                                        m.turns.c.idx == turn.index)).scalar()
    if exists is not None:
        conn.execute(m.turns.update().where(m.turns.c.id == exists).values(data=turn_to_json(turn)))
        return False
    conn.execute(m.turns.insert().values(
        call_id=call_id, idx=turn.index, speaker=turn.speaker.value, text=turn.text, start_s=turn.start_s,
        end_s=turn.end_s, audio_path=turn.audio_path, data=turn_to_json(turn)))
    if turn.audio_path and folder is not None:
        audio = Path(folder) / turn.audio_path
        if audio.is_file():
            conn.execute(m.recordings.insert().values(
                call_id=call_id, turn_index=turn.index, path=str(audio.resolve()), sha256=sha256_file(audio),
                size_bytes=audio.stat().st_size))
    return True


def replace_scorecard(conn: Any, call_id: str, card: Scorecard) -> None:
    if conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id == call_id)).scalar() is None:
        raise StoreError(f"no call {call_id!r}")
    conn.execute(m.evidence.delete().where(m.evidence.c.call_id == call_id))
    conn.execute(m.scorecards.delete().where(m.scorecards.c.call_id == call_id))
    scores = {d.dimension.value: d.score for d in card.dimensions}
    conn.execute(m.scorecards.insert().values(
        call_id=call_id, overall=card.overall, passed=card.passed, empathy=scores.get("empathy"),
        compliance=scores.get("compliance"), tone=scores.get("tone"), scorer=card.scorer, created_at=now_iso(),
        data=scorecard_to_json(card)))
    items = [{"call_id": call_id, "dimension": d.dimension.value, "rule": e.rule[:200], "quote": e.quote,
              "detail": e.detail, "start_s": e.start_s, "weight": e.weight}
             for d in card.dimensions for e in d.evidence]
    if items:
        conn.execute(m.evidence.insert(), items)


def reviewed_or_machine(column: str) -> Any:
    """A headline figure: the reviewed one when a trainer reviewed the call, else the machine's."""
    reviewed = m.reviewed_scores.c.call_id.is_not(None)
    return sa.case((reviewed, m.reviewed_scores.c[column]), else_=m.scorecards.c[column]).label(column)


def attempt_query() -> Any:
    turn_count = (sa.select(sa.func.count(m.turns.c.id)).where(m.turns.c.call_id == m.calls.c.id)
                  .correlate(m.calls).scalar_subquery())
    return (sa.select(m.calls.c.id, m.trainees.c.name.label("trainee"), m.calls.c.scenario_id, m.calls.c.seed,
                      m.calls.c.kind, m.calls.c.status, m.calls.c.started_at, m.calls.c.ended_at, m.calls.c.outcome,
                      *(reviewed_or_machine(c) for c in ("overall", "passed", "empathy", "compliance", "tone")),
                      m.calls.c.drill, m.calls.c.competition_id, m.calls.c.folder, turn_count.label("turn_count"),
                      m.reviewed_scores.c.reviewers, m.scorecards.c.overall.label("machine_overall"))
            .select_from(m.calls.outerjoin(m.trainees).outerjoin(m.teams).outerjoin(m.scorecards)
                         .outerjoin(m.reviewed_scores, m.reviewed_scores.c.call_id == m.calls.c.id)))


def attempt_from_row(row: Any) -> Attempt:
    return Attempt(row.id, row.trainee, row.scenario_id, row.seed, CallKind(row.kind), CallStatus(row.status),
                   row.started_at, row.ended_at, Outcome(row.outcome) if row.outcome else None, row.overall,
                   None if row.passed is None else bool(row.passed), row.empathy, row.compliance, row.tone,
                   row.drill, row.competition_id, row.folder, int(row.turn_count or 0),
                   tuple(row.reviewers or ()), row.machine_overall)


def recover_call(conn: Any, call_id: str, folder: str | None) -> RecoveredCall:
    imported = 0
    record = None
    where = Path(folder) if folder else None
    if where is not None and (where / "call.jsonl").is_file():
        try:
            record = read_call(where)
        except (OSError, ValueError):
            record = None  # an unreadable file: keep what the database has
    if record is not None:
        for turn in record.turns:
            imported += insert_turn(conn, call_id, turn, where)
    if record is not None and record.complete:
        conn.execute(m.calls.update().where(m.calls.c.id == call_id).values(
            status=CallStatus.FINISHED.value, outcome=record.outcome.value if record.outcome else None,
            ended_at=record.ended_at or now_iso()))
    else:
        conn.execute(m.calls.update().where(m.calls.c.id == call_id).values(status=CallStatus.UNFINISHED.value))
    row = conn.execute(attempt_query().where(m.calls.c.id == call_id)).one()
    attempt = attempt_from_row(row)
    return RecoveredCall(call_id, attempt.scenario_id, attempt.trainee, attempt.turns - imported, imported, folder,
                         attempt.status)
