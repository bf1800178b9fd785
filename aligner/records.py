"""Split a volume (a diary, a documents volume, a stack of telegrams) into its records.

A record opens with a *heading block*: consecutive heading lines (blank lines between them
allowed) whose strengths (:mod:`aligner.headings`) add up to ``STRONG``, e.g. «Запись
беседы …» alone, «№ 239» + «7 августа 1938 г.», or the FRUS file note + address +
dateline; and the block must be followed by body text (a block at the end of the file, or
right before another, closes the record before it: a signature's date line). A file whose
only headings are date lines (a diary: «7 августа 1938 г.» … «8 августа 1938 г.» …) is cut
at those (at least two). A date line right after a signature-like line («Литвинов») or at
the end of a record belongs to the record before. A date inside a paragraph, or a
paragraph that starts with a date, never opens a record. A file with no heading is one
record.

TEI files: one record per ``<div type="document">`` (:func:`aligner.read.read_tei_documents`).

Offsets (``start``/``end``) index the file's text as :func:`aligner.read.read_text`
returns it (for TEI: the extracted paragraphs, documents separated by a blank line).
"""

from __future__ import annotations

import re
from functools import cached_property
from dataclasses import dataclass, replace
from pathlib import Path

from aligner.document import default_kind, document_from_text, known_reconstruction, prepare_document
from aligner.errors import InputError
from aligner.headings import STRONG, LineKind, classify_line, normalise_line, parse_date
from aligner.read import (DEFAULT_MAX_BYTES, RawText, display_name, raw_text_from_bytes, read_bytes,
                          tei_documents_from_bytes)
from aligner.types import Document

FRONT_MATTER_MIN_CHARS = 200
"""Text before the first heading is a record of its own if it has this many characters of
body (a preface); less (a volume's title page) is left out."""

VOLUME_MAX_BYTES = max(64 * 1024 * 1024, DEFAULT_MAX_BYTES)
"""Largest volume :func:`read_records` reads: 64 MiB, where one text to align is limited to
``ALIGNER_MAX_FILE_BYTES`` (4 MiB): a diary or documents volume holds thousands of records,
reading and splitting it is linear, and each record is aligned on its own. Pairing a volume
embeds all its sentences (about 2 KB of float32 per sentence)."""


@dataclass(frozen=True)
class Record:
    """One record of a file.

    ``index``: 0-based position in the file; ``title``: its heading lines (or the first
    line), joined by " / "; ``date``: ISO ``YYYY-MM-DD`` or None; ``start``/``end``:
    character offsets into the file's text (end exclusive); ``text``: that slice;
    ``id``: the TEI ``xml:id`` or the number in its heading ("239"), else "";
    ``body_start``: offset into the file where the text after the heading begins
    (``start`` if there is no heading).
    """

    index: int
    title: str
    date: str | None
    start: int
    end: int
    text: str
    id: str = ""
    body_start: int = -1

    def __post_init__(self) -> None:
        if self.body_start < 0:
            object.__setattr__(self, "body_start", self.start)


@dataclass(frozen=True)
class RecordFile:
    """A file read and split: ``path``, the ``raw`` text as read, its ``records``."""

    path: Path
    raw: RawText
    records: list[Record]

    @cached_property
    def kind(self) -> str:
        """The file's provenance kind: "reconstruction" for a known test reconstruction
        (by content, even renamed, re-encoded or edited), "archival" for TEI, else from its
        name."""
        if known_reconstruction(self.raw.sha256, self.raw.text):
            return "reconstruction"
        return "archival" if self.raw.is_tei else default_kind(display_name(self.path.name))


@dataclass
class _Line:
    start: int
    end: int
    text: str
    kind: LineKind


def split_records(text: str, lang: str, *, is_tei: bool = False, name: str = "<text>") -> list[Record]:
    """Split ``text`` into records (see the module doc).

    ``text``: a plain-text volume, or with ``is_tei`` the XML source of a TEI file (the
    offsets then index the extracted text, as :func:`aligner.read.read_text` gives it).
    ``lang``: ISO code of the text (headings of both Russian and English are recognised).
    ``name`` names the text in errors. Returns at least one record.

    Raises:
        InputError: the text is empty, or the TEI has no paragraph text.
    """
    if is_tei:  # the string is decoded already: its declaration must not say otherwise
        return _tei_records(_XML_ENCODING.sub(r"\1", text, count=1).encode("utf-8"), name)
    if not text.strip():
        raise InputError(f"{name}: text is empty or white space only")
    lines = _lines(text, lang)
    starts = _record_starts(lines)
    if not starts:
        return [_record(0, text, lines, 0, len(lines))]
    records = []
    if _body_chars(lines[:starts[0]]) >= FRONT_MATTER_MIN_CHARS:
        records.append(_record(0, text, lines, 0, starts[0]))
    for k, first in enumerate(starts):
        last = starts[k + 1] if k + 1 < len(starts) else len(lines)
        records.append(_record(len(records), text, lines, first, last))
    if len(records) == 1:  # one record: the whole file, furniture before its heading too
        whole = _record(0, text, lines, 0, len(lines))
        return [replace(records[0], start=whole.start, end=whole.end, text=whole.text)]
    return records


def read_records(path: str | Path, lang: str, *, encoding: str | None = None,
                 max_bytes: int = VOLUME_MAX_BYTES) -> RecordFile:
    """Read the file at ``path`` (plain text in any encoding, or TEI XML) and split it.

    A volume may be far larger than one text the aligner takes (``max_bytes``, default
    :data:`VOLUME_MAX_BYTES`): only its records are aligned, each on its own.
    Raises InputError as :func:`aligner.read.read_text`.
    """
    path = Path(path)
    data = read_bytes(path, max_bytes)  # once: a TEI volume's records come from the same bytes
    raw = raw_text_from_bytes(data, display_name(path.name), encoding=encoding, path=display_name(str(path)))
    if raw.is_tei:
        records = _tei_records(data, path.name)
    else:
        records = split_records(raw.text, lang, name=path.name)
    return RecordFile(path, raw, records)


def record_documents(file: RecordFile, lang: str, *, kind: str | None = None,
                     strip_markup: bool = False) -> list[Document]:
    """One cleaned, segmented :class:`aligner.types.Document` per record of ``file``.

    A one-record plain file gives the document :func:`aligner.document.prepare_document`
    makes of it. Otherwise a document's ``raw_text`` is its record's text, so its sentence offsets are relative to
    the record: add ``record.start`` for offsets into the file. Its provenance ``file`` is
    ``"NAME"`` for a one-record plain file, else ``"NAME#REF"`` (:func:`record_refs`), and
    ``note`` gives the record's span in the file. A test
    reconstruction stays labelled as one in all its records. TEI records are archival
    text (no OCR clean-up), like :func:`aligner.batch.import_file` makes them.

    Raises InputError for a record with no text left after clean-up.
    """
    name = display_name(file.path.name)
    if len(file.records) == 1 and not file.raw.is_tei:
        # the same document as aligner.document.prepare_document makes (same sha256, ids)
        return [prepare_document(file.path, lang, kind=kind, strip_markup=strip_markup,
                                 title=file.records[0].title)]
    kind = kind or file.kind
    docs = []
    for rec, ref in zip(file.records, record_refs(file.records)):
        doc = document_from_text(rec.text, lang, filename=f"{name}#{ref}", kind=kind, ocr=not file.raw.is_tei,
                                 title=rec.title, strip_markup=strip_markup, tei=file.raw.is_tei)
        doc.provenance = replace(doc.provenance,
                                 note=f"record {rec.index + 1} of {name}, characters {rec.start}-{rec.end}")
        docs.append(doc)
    return docs


def record_refs(records: list[Record]) -> list[str]:
    """How each record is named after ``#`` in a file reference: its id (TEI ``xml:id``,
    heading number), else, or if another record has the same id, its 1-based position
    prefixed by "r" (``r3``)."""
    ids = [r.id for r in records]
    return [r.id if r.id and ids.count(r.id) == 1 else f"r{r.index + 1}" for r in records]


def load_record(reference: str | Path, lang: str, *, strip_markup: bool = False,
                kind: str | None = None) -> Document:
    """The document of one record named ``FILE#REF`` (as :func:`record_refs` names it and
    pairing output gives it), or of a whole one-record ``FILE``.

    Raises InputError: unusable file, or no record with that name (the message lists the
    names there are).
    """
    text = str(reference)
    base, _, ref = text.rpartition("#") if "#" in text else (text, "", "")
    file = read_records(base, lang)
    refs = record_refs(file.records)
    docs = record_documents(file, lang, kind=kind, strip_markup=strip_markup)
    if not ref:
        if len(docs) != 1:
            raise InputError(f"{Path(base).name}: holds {len(docs)} records; name one as "
                             f"FILE#REF (REF one of {', '.join(refs[:20])})")
        return docs[0]
    if ref not in refs:
        raise InputError(f"{Path(base).name}: no record {ref!r} (records: {', '.join(refs[:20])})")
    return docs[refs.index(ref)]


# --- plain text ------------------------------------------------------------------------------

_XML_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']")
_SIGNATURE = re.compile(r"^[^\W\d_][\w’'\- ]{1,40}\.?$")


def _lines(text: str, lang: str) -> list[_Line]:
    out = []
    pos = 0
    for raw_line in text.splitlines(keepends=True):
        body = raw_line.rstrip("\r\n\u2028\u2029\x85\x0b\x0c")
        stripped = body.strip()
        lead = len(body) - len(body.lstrip())
        kind = classify_line(stripped, lang) if stripped else LineKind(0.0, "blank")
        out.append(_Line(pos + lead, pos + lead + len(stripped), stripped, kind))
        pos += len(raw_line)
    return out


def _blocks(lines: list[_Line]) -> list[list[int]]:
    """Runs of heading lines (weight > 0) with only blank lines between them."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line.kind.kind == "blank":
            continue
        if line.kind.weight > 0:
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _record_starts(lines: list[_Line]) -> list[int]:
    """Line numbers where records begin."""
    starts = []
    dated = []
    for block in _blocks(lines):
        block = _drop_closing_dates(lines, block)
        if not block or not _followed_by_body(lines, block[-1]):
            continue
        weight = sum(lines[i].kind.weight for i in block)
        if weight >= STRONG:
            starts.append(block[0])
        elif any(lines[i].kind.kind == "date" for i in block):
            dated.append(block[0])
    # a diary: no heading but (perhaps) the volume's title at its top, and dated entries
    if len(dated) >= 2 and all(s < dated[0] for s in starts) and len(starts) <= 1:
        starts = sorted(set(starts) | set(dated))
    return starts


def _drop_closing_dates(lines: list[_Line], block: list[int]) -> list[int]:
    """A date line that follows a signature («Литвинов», "KIRK") directly, with no blank
    line, closes the record above: it does not start the block."""
    while block and lines[block[0]].kind.kind == "date":
        prev = block[0] - 1
        signature = _SIGNATURE.match(lines[prev].text) and len(lines[prev].text.split()) <= 3
        if prev < 0 or lines[prev].kind.kind == "blank" or not signature:
            break
        block = block[1:]
    return block


def _followed_by_body(lines: list[_Line], last: int) -> bool:
    for line in lines[last + 1:]:
        if line.kind.kind != "blank":
            return line.kind.weight == 0
    return False


def _body_chars(lines: list[_Line]) -> int:
    return sum(len(line.text) for line in lines if line.kind.weight == 0 and line.kind.kind != "blank")


def _record(index: int, text: str, lines: list[_Line], first: int, last: int) -> Record:
    content = [line for line in lines[first:last] if line.kind.kind != "blank"]
    if not content:  # only reachable for an all-blank file, refused before
        raise InputError("empty record")
    start, end = content[0].start, content[-1].end
    heads = []
    for line in content:
        if line.kind.weight == 0:
            break
        heads.append(line)
    titled = [h for h in heads if h.kind.kind in ("title", "file", "address")]
    title = " / ".join(h.text for h in (titled or heads)) or content[0].text[:120]
    found = next((h.kind.date for h in heads if h.kind.date), None)
    if found is None and not heads:
        found = parse_date(normalise_line(content[0].text))
    # a bare number names the record only right before a strong line (FRUS "471" above its
    # file note); elsewhere it may be a page number
    number = next((h.kind.number for k, h in enumerate(heads) if h.kind.number and (
        h.kind.weight >= 1 or (k + 1 < len(heads) and heads[k + 1].kind.weight >= STRONG))), None)
    body = next((line.start for line in content if line.kind.weight == 0), start)
    return Record(index, title, found, start, end, text[start:end], number or "", body)


# --- TEI -------------------------------------------------------------------------------------


def _tei_records(data: bytes, name: str) -> list[Record]:
    docs = tei_documents_from_bytes(data, name)
    records = []
    pos = 0
    for doc in docs:
        # as read_text joins them: "\n\n" between documents
        head = doc.text.split("\n", 1)[0]
        body = pos + len(head) + 1 if doc.title and head == doc.title and "\n" in doc.text else pos
        records.append(Record(len(records), doc.title or doc.id, doc.date or None, pos,
                              pos + len(doc.text), doc.text, doc.id, body))
        pos += len(doc.text) + 2
    return records
