"""Store-level services: projects, documents, alignments, loaders, bead listing, queue.

All functions take a SQLAlchemy :class:`~sqlalchemy.orm.Session` from
:func:`aligner.store.db.make_session_factory`. Writers commit on success and roll back
on error. Sentences and beads are addressed by their database ids; ``position`` is a
bead's 0-based place in the alignment, ``ord`` a sentence's 0-based place in its document.

Modules: :mod:`~aligner.store.service.documents` (projects and documents),
:mod:`~aligner.store.service.alignments` (store, describe, load alignments),
:mod:`~aligner.store.service.queue` (bead pages, the review queue, progress, crossings).
"""

from aligner.store.service.alignments import (
    bead_sentence_ords,
    delete_alignment,
    get_alignment,
    list_alignments,
    load_alignment,
    load_bitext,
    store_alignment,
)
from aligner.store.service.documents import (
    Role,
    create_project,
    document_summary,
    find_project,
    get_document,
    get_or_create_project,
    get_project,
    import_document,
    list_documents,
    list_projects,
    load_document,
    project_id_by_name,
    raw_text,
    sentence_context,
    sentence_ids,
)
from aligner.store.service.queue import (
    BEAD_FILTERS,
    LOW_CONFIDENCE,
    QUEUE_KINDS,
    QueueKind,
    get_bead,
    list_beads,
    list_crossing_links,
    list_crossings,
    next_bead,
    progress,
    sentences_by_id,
)

__all__ = [
    "BEAD_FILTERS", "LOW_CONFIDENCE", "QUEUE_KINDS", "QueueKind", "Role", "bead_sentence_ords",
    "create_project", "delete_alignment", "document_summary", "find_project", "get_alignment",
    "get_bead", "get_document", "get_or_create_project", "get_project", "import_document",
    "list_alignments", "list_beads", "list_crossing_links", "list_crossings", "list_documents",
    "list_projects", "load_alignment", "load_bitext", "load_document", "next_bead", "progress",
    "project_id_by_name", "raw_text", "sentence_context", "sentence_ids", "sentences_by_id", "store_alignment",
]
