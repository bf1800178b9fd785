"""Alembic environment for the aligner store (configured in code, no alembic.ini).

Callers (``aligner.store.db.upgrade_database``, ``aligner db upgrade``) pass the database
URL as the ``sqlalchemy.url`` main option, or an open connection in
``config.attributes["connection"]``. ``render_as_batch`` makes ALTERs work on SQLite
(table copy); ``compare_type`` lets autogenerate see type changes; constraint names
come from the models' naming convention.
"""

from __future__ import annotations

from alembic import context

from aligner.store.db import make_engine
from aligner.store.models import Base
from aligner.store.search_schema import SEARCH_TABLES

config = context.config
target_metadata = Base.metadata



def include_name(name, type_, _parent_names) -> bool:
    """Autogenerate leaves the search index alone (dialect-specific DDL of its own)."""
    return not (type_ == "table" and name in SEARCH_TABLES)


OPTIONS = dict(target_metadata=target_metadata, compare_type=True, render_as_batch=True,
               include_name=include_name)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade --sql``)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Foreign keys off while batch migrations copy tables (SQLite).
    engine = make_engine(config.get_main_option("sqlalchemy.url"), foreign_keys=False)
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
