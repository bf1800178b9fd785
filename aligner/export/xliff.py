"""XLIFF 1.2 and 2.0 for CAT tools, written with translate-toolkit: one unit per bead with
sentences on both sides (1-0 / 0-1 beads only with ``keep_nulls``), its review state in
XLIFF's own terms, the reviewers' notes as ``<note>``s, and our bead data as attributes of
the ``urn:x-aligner:review`` namespace (both versions allow other namespaces' attributes on
units).

State mapping — XLIFF 1.2 (OASIS 2008, §2.4.2 ``state``, ``approved``): confirmed →
``approved="yes"``, target ``state="signed-off"``; unreviewed → ``needs-review-translation``;
rejected → ``needs-translation`` (the target does not render the source). XLIFF 2.0 (OASIS
2014, §4.2.2.4 ``<segment state>``): confirmed → ``final``, unreviewed → ``translated``,
rejected → ``initial``. Provenance goes in file-level notes.
"""

from __future__ import annotations

from aligner import __version__
from aligner.errors import AlignerError
from aligner.export.common import provenance_dict, settings_line, text_of
from aligner.export.tmx import unit_props
from aligner.types import Alignment, Bead, Document

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
#: Namespace of our per-unit data (status, reviewer, score, bead type, sentence ids...).
NS = "urn:x-aligner:review"
STATE_12 = {"confirmed": "signed-off", "unreviewed": "needs-review-translation",
            "rejected": "needs-translation"}
STATE_20 = {"confirmed": "final", "unreviewed": "translated", "rejected": "initial"}


def _units(alignment: Alignment, keep_nulls: bool) -> list[tuple[int, Bead]]:
    return [(pos, b) for pos, b in enumerate(alignment.beads) if keep_nulls or (b.src and b.tgt)]


def _unit_id(pos: int, b: Bead) -> str:
    return f"b{b.id if b.id is not None else pos + 1}"


def _provenance_lines(src: Document, tgt: Document, alignment: Alignment) -> list[str]:
    lines = []
    for role, doc in (("source", src), ("target", tgt)):
        p = provenance_dict(doc)
        lines.append(f"{role}: {p['file']} ({p['language']}) sha256={p['sha256']} "
                     f"kind={p['kind']} — {p['label']}")
    lines.append(f"encoder: {alignment.encoder}; settings: {settings_line(alignment)}")
    return lines


def _annotate(element, src: Document, tgt: Document, b: Bead) -> None:
    for key, value in unit_props(src, tgt, b):
        element.set(f"{{{NS}}}{key[2:]}", value)


def to_xliff12(src: Document, tgt: Document, alignment: Alignment, *,
               keep_nulls: bool = False) -> bytes:
    """XLIFF 1.2 bytes (module doc). Notes: ``<note from="user">text</note>``."""
    from lxml import etree
    from translate.storage import xliff

    name = src.provenance.file or "source"
    skeleton = etree.Element(f"{{{XLIFF12}}}xliff", version="1.2", nsmap={None: XLIFF12, "al": NS})
    file_ = etree.SubElement(skeleton, f"{{{XLIFF12}}}file", {
        "original": name, "source-language": src.lang, "target-language": tgt.lang,
        "datatype": "plaintext"})
    header = etree.SubElement(file_, f"{{{XLIFF12}}}header")
    etree.SubElement(header, f"{{{XLIFF12}}}tool", {
        "tool-id": "aligner", "tool-name": "aligner", "tool-version": __version__})
    for line in _provenance_lines(src, tgt, alignment):
        etree.SubElement(header, f"{{{XLIFF12}}}note", {"from": "aligner"}).text = line
    etree.SubElement(file_, f"{{{XLIFF12}}}body")
    store = xliff.xlifffile.parsestring(etree.tostring(skeleton, xml_declaration=True,
                                                       encoding="UTF-8"))
    for pos, b in _units(alignment, keep_nulls):
        unit = store.addsourceunit(text_of(src, b.src), filename=name)
        unit.target = text_of(tgt, b.tgt)
        unit.setid(_unit_id(pos, b))
        unit.markapproved(b.status == "confirmed")
        target = unit.xmlelement.find(unit.namespaced("target"))
        target.set("state", STATE_12.get(b.status, "needs-review-translation"))
        for n in b.notes:
            unit.addnote(n.text, origin=n.user or None)
        _annotate(unit.xmlelement, src, tgt, b)
    etree.cleanup_namespaces(store.document.getroot())  # units are made with the 1.1 one
    return bytes(store)


def to_xliff2(src: Document, tgt: Document, alignment: Alignment, *,
              keep_nulls: bool = False) -> bytes:
    """XLIFF 2.0 bytes (module doc). Notes: ``<notes><note category="review"
    al:by="user">text</note></notes>`` at unit level, where the standard puts them
    (translate-toolkit's own ``addnote`` writes them inside the segment)."""
    from lxml import etree

    try:
        from translate.storage import xliff2
    except ImportError:  # translate-toolkit before XLIFF 2.0 support
        raise AlignerError("XLIFF 2.0 export needs translate-toolkit 3.20 or newer "
                           "(pip install -U translate-toolkit)") from None

    store = xliff2.Xliff2File(sourcelanguage=src.lang, targetlanguage=tgt.lang)
    root = store.document.getroot()
    root.set("srcLang", src.lang)
    root.set("trgLang", tgt.lang)
    filenode = store.body
    filenode.set("original", src.provenance.file or "source")
    notes = etree.Element(f"{{{store.namespace}}}notes")
    for line in _provenance_lines(src, tgt, alignment):
        etree.SubElement(notes, f"{{{store.namespace}}}note", category="provenance").text = line
    filenode.insert(0, notes)
    for pos, b in _units(alignment, keep_nulls):
        unit = store.addsourceunit(text_of(src, b.src))
        unit.target = text_of(tgt, b.tgt)
        unit.setid(_unit_id(pos, b))
        unit.xmlelement.set("state", STATE_20.get(b.status, "translated"))
        element = unit.getunitelement()
        if b.notes:  # XLIFF 2.0 §4.2.2.2: <notes> is the unit's first child, not a segment's
            container = etree.Element(f"{{{store.namespace}}}notes")
            for n in b.notes:
                note = etree.SubElement(container, f"{{{store.namespace}}}note", category="review")
                note.text = n.text
                if n.user:
                    note.set(f"{{{NS}}}by", n.user)
            element.insert(0, container)
        _annotate(element, src, tgt, b)
    etree.cleanup_namespaces(root, top_nsmap={"al": NS})
    return bytes(store)
