"""project.adaptation: the re-scorer weights fitted on a project's confirmed beads (issue 16)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

``project.adaptation`` keeps what ``aligner adapt`` fitted on the project's confirmed
beads (:meth:`aligner.adapt.Adaptation.to_json`, plus the encoder it was fitted with and
when); NULL while nothing was fitted. Re-alignment and new alignments in the project use
it. One nullable column: nothing to copy.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adaptation', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('adaptation')
