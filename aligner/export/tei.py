"""A TEI stand-off alignment (TEI P5 Guidelines §16.4 "Correspondence and Alignment",
§16.9 "Stand-off Markup") with each link's review status.

The file holds both texts as ``<s xml:id="src.s1">`` sentences grouped in ``<p>`` with
``<pb n="..."/>`` page breaks, and a ``<standOff>`` with ``<linkGrp type="alignment">``: one
``<link target="#src.s3 #tgt.s3 #tgt.s4">`` per bead with sentences on both sides, and a
``<ptr>`` per 1-0/0-1 bead (TEI requires two targets on ``<link>``), in bead order.
``@type`` is the bead type ("1-2"), ``@subtype`` the review status (unreviewed | confirmed |
rejected), ``@cert`` the confidence in [0, 1], ``@resp`` the reviewer who set the status or
made the bead (a ``<respStmt>`` per reviewer in the header; ``#reviewer`` for a bead made by a
manual edit whose reviewer is not known). Reviewer crossing links go in a second
``<linkGrp type="crossing">``, the reviewers' notes in ``<noteGrp type="review">`` (each
``<note target="#b12" resp="#reviewer.1" when="...">``). A sentence a reviewer corrected
holds ``<choice><sic>as segmented</sic><corr resp="#reviewer">corrected</corr></choice>``
(§3.5.1 "Apparent Errors") and ``@type="corrected"``.
Provenance (file, SHA-256, kind) and settings are in the header; a test reconstruction is
labelled so.
"""

from __future__ import annotations

from lxml import etree

from aligner.export.common import settings_line
from aligner.types import Alignment, Document

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"


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


def _text(group, key: str, doc: Document) -> None:
    t = _el(group, "text", xml_lang=doc.lang, xml_id=f"{key}-text", type=doc.provenance.kind,
            source=f"#{key}")
    body = _el(t, "body")
    page, para, p = None, None, None
    for k, s in enumerate(doc.sentences):
        if p is None or s.paragraph != para:
            p, para = _el(body, "p"), s.paragraph
        if s.page is not None and s.page != page:
            _el(p, "pb", n=s.page)
            page = s.page
        if s.corrected:
            choice = _el(_el(p, "s", xml_id=f"{key}.s{k + 1}", type="corrected"), "choice")
            _el(choice, "sic", s.original)
            _el(choice, "corr", s.text, resp="#reviewer")
        else:
            _el(p, "s", s.text, xml_id=f"{key}.s{k + 1}")
    if p is None:
        _el(body, "p")


def to_tei(src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """The TEI stand-off export (module doc) as UTF-8 bytes; sentence xml:ids follow the
    sentences' order ("src.s1", "tgt.s1", …)."""
    info = alignment.info
    ref = lambda side, i: f"#{side}.s{i + 1}"  # noqa: E731
    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    header = _el(root, "teiHeader")
    fd = _el(header, "fileDesc")
    ts = _el(fd, "titleStmt")
    name = f"Alignment {info['alignment_id']}" if "alignment_id" in info else "Alignment"
    _el(ts, "title", f"{name}: {src.title or src.lang} ↔ {tgt.title or tgt.lang}")
    rs = _el(ts, "respStmt", xml_id="reviewer")
    _el(rs, "resp", "manual alignment review")
    _el(rs, "name", "reviewers named in the store's edit log")
    names = sorted({b.reviewer for b in alignment.beads if b.reviewer}
                   | {n.user for b in alignment.beads for n in b.notes if n.user})
    who = {name: f"#reviewer.{k + 1}" for k, name in enumerate(names)}
    for name, ref_ in who.items():
        rs = _el(ts, "respStmt", xml_id=ref_[1:])
        _el(rs, "resp", "alignment review")
        _el(rs, "name", name)
    _el(_el(fd, "publicationStmt"), "p", "Exported from the aligner.")
    lb = _el(_el(fd, "sourceDesc"), "listBibl")
    _bibl(lb, "src", src, "source")
    _bibl(lb, "tgt", tgt, "translation")
    ed = _el(header, "encodingDesc")
    state = (f"; alignment version {info['version']}, state {info['state']}"
             if "version" in info else "")
    _el(ed, "p", f"Sentence alignment by encoder {alignment.encoder}{state}. "
        "link/@type = bead type, @subtype = review status, @cert = confidence, "
        "@resp names the reviewer who set the status or made the bead.")
    _el(ed, "p", f"Aligner settings: {settings_line(alignment)}", type="settings")

    group = _el(_el(root, "text"), "group")
    _text(group, "src", src)
    _text(group, "tgt", tgt)

    stand = _el(root, "standOff")
    grp = _el(stand, "linkGrp", type="alignment",
              xml_id=f"alignment-{info.get('alignment_id', 1)}")
    for pos, b in enumerate(alignment.beads):
        targets = " ".join([ref("src", i) for i in b.src] + [ref("tgt", j) for j in b.tgt])
        attrs = dict(xml_id=f"b{b.id if b.id is not None else pos + 1}", type=b.type,
                     subtype=b.status, cert=f"{max(0.0, min(1.0, b.score)):.3f}", target=targets)
        if b.reviewer:
            attrs["resp"] = who[b.reviewer]
        elif b.origin == "manual":
            attrs["resp"] = "#reviewer"
        _el(grp, "link" if b.src and b.tgt else "ptr", **attrs)
    noted = [(pos, b) for pos, b in enumerate(alignment.beads) if b.notes]
    if noted:
        ng = _el(stand, "noteGrp", type="review")
        for pos, b in noted:
            for n in b.notes:
                attrs = {"target": f"#b{b.id if b.id is not None else pos + 1}"}
                if n.user:
                    attrs["resp"] = who[n.user]
                if n.created:
                    attrs["when"] = n.created
                _el(ng, "note", n.text, **attrs)
    if alignment.links:
        cg = _el(stand, "linkGrp", type="crossing")
        for k, link in enumerate(alignment.links):
            _el(cg, "link", xml_id=f"x{k + 1}", type="crossing", subtype="confirmed",
                target=" ".join([ref("src", i) for i in link.src] + [ref("tgt", j) for j in link.tgt]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
