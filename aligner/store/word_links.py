"""Word links of stored beads, computed on demand and cached in the store.

:func:`links_for_beads` reads each bead's sentences, looks its links up in the
``bead_word_links`` table and computes the missing ones, all together (:func:`aligner.words.bead.link_beads`).
A row is keyed by the bead id and by :func:`cache_key`: a hash of the bead's sentence
texts per side, the two languages, the encoder's name and version and
:data:`aligner.words.METHOD_VERSION`. Any edit that changes a bead's sentences (split,
merge, move, a corrected sentence text) changes the key, so the bead simply misses and is
linked again (and its row replaced); an edit that changes nothing the links depend on
(confirming a bead) keeps them. A deleted bead takes its row along (ON DELETE CASCADE). No per-project dictionary is used: one learned from the links of the
other pairs changed nothing on XL-WA en-ru dev (AER 0.136 either way, docs/words.md).

Writing the cache is best effort: it happens in a transaction of its own after everything
was read, and a failure (the bead was deleted meanwhile, the database is busy) only means
the links are computed again next time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from aligner.embed import encoder_label
from aligner.store.db import write_transaction
from aligner.store.errors import NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, BeadWordLinks, DocumentRow, SentenceRow, utcnow
from aligner.words import METHOD_VERSION
from aligner.words.bead import BeadLinks, link_beads

log = logging.getLogger(__name__)


@dataclass
class StoredBeadLinks:
    """A stored bead with its word links.

    ``src``/``tgt``: the bead's sentences per side as ``{"id", "ord", "text"}`` dicts in bead
    order (token ``sentence`` indices point into these); ``links``: the :class:`BeadLinks`;
    ``cached``: True if they came from the store, False if computed by this call."""

    bead_id: int
    alignment_id: int
    src_lang: str
    tgt_lang: str
    src: list[dict]
    tgt: list[dict]
    links: BeadLinks
    cached: bool = False


def cache_key(src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str,
              encoder) -> str:
    """64 hex digits: SHA-256 of everything the links of a bead depend on."""
    payload = json.dumps([list(src_texts), list(tgt_texts), src_lang, tgt_lang,
                          encoder_label(encoder), METHOD_VERSION], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Statements built once (building a select costs more than running it on a small bead).
_IDS = bindparam("ids", expanding=True)
_SRC_DOC, _TGT_DOC = aliased(DocumentRow), aliased(DocumentRow)
_BEADS = (select(BeadRow.id, BeadRow.alignment_id, _SRC_DOC.lang, _TGT_DOC.lang)
          .join(AlignmentRow, AlignmentRow.id == BeadRow.alignment_id)
          .join(_SRC_DOC, _SRC_DOC.id == AlignmentRow.src_document_id)
          .join(_TGT_DOC, _TGT_DOC.id == AlignmentRow.tgt_document_id)
          .where(BeadRow.id.in_(_IDS)))
_MEMBERS = (select(BeadSentence.bead_id, BeadSentence.side, SentenceRow.id, SentenceRow.ord, SentenceRow.text)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.bead_id.in_(_IDS))
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord))
_CACHED = (select(BeadWordLinks.bead_id, BeadWordLinks.key, BeadWordLinks.links)
           .where(BeadWordLinks.bead_id.in_(_IDS)))
_DELETE = delete(BeadWordLinks).where(BeadWordLinks.bead_id.in_(_IDS))
_EXISTING = select(BeadRow.id).where(BeadRow.id.in_(_IDS))
_INSERT = insert(BeadWordLinks)


def _read_beads(session: Session, bead_ids: list[int]) -> dict[int, StoredBeadLinks]:
    """The beads' sentences and languages (links still empty), for the ids that exist."""
    conn = session.connection()
    beads = {bead_id: StoredBeadLinks(bead_id, alignment_id, src_lang, tgt_lang, [], [], BeadLinks([], []))
             for bead_id, alignment_id, src_lang, tgt_lang in conn.execute(_BEADS, {"ids": bead_ids})}
    for bead_id, side, sid, ord_, text in conn.execute(_MEMBERS, {"ids": list(beads)}):
        getattr(beads[bead_id], side).append({"id": sid, "ord": ord_, "text": text})
    return beads


def _texts(bead: StoredBeadLinks) -> tuple[list[str], list[str]]:
    return [s["text"] for s in bead.src], [s["text"] for s in bead.tgt]


def links_for_beads(session: Session, bead_ids: Sequence[int], encoder) -> dict[int, StoredBeadLinks]:
    """Word links of the beads ``bead_ids`` (unknown ids are left out), from the cache or
    computed with ``encoder`` (:class:`aligner.embed.Encoder`, e.g. ``get_encoder()``) and
    then cached. Ends the session's transaction (the cache is written in one of its own)."""
    beads = _read_beads(session, list(dict.fromkeys(bead_ids)))
    keys = {b.bead_id: cache_key(*_texts(b), b.src_lang, b.tgt_lang, encoder) for b in beads.values()}
    for bead_id, key, data in session.connection().execute(_CACHED, {"ids": list(beads)}):
        if key == keys[bead_id]:
            try:
                beads[bead_id].links = BeadLinks.from_json(data, *_texts(beads[bead_id]))
                beads[bead_id].cached = True
            except (ValueError, KeyError, TypeError):  # a damaged row: link the bead again
                pass
    session.rollback()  # end the read before computing (and before writing the cache)
    fresh = [b for b in beads.values() if not b.cached]
    # All missing beads linked together: one encoder pass for them all (link_beads).
    for b, links in zip(fresh, link_beads([(*_texts(b), b.src_lang, b.tgt_lang) for b in fresh], encoder)):
        b.links = links
    if fresh:
        _write(session, [(b.bead_id, keys[b.bead_id], b.links.to_json()) for b in fresh])
    return beads


def _write(session: Session, rows: list[tuple[int, str, dict]]) -> None:
    """Store computed links (best effort: a failure is logged and forgotten)."""
    try:
        write_transaction(session)
        conn = session.connection()
        ids = [bead_id for bead_id, _, _ in rows]
        conn.execute(_DELETE, {"ids": ids})
        existing = set(conn.execute(_EXISTING, {"ids": ids}).scalars())
        values = [{"bead_id": b, "key": k, "links": data, "created": utcnow()}
                  for b, k, data in rows if b in existing]
        if values:
            conn.execute(_INSERT, values)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.info("word links not cached (computed again next time): %s", str(exc).splitlines()[0])


def bead_links(session: Session, alignment_id: int, bead_id: int, encoder) -> StoredBeadLinks:
    """The word links of one bead of ``alignment_id``.

    Raises:
        NotFoundError: no such bead in that alignment.
    """
    try:  # checked before linking: a bead of another alignment computes nothing
        found = alignment_bead_links(session, alignment_id, [bead_id], encoder)
    except NotFoundError:
        found = []
    if not found:
        raise NotFoundError(f"bead {bead_id} not found in alignment {alignment_id}")
    return found[0]


class BeadsNotFound(NotFoundError):
    """Beads asked for that are not in the alignment: ``bead_ids``, in the order asked."""

    def __init__(self, message: str, bead_ids: list[int]) -> None:
        super().__init__(message)
        self.bead_ids = bead_ids


def alignment_bead_links(session: Session, alignment_id: int, bead_ids: Sequence[int],
                         encoder) -> list[StoredBeadLinks]:
    """The word links of the beads ``bead_ids`` of ``alignment_id``, in the order given
    (repeats once), the missing ones computed together (:func:`links_for_beads`).

    Raises:
        NotFoundError: no such alignment; :class:`BeadsNotFound` (a NotFoundError): beads
            that are not in it (their ids in ``bead_ids``).
    """
    wanted = list(dict.fromkeys(bead_ids))
    if session.scalar(select(AlignmentRow.id).where(AlignmentRow.id == alignment_id)) is None:
        session.rollback()
        raise NotFoundError(f"alignment {alignment_id} not found")
    # Checked before any linking: a request naming a wrong bead computes nothing.
    inside = set(session.scalars(select(BeadRow.id).where(BeadRow.alignment_id == alignment_id,
                                                          BeadRow.id.in_(wanted))))
    missing = [b for b in wanted if b not in inside]
    if missing:
        session.rollback()
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise BeadsNotFound(f"bead(s) {shown} not found in alignment {alignment_id}", missing)
    found = links_for_beads(session, wanted, encoder)
    return [found[b] for b in wanted if b in found]  # (a bead deleted meanwhile is left out)


def as_dict(stored: StoredBeadLinks, encoder) -> dict:
    """JSON-ready form for the API: per side the language, the sentences (``id``, ``ord``,
    ``text``) and the tokens (``sentence``: index into that side's sentences, ``start``,
    ``end``: characters in that sentence, ``text``); ``links`` with ``src``/``tgt`` token
    indices, ``confidence`` in [0, 1], ``origin`` (match | function-word | span) and
    ``style`` ("full": a 1-1 link; "partial": inside an m-n group larger than 1-1)."""
    links = stored.links

    def side(lang, sentences, tokens):
        return {"lang": lang, "sentences": sentences,
                "tokens": [{"sentence": t.sentence, "start": t.start, "end": t.end, "text": t.text}
                           for t in tokens]}

    return {"alignment_id": stored.alignment_id, "bead_id": stored.bead_id, "method": METHOD_VERSION,
            "encoder": encoder_label(encoder), "cached": stored.cached,
            "src": side(stored.src_lang, stored.src, links.src),
            "tgt": side(stored.tgt_lang, stored.tgt, links.tgt),
            "links": [{"src": l.src, "tgt": l.tgt, "confidence": round(l.confidence, 3), "origin": l.origin,
                       "style": "partial" if (l.src, l.tgt) in links.partial else "full"}
                      for l in links.links]}
