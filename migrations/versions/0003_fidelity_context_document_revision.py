"""alignment.fidelity (the fidelity context fitted on the beads) and document.revision

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

``alignment.fidelity`` keeps the part of the fidelity context fitted on an alignment's beads
(length model, learned name pairs), so that a bead's flags depend on that bead alone and the
page and the report agree after edits. ``document.revision`` counts changes to a document's
sentences (re-segmentation, corrected text): caches of what follows from the texts key on it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fidelity', sa.JSON(), nullable=True))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('revision')
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.drop_column('fidelity')
