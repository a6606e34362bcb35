"""Merge the domain branches (courses, media, library, quizzes, progress, interaction).

Revision ID: e0e0a1000011
Revises: 0a1250000001, 11b0a2000001, 3ed1a0000001, 9a0c0e000007, d15c0a000010
Create Date: 2026-11-22 08:00:00

The domains were built side by side from the foundation revision; from here on there is one head
again, so `flask db upgrade` needs no revision argument.
"""

revision = "e0e0a1000011"
down_revision = ("0a1250000001", "11b0a2000001", "3ed1a0000001", "9a0c0e000007", "d15c0a000010")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
