"""index edit (alignment_id, undo_state) for undo/redo and the redo-stack reset

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Undo looks for the newest active edit, redo for the oldest undone one, and every new
edit marks the undone ones dropped; without this index each of those scanned the
alignment's whole edit log, whose rows carry the large before/after states.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('edit', schema=None) as batch_op:
        batch_op.create_index('ix_edit_alignment_id_undo_state', ['alignment_id', 'undo_state'],
                              unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('edit', schema=None) as batch_op:
        batch_op.drop_index('ix_edit_alignment_id_undo_state')
