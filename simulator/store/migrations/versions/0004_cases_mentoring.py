"""The case library (cases, trainers' notes on their turns, cases assigned to trainees, review
playlists) and mentoring (mentor-apprentice pairs, assignments with due dates and target scores,
mentors' feedback).  New tables only: nothing existing is changed, so an upgrade keeps every call.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _person(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cases", _id(),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("marked_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "case_notes", _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("turn_index", sa.Integer, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    op.create_table(
        "case_assignments", _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        _person("trainee_id"),
        sa.Column("assigned_by", sa.String(100), nullable=True),
        sa.Column("assigned_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("case_id", "trainee_id", name="uq_case_assignments_case_trainee"),
    )
    op.create_index("ix_case_assignments_trainee_id", "case_assignments", ["trainee_id"])
    op.create_table(
        "playlists", _id(),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "playlist_items", _id(),
        sa.Column("playlist_id", sa.Integer, sa.ForeignKey("playlists.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("playlist_id", "position", name="uq_playlist_items_position"),
    )
    op.create_table(
        "mentorships", _id(), _person("mentor_id"), _person("apprentice_id"),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("mentor_id", "apprentice_id", name="uq_mentorships_pair"),
    )
    op.create_index("ix_mentorships_apprentice_id", "mentorships", ["apprentice_id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(32), primary_key=True),
        _person("mentor_id"), _person("apprentice_id"),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("target_score", sa.Float, nullable=False),
        sa.Column("due_at", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_assignments_apprentice_id", "assignments", ["apprentice_id"])
    op.create_table(
        "mentor_feedback", _id(), _person("mentor_id"), _person("apprentice_id"),
        sa.Column("call_id", sa.String(32), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_mentor_feedback_apprentice_id", "mentor_feedback", ["apprentice_id"])


def downgrade() -> None:
    for table in ("mentor_feedback", "assignments", "mentorships", "playlist_items", "playlists",
                  "case_assignments", "case_notes", "cases"):
        op.drop_table(table)
