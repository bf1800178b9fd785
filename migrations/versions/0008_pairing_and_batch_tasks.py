"""pairing_run, pairing_record, pairing_pair, batch_task: record pairing and batch tasks (issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``pairing_*`` keep which record translates which (``aligner batch --pair auto``) so a
reviewer can confirm or change it on the page; ``batch_task`` keys each finished batch
task by (content hashes of both texts, encoder, settings) so a rerun never duplicates a
pair. Only new tables: nothing to copy.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('pairing_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('src_lang', sa.String(length=16), nullable=False),
    sa.Column('tgt_lang', sa.String(length=16), nullable=False),
    sa.Column('encoder', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_pairing_run_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_run'))
    )
    with op.batch_alter_table('pairing_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_run_project_id'), ['project_id'], unique=False)

    op.create_table('pairing_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=3), nullable=False),
    sa.Column('ord', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=1000), nullable=False),
    sa.Column('ref', sa.String(length=1100), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('start_char', sa.Integer(), nullable=False),
    sa.Column('end_char', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.CheckConstraint("decision IN ('', 'untranslated')", name=op.f('ck_pairing_record_decision')),
    sa.CheckConstraint("side IN ('src', 'tgt')", name=op.f('ck_pairing_record_side')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_pairing_record_document_id_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['pairing_run.id'], name=op.f('fk_pairing_record_run_id_pairing_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_record')),
    sa.UniqueConstraint('run_id', 'side', 'ord', name=op.f('uq_pairing_record_run_id_side_ord'))
    )
    with op.batch_alter_table('pairing_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_record_document_id'), ['document_id'], unique=False)

    op.create_table('batch_task',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('alignment_id', sa.Integer(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alignment_id'], ['alignment.id'], name=op.f('fk_batch_task_alignment_id_alignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_batch_task'))
    )
    with op.batch_alter_table('batch_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_task_alignment_id'), ['alignment_id'], unique=False)

    op.create_table('pairing_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('src_record_id', sa.Integer(), nullable=False),
    sa.Column('tgt_record_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('user', sa.String(length=100), nullable=False),
    sa.Column('alignment_id', sa.Integer(), nullable=True),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('candidate', 'proposed', 'confirmed', 'rejected')", name=op.f('ck_pairing_pair_status')),
    sa.ForeignKeyConstraint(['alignment_id'], ['alignment.id'], name=op.f('fk_pairing_pair_alignment_id_alignment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['pairing_run.id'], name=op.f('fk_pairing_pair_run_id_pairing_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['src_record_id'], ['pairing_record.id'], name=op.f('fk_pairing_pair_src_record_id_pairing_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tgt_record_id'], ['pairing_record.id'], name=op.f('fk_pairing_pair_tgt_record_id_pairing_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_pair')),
    sa.UniqueConstraint('src_record_id', 'tgt_record_id', name=op.f('uq_pairing_pair_src_record_id_tgt_record_id'))
    )
    with op.batch_alter_table('pairing_pair', schema=None) as batch_op:
        batch_op.create_index('ix_pairing_pair_run_id_status', ['run_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairing_pair_tgt_record_id'), ['tgt_record_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('pairing_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_pair_tgt_record_id'))
        batch_op.drop_index('ix_pairing_pair_run_id_status')

    op.drop_table('pairing_pair')
    with op.batch_alter_table('batch_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_task_alignment_id'))

    op.drop_table('batch_task')
    with op.batch_alter_table('pairing_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_record_document_id'))

    op.drop_table('pairing_record')
    with op.batch_alter_table('pairing_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_run_project_id'))

    op.drop_table('pairing_run')
