"""SQLite (any SQLAlchemy URL) store of documents, alignments and every review edit.

Modules: :mod:`.models` (tables), :mod:`.db` (engine, sessions, migrations),
:mod:`.service` (import/store/load/list), :mod:`.review` (undoable edits),
:mod:`.export` (exports from the store, incl. TEI stand-off).
"""

from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError, StoreError

__all__ = ["InvariantError", "NotFoundError", "StaleVersionError", "StoreError"]
