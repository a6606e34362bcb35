"""One open attempt per member and quiz: a partial unique index.

Attempts opened twice by concurrent starts before this index (at most a handful) are closed first,
keeping the member's earliest open one: their answers stay, they are marked finished at their start.

Revision ID: a7e1c0000021
Revises: 9a12e0000020
Create Date: 2026-12-05 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7e1c0000021"
down_revision = "9a12e0000020"
branch_labels = None
depends_on = None

attempts = sa.table(
    "quiz_attempts",
    sa.column("id", sa.Integer),
    sa.column("quiz_id", sa.Integer),
    sa.column("member_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("started_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime),
)


def upgrade():
    earlier = attempts.alias("earlier")
    has_earlier_open = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.quiz_id == attempts.c.quiz_id,
            earlier.c.member_id == attempts.c.member_id,
            earlier.c.status == "open",
            earlier.c.id < attempts.c.id,
        )
        .exists()
    )
    op.execute(
        attempts.update()
        .where(attempts.c.status == "open", has_earlier_open)
        .values(status="finished", finished_at=attempts.c.started_at)
    )
    op.create_index(
        "uq_quiz_attempts_one_open",
        "quiz_attempts",
        ["quiz_id", "member_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade():
    op.drop_index("uq_quiz_attempts_one_open", table_name="quiz_attempts")
