"""Documents whose search-index update is still to be done, so a lost background job is queued again.

Revision ID: 9a12e0000020
Revises: 9a12e0000019
Create Date: 2026-12-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a12e0000020"
down_revision = "9a12e0000019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "library_index_pending",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_library_index_pending")),
    )


def downgrade():
    op.drop_table("library_index_pending")
