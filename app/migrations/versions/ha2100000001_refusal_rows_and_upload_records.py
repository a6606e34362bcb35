"""Hardening (issue 21): refused heartbeats as one row per member, lesson, reason and minute, with a
count and the latest time; and the record of uploads behind the per-account upload quotas.

Revision ID: ha2100000001
Revises: hl0a00000021
Create Date: 2026-12-05 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "ha2100000001"
down_revision = "hl0a00000021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("heartbeat_refusals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minute", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("count", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("last_at", sa.DateTime(), nullable=True))
    # Rows stored before keep their own time as their "minute": each stays a row of its own.
    op.execute("UPDATE heartbeat_refusals SET minute = created_at, last_at = created_at")
    with op.batch_alter_table("heartbeat_refusals", schema=None) as batch_op:
        batch_op.alter_column("minute", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("last_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_heartbeat_refusals_minute", ["user_id", "lesson_id", "reason", "minute"]
        )
    op.create_table(
        "upload_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_upload_records_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_records")),
    )
    with op.batch_alter_table("upload_records", schema=None) as batch_op:
        batch_op.create_index("ix_upload_records_user_time", ["user_id", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("upload_records", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_records_user_time")
    op.drop_table("upload_records")
    with op.batch_alter_table("heartbeat_refusals", schema=None) as batch_op:
        batch_op.drop_constraint("uq_heartbeat_refusals_minute", type_="unique")
        batch_op.drop_column("last_at")
        batch_op.drop_column("count")
        batch_op.drop_column("minute")
