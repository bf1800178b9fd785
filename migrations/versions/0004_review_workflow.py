"""sentence.original_text, bead.reviewer, alignment.imported (issue 14: the review workflow)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

``sentence.original_text`` keeps a sentence's text as segmented once a reviewer corrects it
(OCR errors, typos), so exports can say which sentences were corrected; the raw text is
never changed. ``bead.reviewer`` names who set a bead's review status. ``alignment.imported``
records where an alignment made by another tool came from (format, file, SHA-256, tool).

(Another branch adds revision 0004 on 0003; whoever merges re-chains one after the other.)
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_text', sa.Text(), nullable=True))
    with op.batch_alter_table('bead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer', sa.String(length=100), nullable=True))
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.drop_column('imported')
    with op.batch_alter_table('bead', schema=None) as batch_op:
        batch_op.drop_column('reviewer')
    with op.batch_alter_table('sentence', schema=None) as batch_op:
        batch_op.drop_column('original_text')
