"""Re-segmentation: split a sentence at a character offset, join it with the next one."""

from __future__ import annotations

import bisect
import copy

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError, NotFoundError
from aligner.store.models import AlignmentRow, BeadRow, BeadSentence, DocumentRow, SentenceRow
from aligner.store.invariant import require_sole_user
from aligner.store.regions import read_beads, read_links, sentence_dict
from aligner.store.review.transaction import EditResult, _edit


def _sentence_in(session: Session, alignment_id: int, sentence_id: int) -> tuple[SentenceRow, str]:
    """The sentence row and its side in this alignment (NotFoundError otherwise)."""
    al = session.get(AlignmentRow, alignment_id)
    s = session.get(SentenceRow, sentence_id)
    if al is None:
        raise NotFoundError(f"alignment {alignment_id} not found")
    if s is None or s.document_id not in (al.src_document_id, al.tgt_document_id):
        raise NotFoundError(f"sentence {sentence_id} not found in alignment {alignment_id}")
    return s, "src" if s.document_id == al.src_document_id else "tgt"


def _bead_of(session: Session, alignment_id: int, sentence_id: int) -> int:
    pos = session.scalar(select(BeadRow.position).join(BeadSentence, BeadSentence.bead_id == BeadRow.id)
                         .where(BeadSentence.alignment_id == alignment_id,
                                BeadSentence.sentence_id == sentence_id))
    if pos is None:
        raise InvariantError(f"sentence {sentence_id} is in no bead of alignment {alignment_id}")
    return pos


def _raw(doc: DocumentRow, pos: int) -> int:
    offs = doc.offsets
    return offs[min(max(pos, 0), len(offs) - 1)] if offs else pos


def _page(doc: DocumentRow, raw: int) -> int | None:
    starts = doc.page_starts or [0]
    return bisect.bisect_right(starts, raw) or 1


def split_sentence(session: Session, alignment_id: int, expected_version: int,
                   sentence_id: int, offset: int, *, user: str) -> EditResult:
    """Split a sentence at character ``offset`` of its text (0 < offset < len(text),
    both parts non-blank after stripping). Both parts stay in the sentence's bead; the
    later sentences' ``ord`` shift by one; crossing links holding it get both parts.
    InvariantError if the document is also used by another alignment (re-segmenting
    would change that alignment too)."""

    def build():
        s, side = _sentence_in(session, alignment_id, sentence_id)
        require_sole_user(session, alignment_id, s.document_id)
        text = s.text
        if not 0 < offset < len(text) or not text[:offset].strip() or not text[offset:].strip():
            raise InvariantError(f"cannot split sentence {sentence_id} ({len(text)} characters) "
                                 f"at {offset}: both parts must hold text")
        doc = session.get(DocumentRow, s.document_id)
        left, right = text[:offset].rstrip(), text[offset:].lstrip()
        if doc.clean_text[s.start_char:s.end_char] == text:
            left_end = s.start_char + len(left)
            right_start = s.start_char + offset + (len(text) - offset - len(right))
        else:  # text was normalised after segmenting: place the cut proportionally
            cut = s.start_char + round(offset * (s.end_char - s.start_char) / len(text))
            left_end = right_start = cut
        old_rows = [sentence_dict(s)]
        r_raw = _raw(doc, right_start)
        new_rows = [{**old_rows[0], "text": left, "end": left_end, "raw_end": _raw(doc, left_end)},
                    {**old_rows[0], "id": -1, "text": right, "start": right_start,
                     "raw_start": r_raw, "page": _page(doc, r_raw) if s.page is not None else None}]
        p = _bead_of(session, alignment_id, sentence_id)
        old = read_beads(session, alignment_id, p, p + 1)
        nb = copy.deepcopy(old)
        lst = nb[0][side]
        lst.insert(lst.index(sentence_id) + 1, -1)
        links = [l for l in read_links(session, alignment_id) if sentence_id in l["src"] + l["tgt"]]
        new_links = copy.deepcopy(links)
        for l in new_links:
            ids = l[side]
            ids.insert(ids.index(sentence_id) + 1, -1)
        sp = {"document_id": s.document_id, "start_ord": s.ord}
        return ({"regions": [{"start": p, "beads": old}], "sentences": {**sp, "rows": old_rows},
                 "links": links},
                {"regions": [{"start": p, "beads": nb}], "sentences": {**sp, "rows": new_rows},
                 "links": new_links})

    return _edit(session, alignment_id, expected_version, user, "split-sentence", build)


def join_sentence(session: Session, alignment_id: int, expected_version: int,
                  sentence_id: int, *, user: str) -> EditResult:
    """Join a sentence with the next sentence of its document. The joined sentence keeps
    the first one's id and bead; if the next sentence was in another bead it leaves that
    bead (a bead left empty is removed). Crossing links follow. InvariantError if there
    is no next sentence or the document is used by another alignment."""

    def build():
        s, side = _sentence_in(session, alignment_id, sentence_id)
        require_sole_user(session, alignment_id, s.document_id)
        t = session.scalar(select(SentenceRow).where(SentenceRow.document_id == s.document_id,
                                                     SentenceRow.ord == s.ord + 1))
        if t is None:
            raise InvariantError(f"sentence {sentence_id} is the last of its document; "
                                 "nothing to join it with")
        p, q = _bead_of(session, alignment_id, s.id), _bead_of(session, alignment_id, t.id)
        old = read_beads(session, alignment_id, p, q + 1)
        beads = copy.deepcopy(old)
        beads[-1][side].remove(t.id)
        if not (beads[-1]["src"] or beads[-1]["tgt"]):
            beads[0]["notes"] += beads[-1]["notes"]
            beads.pop()
        old_rows = [sentence_dict(s), sentence_dict(t)]
        joined = {**old_rows[0], "text": f"{s.text} {t.text}", "end": t.end_char,
                  "raw_end": t.raw_end}
        links = [l for l in read_links(session, alignment_id) if t.id in l["src"] + l["tgt"]]
        new_links = copy.deepcopy(links)
        for l in new_links:
            l[side] = list(dict.fromkeys(s.id if x == t.id else x for x in l[side]))
        sp = {"document_id": s.document_id, "start_ord": s.ord}
        return ({"regions": [{"start": p, "beads": old}], "sentences": {**sp, "rows": old_rows},
                 "links": links},
                {"regions": [{"start": p, "beads": beads}], "sentences": {**sp, "rows": [joined]},
                 "links": new_links})

    return _edit(session, alignment_id, expected_version, user, "join-sentence", build)
