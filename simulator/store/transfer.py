"""Move a trainee's or cohort's data between stores as JSON, and forget a trainee (privacy).

The export holds every row (calls with turns, scorecards, ratings, trainers' reviews, recording
references with their sha256, KPIs, certifications, and the coaching rows of ``transfer_coaching``:
cases, playlists, mentoring) but not the audio itself: recordings stay on disk and are
referenced by path and checksum, so a receiving lab can verify copied WAVs with
``store.verify_recordings``.  Import is one transaction and skips calls it already has (same id),
so importing the same file twice changes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.contracts import MAX_SEED, Outcome
from simulator.record import CALL_FILE, read_call, turn_from_json
from simulator.scoring.scorecard import scorecard_from_json
from simulator.store import models as m
from simulator.store.people import get_or_create_trainee, team_row_id
from simulator.store.rows import insert_turn, replace_scorecard
from simulator.store.sql import SqlStore
from simulator.store.transfer_coaching import export_coaching, import_coaching
from simulator.store.types import CallKind, CallStatus, StoreError

EXPORT_FORMAT = "callsim-export"
EXPORT_VERSION = 1

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class ImportReport:
    trainees: int
    calls_added: int
    calls_skipped: int
    kpis: int
    coaching_rows: int = 0  # cases, case notes and assignments, playlists, pairs, assignments, feedback


@dataclass(frozen=True, slots=True)
class ForgetReport:
    trainee: str
    calls_deleted: int
    rows_deleted: int
    folders_deleted: tuple[str, ...]
    files_deleted: int
    files_left: tuple[str, ...] = ()  # referenced audio outside the data dir: not ours to delete


def _selected_trainees(conn: Any, trainees: list[str] | None, team: str | None) -> list[Any]:
    query = (sa.select(m.trainees.c.id, m.trainees.c.name, m.trainees.c.created_at, m.teams.c.name.label("team"))
             .select_from(m.trainees.outerjoin(m.teams)).order_by(m.trainees.c.name))
    if trainees:
        query = query.where(m.trainees.c.name.in_(trainees))
    if team:
        query = query.where(m.teams.c.name == team)
    rows = conn.execute(query).all()
    missing = set(trainees or ()) - {r.name for r in rows}
    if missing:
        raise StoreError(f"no trainee named {', '.join(sorted(missing))}")
    if team and not rows and conn.execute(sa.select(m.teams.c.id).where(m.teams.c.name == team)).scalar() is None:
        raise StoreError(f"no team named {team!r}")
    return rows


def export_data(store: SqlStore, trainees: list[str] | None = None, team: str | None = None,
                progress: Progress | None = None) -> dict[str, Any]:
    """Everything about the chosen trainees (all trainees when neither is given) as JSON-ready data."""
    with store.engine.connect() as conn:
        people = _selected_trainees(conn, trainees, team)
        ids = [p.id for p in people]
        by_id = {p.id: p.name for p in people}
        call_rows = conn.execute(sa.select(m.calls).where(m.calls.c.trainee_id.in_(ids))
                                 .order_by(m.calls.c.started_at, m.calls.c.id)).all() if ids else []
        calls = []
        for done, row in enumerate(call_rows, start=1):
            call_id = row.id
            card = conn.execute(sa.select(m.scorecards.c.data).where(m.scorecards.c.call_id == call_id)).scalar()
            calls.append({
                **{k: v for k, v in row._mapping.items() if k not in ("trainee_id",)},
                "trainee": by_id[row.trainee_id],
                "turns": conn.execute(sa.select(m.turns.c.data).where(m.turns.c.call_id == call_id)
                                      .order_by(m.turns.c.idx)).scalars().all(),
                "scorecard": card,
                "ratings": [{"stars": r.stars, "comment": r.comment, "created_at": r.created_at}
                            for r in conn.execute(sa.select(m.ratings).where(m.ratings.c.call_id == call_id)
                                                  .order_by(m.ratings.c.id))],
                "recordings": [{"turn_index": r.turn_index, "path": r.path, "sha256": r.sha256,
                                "size_bytes": r.size_bytes}
                               for r in conn.execute(sa.select(m.recordings).where(m.recordings.c.call_id == call_id)
                                                     .order_by(m.recordings.c.turn_index))],
                "review": _review_rows(conn, call_id),
            })
            if progress:
                progress(done, len(call_rows))
        kpis = [{"trainee": by_id[r.trainee_id], "period": r.period, "satisfaction": r.satisfaction,
                 "first_call_resolution": r.first_call_resolution, "handle_time_s": r.handle_time_s,
                 "complaints": r.complaints, "source": r.source, "created_at": r.created_at}
                for r in conn.execute(sa.select(m.kpis).where(m.kpis.c.trainee_id.in_(ids)).order_by(m.kpis.c.id))]
        certifications = [{"trainee": by_id[r.trainee_id], "stars": r.stars, "certified_at": r.certified_at,
                           "call_ids": list(r.call_ids)}
                          for r in conn.execute(sa.select(m.certifications).where(
                              m.certifications.c.trainee_id.in_(ids)).order_by(m.certifications.c.id))]
        coaching = export_coaching(conn, ids, [c["id"] for c in calls])
        drill_runs = [{"id": r.id, "trainee": by_id[r.trainee_id], "drill_id": r.drill_id,
                       "started_at": r.started_at, "data": r.data}
                      for r in conn.execute(sa.select(m.drill_runs).where(m.drill_runs.c.trainee_id.in_(ids))
                                            .order_by(m.drill_runs.c.started_at))]
    return {
        "format": EXPORT_FORMAT, "drill_runs": drill_runs, "version": EXPORT_VERSION,
        "schema_revision": store.schema_revision,
        "teams": sorted({p.team for p in people if p.team}),
        "trainees": [{"name": p.name, "team": p.team, "created_at": p.created_at} for p in people],
        "calls": calls, "kpis": kpis, "certifications": certifications, "coaching": coaching,
    }


REVIEW_TABLES = (m.review_overrides, m.review_notes, m.review_audit, m.call_reviews, m.reviewed_scores)


def _review_rows(conn: Any, call_id: str) -> dict[str, list[dict[str, Any]]]:
    """A call's trainer review (overrides, notes, audit, reviewed scorecards), row by row."""
    review = {}
    for table in REVIEW_TABLES:
        keep = [c for c in table.columns if c.name not in ("id", "call_id")]
        order = table.c.id if "id" in table.c else table.c.updated_at
        rows = conn.execute(sa.select(*keep).where(table.c.call_id == call_id).order_by(order)).all()
        if rows:
            review[table.name] = [dict(r._mapping) for r in rows]
    return review


def _insert_review_rows(conn: Any, call_id: str, review: dict[str, list[dict[str, Any]]]) -> None:
    for table in REVIEW_TABLES:
        for row in review.get(table.name, []):
            conn.execute(table.insert().values(call_id=call_id, **row))


def import_data(store: SqlStore, data: dict[str, Any], progress: Progress | None = None) -> ImportReport:
    """Add an export to this store in one transaction (calls already present are skipped)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise StoreError("not a callsim export (expected \"format\": \"callsim-export\")")
    if data.get("version") != EXPORT_VERSION:
        raise StoreError(f"unsupported export version {data.get('version')!r} (this callsim reads {EXPORT_VERSION})")

    def work(conn: Any) -> ImportReport:
        for name in data.get("teams", []):
            team_row_id(conn, name, create=True)
        trainee_ids = {}
        for person in data.get("trainees", []):
            trainee_ids[person["name"]] = get_or_create_trainee(conn, person["name"], person.get("team")).id
        added = skipped = 0
        calls = data.get("calls", [])
        for done, call in enumerate(calls, start=1):
            if conn.execute(sa.select(m.calls.c.id).where(m.calls.c.id == call["id"])).scalar() is not None:
                skipped += 1
                continue
            trainee = call.get("trainee")
            if trainee and trainee not in trainee_ids:
                trainee_ids[trainee] = get_or_create_trainee(conn, trainee, None).id
            conn.execute(m.calls.insert().values(trainee_id=trainee_ids.get(trainee), **_call_row(call)))
            for turn in call.get("turns", []):
                insert_turn(conn, call["id"], turn_from_json(turn), None)
            for recording in call.get("recordings", []):
                conn.execute(m.recordings.insert().values(call_id=call["id"], **recording))
            if call.get("scorecard") is not None:
                replace_scorecard(conn, call["id"], scorecard_from_json(call["scorecard"]))
            for rating in call.get("ratings", []):
                if rating.get("stars") not in range(1, 6):
                    raise ValueError(f"call {call['id']}: a rating of {rating.get('stars')!r} stars (1-5)")
                conn.execute(m.ratings.insert().values(call_id=call["id"], **rating))
            _insert_review_rows(conn, call["id"], call.get("review") or {})
            added += 1
            if progress:
                progress(done, len(calls))
        kpi_count = 0
        for kpi in data.get("kpis", []):
            trainee_id = trainee_ids.get(kpi["trainee"]) or get_or_create_trainee(conn, kpi["trainee"], None).id
            conn.execute(m.kpis.delete().where(m.kpis.c.trainee_id == trainee_id, m.kpis.c.period == kpi["period"]))
            conn.execute(m.kpis.insert().values(trainee_id=trainee_id,
                                                **{k: v for k, v in kpi.items() if k != "trainee"}))
            kpi_count += 1
        for cert in data.get("certifications", []):
            trainee_id = trainee_ids.get(cert["trainee"]) or get_or_create_trainee(conn, cert["trainee"], None).id
            exists = conn.execute(sa.select(m.certifications.c.id).where(
                m.certifications.c.trainee_id == trainee_id, m.certifications.c.stars == cert["stars"],
                m.certifications.c.certified_at == cert["certified_at"])).scalar()
            if exists is None:
                conn.execute(m.certifications.insert().values(trainee_id=trainee_id, stars=cert["stars"],
                                                              certified_at=cert["certified_at"],
                                                              call_ids=cert["call_ids"]))
        for run in data.get("drill_runs", []):
            if conn.execute(sa.select(m.drill_runs.c.id).where(m.drill_runs.c.id == run["id"])).scalar() is None:
                trainee_id = trainee_ids.get(run["trainee"]) or get_or_create_trainee(conn, run["trainee"], None).id
                conn.execute(m.drill_runs.insert().values(id=run["id"], trainee_id=trainee_id, drill_id=run["drill_id"],
                                                          started_at=run["started_at"], data=run["data"]))
        coaching_rows = import_coaching(conn, data.get("coaching") or {})
        return ImportReport(len(data.get("trainees", [])), added, skipped, kpi_count, coaching_rows)

    try:
        return store._write(work)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, sa.exc.IntegrityError) as err:
        raise StoreError(f"the export is damaged or incomplete ({type(err).__name__}: {_first_line(err)}); "
                         "nothing was imported") from None


def _first_line(err: Exception) -> str:
    """The gist of a library's many-line message (pydantic's field and problem, SQLAlchemy's first line)."""
    errors = getattr(err, "errors", None)
    if callable(errors) and not isinstance(err, sa.exc.SQLAlchemyError):
        first = errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    lines = str(err).strip().splitlines()
    return lines[0] if lines else repr(err)


def _call_row(call: dict[str, Any]) -> dict[str, Any]:
    """The calls-table row of an exported call, checked as the store's own writes are: a kind, status or
    outcome outside the store's names, or a seed or time it cannot keep, was imported and then stopped
    every command that read the call (history, leaderboard, growth)."""
    row = {k: call[k] for k in {c.name for c in m.calls.columns} - {"trainee_id"}}
    try:
        CallKind(row["kind"])
        CallStatus(row["status"])
        if row["outcome"] is not None:
            Outcome(row["outcome"])
        if not isinstance(row["seed"], int) or isinstance(row["seed"], bool) or not 0 <= row["seed"] <= MAX_SEED:
            raise ValueError(f"seed {row['seed']!r} is not a whole number from 0 to {MAX_SEED}")
        for moment in ("started_at", "ended_at"):
            if row[moment] is not None:
                datetime.fromisoformat(row[moment])
    except (ValueError, TypeError) as err:
        raise ValueError(f"call {row['id']}: {err}") from None
    return row


def forget_trainee(store: SqlStore, trainee: str, recordings_dir: Path | None = None) -> ForgetReport:
    """Delete every row about ``trainee`` and their call folders and audio in the data dir.

    Also removes call folders under ``recordings_dir`` whose header names the trainee but that never
    reached the store (played without ``--trainee`` but with a name, or imported elsewhere).
    """
    def work(conn: Any) -> tuple[int, int, list[str], list[str]]:
        found = conn.execute(sa.select(m.trainees.c.id).where(m.trainees.c.name == trainee)).scalar()
        if found is None:
            raise StoreError(f"no trainee named {trainee!r}")
        call_ids = conn.execute(sa.select(m.calls.c.id).where(m.calls.c.trainee_id == found)).scalars().all()
        folders = [f for f in conn.execute(sa.select(m.calls.c.folder).where(m.calls.c.trainee_id == found))
                   .scalars().all() if f]
        audio = conn.execute(sa.select(m.recordings.c.path).where(m.recordings.c.call_id.in_(call_ids))).scalars().all()
        rows = 0
        for table in (m.evidence, m.scorecards, m.ratings, m.recordings, m.turns, m.review_overrides, m.review_notes,
                      m.review_audit, m.call_reviews, m.reviewed_scores):
            rows += conn.execute(table.delete().where(table.c.call_id.in_(call_ids))).rowcount
        rows += conn.execute(m.calls.delete().where(m.calls.c.trainee_id == found)).rowcount
        rows += conn.execute(m.kpis.delete().where(m.kpis.c.trainee_id == found)).rowcount
        rows += conn.execute(m.drill_runs.delete().where(m.drill_runs.c.trainee_id == found)).rowcount
        rows += conn.execute(m.certifications.delete().where(m.certifications.c.trainee_id == found)).rowcount
        rows += conn.execute(m.trainees.delete().where(m.trainees.c.id == found)).rowcount
        return len(call_ids), rows, folders, audio

    calls_deleted, rows, folders, audio = store._write(work)
    if recordings_dir is not None and Path(recordings_dir).is_dir():
        for call_file in Path(recordings_dir).glob(f"*/{CALL_FILE}"):
            try:
                if read_call(call_file).header.trainee == trainee:
                    folders.append(str(call_file.parent))
            except (OSError, ValueError):
                continue
    files = 0
    left = []
    # audio inside the data dir or a call folder is callsim's copy; a WAV imported from elsewhere
    # (``callsim behaviour add``) is the trainer's file: report it rather than delete it
    ours = [Path(f).resolve() for f in folders]
    if recordings_dir is not None:
        ours.append(Path(recordings_dir).resolve().parent)
    for path in map(Path, audio):
        if not path.is_file():
            continue
        if any(path.resolve().is_relative_to(root) for root in ours):
            path.unlink()
            files += 1
        else:
            left.append(str(path))
    removed = []
    for folder in dict.fromkeys(folders):
        path = Path(folder)
        if (path / CALL_FILE).is_file():  # only ever remove what is recognisably a call folder
            files += sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
            removed.append(folder)
    return ForgetReport(trainee, calls_deleted, rows, tuple(removed), files, tuple(left))
