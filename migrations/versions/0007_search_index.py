"""search index: word index (SQLite FTS5 / PostgreSQL tsvector), vocabulary with a trigram
index (FTS5 trigram / pg_trgm), and the queue that keeps them current

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20

The tables, triggers and indexes are those of aligner.store.search_schema (they differ
between SQLite and PostgreSQL). Every stored sentence is queued; the index is built on
the next commit or search (aligner.store.search_index.sync).
"""
from typing import Sequence, Union

from alembic import op

from aligner.store import search_schema

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    search_schema.create(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    search_schema.drop(op.get_bind())
