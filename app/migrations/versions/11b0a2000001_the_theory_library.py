"""The theory library: collections, documents, sections and reading positions.

Revision ID: 11b0a2000001
Revises: d3868130e270
Create Date: 2026-11-22 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '11b0a2000001'
down_revision = 'd3868130e270'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_collections')),
    sa.UniqueConstraint('name', name=op.f('uq_library_collections_name'))
    )
    op.create_table('library_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('tags', sa.String(length=500), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['library_collections.id'], name=op.f('fk_library_documents_collection_id_library_collections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_documents')),
    sa.UniqueConstraint('key', name=op.f('uq_library_documents_key'))
    )
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_documents_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('ix_library_documents_collection_date', ['collection_id', 'date'], unique=False)

    op.create_table('library_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=300), nullable=False),
    sa.Column('anchor', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_sections_document_id_library_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_sections')),
    sa.UniqueConstraint('document_id', 'anchor', name='uq_library_sections_document_anchor'),
    sa.UniqueConstraint('document_id', 'position', name='uq_library_sections_document_position')
    )
    op.create_table('library_reading_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('anchor', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_reading_positions_document_id_library_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_library_reading_positions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_reading_positions')),
    sa.UniqueConstraint('user_id', 'document_id', name='uq_library_reading_positions_user_document')
    )
    with op.batch_alter_table('library_reading_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_reading_positions_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('library_reading_positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_reading_positions_document_id'))
    op.drop_table('library_reading_positions')
    op.drop_table('library_sections')
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_library_documents_collection_date')
        batch_op.drop_index(batch_op.f('ix_library_documents_content_hash'))
    op.drop_table('library_documents')
    op.drop_table('library_collections')
