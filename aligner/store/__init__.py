"""SQLite (any SQLAlchemy URL) store of documents, alignments and every review edit.

Modules: :mod:`.models` (tables), :mod:`.db` (engine, sessions, migrations),
:mod:`.service` (import/store/load/list/queue), :mod:`.review` (versioned, undoable
edits), :mod:`.regions` (the edit engine and the invariant), :mod:`.export` (exports
from the store, incl. TEI stand-off), :mod:`.fixtures` (toy bitexts for tests),
:mod:`.errors`.
"""

from aligner.store.errors import InvariantError, NotFoundError, StaleVersionError, StoreError

__all__ = ["InvariantError", "NotFoundError", "StaleVersionError", "StoreError"]
