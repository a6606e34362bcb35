"""Library documents remember who uploaded them, and keep the text a replacing file overwrote.

Revision ID: hl0a00000021
Revises: a7e1c0000022
Create Date: 2026-12-05 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "hl0a00000021"
down_revision = "a7e1c0000022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("library_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_library_documents_imported_by_id"), ["imported_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_library_documents_imported_by_id_users"),
            "users",
            ["imported_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "library_document_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source_format", sa.String(length=10), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["library_documents.id"],
            name=op.f("fk_library_document_revisions_document_id_library_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["users.id"],
            name=op.f("fk_library_document_revisions_replaced_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_document_revisions")),
        sa.UniqueConstraint("document_id", "number", name="uq_library_document_revisions_document_number"),
    )


def downgrade():
    op.drop_table("library_document_revisions")
    with op.batch_alter_table("library_documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_library_documents_imported_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_library_documents_imported_by_id"))
        batch_op.drop_column("imported_by_id")
