"""A course may name the quiz lesson that is its final exam.

Revision ID: 9a12e0000016
Revises: 9a12e0000015
Create Date: 2026-11-22 10:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000016"
down_revision = "9a12e0000015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_exam_key", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("final_exam_key")
