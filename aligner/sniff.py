"""What a file is, from its first bytes, before any reader trusts its name or the format
the user gave: the checks document reading (:mod:`aligner.read`) and alignment imports
(:mod:`aligner.imports`) share.

A byte-order mark is not content: ``\\xef\\xbb\\xbf<?xml`` is XML (Windows editors write the
mark). An HTML page or an XML document is not a text to segment, nor TSV; a TMX or
InterText file is an alignment, not a document.
"""

from __future__ import annotations

import io
import re
import zipfile

from aligner.errors import InputError

#: Bytes read to decide (the same 4 KB the import guess reads).
HEAD_BYTES = 4096

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# What may come before an XML document's first element: white space, the declaration,
# processing instructions, comments, the document type declaration.
_PROLOG = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.S | re.I)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_VECALIGN_LINE = re.compile(rb"\[[\d,\s]*\]\s*:\s*\[[\d,\s]*\](\s*:\s*[-+\d.eE]*)?\s*")


class AlignmentNotTextError(InputError):
    """An alignment file (``fmt``: "TMX" or "InterText") given where a text is read."""

    def __init__(self, name: str, fmt: str) -> None:
        self.name, self.fmt = name, fmt
        self.what = f"{'an' if fmt == 'InterText' else 'a'} {fmt} alignment"
        super().__init__(f"{name}: {self.what}, not a text: import it as an alignment")


def head_of(data: bytes, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes without byte-order mark and leading white space, as UTF-8
    (UTF-16 with a mark is re-encoded, so that ``<`` is one byte whatever the file's)."""
    head = data[:size]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            if codec != "utf-8":
                head = head[:len(head) - len(head) % 2].decode(codec, "ignore").encode("utf-8")
            break
    return head.lstrip()


def root_element(head: bytes) -> str | None:
    """The name of the first element of a markup document (after its declaration,
    comments and DOCTYPE), or None if ``head`` (:func:`head_of`) does not start as one."""
    pos = 0
    while m := _PROLOG.match(head, pos):
        if m.end() == pos:
            break
        pos = m.end()
    m = _ROOT.match(head, pos)
    return m.group(1).decode("ascii") if m else None


def is_html_page(head: bytes) -> bool:
    """Whether ``head`` (:func:`head_of`) opens an HTML page: ``<!DOCTYPE html``, or an
    ``<html>`` root (also XHTML behind an XML declaration)."""
    return bool(re.match(rb"<!doctype\s+html\b", head, re.I)) or (root_element(head) or "").lower() == "html"


def markup_document(head: bytes) -> str | None:
    """``"an HTML page"`` or ``"an XML document (<root>)"`` when ``head`` (:func:`head_of`)
    plainly opens a whole markup document rather than lines of text: an HTML page; an XML
    declaration or DOCTYPE; or a first line that is a tag without a tab (a text line
    with inline tags, ``<b>Глава</b>\\t<b>Chapter</b>``, is text). Else None."""
    if is_html_page(head):
        return "an HTML page"
    root = root_element(head)
    if root is None:
        return None
    first_line = head.split(b"\n", 1)[0]
    if head.startswith((b"<?xml", b"<!")) or b"\t" not in first_line:
        return f"an XML document (<{root}>)"
    return None


def looks_like_vecalign(head: bytes) -> bool:
    """Whether the first line of ``head`` is a Vecalign/Bertalign bead line,
    ``[0, 1]:[0]:0.25`` or ``[0]:[0]`` (Thompson & Koehn 2019, the tool's output)."""
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return bool(_VECALIGN_LINE.fullmatch(first))


def alignment_format(data: bytes) -> str | None:
    """``"TMX"`` or ``"InterText"`` when ``data`` is an alignment file: a ``<tmx>`` root,
    a ``<linkGrp>`` root, or a zip holding a ``<linkGrp>`` XML file (as InterText's and
    our export write it); else None."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for info in z.infolist():
                    if info.filename.lower().endswith(".xml"):
                        with z.open(info) as member:
                            if root_element(head_of(member.read(HEAD_BYTES))) == "linkGrp":
                                return "InterText"
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            return None  # not a zip we can read: the binary check names it
        return None
    root = root_element(head_of(data))
    return {"tmx": "TMX", "linkGrp": "InterText"}.get(root or "")


def refuse_non_text(data: bytes, name: str) -> None:
    """Refuse what is not a text to read as a document: an HTML page (InputError: save it
    as text first; ``--strip-markup`` drops inline tags of a text, not a page's head,
    scripts and entities) or an alignment file (:class:`AlignmentNotTextError`)."""
    head = head_of(data)
    if is_html_page(head):
        raise InputError(f"{name}: an HTML page, not a text: save it as plain text (.txt) first")
    fmt = alignment_format(data)
    if fmt:
        raise AlignmentNotTextError(name, fmt)
