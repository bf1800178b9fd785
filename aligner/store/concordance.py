"""The phrase concordance over the store: find a phrase in every stored document and,
for each hit, the aligned sentence(s) of every alignment that holds it
(:mod:`aligner.concordance` does the matching; renderings are marked from the beads' word
links, :mod:`aligner.store.concordance_links`).

Reading only, but for the word-link cache that marking renderings may fill.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.concordance import (
    FUZZY_MIN,
    AlignedText,
    EmptyPhraseError,
    Hit,
    exact_spans,
    fuzzy_matches,
)
from aligner.concordance.match import _WORD
from aligner.store.models import AlignmentRow, BeadSentence, DocumentRow, SentenceRow
from aligner.types import Provenance

MAX_HITS = 500          # a phrase found more often is cut here (the rest is counted, not shown)


@dataclass
class _Row:
    id: int
    document_id: int
    ord: int
    text: str


def _sentence_rows(session: Session, lang: str | None, project_id: int | None) -> list[_Row]:
    q = (select(SentenceRow.id, SentenceRow.document_id, SentenceRow.ord, SentenceRow.text)
         .join(DocumentRow, DocumentRow.id == SentenceRow.document_id)
         .order_by(SentenceRow.document_id, SentenceRow.ord))
    if lang:
        q = q.where(DocumentRow.lang == lang)
    if project_id is not None:
        q = q.where(DocumentRow.project_id == project_id)
    return [_Row(*r) for r in session.execute(q)]


def _documents(session: Session, ids: set[int]) -> dict[int, DocumentRow]:
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(DocumentRow).where(DocumentRow.id.in_(ids)))}


def _label(d: DocumentRow) -> str:
    return Provenance(file=d.origin_file, sha256=d.sha256, kind=d.kind).label


def _aligned_texts(session: Session, sentence_ids: list[int]) -> dict[int, list[AlignedText]]:
    """For each sentence id: the other side of its bead in every alignment containing it."""
    if not sentence_ids:
        return {}
    memberships = session.execute(
        select(BeadSentence.sentence_id, BeadSentence.bead_id, BeadSentence.alignment_id,
               BeadSentence.side).where(BeadSentence.sentence_id.in_(sentence_ids))).all()
    bead_ids = {m.bead_id for m in memberships}
    others: dict[tuple[int, str], list[tuple[int, int, int, str]]] = defaultdict(list)
    if bead_ids:
        rows = session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord, SentenceRow.id,
                   SentenceRow.ord, SentenceRow.document_id, SentenceRow.text)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.bead_id.in_(bead_ids))
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)).all()
        for bead_id, side, _, sid, sord, doc_id, text in rows:
            others[(bead_id, side)].append((sid, sord, doc_id, text))
    alignment_ids = {m.alignment_id for m in memberships}
    alignments = {a.id: a for a in session.scalars(
        select(AlignmentRow).where(AlignmentRow.id.in_(alignment_ids)))} if alignment_ids else {}
    docs = _documents(session, {a.src_document_id for a in alignments.values()}
                      | {a.tgt_document_id for a in alignments.values()})
    result: dict[int, list[AlignedText]] = defaultdict(list)
    for m in sorted(memberships, key=lambda m: (m.sentence_id, m.alignment_id)):
        other_side = "tgt" if m.side == "src" else "src"
        a = alignments[m.alignment_id]
        doc = docs[a.tgt_document_id if other_side == "tgt" else a.src_document_id]
        sentences = others.get((m.bead_id, other_side), [])
        result[m.sentence_id].append(AlignedText(
            alignment_id=a.id, bead_id=m.bead_id, document_id=doc.id,
            document_title=doc.title or doc.origin_file, lang=doc.lang,
            provenance_label=_label(doc),
            sentence_ids=[s[0] for s in sentences], sentence_ords=[s[1] for s in sentences],
            text=" ".join(s[3] for s in sentences)))
    return result


def search(session: Session, phrase: str, *, fuzzy: bool = False, lang: str | None = None,
           encoder=None, project_id: int | None = None, min_score: float = FUZZY_MIN,
           limit: int = MAX_HITS) -> list[Hit]:
    """Find ``phrase`` in every stored document and show how it was rendered.

    ``fuzzy=False``: case-insensitive substring of the :func:`normalise`-d text.
    ``fuzzy=True``: case- and punctuation-insensitive; a word window (n−1 … n+1 words)
    matching with rapidfuzz ratio ≥ ``min_score`` (0–100) is a hit — tolerant of OCR
    errors ("Jaranese troops") and of a lost word ("[in] our understanding").
    ``lang`` restricts the documents searched (ISO 639-1); ``project_id`` to one project.
    ``encoder`` (:class:`aligner.embed.Encoder`) marks the rendering in each aligned text
    from the bead's word links (:func:`~aligner.store.concordance_links.mark_hit_renderings_by_links`;
    ends the session's transaction); without it renderings stay None. At most ``limit`` hits, in
    document and sentence order. Raises :class:`EmptyPhraseError` for a phrase without
    letters or digits.
    """
    if not _WORD.search(phrase or ""):
        raise EmptyPhraseError("the search phrase has no letters or digits")
    rows = _sentence_rows(session, lang, project_id)
    if fuzzy:
        matches = [(rows[i], spans, score)
                   for i, spans, score in fuzzy_matches(phrase, [r.text for r in rows], min_score)]
    else:
        matches = [(row, spans, 100.0) for row in rows if (spans := exact_spans(phrase, row.text))]
    matches = matches[:limit]
    docs = _documents(session, {row.document_id for row, _, _ in matches})
    aligned = _aligned_texts(session, [row.id for row, _, _ in matches])
    hits = []
    for row, spans, score in matches:
        d = docs[row.document_id]
        hits.append(Hit(document_id=d.id, document_title=d.title or d.origin_file, lang=d.lang,
                        provenance_label=_label(d), sentence_id=row.id, sentence_ord=row.ord,
                        text=row.text, spans=spans, score=score,
                        aligned=aligned.get(row.id, [])))
    if encoder is not None:
        from aligner.store.concordance_links import mark_hit_renderings_by_links

        mark_hit_renderings_by_links(session, phrase, hits, encoder, fuzzy=fuzzy)
    return hits
