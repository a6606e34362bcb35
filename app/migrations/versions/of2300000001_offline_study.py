"""Offline study (issue 23): download grants, uploaded play logs and their credited plays, the online
viewing spans offline plays may not overlap, and each unit's switch for offline credit.

Revision ID: of2300000001
Revises: sb2400000001
Create Date: 2026-12-05 12:46:15.591187

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "of2300000001"
down_revision = "sb2400000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_settings",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("credit_allowed", sa.Boolean(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_offline_settings_set_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_offline_settings_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_offline_settings")),
    )
    op.create_table(
        "online_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_online_spans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_spans")),
    )
    with op.batch_alter_table("online_spans", schema=None) as batch_op:
        batch_op.create_index("ix_online_spans_user_time", ["user_id", "opened_at"], unique=False)

    op.create_table(
        "offline_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_offline_grants_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offline_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_grants")),
    )
    with op.batch_alter_table("offline_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offline_grants_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_grants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "offline_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("log_id", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("played_seconds", sa.Double(), nullable=False),
        sa.Column("new_seconds", sa.Double(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("plays", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["offline_grants.id"],
            name=op.f("fk_offline_uploads_grant_id_offline_grants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offline_uploads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_uploads")),
    )
    with op.batch_alter_table("offline_uploads", schema=None) as batch_op:
        batch_op.create_index("ix_offline_uploads_grant_log", ["grant_id", "log_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_uploads_uploaded_at"), ["uploaded_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_uploads_user_id"), ["user_id"], unique=False)

    op.create_table(
        "offline_plays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Double(), nullable=False),
        sa.Column("end", sa.Double(), nullable=False),
        sa.Column("played_from", sa.DateTime(), nullable=False),
        sa.Column("played_to", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["offline_grants.id"],
            name=op.f("fk_offline_plays_grant_id_offline_grants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["offline_uploads.id"],
            name=op.f("fk_offline_plays_upload_id_offline_uploads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offline_plays_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_plays")),
    )
    with op.batch_alter_table("offline_plays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offline_plays_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offline_plays_upload_id"), ["upload_id"], unique=False)
        batch_op.create_index("ix_offline_plays_user_time", ["user_id", "played_from"], unique=False)


def downgrade():
    with op.batch_alter_table("offline_plays", schema=None) as batch_op:
        batch_op.drop_index("ix_offline_plays_user_time")
        batch_op.drop_index(batch_op.f("ix_offline_plays_upload_id"))
        batch_op.drop_index(batch_op.f("ix_offline_plays_grant_id"))

    op.drop_table("offline_plays")
    with op.batch_alter_table("offline_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_offline_uploads_uploaded_at"))
        batch_op.drop_index("ix_offline_uploads_grant_log")

    op.drop_table("offline_uploads")
    with op.batch_alter_table("offline_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_offline_grants_lesson_id"))

    op.drop_table("offline_grants")
    with op.batch_alter_table("online_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_online_spans_user_time")

    op.drop_table("online_spans")
    op.drop_table("offline_settings")
