"""The first schema: teams, trainees, calls with turns, scorecards, evidence, recordings, ratings,
KPIs, competitions and star-level certifications.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_sha256", sa.String(64), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("analyser", sa.String(64), nullable=False),
        sa.Column("drill", sa.String(64), nullable=True),
        sa.Column("competition_id", sa.String(64), nullable=True),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("ended_at", sa.String(40), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("folder", sa.String(1000), nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("header", sa.JSON, nullable=False),
    )
    op.create_index("ix_calls_trainee_id", "calls", ["trainee_id"])
    op.create_index("ix_calls_scenario_id", "calls", ["scenario_id"])
    op.create_index("ix_calls_status", "calls", ["status"])
    op.create_index("ix_calls_competition_id", "calls", ["competition_id"])
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("start_s", sa.Float, nullable=True),
        sa.Column("end_s", sa.Float, nullable=True),
        sa.Column("audio_path", sa.String(1000), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("call_id", "idx", name="uq_turns_call_idx"),
    )
    op.create_table(
        "scorecards",
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("overall", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("empathy", sa.Float, nullable=True),
        sa.Column("compliance", sa.Float, nullable=True),
        sa.Column("tone", sa.Float, nullable=True),
        sa.Column("scorer", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("start_s", sa.Float, nullable=True),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.create_index("ix_evidence_call_id", "evidence", ["call_id"])
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("turn_index", sa.Integer, nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.UniqueConstraint("call_id", "turn_index", name="uq_recordings_call_turn"),
    )
    op.create_index("ix_recordings_call_id", "recordings", ["call_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_ratings_call_id", "ratings", ["call_id"])
    op.create_table(
        "kpis",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("satisfaction", sa.Float, nullable=True),
        sa.Column("first_call_resolution", sa.Float, nullable=True),
        sa.Column("handle_time_s", sa.Float, nullable=True),
        sa.Column("complaints", sa.Integer, nullable=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("trainee_id", "period", name="uq_kpis_trainee_period"),
    )
    op.create_table(
        "competitions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.String(40), nullable=False),
        sa.Column("ends_at", sa.String(40), nullable=False),
        sa.Column("min_attempts", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("certified_at", sa.String(40), nullable=False),
        sa.Column("call_ids", sa.JSON, nullable=False),
    )
    op.create_index("ix_certifications_trainee_id", "certifications", ["trainee_id"])


def downgrade() -> None:
    for table in ("certifications", "competitions", "kpis", "ratings", "recordings", "evidence", "scorecards",
                  "turns", "calls", "trainees", "teams"):
        op.drop_table(table)
