"""The SQL store (SQLite or PostgreSQL through SQLAlchemy Core): one transaction per public call.

Imported only through ``simulator.store.open_store`` so text mode works without SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter

from simulator.call.record import CallHeader, CallRecord, TurnRecord, now_iso, read_call, turn_from_json, turn_to_json
from simulator.contracts import Outcome
from simulator.scoring.scorecard import Scorecard, scorecard_from_json, scorecard_to_json
from simulator.store import models as m
from simulator.store.engine import create_engine, upgrade_to_head, with_retry
from simulator.store.types import (Attempt, CallKind, CallStatus, Certification, KpiRow, Rating, RecoveredCall,
                                   Recording, StoredCall, StoreError, TeamInfo, TraineeInfo)

HOST = socket.gethostname()[:255]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SqlStore:
    """The training store.  Every method is one transaction; results are frozen values."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = create_engine(url)
            self.schema_revision = upgrade_to_head(self.engine)
        except (sa.exc.SQLAlchemyError, OSError) as err:
            shown = _safe_url(url)
            reason = getattr(err, "orig", None) or err
            raise StoreError(f"cannot open the training store at {shown}: {str(reason).strip().splitlines()[0]} "
                             "(check --db / database_url, and that the server is running)") from None

    # -- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _write(self, work):  # noqa: ANN001, ANN202 - internal
        return with_retry(self.engine, work)

    def _read(self, work):  # noqa: ANN001, ANN202
        with self.engine.connect() as connection:
            return work(connection)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- teams and trainees ---------------------------------------------------------------------
    @staticmethod
    def _team_id(conn: Any, name: str, *, create: bool) -> int | None:
        found = conn.execute(sa.select(m.teams.c.id).where(m.teams.c.name == name)).scalar()
        if found is not None or not create:
            return found
        _check_name(name, "team")
        # a savepoint so a concurrent creator's row (unique violation) leaves our transaction usable
        try:
            with conn.begin_nested():
                return conn.execute(m.teams.insert().values(name=name, created_at=now_iso())).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            return conn.execute(sa.select(m.teams.c.id).where(m.teams.c.name == name)).scalar_one()

    def create_team(self, name: str) -> TeamInfo:
        def work(conn: Any) -> TeamInfo:
            if self._team_id(conn, name, create=False) is not None:
                raise StoreError(f"team {name!r} already exists")
            self._team_id(conn, name, create=True)
            return _team(conn, name)
        return self._write(work)

    def ensure_team(self, name: str) -> TeamInfo:
        def work(conn: Any) -> TeamInfo:
            self._team_id(conn, name, create=True)
            return _team(conn, name)
        return self._write(work)

    def get_team(self, name: str) -> TeamInfo | None:
        return self._read(lambda conn: _team(conn, name))

    def list_teams(self) -> list[TeamInfo]:
        rows = self._read(lambda conn: conn.execute(sa.select(m.teams).order_by(m.teams.c.name)).all())
        return [TeamInfo(r.id, r.name, r.created_at) for r in rows]

    def create_trainee(self, name: str, team: str | None = None) -> TraineeInfo:
        def work(conn: Any) -> TraineeInfo:
            if _trainee(conn, name) is not None:
                raise StoreError(f"trainee {name!r} already exists")
            return self._ensure_trainee(conn, name, team)
        return self._write(work)

    def ensure_trainee(self, name: str, team: str | None = None) -> TraineeInfo:
        """Get the trainee, creating it (and the team) if new; a given team replaces the old one."""
        return self._write(lambda conn: self._ensure_trainee(conn, name, team))

    def _ensure_trainee(self, conn: Any, name: str, team: str | None) -> TraineeInfo:
        team_id = self._team_id(conn, team, create=True) if team else None
        found = _trainee(conn, name)
        if found is None:
            _check_name(name, "trainee")
            try:
                with conn.begin_nested():
                    conn.execute(m.trainees.insert().values(name=name, team_id=team_id, created_at=now_iso()))
            except sa.exc.IntegrityError:
                pass  # another station created it a moment ago
        elif team_id is not None:
            conn.execute(m.trainees.update().where(m.trainees.c.name == name).values(team_id=team_id))
        found = _trainee(conn, name)
        assert found is not None
        return found

    def set_team(self, trainee: str, team: str | None) -> TraineeInfo:
        def work(conn: Any) -> TraineeInfo:
            if _trainee(conn, trainee) is None:
                raise StoreError(f"no trainee named {trainee!r}")
            team_id = self._team_id(conn, team, create=True) if team else None
            conn.execute(m.trainees.update().where(m.trainees.c.name == trainee).values(team_id=team_id))
            return _trainee(conn, trainee)
        return self._write(work)

    def get_trainee(self, name: str) -> TraineeInfo | None:
        return self._read(lambda conn: _trainee(conn, name))

    def list_trainees(self, team: str | None = None) -> list[TraineeInfo]:
        query = (sa.select(m.trainees.c.id, m.trainees.c.name, m.teams.c.name.label("team"), m.trainees.c.created_at)
                 .select_from(m.trainees.outerjoin(m.teams)).order_by(m.trainees.c.name))
        if team is not None:
            query = query.where(m.teams.c.name == team)
        return [TraineeInfo(r.id, r.name, r.team, r.created_at) for r in self._read(lambda c: c.execute(query).all())]

    # -- calls, written as they happen ------------------------------------------------------------
    def begin_call(self, header: CallHeader, folder: Path | None = None, *, trainee: str | None = None,
                   team: str | None = None, kind: CallKind = CallKind.TRAINING, competition: str | None = None,
                   call_id: str | None = None) -> str:
        """Register a call that is starting; returns its id.  Turns follow with ``add_turn``."""
        new_id = call_id or uuid.uuid4().hex

        def work(conn: Any) -> str:
            trainee_id = self._ensure_trainee(conn, trainee, team).id if trainee else None
            conn.execute(m.calls.insert().values(_call_values(new_id, header, folder, trainee_id, kind, competition)))
            return new_id
        return self._write(work)

    def add_turn(self, call_id: str, turn: TurnRecord, folder: Path | None = None) -> bool:
        """Store one finished turn (its own transaction); False if that turn was already stored."""
        def work(conn: Any) -> bool:
            call_folder = folder or _call_folder(conn, call_id)
            return _insert_turn(conn, call_id, turn, call_folder)
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
        self._write(lambda conn: _replace_scorecard(conn, call_id, card))

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
                trainee_id = self._ensure_trainee(conn, trainee, team).id if trainee else None
                conn.execute(m.calls.insert().values(
                    _call_values(the_id, record.header, record.folder, trainee_id, kind, competition)))
            elif trainee:
                trainee_id = self._ensure_trainee(conn, trainee, team).id
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(trainee_id=trainee_id))
            for turn in record.turns:
                _insert_turn(conn, the_id, turn, record.folder)
            if record.complete:
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(
                    status=CallStatus.FINISHED.value, outcome=record.outcome.value if record.outcome else None,
                    ended_at=record.ended_at or now_iso()))
            else:
                conn.execute(m.calls.update().where(m.calls.c.id == the_id).values(
                    status=CallStatus.UNFINISHED.value))
            if scorecard is not None:
                _replace_scorecard(conn, the_id, scorecard)
            return the_id
        return self._write(work)

    # -- reading calls ----------------------------------------------------------------------------
    def attempts(self, trainee: str | None = None, scenario_id: str | None = None, *,
                 kind: CallKind | None = None, competition: str | None = None, team: str | None = None,
                 finished_only: bool = False) -> list[Attempt]:
        """Calls in start order (oldest first), filtered by trainee, scenario, kind, competition or team."""
        query = _attempt_query()
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
        if finished_only:
            query = query.where(m.calls.c.status == CallStatus.FINISHED.value)
        rows = self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at, m.calls.c.id)).all())
        return [_attempt(row) for row in rows]

    def best_score(self, trainee: str, scenario_id: str | None = None) -> Attempt | None:
        """The trainee's highest-scoring finished attempt (at ``scenario_id`` if given)."""
        scored = [a for a in self.attempts(trainee, scenario_id, finished_only=True) if a.overall is not None]
        return max(scored, key=lambda a: (a.overall, a.started_at), default=None)

    def scorecards(self, trainee: str | None = None, team: str | None = None, *,
                   kind: CallKind | None = None) -> list[tuple[Attempt, Scorecard]]:
        """Finished, scored calls with their full scorecards, oldest first (growth and reports)."""
        query = (_attempt_query().add_columns(m.scorecards.c.data.label("card"))
                 .where(m.calls.c.status == CallStatus.FINISHED.value, m.scorecards.c.call_id.is_not(None)))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        if kind is not None:
            query = query.where(m.calls.c.kind == kind.value)
        rows = self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at, m.calls.c.id)).all())
        return [(_attempt(row), scorecard_from_json(row.card)) for row in rows]

    def resolve_call_id(self, prefix: str) -> str:
        """A full call id from an unambiguous prefix (as printed: the first 8 characters are enough)."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise StoreError("empty call id")
        found = self._read(lambda conn: conn.execute(
            sa.select(m.calls.c.id).where(m.calls.c.id.startswith(prefix, autoescape=True)).limit(3)).scalars().all())
        if not found:
            raise StoreError(f"no call with id {prefix!r} (see `callsim history`)")
        if len(found) > 1:
            raise StoreError(f"call id {prefix!r} is ambiguous; give more characters")
        return found[0]

    def get_call(self, call_id: str) -> StoredCall:
        full_id = self.resolve_call_id(call_id)

        def work(conn: Any) -> StoredCall:
            row = conn.execute(_attempt_query().where(m.calls.c.id == full_id)).one()
            header_data = conn.execute(sa.select(m.calls.c.header).where(m.calls.c.id == full_id)).scalar_one()
            turn_rows = conn.execute(sa.select(m.turns.c.data).where(m.turns.c.call_id == full_id)
                                     .order_by(m.turns.c.idx)).scalars().all()
            card = conn.execute(sa.select(m.scorecards.c.data).where(m.scorecards.c.call_id == full_id)).scalar()
            attempt = _attempt(row)
            record = CallRecord(_header(header_data), tuple(turn_from_json(t) for t in turn_rows), attempt.outcome,
                                attempt.ended_at, attempt.status == CallStatus.FINISHED,
                                Path(attempt.folder) if attempt.folder else None)
            return StoredCall(attempt, record, scorecard_from_json(card) if card is not None else None)
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
            if row.pid == os.getpid() or _pid_alive(row.pid):
                continue
            recovered.append(self._write(lambda conn, row=row: _recover(conn, row.id, row.folder)))
        return recovered

    # -- competitions, KPIs, certifications ------------------------------------------------------
    def put_competition(self, competition_id: str, title: str, starts_at: str, ends_at: str, min_attempts: int,
                        data: dict[str, Any]) -> None:
        """Create or replace a competition definition (``data``: scenarios, teams, ranking...)."""
        values = dict(title=title, starts_at=starts_at, ends_at=ends_at, min_attempts=min_attempts, data=data)

        def work(conn: Any) -> None:
            exists = conn.execute(sa.select(m.competitions.c.id).where(m.competitions.c.id == competition_id)).scalar()
            if exists:
                conn.execute(m.competitions.update().where(m.competitions.c.id == competition_id).values(**values))
            else:
                conn.execute(m.competitions.insert().values(id=competition_id, created_at=now_iso(), **values))
        self._write(work)

    def get_competition(self, competition_id: str) -> dict[str, Any] | None:
        row = self._read(lambda conn: conn.execute(
            sa.select(m.competitions).where(m.competitions.c.id == competition_id)).first())
        return dict(row._mapping) if row else None

    def list_competitions(self) -> list[dict[str, Any]]:
        rows = self._read(lambda conn: conn.execute(sa.select(m.competitions).order_by(m.competitions.c.starts_at)).all())
        return [dict(r._mapping) for r in rows]

    def put_kpis(self, rows: list[KpiRow], source: str) -> int:
        """Store KPI rows (one per trainee and period; a re-import replaces the period) atomically."""
        def work(conn: Any) -> int:
            for row in rows:
                trainee_id = self._ensure_trainee(conn, row.trainee, None).id
                conn.execute(m.kpis.delete().where(m.kpis.c.trainee_id == trainee_id, m.kpis.c.period == row.period))
                conn.execute(m.kpis.insert().values(
                    trainee_id=trainee_id, period=row.period, satisfaction=row.satisfaction,
                    first_call_resolution=row.first_call_resolution, handle_time_s=row.handle_time_s,
                    complaints=row.complaints, source=source, created_at=now_iso()))
            return len(rows)
        return self._write(work)

    def kpis(self, trainee: str | None = None, team: str | None = None) -> list[KpiRow]:
        query = (sa.select(m.kpis, m.trainees.c.name.label("trainee"))
                 .select_from(m.kpis.join(m.trainees).outerjoin(m.teams)).order_by(m.trainees.c.name, m.kpis.c.period))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [KpiRow(r.trainee, r.period, r.satisfaction, r.first_call_resolution, r.handle_time_s, r.complaints)
                for r in rows]

    def certify(self, trainee: str, stars: int, call_ids: list[str]) -> Certification:
        certified_at = now_iso()

        def work(conn: Any) -> None:
            found = _trainee(conn, trainee)
            if found is None:
                raise StoreError(f"no trainee named {trainee!r}")
            conn.execute(m.certifications.insert().values(trainee_id=found.id, stars=stars,
                                                          certified_at=certified_at, call_ids=list(call_ids)))
        self._write(work)
        return Certification(trainee, stars, certified_at, tuple(call_ids))

    def certifications(self, trainee: str | None = None) -> list[Certification]:
        query = (sa.select(m.certifications, m.trainees.c.name.label("trainee"))
                 .select_from(m.certifications.join(m.trainees)).order_by(m.certifications.c.certified_at))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [Certification(r.trainee, r.stars, r.certified_at, tuple(r.call_ids)) for r in rows]

    def save_drill_run(self, drill_id: str, trainee: str | None, started_at: str, data: dict[str, Any]) -> str:
        run_id = uuid.uuid4().hex

        def work(conn: Any) -> str:
            trainee_id = self._ensure_trainee(conn, trainee, None).id if trainee else None
            conn.execute(m.drill_runs.insert().values(id=run_id, trainee_id=trainee_id, drill_id=drill_id,
                                                      started_at=started_at, data=data))
            return run_id
        return self._write(work)

    def drill_runs(self, trainee: str | None = None, team: str | None = None) -> list[dict[str, Any]]:
        """Stored drill runs, oldest first: their JSON (``simulator.lab.drills.drill_result_to_json``)."""
        query = (sa.select(m.drill_runs.c.id, m.drill_runs.c.started_at, m.drill_runs.c.data)
                 .select_from(m.drill_runs.outerjoin(m.trainees).outerjoin(m.teams))
                 .order_by(m.drill_runs.c.started_at))
        if trainee is not None:
            query = query.where(m.trainees.c.name == trainee)
        if team is not None:
            query = query.where(m.teams.c.name == team)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [{"run_id": r.id, "started_at": r.started_at, **r.data} for r in rows]

    def unscored(self) -> list[Attempt]:
        """Finished calls with no scorecard (the process died between the end and the score)."""
        query = _attempt_query().where(m.calls.c.status == CallStatus.FINISHED.value, m.scorecards.c.call_id.is_(None))
        return [_attempt(r) for r in self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at)).all())]

    def unfinished(self) -> list[Attempt]:
        query = _attempt_query().where(m.calls.c.status == CallStatus.UNFINISHED.value)
        return [_attempt(r) for r in self._read(lambda conn: conn.execute(query.order_by(m.calls.c.started_at)).all())]


# -- helpers (each runs inside the caller's transaction) ------------------------------------------

def _safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an invalid database URL)"


def _check_name(name: str, what: str) -> None:
    if not name or not name.strip() or len(name) > 100 or any(ord(ch) < 32 for ch in name):
        raise StoreError(f"invalid {what} name {name!r}: 1-100 printable characters")


def _team(conn: Any, name: str) -> TeamInfo | None:
    row = conn.execute(sa.select(m.teams).where(m.teams.c.name == name)).first()
    return TeamInfo(row.id, row.name, row.created_at) if row else None


def _trainee(conn: Any, name: str) -> TraineeInfo | None:
    row = conn.execute(sa.select(m.trainees.c.id, m.trainees.c.name, m.teams.c.name.label("team"),
                                 m.trainees.c.created_at).select_from(m.trainees.outerjoin(m.teams))
                       .where(m.trainees.c.name == name)).first()
    return TraineeInfo(row.id, row.name, row.team, row.created_at) if row else None


_HEADER = TypeAdapter(CallHeader)


def _header_json(header: CallHeader) -> dict[str, Any]:
    return _HEADER.dump_python(header, mode="json")


def _header(data: dict[str, Any]) -> CallHeader:
    return _HEADER.validate_python(data)


def _call_values(call_id: str, header: CallHeader, folder: Path | None, trainee_id: int | None,
                 kind: CallKind, competition: str | None) -> dict[str, Any]:
    return dict(
        id=call_id, trainee_id=trainee_id, scenario_id=header.scenario_id, scenario_sha256=header.scenario_sha256,
        seed=header.seed, mode=header.mode, kind=kind.value, status=CallStatus.IN_PROGRESS.value,
        analyser=header.analyser, drill=header.drill, competition_id=competition, started_at=header.started_at,
        folder=str(Path(folder).resolve()) if folder is not None else None, host=HOST, pid=os.getpid(),
        header=_header_json(header))


def _call_folder(conn: Any, call_id: str) -> Path | None:
    folder = conn.execute(sa.select(m.calls.c.folder).where(m.calls.c.id == call_id)).scalar()
    return Path(folder) if folder else None


def _insert_turn(conn: Any, call_id: str, turn: TurnRecord, folder: Path | None) -> bool:
    exists = conn.execute(sa.select(m.turns.c.id).where(m.turns.c.call_id == call_id,
                                                        m.turns.c.idx == turn.index)).scalar()
    if exists is not None:
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


def _replace_scorecard(conn: Any, call_id: str, card: Scorecard) -> None:
    if conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id == call_id)).scalar() is None:
        raise StoreError(f"no call {call_id!r}")
    conn.execute(m.evidence.delete().where(m.evidence.c.call_id == call_id))
    conn.execute(m.scorecards.delete().where(m.scorecards.c.call_id == call_id))
    scores = {d.dimension.value: d.score for d in card.dimensions}
    conn.execute(m.scorecards.insert().values(
        call_id=call_id, overall=card.overall, passed=card.passed, empathy=scores.get("empathy"),
        compliance=scores.get("compliance"), tone=scores.get("tone"), scorer=card.scorer, created_at=now_iso(),
        data=scorecard_to_json(card)))
    items = [dict(call_id=call_id, dimension=d.dimension.value, rule=e.rule[:200], quote=e.quote, detail=e.detail,
                  start_s=e.start_s, weight=e.weight) for d in card.dimensions for e in d.evidence]
    if items:
        conn.execute(m.evidence.insert(), items)


def _attempt_query() -> Any:
    turn_count = (sa.select(sa.func.count(m.turns.c.id)).where(m.turns.c.call_id == m.calls.c.id)
                  .correlate(m.calls).scalar_subquery())
    return (sa.select(m.calls.c.id, m.trainees.c.name.label("trainee"), m.calls.c.scenario_id, m.calls.c.seed,
                      m.calls.c.kind, m.calls.c.status, m.calls.c.started_at, m.calls.c.ended_at, m.calls.c.outcome,
                      m.scorecards.c.overall, m.scorecards.c.passed, m.scorecards.c.empathy,
                      m.scorecards.c.compliance, m.scorecards.c.tone, m.calls.c.drill, m.calls.c.competition_id,
                      m.calls.c.folder, turn_count.label("turn_count"))
            .select_from(m.calls.outerjoin(m.trainees).outerjoin(m.teams).outerjoin(m.scorecards)))


def _attempt(row: Any) -> Attempt:
    return Attempt(row.id, row.trainee, row.scenario_id, row.seed, CallKind(row.kind), CallStatus(row.status),
                   row.started_at, row.ended_at, Outcome(row.outcome) if row.outcome else None, row.overall,
                   None if row.passed is None else bool(row.passed), row.empathy, row.compliance, row.tone,
                   row.drill, row.competition_id, row.folder, int(row.turn_count or 0))


def _recover(conn: Any, call_id: str, folder: str | None) -> RecoveredCall:
    imported = 0
    record = None
    if folder and (Path(folder) / "call.jsonl").is_file():
        try:
            record = read_call(Path(folder))
        except (OSError, ValueError):
            record = None  # an unreadable file: keep what the database has
    if record is not None:
        for turn in record.turns:
            imported += _insert_turn(conn, call_id, turn, Path(folder))
    if record is not None and record.complete:
        conn.execute(m.calls.update().where(m.calls.c.id == call_id).values(
            status=CallStatus.FINISHED.value, outcome=record.outcome.value if record.outcome else None,
            ended_at=record.ended_at or now_iso()))
    else:
        conn.execute(m.calls.update().where(m.calls.c.id == call_id).values(status=CallStatus.UNFINISHED.value))
    row = conn.execute(_attempt_query().where(m.calls.c.id == call_id)).one()
    attempt = _attempt(row)
    return RecoveredCall(call_id, attempt.scenario_id, attempt.trainee, attempt.turns - imported, imported, folder,
                         attempt.status)


__all__ = ["SqlStore", "sha256_file"]
