"""Trainer reviews: overrides of machine judgements (kept beside them), timeline notes, an audit of
every change, each reviewer's scorecard of a call and the call's reviewed scorecard.

Only new tables: every existing row is left as it was.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _call_id() -> sa.Column:
    return sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "review_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("turn_index", sa.Integer, nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("machine", sa.JSON, nullable=True),
        sa.Column("reviewed", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("call_id", "reviewer", "target", "turn_index", "item",
                            name="uq_review_overrides_judgement"),
    )
    op.create_index("ix_review_overrides_call_id", "review_overrides", ["call_id"])
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("at_s", sa.Float, nullable=False),
        sa.Column("turn_index", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_review_notes_call_id", "review_notes", ["call_id"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _call_id(),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_review_audit_call_id", "review_audit", ["call_id"])
    op.create_table(
        "call_reviews",
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reviewer", sa.String(100), primary_key=True),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("overall", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "reviewed_scores",
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("overall", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("empathy", sa.Float, nullable=True),
        sa.Column("compliance", sa.Float, nullable=True),
        sa.Column("tone", sa.Float, nullable=True),
        sa.Column("reviewers", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("reviewed_scores", "call_reviews", "review_audit", "review_notes", "review_overrides"):
        op.drop_table(table)
