"""Calls: written turn by turn or whole, read back as attempts and records, recovered after a crash."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.contracts import Outcome
from simulator.record import CallHeader, CallRecord, TurnRecord, now_iso, turn_from_json
from simulator.scoring.scorecard import Scorecard, scorecard_from_json
from simulator.store import models as m
from simulator.store.engine import Transactions
from simulator.store.people import get_or_create_trainee
from simulator.store.rows import (
    HOST,
    attempt_from_row,
    attempt_query,
    call_folder,
    call_values,
    header_from_json,
    insert_turn,
    pid_alive,
    recover_call,
    replace_scorecard,
    resolve_call_prefix,
    sha256_file,
)
from simulator.store.types import (
    Attempt,
    CallKind,
    CallStatus,
    Rating,
    Recording,
    RecoveredCall,
    StoredCall,
    StoreError,
)


class CallRepo(Transactions):
    """Mixed into ``SqlStore``: shares its transactions."""

    # -- calls, written as they happen ------------------------------------------------------------
    def begin_call(self, header: CallHeader, folder: Path | None = None, *, trainee: str | None = None,
                   team: str | None = None, kind: CallKind = CallKind.TRAINING, competition: str | None = None,
                   call_id: str | None = None) -> str:
        """Register a call that is starting; returns its id.  Turns follow with ``add_turn``."""
        new_id = call_id or uuid.uuid4().hex

        def work(conn: Any) -> str:
            trainee_id = get_or_create_trainee(conn, trainee, team).id if trainee else None
            conn.execute(m.calls.insert().values(call_values(new_id, header, folder, trainee_id, kind, competition)))
            return new_id
        return self._write(work)

    def add_turn(self, call_id: str, turn: TurnRecord, folder: Path | None = None) -> bool:
        """Store one finished turn (its own transaction); False if that turn was already stored."""
        def work(conn: Any) -> bool:
            where = folder or call_folder(conn, call_id)
            return insert_turn(conn, call_id, turn, where)
        return self._write(work)

    def end_call(self, call_id: str, outcome: Outcome | None, ended_at: str | None = None) -> None:
        def work(conn: Any) -> None:
            result = conn.execute(m.calls.update().where(m.calls.c.id == call_id).values(
                status=CallStatus.FINISHED.value, outcome=outcome.value if outcome else None,
                ended_at=ended_at or now_iso()))
            if result.rowcount == 0:
                raise StoreError(f"no call {call_id!r}")
        self._write(work)

    def save_scorecard(self, call_id: str, card: Scorecard) -> None:
        self._write(lambda conn: replace_scorecard(conn, call_id, card))

    def find_call_by_folder(self, folder: Path) -> str | None:
        folder_text = str(Path(folder).resolve())
        return self._read(lambda conn: conn.execute(
            sa.select(m.calls.c.id).where(m.calls.c.folder == folder_text)).scalar())

    def save_call(self, record: CallRecord, scorecard: Scorecard | None = None, *, trainee: str | None = None,
                  team: str | None = None, kind: CallKind = CallKind.TRAINING, competition: str | None = None,
                  call_id: str | None = None) -> str:
        """Store a whole call (and its scorecard) in one transaction; returns the call id.

        If the call was mirrored turn by turn (same folder and kind), the missing turns, the end and
        the scorecard are added to that row instead, so saving twice never duplicates a call.
        """
        def work(conn: Any) -> str:
            existing = None
            if record.folder is not None:
                existing = conn.execute(sa.select(m.calls.c.id).where(
                    m.calls.c.folder == str(Path(record.folder).resolve()), m.calls.c.kind == kind.value)).scalar()
            if existing is None and call_id is not None:
                existing = conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id == call_id)).scalar()
            the_id = existing or call_id or uuid.uuid4().hex
            if existing is None:
                trainee_id = get_or_create_trainee(conn, trainee, team).id if trainee else None
                conn.execute(m.calls.insert().values(
                    call_values(the_id, record.header, record.folder, trainee_id, kind, competition)))
            elif trainee:
                trainee_id = get_or_create_trainee(conn, trainee, team).id
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(trainee_id=trainee_id))
            for turn in record.turns:
                insert_turn(conn, the_id, turn, record.folder)
            if record.complete:
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(
                    status=CallStatus.FINISHED.value, outcome=record.outcome.value if record.outcome else None,
                    ended_at=record.ended_at or now_iso()))
            else:
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(
                    status=CallStatus.UNFINISHED.value))
            if scorecard is not None:
                replace_scorecard(conn, the_id, scorecard)
            return the_id
        return self._write(work)

    # -- reading calls ----------------------------------------------------------------------------
    def attempts(self, trainee: str | None = None, scenario_id: str | None = None, *,
                 kind: CallKind | None = None, competition: str | None = None, team: str | None = None,
                 finished_only: bool = False) -> list[Attempt]:
        """Calls in start order (oldest first), filtered by trainee, scenario, kind, competition or team."""
        query = _narrowed(attempt_query(), trainee=trainee, scenario_id=scenario_id, kind=kind,
                          competition=competition, team=team)
        if finished_only:
            query = query.where(m.calls.c.status == CallStatus.FINISHED.value)
        return [attempt_from_row(row) for row in self._in_start_order(query)]

    def best_score(self, trainee: str, scenario_id: str | None = None) -> Attempt | None:
        """The trainee's highest-scoring finished attempt that passed (at ``scenario_id`` if given): a failed
        call is never a best, whatever its score (a critical breach can leave 72/100 on the card)."""
        scored = [a for a in self.attempts(trainee, scenario_id, finished_only=True)
                  if a.overall is not None and a.passed]
        return max(scored, key=lambda a: (a.overall, a.started_at), default=None)

    def scorecards(self, trainee: str | None = None, team: str | None = None, *,
                   kind: CallKind | None = None) -> list[tuple[Attempt, Scorecard]]:
        """Finished, scored calls with their full scorecards (reviewed where a trainer reviewed them),
        oldest first (growth and reports)."""
        query = _narrowed(attempt_query().add_columns(m.scorecards.c.data.label("card"),
                                                      m.reviewed_scores.c.data.label("reviewed_card"))
                          .where(m.calls.c.status == CallStatus.FINISHED.value, m.scorecards.c.call_id.is_not(None)),
                          trainee=trainee, team=team, kind=kind)
        # a reviewed call counts with its reviewed scorecard (Attempt.reviewed_by names the trainers)
        return [(attempt_from_row(row), scorecard_from_json(row.reviewed_card or row.card))
                for row in self._in_start_order(query)]

    def _in_start_order(self, query: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        return self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at, m.calls.c.id)).all())

    def resolve_call_id(self, prefix: str) -> str:
        """A full call id from an unambiguous prefix (as printed: the first 8 characters are enough)."""
        return self._read(lambda conn: resolve_call_prefix(conn, prefix))

    def get_call(self, call_id: str) -> StoredCall:
        full_id = self.resolve_call_id(call_id)

        def work(conn: Any) -> StoredCall:
            row = conn.execute(attempt_query().where(m.calls.c.id == full_id)).one()
            header_data = conn.execute(sa.select(m.calls.c.header).where(m.calls.c.id == full_id)).scalar_one()
            turn_rows = conn.execute(sa.select(m.turns.c.data).where(m.turns.c.call_id == full_id)
                                     .order_by(m.turns.c.idx)).scalars().all()
            card = conn.execute(sa.select(m.scorecards.c.data).where(m.scorecards.c.call_id == full_id)).scalar()
            reviewed = conn.execute(sa.select(m.reviewed_scores.c.data)
                                    .where(m.reviewed_scores.c.call_id == full_id)).scalar()
            attempt = attempt_from_row(row)
            record = CallRecord(header_from_json(header_data), tuple(turn_from_json(t) for t in turn_rows),
                                attempt.outcome, attempt.ended_at, attempt.status == CallStatus.FINISHED,
                                Path(attempt.folder) if attempt.folder else None)
            return StoredCall(attempt, record, scorecard_from_json(card) if card is not None else None,
                              scorecard_from_json(reviewed) if reviewed is not None else None)
        return self._read(work)

    def recordings(self, call_id: str) -> list[Recording]:
        rows = self._read(lambda conn: conn.execute(sa.select(m.recordings).where(
            m.recordings.c.call_id == call_id).order_by(m.recordings.c.turn_index)).all())
        return [Recording(r.call_id, r.turn_index, Path(r.path), r.sha256, r.size_bytes) for r in rows]

    def add_recording(self, call_id: str, path: Path, turn_index: int = -1) -> Recording:
        """Reference an audio file (checksummed now); ``turn_index`` -1 is a whole-call recording."""
        audio = Path(path).resolve()
        digest, size = sha256_file(audio), audio.stat().st_size

        def work(conn: Any) -> None:
            conn.execute(m.recordings.delete().where(m.recordings.c.call_id == call_id,
                                                     m.recordings.c.turn_index == turn_index))
            conn.execute(m.recordings.insert().values(call_id=call_id, turn_index=turn_index, path=str(audio),
                                                      sha256=digest, size_bytes=size))
        self._write(work)
        return Recording(call_id, turn_index, audio, digest, size)

    def verify_recordings(self, call_id: str) -> list[tuple[Recording, str]]:
        """Recordings whose file is missing or changed since it was stored: (recording, problem)."""
        problems = []
        for recording in self.recordings(call_id):
            if not recording.path.is_file():
                problems.append((recording, "missing"))
            elif sha256_file(recording.path) != recording.sha256:
                problems.append((recording, "checksum differs"))
        return problems

    # -- reactions --------------------------------------------------------------------------------
    def rate(self, call_id: str, stars: int, comment: str | None = None) -> Rating:
        if not 1 <= int(stars) <= 5:
            raise StoreError("a rating is 1 to 5 stars")
        full_id = self.resolve_call_id(call_id)
        created = now_iso()
        self._write(lambda conn: conn.execute(m.ratings.insert().values(
            call_id=full_id, stars=int(stars), comment=(comment or None), created_at=created)))
        return Rating(full_id, int(stars), comment or None, created)

    def ratings(self, trainee: str | None = None, team: str | None = None) -> list[Rating]:
        query = (sa.select(m.ratings).select_from(
            m.ratings.join(m.calls).outerjoin(m.trainees).outerjoin(m.teams)).order_by(m.ratings.c.created_at))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Rating(r.call_id, r.stars, r.comment, r.created_at) for r in rows]

    # -- crash recovery ---------------------------------------------------------------------------
    def recover_unfinished(self) -> list[RecoveredCall]:
        """Find calls of this station left without an end by a dead process; keep them as unfinished.

        Turns present in the call folder's ``call.jsonl`` but missing from the database (the process
        died between the two writes) are imported first.  Calls of other stations are left alone:
        they may be live.  A call whose file shows it did end is marked finished instead.
        """
        def candidates(conn: Any) -> list[Any]:
            return conn.execute(sa.select(m.calls.c.id, m.calls.c.pid, m.calls.c.folder).where(
                m.calls.c.status == CallStatus.IN_PROGRESS.value, m.calls.c.host == HOST)).all()

        recovered = []
        for row in self._read(candidates):
            if row.pid == os.getpid() or pid_alive(row.pid):
                continue
            recovered.append(self._write(partial(recover_call, call_id=row.id, folder=row.folder)))
        return recovered

    def unscored(self) -> list[Attempt]:
        """Finished calls with no scorecard (the process died between the end and the score)."""
        query = attempt_query().where(m.calls.c.status == CallStatus.FINISHED.value, m.scorecards.c.call_id.is_(None))
        rows = self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at)).all())
        return [attempt_from_row(r) for r in rows]

    def unfinished(self) -> list[Attempt]:
        query = attempt_query().where(m.calls.c.status == CallStatus.UNFINISHED.value)
        rows = self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at)).all())
        return [attempt_from_row(r) for r in rows]


def _narrowed(query: sa.Select, *, trainee: str | None = None, scenario_id: str | None = None,
              kind: CallKind | None = None, competition: str | None = None, team: str | None = None) -> sa.Select:
    """An attempt query kept to the calls of one trainee, scenario, kind, competition or team (each if given)."""
    if trainee is not None:
        query = query.where(m.trainees.c.name == trainee)
    if scenario_id is not None:
        query = query.where(m.calls.c.scenario_id == scenario_id)
    if kind is not None:
        query = query.where(m.calls.c.kind == kind.value)
    if competition is not None:
        query = query.where(m.calls.c.competition_id == competition)
    if team is not None:
        query = query.where(m.teams.c.name == team)
    return query
