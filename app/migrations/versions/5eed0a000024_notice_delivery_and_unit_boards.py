"""Notices delivered by e-mail and group robots (企业微信 / 钉钉); units' boards (支部园地).

A unit's group robots and each notice's delivery per channel are new tables. Board topics and replies
are discussion posts that belong to a unit instead of a lesson: ``lesson_id`` becomes optional, a post
names exactly one of the two, and a topic has a title.

Revision ID: 5eed0a000024
Revises: ha2100000001
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5eed0a000024"
down_revision = "ha2100000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice_robots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("wecom", "dingtalk", name="robotkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("webhook_url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_units.id"], name=op.f("fk_notice_robots_unit_id_org_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_notice_robots_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_robots")),
        sa.UniqueConstraint("unit_id", "kind", name="uq_notice_robots_unit_kind"),
    )
    with op.batch_alter_table("notice_robots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_robots_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "wecom", "dingtalk", name="deliverychannel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("robot_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="deliverystatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_notice_deliveries_notice_id_notices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["robot_id"],
            ["notice_robots.id"],
            name=op.f("fk_notice_deliveries_robot_id_notice_robots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_deliveries")),
    )
    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_deliveries_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_deliveries_status"), ["status"], unique=False)

    with op.batch_alter_table("discussion_posts", schema=None) as batch_op:
        batch_op.alter_column("lesson_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            batch_op.f("fk_discussion_posts_unit_id_org_units"),
            "org_units",
            ["unit_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_discussion_posts_unit_parent", ["unit_id", "parent_id"], unique=False)
        batch_op.create_check_constraint("lesson_or_unit", "(lesson_id IS NULL) <> (unit_id IS NULL)")
    with op.batch_alter_table("discussion_posts", schema=None) as batch_op:
        batch_op.alter_column("title", server_default=None)


def downgrade():
    op.execute("DELETE FROM discussion_posts WHERE unit_id IS NOT NULL AND parent_id IS NOT NULL")
    op.execute("DELETE FROM discussion_posts WHERE unit_id IS NOT NULL")
    with op.batch_alter_table("discussion_posts", schema=None) as batch_op:
        batch_op.drop_constraint("lesson_or_unit", type_="check")
        batch_op.drop_index("ix_discussion_posts_unit_parent")
        batch_op.drop_constraint(batch_op.f("fk_discussion_posts_unit_id_org_units"), type_="foreignkey")
        batch_op.drop_column("title")
        batch_op.drop_column("unit_id")
        batch_op.alter_column("lesson_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("notice_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_deliveries_status"))
        batch_op.drop_index(batch_op.f("ix_notice_deliveries_notice_id"))
    op.drop_table("notice_deliveries")
    with op.batch_alter_table("notice_robots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_robots_unit_id"))
    op.drop_table("notice_robots")
