"""The training store: trainees, teams, every call with its turns, scorecard, evidence, recordings
(sha256-checked WAV references), ratings, KPIs, competitions and certifications.

SQLite by default (``<data_dir>/callsim.db``), PostgreSQL by URL for a lab of stations sharing one
database.  SQLAlchemy is imported only when a store is opened, so text mode runs without it.
Opening a store runs the packaged Alembic migrations up to head (both engines, same scripts).

Public API (stable; everything returns frozen dataclasses from ``simulator.store.types``)::

    from simulator.store import open_store, CallMirror, StoreError, CallKind, CallStatus

    store = open_store()                       # Settings: --db / CALLSIM_DATABASE_URL / data_dir
    store = open_store("postgresql+psycopg://u:pw@host/db")   # or a URL, or a SQLite file path
    with open_store(path) as store: ...        # close() on exit

    # people (names are unique; StoreError on duplicates or unknown names)
    store.create_team(name) -> TeamInfo        store.ensure_team(name) -> TeamInfo
    store.get_team(name) -> TeamInfo | None    store.list_teams() -> list[TeamInfo]
    store.create_trainee(name, team=None) -> TraineeInfo        # StoreError if the name exists
    store.ensure_trainee(name, team=None) -> TraineeInfo        # sign-in: get or create
    store.get_trainee(name) -> TraineeInfo | None
    store.list_trainees(team=None) -> list[TraineeInfo]
    store.set_team(trainee, team_or_None) -> TraineeInfo

    # a finished call (text, voiced, drill...) in one transaction; idempotent per call folder
    call_id = store.save_call(record, scorecard, trainee="ana", team="red",
                              kind=CallKind.TRAINING, competition=None)
    # or live, one transaction per turn: pass a mirror as run_call(on_event=...)
    mirror = CallMirror(store, folder, trainee="ana", team="red")
    finished = run_call(..., folder, on_event=mirror)
    call_id = mirror.finish(finished.record, finished.scorecard)

    # history
    store.attempts(trainee=None, scenario_id=None, *, kind=None, competition=None, team=None,
                   finished_only=False) -> list[Attempt]                 # oldest first
    store.best_score(trainee, scenario_id=None) -> Attempt | None       # highest passed overall
    store.get_call(call_id_or_prefix) -> StoredCall(attempt, record: CallRecord, scorecard | None)
    store.resolve_call_id(prefix) -> str
    store.recordings(call_id) -> list[Recording]; store.verify_recordings(call_id)
    store.rate(call_id, stars_1_to_5, comment=None) -> Rating; store.ratings(trainee=None, team=None)

    # the case library (values in simulator.store.coaching); calls by id or unique prefix
    store.mark_case(call_id, CaseKind.CAUTIONARY, tags=[...], summary="...", marked_by=None) -> CaseInfo
    store.add_case_note(call_id, text, turn_index=None, author=None) -> CaseNote
    store.get_case(call_id) -> CaseInfo; store.cases(kind=None, tag=None, trainee=None); store.unmark_case(call_id)
    store.assign_case(call_id, [trainee...]) -> int; store.assigned_cases(trainee) -> list[CaseInfo]
    store.save_playlist(name, [call_id...], title=None, team=None) -> Playlist; store.get_playlist(name)

    # mentoring: pairs, assignments (their status: simulator.lab.mentoring), feedback
    store.pair(mentor, apprentice) -> Mentorship; store.mentorships(mentor=None, apprentice=None)
    store.assign(mentor, apprentice, TargetKind.SCENARIO, "billing-overcharge", target_score=75,
                 due_at=ISO) -> Assignment;  store.assignments(mentor=None, apprentice=None, team=None)
    store.leave_feedback(mentor, text, call_id=None, apprentice=None) -> Feedback; store.feedback(...)

    # trainer reviews (simulator.lab.review computes the rescored cards and calls these)
    store.set_override(Override, reviewer_card=, call_card=) -> Override   # upsert + audit + cards
    store.accept_call(call_id, reviewer, reviewer_card=, call_card=)      # sign-off, audited
    store.add_note(call_id, author, at_s, text, turn_index=None) -> ReviewNote
    store.overrides(call_id=None, reviewer=None); store.notes(call_id); store.audit(call_id=None)
    store.call_reviews(call_id=None) -> list[CallReview]                 # each reviewer's scorecard

    # crash recovery, run at start-up: calls of this station left open by a dead process
    store.recover_unfinished() -> list[RecoveredCall]; store.unfinished() -> list[Attempt]

``Attempt`` fields: call_id, trainee, scenario_id, seed, kind, status (in_progress | finished |
unfinished), started_at, ended_at, outcome, overall, passed, empathy, compliance, tone, drill,
competition, folder, turns, reviewed_by, machine_overall.  For a call a trainer reviewed, the
headline figures (and ``scorecards()``' cards) are the reviewed ones; ``reviewed_by`` names the
trainers and ``machine_overall`` keeps the machine's (``get_call`` gives both scorecards).
Times are ISO-8601 UTC strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simulator.store.types import (
    Attempt,
    CallKind,
    CallStatus,
    Rating,
    Recording,
    RecoveredCall,
    StoredCall,
    StoreError,
    TeamInfo,
    TraineeInfo,
)

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.store.mirror import CallMirror
    from simulator.store.sql import SqlStore


def store_url(url_or_path: str | Path | None = None, settings: Settings | None = None) -> str:
    """The database URL: an explicit URL/path (``--db``), else Settings.database_url, else the data dir file."""
    from simulator.config import load_settings
    from simulator.store.engine import database_url

    settings = settings or load_settings()
    return database_url(url_or_path or settings.database_url, settings.data_dir)


def open_store(url_or_path: str | Path | None = None, *, settings: Settings | None = None) -> SqlStore:
    """Open (creating and migrating as needed) the store.  Needs SQLAlchemy + Alembic installed."""
    from simulator.lazy import require

    require("sqlalchemy", feature="the training store")
    from simulator.store.sql import SqlStore

    return SqlStore(store_url(url_or_path, settings))


def __getattr__(name: str):  # CallMirror imports the call session; load it on first use
    if name == "CallMirror":
        from simulator.store.mirror import CallMirror

        return CallMirror
    raise AttributeError(name)


__all__ = [
    "Attempt",
    "CallKind",
    "CallMirror",
    "CallStatus",
    "Rating",
    "Recording",
    "RecoveredCall",
    "StoreError",
    "StoredCall",
    "TeamInfo",
    "TraineeInfo",
    "open_store",
    "store_url",
]
