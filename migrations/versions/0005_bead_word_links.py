"""bead_word_links: cached word links of a bead (issue 15)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10

One row per bead: the word links computed for it on demand (``aligner.store.word_links``),
with the key of what they were computed from (the bead's sentence texts, languages,
encoder name and version, method version). A bead whose texts change misses its row and is
linked again; a deleted bead takes its row with it (ON DELETE CASCADE).

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('bead_word_links',
    sa.Column('bead_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bead_id'], ['bead.id'], name=op.f('fk_bead_word_links_bead_id_bead'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bead_id', name=op.f('pk_bead_word_links'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('bead_word_links')
