"""WebVTT subtitles attached to videos, one per language, with their cue text for search.

Revision ID: 9a12e0000018
Revises: 9a12e0000017
Create Date: 2026-12-03 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000018"
down_revision = "9a12e0000017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "video_subtitles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("cue_text", sa.Text(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_video_subtitles_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_video_subtitles_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_subtitles")),
        sa.UniqueConstraint("video_id", "language", name="uq_video_subtitles_video_language"),
    )
    with op.batch_alter_table("video_subtitles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_subtitles_uploaded_by_id"), ["uploaded_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_video_subtitles_video_id"), ["video_id"], unique=False)


def downgrade():
    op.drop_table("video_subtitles")
