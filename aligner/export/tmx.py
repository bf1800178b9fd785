"""TMX 1.4b, written with translate-toolkit: header ``<prop>``s give provenance and settings;
each translation unit (one bead) has ``<prop>``s for score, bead type, flags and status."""

from __future__ import annotations

from aligner import __version__
from aligner.export.common import provenance_dict, settings_line, text_of
from aligner.types import Alignment, Document


def to_tmx(src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """TMX 1.4b bytes: one translation unit per bead.

    Null beads (1-0, 0-1) become units with an empty segment on the missing side, so an
    omission stays visible to a translation-memory reviewer.
    """
    from lxml import etree
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage=src.lang, targetlanguage=tgt.lang)
    header = store.document.getroot().find("header")
    header.set("creationtool", "aligner")
    # translate-toolkit puts its own version here; the attribute names the creating tool's.
    header.set("creationtoolversion", __version__)
    for role, doc in (("source", src), ("target", tgt)):
        for key, value in provenance_dict(doc).items():
            prop = etree.SubElement(header, "prop", type=f"x-{role}-{key}")
            prop.text = str(value)
    for key, value in (("x-encoder", alignment.encoder), ("x-settings", settings_line(alignment))):
        prop = etree.SubElement(header, "prop", type=key)
        prop.text = value
    for b in alignment.beads:
        unit = store.addsourceunit(text_of(src, b.src))
        unit.target = text_of(tgt, b.tgt)
        element = unit.xmlelement
        # TMX 1.4b: <prop> children come before <tuv>s.
        for pos, (key, value) in enumerate((
            ("x-score", f"{b.score:.4f}"), ("x-bead-type", b.type), ("x-flags", ",".join(b.flags)),
            ("x-status", b.status), ("x-source-ids", ",".join(map(str, b.src))),
            ("x-target-ids", ",".join(map(str, b.tgt))),
        )):
            prop = etree.Element("prop", type=key)
            prop.text = value
            element.insert(pos, prop)
    return bytes(store)
