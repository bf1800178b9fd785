"""Exports of a stored alignment: TMX, TSV, JSON, Vecalign via :mod:`aligner.export`,
and a TEI stand-off alignment (written here) with each link's review status.

The TEI file (TEI P5) holds both texts as ``<s xml:id="src.s1">`` sentences grouped
in ``<p>`` with ``<pb n="..."/>`` page breaks, and a ``<standOff>`` with
``<linkGrp type="alignment">``: one ``<link target="#src.s3 #tgt.s3 #tgt.s4">`` per
bead with sentences on both sides, and a ``<ptr>`` per 1-0/0-1 bead (TEI requires two
targets on ``<link>``), in bead order. ``@type`` is the bead type ("1-2"), ``@subtype``
the review status (unreviewed | confirmed | rejected), ``@cert`` the confidence in
[0, 1], ``@resp="#reviewer"`` on beads made by a manual edit. Reviewer crossing links go
in a second ``<linkGrp type="crossing">``. Provenance (file, SHA-256, kind) is in the header; a test
reconstruction is labelled so (TEI P5 Guidelines §16.4 "Correspondence and
Alignment", §16.9 "Stand-off Markup").
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.store import service
from aligner.store.errors import InvariantError
from aligner.store.models import CrossingLink, SentenceRow
from aligner.types import Document

EXPORT_FORMATS: tuple[str, ...] = ("tmx", "tsv", "json", "vecalign", "tei")
MEDIA_TYPES = {"tmx": "application/x-tmx+xml", "tsv": "text/tab-separated-values; charset=utf-8",
               "json": "application/json", "vecalign": "text/plain; charset=utf-8",
               "tei": "application/tei+xml"}
SUFFIXES = {"tmx": ".tmx", "tsv": ".tsv", "json": ".json", "vecalign": ".txt", "tei": ".tei.xml"}

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def _check_format(fmt: str) -> str:
    fmt = (fmt or "").lower()
    if fmt not in EXPORT_FORMATS:
        raise InvariantError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def export_bytes(session: Session, alignment_id: int, fmt: str) -> bytes:
    """The export of alignment ``alignment_id`` in ``fmt`` (see :data:`EXPORT_FORMATS`)
    as bytes (UTF-8); beads carry their review status. Raises NotFoundError,
    InvariantError (unknown format)."""
    fmt = _check_format(fmt)
    if fmt == "tei":
        return tei_bytes(session, alignment_id)
    from aligner.export import render_export  # file formats from in-memory types

    return render_export(fmt, *service.load_bitext(session, alignment_id, with_review=True))


def export_alignment(session: Session, alignment_id: int, fmt: str,
                     out: str | os.PathLike | IO[bytes] | IO[str]) -> None:
    """Write the export to a path or an open stream (text or binary). For ``vecalign``
    to a path, :func:`aligner.export.write_export` adds the provenance sidecar file."""
    fmt = _check_format(fmt)
    if fmt != "tei":
        from aligner.export import write_export

        write_export(out, fmt, *service.load_bitext(session, alignment_id, with_review=True))
        return
    data = tei_bytes(session, alignment_id)
    if isinstance(out, (str, os.PathLike)):
        Path(out).write_bytes(data)
    elif isinstance(out, io.TextIOBase) or "b" not in getattr(out, "mode", "b"):
        out.write(data.decode("utf-8"))
    else:
        out.write(data)


# --- TEI -----------------------------------------------------------------------------

def _el(parent, tag: str, text: str | None = None, **attrs):
    e = etree.SubElement(parent, f"{{{TEI_NS}}}{tag}")
    for k, v in attrs.items():
        e.set(f"{{{XML_NS}}}{k[4:]}" if k.startswith("xml_") else k, str(v))
    if text is not None:
        e.text = text
    return e


def _bibl(parent, key: str, doc: Document, role: str) -> None:
    p = doc.provenance
    b = _el(parent, "bibl", xml_id=key, type=p.kind)
    _el(b, "title", doc.title or p.file)
    _el(b, "idno", p.file, type="file")
    _el(b, "idno", p.sha256, type="sha256")
    _el(b, "note", f"{role}, language {doc.lang}, {p.label}" + (f"; {p.note}" if p.note else ""))


def _text(group, key: str, doc: Document, ids: list[str]) -> None:
    t = _el(group, "text", xml_lang=doc.lang, xml_id=f"{key}-text", type=doc.provenance.kind,
            source=f"#{key}")
    body = _el(t, "body")
    page, para, p = None, None, None
    for s, sid in zip(doc.sentences, ids):
        if p is None or s.paragraph != para:
            p, para = _el(body, "p"), s.paragraph
        if s.page is not None and s.page != page:
            _el(p, "pb", n=s.page)
            page = s.page
        _el(p, "s", s.text, xml_id=sid)
    if p is None:
        _el(body, "p")


def tei_bytes(session: Session, alignment_id: int) -> bytes:
    """The TEI stand-off export (see module doc) as UTF-8 bytes. NotFoundError."""
    info = service.get_alignment(session, alignment_id)
    src = service.load_document(session, info["src_document_id"])
    tgt = service.load_document(session, info["tgt_document_id"])
    # xml:ids follow the sentences' current order: "src.s1", "tgt.s1", ...
    ids = {side: {sid: f"{side}.s{k + 1}" for k, sid in enumerate(session.scalars(
        select(SentenceRow.id).where(SentenceRow.document_id == info[f"{side}_document_id"])
        .order_by(SentenceRow.ord)))} for side in ("src", "tgt")}
    xml_id = {**ids["src"], **ids["tgt"]}

    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    header = _el(root, "teiHeader")
    fd = _el(header, "fileDesc")
    ts = _el(fd, "titleStmt")
    _el(ts, "title", f"Alignment {alignment_id}: {src.title or src.lang} ↔ {tgt.title or tgt.lang}")
    rs = _el(ts, "respStmt", xml_id="reviewer")
    _el(rs, "resp", "manual alignment review")
    _el(rs, "name", "reviewers named in the store's edit log")
    _el(_el(fd, "publicationStmt"), "p", "Exported from the aligner review store.")
    lb = _el(_el(fd, "sourceDesc"), "listBibl")
    _bibl(lb, "src", src, "source")
    _bibl(lb, "tgt", tgt, "translation")
    ed = _el(header, "encodingDesc")
    _el(ed, "p", f"Sentence alignment by encoder {info['encoder']} {info['encoder_version']}".strip()
        + f"; alignment version {info['version']}, state {info['state']}. "
        "link/@type = bead type, @subtype = review status, @cert = confidence, "
        "@resp=#reviewer marks beads made by a reviewer's edit.")

    group = _el(_el(root, "text"), "group")
    _text(group, "src", src, list(ids["src"].values()))
    _text(group, "tgt", tgt, list(ids["tgt"].values()))

    stand = _el(root, "standOff")
    grp = _el(stand, "linkGrp", type="alignment", xml_id=f"alignment-{alignment_id}")
    beads, offset, total = [], 0, 1
    while offset < total:  # bead dicts carry sentence ids in bead order
        page = service.list_beads(session, alignment_id, offset, 1000)
        beads += page["beads"]
        offset, total = offset + 1000, page["total"]
    for b in beads:
        targets = " ".join(f"#{xml_id[s['id']]}" for s in b["src"] + b["tgt"])
        attrs = dict(xml_id=f"b{b['id']}", type=b["type"], subtype=b["status"],
                     cert=f"{max(0.0, min(1.0, b['score'])):.3f}", target=targets)
        if b["origin"] == "manual":
            attrs["resp"] = "#reviewer"
        _el(grp, "link" if b["src"] and b["tgt"] else "ptr", **attrs)
    links = session.scalars(select(CrossingLink).where(CrossingLink.alignment_id == alignment_id)
                            .order_by(CrossingLink.id)).all()
    if links:
        cg = _el(stand, "linkGrp", type="crossing")
        for l in links:
            _el(cg, "link", xml_id=f"x{l.id}", type="crossing", subtype="confirmed",
                target=" ".join(f"#{xml_id[s]}" for s in list(l.src_sentence_ids) + list(l.tgt_sentence_ids)
                                if s in xml_id))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
