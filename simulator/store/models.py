"""The store's tables (SQLAlchemy Core).  The migrations in ``migrations/versions`` create exactly
these; change both together (a new revision, never an edited old one).

Times are ISO-8601 UTC strings with milliseconds (``now_iso()``), so they sort as text on both
engines and survive export/import unchanged.
"""

from __future__ import annotations

from sqlalchemy import (
                        JSON,
                        Boolean,
                        Column,
                        Float,
                        ForeignKey,
                        Integer,
                        MetaData,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
)

metadata = MetaData()

teams = Table(
    "teams", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
)

trainees = Table(
    "trainees", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", String(40), nullable=False),
)

calls = Table(
    "calls", metadata,
    Column("id", String(32), primary_key=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("scenario_id", String(64), nullable=False, index=True),
    Column("scenario_sha256", String(64), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("analyser", String(64), nullable=False),
    Column("drill", String(64), nullable=True),
    Column("competition_id", String(64), nullable=True, index=True),
    Column("started_at", String(40), nullable=False, index=True),
    Column("ended_at", String(40), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("folder", String(1000), nullable=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("header", JSON, nullable=False),
)

turns = Table(
    "turns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("idx", Integer, nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("start_s", Float, nullable=True),
    Column("end_s", Float, nullable=True),
    Column("audio_path", String(1000), nullable=True),
    Column("data", JSON, nullable=False),
    UniqueConstraint("call_id", "idx", name="uq_turns_call_idx"),
)

scorecards = Table(
    "scorecards", metadata,
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("overall", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("empathy", Float, nullable=True),
    Column("compliance", Float, nullable=True),
    Column("tone", Float, nullable=True),
    Column("scorer", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("data", JSON, nullable=False),
)

evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("dimension", String(16), nullable=False),
    Column("rule", String(200), nullable=False),
    Column("quote", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("start_s", Float, nullable=True),
    Column("weight", Float, nullable=False),
)

recordings = Table(
    "recordings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("turn_index", Integer, nullable=False),
    Column("path", String(1000), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    UniqueConstraint("call_id", "turn_index", name="uq_recordings_call_turn"),
)

ratings = Table(
    "ratings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("stars", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
)

kpis = Table(
    "kpis", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
    Column("period", String(40), nullable=False),
    Column("satisfaction", Float, nullable=True),
    Column("first_call_resolution", Float, nullable=True),
    Column("handle_time_s", Float, nullable=True),
    Column("complaints", Integer, nullable=True),
    Column("source", String(1000), nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("trainee_id", "period", name="uq_kpis_trainee_period"),
)

competitions = Table(
    "competitions", metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("starts_at", String(40), nullable=False),
    Column("ends_at", String(40), nullable=False),
    Column("min_attempts", Integer, nullable=False),
    Column("data", JSON, nullable=False),  # scenarios (id + seed), teams, ranking rule, source file
    Column("created_at", String(40), nullable=False),
)

certifications = Table(
    "certifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("stars", Integer, nullable=False),
    Column("certified_at", String(40), nullable=False),
    Column("call_ids", JSON, nullable=False),
)

drill_runs = Table(
    "drill_runs", metadata,
    Column("id", String(32), primary_key=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("drill_id", String(64), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("data", JSON, nullable=False),  # the DrillResult as JSON: baseline, stages with call ids, pause
)

# -- trainer reviews (migration 0003) -----------------------------------------------------------------
# A trainer's change to one machine judgement of a call: the machine's value is kept beside the
# reviewer's.  One row per (call, reviewer, what was judged); a later change updates it, and the
# audit table keeps every change with who and when.
review_overrides = Table(
    "review_overrides", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("reviewer", String(100), nullable=False),
    Column("target", String(16), nullable=False),  # empathy | step | forbidden | dimension
    Column("turn_index", Integer, nullable=False),  # trainee turn, 1-based; 0 = the whole call (dimension)
    Column("item", String(64), nullable=False),  # step id, phrase id or dimension; "" for empathy
    Column("machine", JSON, nullable=True),
    Column("reviewed", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("call_id", "reviewer", "target", "turn_index", "item", name="uq_review_overrides_judgement"),
)

review_notes = Table(
    "review_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author", String(100), nullable=False),
    Column("at_s", Float, nullable=False),  # on the call clock
    Column("turn_index", Integer, nullable=True),  # the trainee turn the note is about, if any
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

review_audit = Table(
    "review_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),  # override | accept | note
    Column("target", String(200), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("reason", Text, nullable=True),
    Column("at", String(40), nullable=False),
)

# Each reviewer's scorecard of a call (their overrides applied): what calibration compares.
call_reviews = Table(
    "call_reviews", metadata,
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("reviewer", String(100), primary_key=True),
    Column("started_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("overall", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("data", JSON, nullable=False),
)

# The call's reviewed scorecard (every reviewer's overrides, the latest change winning): what
# scorecards, growth, levels, leaderboards and reports use in place of the machine's.
reviewed_scores = Table(
    "reviewed_scores", metadata,
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("overall", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("empathy", Float, nullable=True),
    Column("compliance", Float, nullable=True),
    Column("tone", Float, nullable=True),
    Column("reviewers", JSON, nullable=False),  # names, in the order they first reviewed
    Column("updated_at", String(40), nullable=False),
    Column("data", JSON, nullable=False),
)

# -- the case library (migration 0004) ----------------------------------------------------------------
cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # exemplary | cautionary
    Column("tags", JSON, nullable=False),
    Column("summary", Text, nullable=False),
    Column("marked_by", String(100), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

case_notes = Table(
    "case_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("turn_index", Integer, nullable=True),  # the trainee turn, 1-based as on the scorecard; None: whole call
    Column("note", Text, nullable=False),
    Column("author", String(100), nullable=True),
    Column("created_at", String(40), nullable=False),
)

case_assignments = Table(
    "case_assignments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("assigned_by", String(100), nullable=True),
    Column("assigned_at", String(40), nullable=False),
    UniqueConstraint("case_id", "trainee_id", name="uq_case_assignments_case_trainee"),
)

playlists = Table(
    "playlists", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("team", String(100), nullable=True),
    Column("created_by", String(100), nullable=True),
    Column("created_at", String(40), nullable=False),
)

playlist_items = Table(
    "playlist_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("playlist_id", Integer, ForeignKey("playlists.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("playlist_id", "position", name="uq_playlist_items_position"),
)

# -- mentoring (migration 0004) -----------------------------------------------------------------------
mentorships = Table(
    "mentorships", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mentor_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
    Column("apprentice_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("started_at", String(40), nullable=False),
    UniqueConstraint("mentor_id", "apprentice_id", name="uq_mentorships_pair"),
)

assignments = Table(
    "assignments", metadata,
    Column("id", String(32), primary_key=True),
    Column("mentor_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
    Column("apprentice_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("target_kind", String(16), nullable=False),  # scenario | drill
    Column("target_id", String(64), nullable=False),
    Column("target_score", Float, nullable=False),
    Column("due_at", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
)

mentor_feedback = Table(
    "mentor_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mentor_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
    Column("apprentice_id", Integer, ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("call_id", String(32), ForeignKey("calls.id", ondelete="CASCADE"), nullable=True),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)
