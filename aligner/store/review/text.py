"""Corrections of a sentence's text (OCR errors, typos), as review edits.

The corrected text replaces ``sentence.text``; the text as segmented is kept in
``sentence.original_text`` (so exports can say which sentences were corrected, and the
correction can be reverted). Offsets into the cleaned and the raw text stay as they were:
the raw text (the OCR as received) is never changed, and the raw view still shows the
sentence at its place. Like every edit: versioned, logged with the old text, undoable, and
the bead's fidelity flags recomputed (the document's revision changes, so the fidelity
context — e.g. which words are OCR suspects — is rebuilt from the corrected texts).
"""

from __future__ import annotations

import copy
import re

from sqlalchemy.orm import Session

from aligner.store.errors import InvariantError
from aligner.store.invariant import require_sole_user
from aligner.store.regions import read_beads, sentence_dict
from aligner.store.review.sentences import _bead_of, _sentence_in
from aligner.store.review.transaction import EditResult, _edit

#: Longest sentence text accepted (characters).
MAX_SENTENCE_CHARS = 10_000


def _clean(text: str) -> str:
    """The text with white space runs (line breaks included) made single spaces, stripped."""
    return " ".join((text or "").split())


def edit_sentence(session: Session, alignment_id: int, expected_version: int,
                  sentence_id: int, text: str, *, user: str, operation: str = "edit-text") -> EditResult:
    """Replace a sentence's text by ``text`` (white space normalised). The sentence keeps
    its id, bead, place and offsets; its first text is kept as ``original_text`` (back to
    NULL when the correction is reverted). InvariantError if the text is blank, longer than
    :data:`MAX_SENTENCE_CHARS`, unchanged, or the document is used by another alignment
    (the correction would change that one too); NotFoundError for an unknown sentence."""
    new_text = _clean(text)
    if not new_text:
        raise InvariantError("a sentence needs some text (to remove one, join it with a neighbour)")
    if len(new_text) > MAX_SENTENCE_CHARS:
        raise InvariantError(f"a sentence is limited to {MAX_SENTENCE_CHARS:,} characters")

    def build():
        s, _side = _sentence_in(session, alignment_id, sentence_id)
        require_sole_user(session, alignment_id, s.document_id, "correcting")
        if new_text == s.text:
            raise InvariantError(f"sentence {sentence_id} already reads so; nothing to change")
        row = sentence_dict(s)
        first = row["original"] if row["original"] is not None else row["text"]
        changed = {**row, "text": new_text, "original": None if new_text == first else first}
        p = _bead_of(session, alignment_id, sentence_id)
        old = read_beads(session, alignment_id, p, p + 1)
        sp = {"document_id": s.document_id, "start_ord": s.ord}
        return ({"regions": [{"start": p, "beads": old}], "sentences": {**sp, "rows": [row]}},
                {"regions": [{"start": p, "beads": copy.deepcopy(old)}],
                 "sentences": {**sp, "rows": [changed]}})

    return _edit(session, alignment_id, expected_version, user, operation, build)


def replace_word(text: str, word: str, reading: str) -> str | None:
    """``text`` with the first whole-word occurrence of ``word`` replaced by ``reading``
    (``'s`` and ’ forms match too), or None if the word is not in it."""
    body = re.escape(word).replace("'", "['’]")  # the check reads ’ as '
    pattern = re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])")
    m = pattern.search(text)
    return None if m is None else text[:m.start()] + reading + text[m.end():]


def apply_suggestion(session: Session, alignment_id: int, expected_version: int, bead_id: int,
                     word: str, *, user: str) -> EditResult:
    """Apply the suggested reading of the OCR-suspect ``word`` of a bead (the
    ``ocr-suspect`` flag's ``details.word`` and ``suggestion``, as
    :func:`aligner.store.fidelity.bead_fidelity` gives them now): the first sentence of
    the bead's side holding the word is corrected (:func:`edit_sentence`, operation
    ``"apply-suggestion"``). InvariantError if the bead has no such suggestion now."""
    from aligner.store.fidelity import bead_fidelity
    from aligner.store.service import get_bead

    flags = [f for f in bead_fidelity(session, alignment_id, bead_id)
             if f["code"] == "ocr-suspect" and (f.get("details") or {}).get("word") == word]
    if not flags or not flags[0].get("suggestion"):
        raise InvariantError(f"bead {bead_id} has no suggested reading for {word!r} now")
    flag = flags[0]
    bead = get_bead(session, alignment_id, bead_id)
    sides = [flag["side"]] if flag["side"] in ("src", "tgt") else ["src", "tgt"]
    for side in sides:
        for s in bead[side]:
            fixed = replace_word(s["text"], word, flag["suggestion"])
            if fixed is not None:
                session.rollback()  # end the read; the edit starts its own transaction
                return edit_sentence(session, alignment_id, expected_version, s["id"], fixed,
                                     user=user, operation="apply-suggestion")
    raise InvariantError(f"{word!r} is not in a sentence of bead {bead_id}")
