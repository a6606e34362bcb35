"""Verified watch progress: viewers (session and budget), played intervals, refusals; lessons' videos.

Revision ID: 4eab0e000012
Revises: e0e0a1000011
Create Date: 2026-11-22 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4eab0e000012"
down_revision = "e0e0a1000011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "viewers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_token", sa.String(length=32), nullable=True),
        sa.Column("session_lesson_id", sa.Integer(), nullable=True),
        sa.Column("session_sequence", sa.Integer(), nullable=False),
        sa.Column("session_opened_at", sa.DateTime(), nullable=True),
        sa.Column("budget_seconds", sa.Double(), nullable=False),
        sa.Column("budget_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_lesson_id"], ["lessons.id"], name=op.f("fk_viewers_session_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_viewers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_viewers")),
    )
    op.create_table(
        "video_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("intervals", sa.JSON(), nullable=False),
        sa.Column("verified_seconds", sa.Double(), nullable=False),
        sa.Column("resume_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_video_progress_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_video_progress_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_progress")),
        sa.UniqueConstraint("user_id", "lesson_id", name="uq_video_progress_user_lesson"),
    )
    with op.batch_alter_table("video_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_progress_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_video_progress_user_id"), ["user_id"], unique=False)
    op.create_table(
        "heartbeat_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_heartbeat_refusals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat_refusals")),
    )
    with op.batch_alter_table("heartbeat_refusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_heartbeat_refusals_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_heartbeat_refusals_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_heartbeat_refusals_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_lessons_video_id"), ["video_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_lessons_video_id_videos"), "videos", ["video_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_lessons_video_id_videos"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_lessons_video_id"))
        batch_op.drop_column("video_id")
    with op.batch_alter_table("heartbeat_refusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_heartbeat_refusals_user_id"))
        batch_op.drop_index(batch_op.f("ix_heartbeat_refusals_lesson_id"))
        batch_op.drop_index(batch_op.f("ix_heartbeat_refusals_created_at"))
    op.drop_table("heartbeat_refusals")
    with op.batch_alter_table("video_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_progress_user_id"))
        batch_op.drop_index(batch_op.f("ix_video_progress_lesson_id"))
    op.drop_table("video_progress")
    op.drop_table("viewers")
