"""Videos (stored by content hash, with their transcoding job's state) and their renditions.

Revision ID: 3ed1a0000001
Revises: d3868130e270
Create Date: 2026-11-22 07:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3ed1a0000001'
down_revision = 'd3868130e270'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('videos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=False),
    sa.Column('source_format', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'processing', 'ready', 'failed', name='videostatus', native_enum=False, length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=True),
    sa.Column('error_detail', sa.String(length=500), nullable=True),
    sa.Column('duration', sa.Double(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('poster_path', sa.String(length=300), nullable=True),
    sa.Column('job_token', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_videos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_videos')),
    sa.UniqueConstraint('sha256', name=op.f('uq_videos_sha256'))
    )
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_videos_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_videos_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('video_renditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_renditions_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_renditions')),
    sa.UniqueConstraint('video_id', 'height', name='uq_video_renditions_video_height')
    )
    with op.batch_alter_table('video_renditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_renditions_video_id'), ['video_id'], unique=False)


def downgrade():
    with op.batch_alter_table('video_renditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_renditions_video_id'))

    op.drop_table('video_renditions')
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_videos_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_videos_status'))

    op.drop_table('videos')
