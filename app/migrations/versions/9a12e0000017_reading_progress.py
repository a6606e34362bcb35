"""Verified reading time per member and reading lesson.

Revision ID: 9a12e0000017
Revises: 9a12e0000016
Create Date: 2026-12-03 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000017"
down_revision = "9a12e0000016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reading_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("verified_seconds", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_reading_progress_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reading_progress_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_progress")),
        sa.UniqueConstraint("user_id", "lesson_id", name="uq_reading_progress_user_lesson"),
    )
    with op.batch_alter_table("reading_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_progress_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reading_progress_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("reading_progress")
