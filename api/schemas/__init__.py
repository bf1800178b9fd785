"""Pydantic request/response schemas of the HTTP API (kept apart from the SQLAlchemy tables).

Request bodies forbid unknown fields, so a misspelt field is a 422 naming it rather than
an edit silently made with a default. Every review request carries ``version``: the
alignment version the client saw (optimistic locking, see :mod:`aligner.store.review`).

Modules: :mod:`~api.schemas.common` (ids, literals, errors), :mod:`~api.schemas.store`
(projects, documents, alignments, beads, jobs), :mod:`~api.schemas.review` (edits, notes,
history), :mod:`~api.schemas.views` (renderings, fidelity report, concordance).
"""

from api.schemas.common import (  # noqa: F401
    BeadFilter,
    Direction,
    ErrorOut,
    ExportFormat,
    ExportFormatOut,
    Id,
    Kind,
    MAX_OFFSET,
    QueueKind,
    Role,
    Side,
    StaleOut,
)
from api.schemas.store import (  # noqa: F401
    AdaptOut,
    AlignJobIn,
    AlignSettingsIn,
    AlignmentOut,
    BeadOut,
    BeadPageOut,
    CrossingLinkOut,
    CrossingOut,
    DocumentBriefOut,
    DocumentOut,
    JobOut,
    NextOut,
    ProgressOut,
    ProjectIn,
    ProjectOut,
    ProvenanceOut,
    RawTextOut,
    SentenceContextOut,
    SentenceOut,
)
from api.schemas.review import (  # noqa: F401
    BeadHistoryOut,
    BeadIdsIn,
    CrossingLinkIn,
    DetachIn,
    EditLogOut,
    EditOut,
    JoinSentenceIn,
    MergeIn,
    MoveIn,
    NoteIn,
    NoteOut,
    RealignIn,
    SplitIn,
    SplitSentenceIn,
    UnlinkIn,
    VersionIn,
)
from api.schemas.views import (  # noqa: F401
    AlignedTextOut,
    CellBeadOut,
    CellOut,
    ConcordanceOut,
    FidelityOut,
    FlagOut,
    FlagSentenceOut,
    FlaggedBeadOut,
    HitOut,
    PivotOut,
    RenderingColumnOut,
    RenderingGroupOut,
    RenderingRowOut,
    RenderingsOut,
)
