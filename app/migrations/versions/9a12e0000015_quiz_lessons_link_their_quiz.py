"""Quiz lessons point at the quiz made from their GIFT file.

Revision ID: 9a12e0000015
Revises: 6a11e0000014
Create Date: 2026-11-22 10:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000015"
down_revision = "6a11e0000014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiz_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_lessons_quiz_id"), ["quiz_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_lessons_quiz_id_quizzes"), "quizzes", ["quiz_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_lessons_quiz_id_quizzes"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_lessons_quiz_id"))
        batch_op.drop_column("quiz_id")
