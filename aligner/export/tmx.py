"""TMX 1.4b, written with translate-toolkit: header ``<prop>``s give provenance and settings;
each translation unit (one bead) has the reviewers' ``<note>``s and ``<prop>``s for score,
bead type, flags, review status and reviewer, and what a re-import needs to give the bead
back exactly (sentence ids and lengths, the notes' authors).

TMX 1.4b (LISA, 2005) §3 ``<tu>``: ``(note | prop)*, tuv+``; ``<note>`` holds free text,
``<prop type="x-...">`` user-defined properties.
"""

from __future__ import annotations

from aligner import __version__
from aligner.export.common import provenance_dict, settings_line, text_of
from aligner.types import Alignment, Bead, Document


def unit_props(src: Document, tgt: Document, b: Bead) -> list[tuple[str, str]]:
    """The ``(type, value)`` props of a bead's unit (also XLIFF's extension data)."""
    return [
        ("x-score", f"{b.score:.4f}"), ("x-bead-type", b.type), ("x-flags", ",".join(b.flags)),
        ("x-status", b.status), ("x-reviewer", b.reviewer), ("x-origin", b.origin),
        ("x-source-ids", ",".join(map(str, b.src))), ("x-target-ids", ",".join(map(str, b.tgt))),
        # Sentence lengths (characters) split a unit's text back into its sentences.
        ("x-source-lengths", ",".join(str(len(src.sentences[i].text)) for i in b.src)),
        ("x-target-lengths", ",".join(str(len(tgt.sentences[j].text)) for j in b.tgt)),
        ("x-note-users", ",".join(n.user for n in b.notes)),
    ]


def to_tmx(src: Document, tgt: Document, alignment: Alignment, *, keep_nulls: bool = False) -> bytes:
    """TMX 1.4b bytes: one translation unit per bead with sentences on both sides.

    Null beads (1-0, 0-1) are left out — a unit with an empty segment is junk in a
    translation memory — unless ``keep_nulls``: then they are units with an empty segment
    on the missing side (an omission stays visible to a reviewer; a re-import gives the
    alignment back whole).
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
    for key, value in (("x-encoder", alignment.encoder), ("x-settings", settings_line(alignment)),
                       ("x-null-beads", "kept" if keep_nulls else "left out")):
        prop = etree.SubElement(header, "prop", type=key)
        prop.text = value
    for b in alignment.beads:
        if not keep_nulls and not (b.src and b.tgt):
            continue
        unit = store.addsourceunit(text_of(src, b.src))
        unit.target = text_of(tgt, b.tgt)
        element = unit.xmlelement
        # TMX 1.4b: <note> and <prop> children come before the <tuv>s.
        for pos, n in enumerate(b.notes):
            note = etree.Element("note")
            note.text = n.text
            element.insert(pos, note)
        for pos, (key, value) in enumerate(unit_props(src, tgt, b), start=len(b.notes)):
            prop = etree.Element("prop", type=key)
            prop.text = value
            element.insert(pos, prop)
    return bytes(store)
