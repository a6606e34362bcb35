"""Review before publishing: a published course's working copy, and the reviews of submissions.

Revision ID: 9a12e0000019
Revises: 9a12e0000018
Create Date: 2026-12-03 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000019"
down_revision = "9a12e0000018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("synced_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_courses_draft_of_id"), ["draft_of_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_courses_draft_of_id_courses"), "courses", ["draft_of_id"], ["id"], ondelete="CASCADE"
        )
    op.create_table(
        "course_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "returned", "withdrawn", name="reviewstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_reviews_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_course_reviews_reviewer_id_users")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_course_reviews_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_reviews")),
    )
    with op.batch_alter_table("course_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_reviews_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_reviews_status"), ["status"], unique=False)


def downgrade():
    op.drop_table("course_reviews")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_courses_draft_of_id_courses"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_courses_draft_of_id"), type_="unique")
        batch_op.drop_column("synced_at")
        batch_op.drop_column("draft_of_id")
