"""Small deterministic bitexts for tests and demos (no encoder, no files).

``toy_document(texts, lang)`` builds an :class:`aligner.types.Document` whose clean text
is the sentences joined by single spaces (raw text = clean text, identity offset map);
``populate(session, ...)`` stores a two-document bitext with a chosen bead layout and
returns the ids. :class:`FakeEncoder` is a cheap deterministic encoder (hashed character
trigrams) for re-alignment tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy.orm import Session

from aligner.types import Alignment, Bead, Crossing, Document, Provenance, Sentence

RU = ["Я сказал Сигемицу.", "Он ответил не сразу.", "Потом он спросил о границе.",
      "Я повторил нашу позицию.", "Разговор длился час.", "Мы расстались вежливо."]
EN = ["I told Shigemitsu.", "He did not answer at once.", "Then he asked about",
      "the frontier.", "I repeated our position.", "We parted politely.", "End of record."]
#: Bead layout of RU ↔ EN: (source indices, target indices).
LAYOUT = [((0,), (0,)), ((1,), (1,)), ((2,), (2, 3)), ((3,), (4,)), ((4,), ()),
          ((5,), (5,)), ((), (6,))]


def toy_document(texts: Sequence[str], lang: str, *, kind: str = "other", title: str = "",
                 sentences_per_page: int = 3) -> Document:
    """A Document of ``texts`` joined by spaces; pages of ``sentences_per_page``."""
    clean, sentences, pos, page_starts = "", [], 0, [0]
    for i, t in enumerate(texts):
        if i and i % sentences_per_page == 0:
            page_starts.append(pos)
        sentences.append(Sentence(index=i, text=t, start=pos, end=pos + len(t), raw_start=pos,
                                  raw_end=pos + len(t), page=len(page_starts), paragraph=i // 2))
        clean += t + " "
        pos = len(clean)
    clean = clean[:-1] if clean else clean
    sha = hashlib.sha256(clean.encode()).hexdigest()
    prov = Provenance(file=f"{lang}.txt", sha256=sha, kind=kind)
    return Document(lang=lang, raw_text=clean, clean_text=clean, offsets=list(range(len(clean) + 1)),
                    sentences=sentences, provenance=prov, title=title or f"toy {lang}",
                    page_starts=page_starts)


def toy_alignment(layout=LAYOUT, crossings: Sequence[Crossing] = ()) -> Alignment:
    """An Alignment with beads from ``layout``; scores 0.9 for 1-1, else 0.3."""
    beads = [Bead(src=tuple(s), tgt=tuple(t), score=0.9 if len(s) == len(t) == 1 else 0.3,
                  flags=[] if len(s) == len(t) == 1 else ["low-confidence"]) for s, t in layout]
    return Alignment(beads=beads, crossings=list(crossings), encoder="toy 1",
                     params={"note": "fixture"})


def populate(session: Session, src: Sequence[str] = RU, tgt: Sequence[str] = EN,
             layout=LAYOUT, crossings: Sequence[Crossing] = (), project: str = "toy") -> dict:
    """Store a project, two documents and an alignment; return their ids
    ``{"project", "src", "tgt", "alignment"}``."""
    from aligner.store import service

    pid = service.get_or_create_project(session, project)
    src_id = service.import_document(session, pid, toy_document(src, "ru", kind="reconstruction"),
                                     "source")
    tgt_id = service.import_document(session, pid, toy_document(tgt, "en", kind="archival"),
                                     "translation")
    aid = service.store_alignment(session, src_id, tgt_id, toy_alignment(layout, crossings))
    return {"project": pid, "src": src_id, "tgt": tgt_id, "alignment": aid}


class FakeEncoder:
    """Deterministic bag-of-character-trigram vectors (hashed to 64 dims, L2-normalised).

    Enough for the aligner to prefer identical/similar strings; for tests only."""

    name = "fake-trigram"
    version = "1"
    dim = 64

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, s in enumerate(sentences):
            s = f"  {s.lower()} "
            for k in range(len(s) - 2):
                h = int.from_bytes(hashlib.md5(s[k:k + 3].encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def dump_state(session: Session, alignment_id: int) -> dict:
    """Everything an edit may change, as plain data (for exact before/after comparisons):
    beads (id, position, status, score, origin, flags, sentence ids per side), both
    documents' sentences (id, ord, text, offsets, page, paragraph) and crossing links."""
    from sqlalchemy import select

    from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, CrossingLink, SentenceRow

    a = session.get(AlignmentRow, alignment_id)
    members: dict[int, dict[str, list[int]]] = {}
    for bid, side, sid in session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, BeadSentence.sentence_id)
            .where(BeadSentence.alignment_id == alignment_id)
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)):
        members.setdefault(bid, {"src": [], "tgt": []})[side].append(sid)
    beads = [(b.id, b.position, b.status, b.score, b.origin, tuple(b.flags),
              tuple(members.get(b.id, {}).get("src", [])), tuple(members.get(b.id, {}).get("tgt", [])))
             for b in session.scalars(select(BeadRow).where(BeadRow.alignment_id == alignment_id)
                                      .order_by(BeadRow.position))]
    sentences = [(s.id, s.document_id, s.ord, s.text, s.start_char, s.end_char, s.raw_start,
                  s.raw_end, s.page, s.paragraph)
                 for s in session.scalars(select(SentenceRow).where(SentenceRow.document_id.in_(
                     [a.src_document_id, a.tgt_document_id])).order_by(SentenceRow.document_id,
                                                                     SentenceRow.ord))]
    links = [(l.id, l.crossing_id, tuple(l.src_sentence_ids), tuple(l.tgt_sentence_ids))
             for l in session.scalars(select(CrossingLink).where(
                 CrossingLink.alignment_id == alignment_id).order_by(CrossingLink.id))]
    return {"beads": beads, "sentences": sentences, "links": links}
