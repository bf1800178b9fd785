"""Several renderings of one document side by side: one column per alignment.

A *pivot* document (usually a source, e.g. the Russian record) may be aligned to several
other documents (two English translations, an excerpt in a telegram). :func:`parallel_view`
reads every stored alignment that contains the pivot and lays them out as rows over the
pivot's sentences: each row holds a run of consecutive pivot sentences and, per alignment,
the sentences of the other document linked to them — the coarsest grouping on which all
alignments agree, so no bead of any alignment is cut across two rows (a 1-1 in one column
next to a 2-1 in another gives one row with two pivot sentences). Beads with nothing on the
pivot side (0-1: text the other document adds) join the row of the pivot sentence before
them. A pivot with no alignment gives a one-column view: a document viewable alone.

Pure reading: nothing in the store is changed.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session, load_only

from aligner.store.errors import NotFoundError, StoreError
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, DocumentRow, SentenceRow
from aligner.store.service import document_summary, sentences_by_id

MAX_ROWS_PER_PAGE = 1000


#: Document columns a summary needs: not the texts, offsets and pages (megabytes for a book).
_SUMMARY_COLUMNS = load_only(DocumentRow.id, DocumentRow.project_id, DocumentRow.lang,
                             DocumentRow.title, DocumentRow.role, DocumentRow.origin_file,
                             DocumentRow.sha256, DocumentRow.kind, DocumentRow.encoding,
                             DocumentRow.notes)


def _document(session: Session, document_id: int) -> DocumentRow | None:
    return session.scalars(select(DocumentRow).options(_SUMMARY_COLUMNS)
                           .where(DocumentRow.id == document_id)).first()


def _sentences(session: Session, document_id: int) -> list[dict]:
    return [{"id": r.id, "ord": r.ord, "text": r.text, "page": r.page}
            for r in session.execute(
                select(SentenceRow.id, SentenceRow.ord, SentenceRow.text, SentenceRow.page)
                .where(SentenceRow.document_id == document_id).order_by(SentenceRow.ord))]


def _beads(session: Session, alignment_id: int, pivot_side: str) -> list[dict]:
    """The alignment's beads in position order, each with the pivot sentence ords
    (``"pivot"``) and the other side's sentence ids (``"other"``), in bead order."""
    members: dict[int, dict[str, list]] = {}
    for bid, side, sid, ord_ in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, SentenceRow.id, SentenceRow.ord)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.alignment_id == alignment_id)
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)):
        m = members.setdefault(bid, {"pivot": [], "other": []})
        if side == pivot_side:
            m["pivot"].append(ord_)
        else:
            m["other"].append(sid)
    beads = []
    for r in session.execute(select(BeadRow.id, BeadRow.position, BeadRow.score, BeadRow.status,
                                    BeadRow.flags)
                             .where(BeadRow.alignment_id == alignment_id)
                             .order_by(BeadRow.position)):
        m = members.get(r.id, {"pivot": [], "other": []})
        n_src, n_tgt = ((len(m["pivot"]), len(m["other"])) if pivot_side == "src"
                        else (len(m["other"]), len(m["pivot"])))
        beads.append({"id": r.id, "position": r.position, "type": f"{n_src}-{n_tgt}",
                      "score": r.score, "status": r.status, "flags": list(r.flags or []),
                      "pivot": m["pivot"], "other": m["other"]})
    return beads


def _row_starts(n_pivot: int, columns: list[list[dict]]) -> list[int]:
    """First pivot ord of every row: a cut before ord ``i`` is kept only if every
    alignment has a bead boundary there (the coarsest common grouping)."""
    cut = [True] * (n_pivot + 1)
    for beads in columns:
        inside = [False] * (n_pivot + 1)  # inside[i]: i and i-1 are in one bead
        for b in beads:
            for k in range(1, len(b["pivot"])):
                inside[b["pivot"][k]] = True
        cut = [c and not x for c, x in zip(cut, inside)]
    return [i for i in range(n_pivot) if cut[i]]


def _row_of_bead(beads: list[dict], row_of_ord: list[int]) -> list[int]:
    """Row index per bead; a bead without pivot sentences follows the pivot sentence
    before it (the first row if none)."""
    rows, last = [], 0
    for b in beads:
        if b["pivot"]:
            last = row_of_ord[b["pivot"][0]]
        rows.append(last)
    return rows


def list_pivots(session: Session, project_id: int | None = None) -> list[dict]:
    """Documents with the number of alignments each takes part in (the columns a
    :func:`parallel_view` of it would show), most alignments first.

    Returns ``[{"document": {id, project_id, lang, title, role, provenance},
    "alignments": n, "sentences": n}, ...]``."""
    docs = select(DocumentRow).options(_SUMMARY_COLUMNS)
    if project_id is not None:
        docs = docs.where(DocumentRow.project_id == project_id)
    ends = union_all(select(AlignmentRow.src_document_id.label("doc")),
                     select(AlignmentRow.tgt_document_id.label("doc"))).subquery()
    n_alignments = dict(session.execute(select(ends.c.doc, func.count()).group_by(ends.c.doc)).all())
    n_sentences = dict(session.execute(select(SentenceRow.document_id, func.count())
                                       .group_by(SentenceRow.document_id)).all())
    out = [{"document": document_summary(d), "alignments": n_alignments.get(d.id, 0),
            "sentences": n_sentences.get(d.id, 0)}
           for d in session.scalars(docs.order_by(DocumentRow.id))]
    out.sort(key=lambda x: (-x["alignments"], x["document"]["id"]))
    return out


def parallel_view(session: Session, document_id: int, alignment_ids: list[int] | None = None,
                  offset: int = 0, limit: int = 100, ord: int | None = None) -> dict:
    """Rows of the pivot document with every rendering of it, one column per alignment.

    ``alignment_ids`` picks and orders the columns (default: every alignment containing
    the document, by id). Rows are paged: ``offset`` (0-based row) and ``limit``
    (1..:data:`MAX_ROWS_PER_PAGE`).

    Returns ``{"document": {...}, "columns": [{"alignment_id", "version", "pivot_side":
    "src"|"tgt", "document": {...}}], "total": rows, "offset", "limit", "rows": [{"index",
    "pivot": [{"id", "ord", "text", "page"}], "cells": [{"sentences": [...], "beads":
    [{"id", "position", "type", "score", "status", "flags"}]} per column]}]}``; a cell's
    bead types are given as source-target counts of that alignment.

    ``ord``: the page is the one holding the row of pivot sentence ``ord`` (0-based; from a
    concordance hit), which the result names as ``"focus_row"`` (``offset`` is then ignored).

    Raises NotFoundError (unknown document or alignment), StoreError (an alignment
    that does not contain the document, bad paging, an ``ord`` past the document's end).
    """
    pivot = _document(session, document_id)
    if pivot is None:
        raise NotFoundError(f"document {document_id} not found")
    if offset < 0 or not 1 <= limit <= MAX_ROWS_PER_PAGE:
        raise StoreError(f"offset must be >= 0 and limit within 1..{MAX_ROWS_PER_PAGE}")
    containing = select(AlignmentRow).where(or_(AlignmentRow.src_document_id == document_id,
                                                AlignmentRow.tgt_document_id == document_id))
    if alignment_ids is None:
        alignments = list(session.scalars(containing.order_by(AlignmentRow.id)))
    else:
        alignments = []
        for aid in dict.fromkeys(alignment_ids):
            a = session.get(AlignmentRow, aid)
            if a is None:
                raise NotFoundError(f"alignment {aid} not found")
            if document_id not in (a.src_document_id, a.tgt_document_id):
                raise StoreError(f"alignment {aid} does not contain document {document_id}")
            alignments.append(a)

    pivot_sentences = _sentences(session, document_id)
    columns, column_beads = [], []
    for a in alignments:
        side = "src" if a.src_document_id == document_id else "tgt"
        other_id = a.tgt_document_id if side == "src" else a.src_document_id
        columns.append({"alignment_id": a.id, "version": a.version, "pivot_side": side,
                        "document": document_summary(_document(session, other_id))})
        column_beads.append(_beads(session, a.id, side))

    starts = _row_starts(len(pivot_sentences), column_beads)
    row_of_ord = [0] * len(pivot_sentences)
    for r, start in enumerate(starts):
        stop = starts[r + 1] if r + 1 < len(starts) else len(pivot_sentences)
        for i in range(start, stop):
            row_of_ord[i] = r
    total = len(starts) if pivot_sentences else 0
    focus = None
    if ord is not None:
        if not 0 <= ord < len(pivot_sentences):
            raise StoreError(f"document {document_id} has no sentence {ord} (0-based)")
        focus = row_of_ord[ord]
        offset = focus // limit * limit
    first, last = offset, min(total, offset + limit)
    rows = [{"index": r,
             "pivot": pivot_sentences[starts[r]:(starts[r + 1] if r + 1 < total
                                                 else len(pivot_sentences))],
             "cells": [{"sentences": [], "beads": []} for _ in alignments]}
            for r in range(first, last)]
    for c, beads in enumerate(column_beads):
        for b, r in zip(beads, _row_of_bead(beads, row_of_ord)):
            if first <= r < last:
                cell = rows[r - first]["cells"][c]
                cell["sentences"].extend(b["other"])  # ids until the texts are read below
                cell["beads"].append({k: b[k] for k in ("id", "position", "type", "score",
                                                        "status", "flags")})
    # Only this page's rendering sentences are read, not whole documents.
    texts = sentences_by_id(session, [sid for row in rows for cell in row["cells"]
                                      for sid in cell["sentences"]])
    for row in rows:
        for cell in row["cells"]:
            cell["sentences"] = [texts[sid] for sid in cell["sentences"]]
    return {"document": document_summary(pivot), "columns": columns, "total": total,
            "offset": offset, "limit": limit, "rows": rows, "focus_row": focus}
