"""Review before publishing: the organisation's switch, courses' working copies and review requests.

Revision ID: 9a12e0000017
Revises: 9a12e0000016
Create Date: 2026-11-22 16:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000017"
down_revision = "9a12e0000016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_settings",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_site_settings_updated_by_id_users"),
        sa.PrimaryKeyConstraint("name", name="pk_site_settings"),
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_of_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_courses_draft_of_id", ["draft_of_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_courses_draft_of_id_courses", "courses", ["draft_of_id"], ["id"], ondelete="CASCADE"
        )
    op.create_table(
        "course_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name="fk_course_reviews_course_id_courses", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["copy_id"], ["courses.id"], name="fk_course_reviews_copy_id_courses", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name="fk_course_reviews_submitted_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name="fk_course_reviews_decided_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_course_reviews"),
    )
    with op.batch_alter_table("course_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_course_reviews_course_id", ["course_id"], unique=False)
        batch_op.create_index("ix_course_reviews_copy_id", ["copy_id"], unique=False)


def downgrade():
    op.drop_table("course_reviews")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint("fk_courses_draft_of_id_courses", type_="foreignkey")
        batch_op.drop_index("ix_courses_draft_of_id")
        batch_op.drop_column("draft_of_id")
    op.drop_table("site_settings")
