"""Drill runs: one row per stress drill a trainee ran (baseline, stages, pause), linking its calls.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drill_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=True),
        sa.Column("drill_id", sa.String(64), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_drill_runs_trainee_id", "drill_runs", ["trainee_id"])


def downgrade() -> None:
    op.drop_table("drill_runs")
