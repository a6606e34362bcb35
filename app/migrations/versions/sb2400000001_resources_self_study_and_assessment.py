"""Issue 24's seed systems: the library's pictures and videos (resources, images), self-study rules
and verified watching of resources, and target responsibility assessment (targets, recorded values,
PDCA notes).

Revision ID: sb2400000001
Revises: 5eed0a000024
Create Date: 2026-12-05 12:47:11
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sb2400000001"
down_revision = "5eed0a000024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessment_pdca_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("do", sa.Text(), nullable=False),
        sa.Column("check", sa.Text(), nullable=False),
        sa.Column("act", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_assessment_pdca_notes_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_assessment_pdca_notes_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_pdca_notes")),
        sa.UniqueConstraint("unit_id", "year", "quarter", name="uq_assessment_pdca_notes_key"),
    )
    with op.batch_alter_table("assessment_pdca_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_pdca_notes_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assessment_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "trainer",
                "secretary",
                "admin",
                "auditor",
                "reviewer",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column(
            "measure",
            sa.Enum(
                "average_hours",
                "required_completion",
                "sessions_held",
                "manual",
                name="measure",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("required_level", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("stretch_level", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_assessment_targets_set_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_assessment_targets_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_targets")),
        sa.UniqueConstraint(
            "unit_id", "role", "year", "quarter", "measure", "name", name="uq_assessment_targets_key"
        ),
    )
    with op.batch_alter_table("assessment_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_targets_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assessment_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_assessment_values_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_assessment_values_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_values")),
        sa.UniqueConstraint("unit_id", "year", "quarter", "name", name="uq_assessment_values_key"),
    )
    with op.batch_alter_table("assessment_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_values_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("mime_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_images_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("sha256", name=op.f("uq_images_sha256")),
    )
    op.create_table(
        "self_study_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("earns_hours", sa.Boolean(), nullable=False),
        sa.Column("minutes_per_hour", sa.Integer(), nullable=False),
        sa.Column("yearly_cap", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_self_study_rules_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_units.id"],
            name=op.f("fk_self_study_rules_unit_id_org_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_study_rules")),
        sa.UniqueConstraint("unit_id", "version", name="uq_self_study_rules_unit_version"),
    )
    with op.batch_alter_table("self_study_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_self_study_rules_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "library_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("video", "image", name="resourcekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=True),
        sa.Column("image_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["library_collections.id"],
            name=op.f("fk_library_resources_collection_id_library_collections"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_library_resources_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"], ["images.id"], name=op.f("fk_library_resources_image_id_images")
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_library_resources_video_id_videos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_resources")),
    )
    with op.batch_alter_table("library_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_library_resources_collection_topic", ["collection_id", "topic"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_library_resources_image_id"), ["image_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_library_resources_video_id"), ["video_id"], unique=False)

    op.create_table(
        "resource_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("session_token", sa.String(length=32), nullable=True),
        sa.Column("intervals", sa.JSON(), nullable=False),
        sa.Column("verified_seconds", sa.Double(), nullable=False),
        sa.Column("resume_at", sa.Double(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["library_resources.id"],
            name=op.f("fk_resource_watches_resource_id_library_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_resource_watches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_watches")),
        sa.UniqueConstraint("user_id", "resource_id", name="uq_resource_watches_user_resource"),
    )
    with op.batch_alter_table("resource_watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_watches_resource_id"), ["resource_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_watches_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("resource_watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_watches_user_id"))
        batch_op.drop_index(batch_op.f("ix_resource_watches_resource_id"))

    op.drop_table("resource_watches")
    with op.batch_alter_table("library_resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_resources_video_id"))
        batch_op.drop_index(batch_op.f("ix_library_resources_image_id"))
        batch_op.drop_index("ix_library_resources_collection_topic")

    op.drop_table("library_resources")
    with op.batch_alter_table("self_study_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_study_rules_unit_id"))

    op.drop_table("self_study_rules")
    op.drop_table("images")
    with op.batch_alter_table("assessment_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_values_unit_id"))

    op.drop_table("assessment_values")
    with op.batch_alter_table("assessment_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_targets_unit_id"))

    op.drop_table("assessment_targets")
    with op.batch_alter_table("assessment_pdca_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_pdca_notes_unit_id"))

    op.drop_table("assessment_pdca_notes")
