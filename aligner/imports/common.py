"""What every importer shares: the result type, documents built from sentence lists, and
one-line errors for bad input."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from aligner.errors import InputError, UnknownLanguageError
from aligner.types import Alignment, Bead, Document, Provenance, Sentence, cover_gap

#: Statuses a file may give a bead (ours); anything else reads as unreviewed.
STATUSES = ("unreviewed", "confirmed", "rejected")


@dataclass
class Imported:
    """An alignment read from a file made elsewhere: its two documents, the beads (with
    review status, reviewer and notes when the file has them), and its provenance
    ``{"format", "file", "sha256", "tool"}`` (the importer's record of where it came from)."""

    src: Document
    tgt: Document
    alignment: Alignment
    provenance: dict = field(default_factory=dict)


class MissingLanguageError(InputError):
    """The ``role`` ("source" or "target") language is neither in the file nor given. The
    message says how to give it in no front end's words; each front end says it in its
    own with :meth:`asking` (the CLI ``--src-lang``, the page its field)."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.flag = "src" if role == "source" else "tgt"
        self.example = "ru" if role == "source" else "en"
        super().__init__(self.asking(f"e.g. {self.example}"))

    def asking(self, how: str) -> str:
        """The one-line message with ``how`` to give the language, e.g. ``"e.g. --src-lang ru"``."""
        return f"the {self.role} language is not in the file: give it ({how})"


def lang_code(lang: str | None, what: str) -> str:
    """A language code (``"en-US"`` → ``"en"``); :class:`MissingLanguageError` for the
    ``what`` ("source"/"target") language if missing, InputError if not a code."""
    from aligner.segment import normalise_lang

    if not lang or not lang.strip():
        raise MissingLanguageError(what)
    try:
        return normalise_lang(lang)
    except UnknownLanguageError:
        code = lang.strip().lower().replace("_", "-").split("-")[0]
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise InputError(f"{lang!r} is not a language code (e.g. ru, en)") from None
        return code


def document_of(sentences: list[str], lang: str, *, file: str, kind: str = "other",
                title: str = "", paragraphs: list[int] | None = None) -> Document:
    """A document of these sentences (one per line of its text, which is also its raw text;
    identity offset map, one page). ``paragraphs``: 0-based paragraph of each sentence
    (default: one paragraph). Sentence text has its white space runs made single spaces.
    ``kind``: the provenance kind the file gave, overruled by content: sentences of a
    known test reconstruction (:func:`aligner.reconstructions.recognise_reconstruction`)
    are kind "reconstruction" whatever the file says, as a file read is
    (:func:`aligner.document.known_reconstruction`). Raises InputError if there is no
    sentence, one is empty, or their letters are plainly not in ``lang``'s script (swapped
    languages: :func:`aligner.document.check_script`, as for a file read)."""
    from aligner.document import check_script
    from aligner.reconstructions import recognise_reconstruction

    texts = [" ".join(t.split()) for t in sentences]
    if not texts:
        raise InputError(f"{file}: no sentences")
    empty = [i + 1 for i, t in enumerate(texts) if not t]
    if empty:
        raise InputError(f"{file}: sentence {empty[0]} is empty")
    text = "\n".join(texts)
    check_script(text, lang, file)
    if recognise_reconstruction(texts, lang):
        kind = "reconstruction"
    sents, pos = [], 0
    for i, t in enumerate(texts):
        para = paragraphs[i] if paragraphs else 0
        sents.append(Sentence(i, t, pos, pos + len(t), pos, pos + len(t), 1, para))
        pos += len(t) + 1
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(lang=lang, raw_text=text, clean_text=text, offsets=list(range(len(text) + 1)),
                    sentences=sents, provenance=Provenance(file, sha, kind),  # type: ignore[arg-type]
                    title=title or file, page_starts=[0])


def status_of(value: str | None) -> str:
    """Our status for a file's value (unknown → ``"unreviewed"``)."""
    value = (value or "").strip().lower()
    return value if value in STATUSES else "unreviewed"


def check_cover(beads: list[Bead], n_src: int, n_tgt: int, file: str) -> None:
    """InputError unless the beads cover every sentence of both sides once, in order, and
    none is empty."""
    gap = cover_gap(beads, n_src, n_tgt)
    if gap is not None:
        side, ids, n = gap
        k = next((k for k, i in enumerate(ids) if i != k), len(ids))
        raise InputError(f"{file}: the links do not cover the {n} {side} sentences once, in "
                         f"order (first gap or repeat at {side} sentence {k + 1})")
    if any(not b.src and not b.tgt for b in beads):
        raise InputError(f"{file}: a link has no sentence on either side")


def split_by_lengths(text: str, lengths: str | None, n: int) -> list[str]:
    """A unit's text split back into its ``n`` sentences, from their character lengths
    (``"23,41"``, joined by single spaces as our exports join them); the text whole if the
    lengths do not fit it."""
    try:
        sizes = [int(x) for x in (lengths or "").split(",") if x.strip()]
    except ValueError:
        sizes = []
    if n <= 1 or len(sizes) != n or sum(sizes) + n - 1 != len(text):
        return [text] if text else []
    out, pos = [], 0
    for size in sizes:
        out.append(text[pos:pos + size])
        pos += size + 1
    return out
