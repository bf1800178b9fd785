"""InterText XML: the two documents and the alignment between them, zipped.

InterText (Vondřička 2014, "Aligning parallel texts with InterText", LREC) keeps each text
version as an XML document whose alignable elements carry ids ``"paragraph:sentence"``
(here ``<p id="1"><s id="1:1">…</s></p>``) and an alignment as a ``<linkGrp
fromDoc="X.ru.xml" toDoc="X.en.xml">`` of ``<link type="2-1" xtargets="1:2 1:3;1:2"
status="man"/>``. As InterText writes and reads it, ``xtargets`` lists the *toDoc* ids
first, then the *fromDoc* ids, and ``type`` counts them in that order; ``status`` is
``man`` (confirmed by hand), ``auto`` (from the automatic aligner) or ``plain``. Our source
is the fromDoc. A rejected bead is written ``auto`` with ``mark="1"`` (InterText's
"marked for attention"). What InterText has no room for — our exact status, the reviewer,
the reviewers' notes, the score, the encoder, each document's provenance kind and label (``TEST
RECONSTRUCTION — not the archival text``) — goes in attributes and ``<al:note>`` children
of the ``urn:x-aligner:review`` namespace, which InterText's importer passes over.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from aligner.export.xliff import NS
from aligner.types import Alignment, Document

STATUS = {"confirmed": "man", "unreviewed": "auto", "rejected": "auto"}


def _stem(doc: Document) -> str:
    stem = re.sub(r"[^\w-]+", "_", (doc.title or doc.provenance.file or "text")).strip("_")
    return stem or "text"


def sentence_ids(doc: Document) -> list[str]:
    """InterText ids ``"p:s"`` of the document's sentences (1-based paragraph, 1-based
    sentence within it), in order."""
    ids, para, k, last = [], 0, 0, None
    for s in doc.sentences:
        if s.paragraph != last:
            para, k, last = para + 1, 0, s.paragraph
        k += 1
        ids.append(f"{para}:{k}")
    return ids


def document_xml(doc: Document) -> bytes:
    """An InterText text version: ``<text lang=".."><p id="1"><s id="1:1">…</s></p></text>``;
    the root's ``al:kind``, ``al:label`` and ``al:file`` keep the provenance (a test
    reconstruction says so; :mod:`aligner.imports.intertext` reads the kind back)."""
    root = etree.Element("text", nsmap={"al": NS}, lang=doc.lang)
    for key, value in (("kind", doc.provenance.kind), ("label", doc.provenance.label),
                       ("file", doc.provenance.file)):
        root.set(f"{{{NS}}}{key}", value)
    p, last = None, None
    for s, sid in zip(doc.sentences, sentence_ids(doc)):
        if s.paragraph != last or p is None:
            p, last = etree.SubElement(root, "p", id=sid.split(":")[0]), s.paragraph
        etree.SubElement(p, "s", id=sid).text = s.text
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def alignment_xml(src: Document, tgt: Document, alignment: Alignment, from_doc: str,
                  to_doc: str) -> bytes:
    """The ``<linkGrp>`` (module doc)."""
    src_ids, tgt_ids = sentence_ids(src), sentence_ids(tgt)
    grp = etree.Element("linkGrp", nsmap={"al": NS}, toDoc=to_doc, fromDoc=from_doc)
    if alignment.encoder:  # the encoder that aligned it, read back by the import
        grp.set(f"{{{NS}}}encoder", alignment.encoder)
    for b in alignment.beads:
        link = etree.SubElement(grp, "link", {
            "type": f"{len(b.tgt)}-{len(b.src)}",
            "xtargets": f"{' '.join(tgt_ids[j] for j in b.tgt)};{' '.join(src_ids[i] for i in b.src)}",
            "status": STATUS.get(b.status, "auto")})
        if b.status == "rejected":
            link.set("mark", "1")
        for key, value in (("status", b.status), ("reviewer", b.reviewer),
                           ("score", f"{b.score:.4f}"), ("flags", ",".join(b.flags)),
                           ("origin", b.origin)):
            if value:
                link.set(f"{{{NS}}}{key}", value)
        for n in b.notes:
            note = etree.SubElement(link, f"{{{NS}}}note", by=n.user)
            if n.created:
                note.set("when", n.created)
            note.text = n.text
    return etree.tostring(grp, xml_declaration=True, encoding="utf-8", pretty_print=True)


def to_intertext_zip(src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """A zip of ``NAME.SRC.xml``, ``NAME.TGT.xml`` and ``NAME.SRC.TGT.xml`` (the
    alignment), NAME from the source's title; InterText's file naming
    ``<text>.<version>.xml``."""
    name = _stem(src)
    langs = (src.lang, tgt.lang) if src.lang != tgt.lang else (f"{src.lang}1", f"{tgt.lang}2")
    from_doc, to_doc = f"{name}.{langs[0]}.xml", f"{name}.{langs[1]}.xml"
    out = io.BytesIO()
    files = ((from_doc, document_xml(src)), (to_doc, document_xml(tgt)),
             (f"{name}.{langs[0]}.{langs[1]}.xml", alignment_xml(src, tgt, alignment, from_doc, to_doc)))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for file, data in files:  # a fixed date: the same alignment gives the same bytes
            z.writestr(zipfile.ZipInfo(file, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
