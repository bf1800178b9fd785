"""TMX (1.4b) as an alignment: one bead per translation unit, in file order.

A unit's segments are its sentences; a TMX we wrote (:mod:`aligner.export.tmx`) gives each
bead back exactly: the sentences of a multi-sentence unit (``x-source-lengths``), status,
reviewer, origin, score and flags (``x-status`` …), and the notes with their authors
(``<note>`` + ``x-note-users``). A TMX from a CAT tool has none of these: each unit is one
sentence a side, unreviewed, score 1 (a memory's units are pairs someone kept). Units with
no text on either side are skipped. The source language is the header's ``srclang``
(or ``src_lang``); the target language is ``tgt_lang`` or the first other ``xml:lang``.
"""

from __future__ import annotations

from lxml import etree

from aligner.errors import InputError
from aligner.imports.common import Imported, check_cover, document_of, lang_code, split_by_lengths, status_of
from aligner.types import PROVENANCE_KINDS, Alignment, Bead, BeadNote

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _base(lang: str | None) -> str:
    return (lang or "").strip().lower().replace("_", "-").split("-")[0]


def _seg_text(tuv) -> str:
    seg = tuv.find("seg")
    return " ".join("".join(seg.itertext()).split()) if seg is not None else ""


def _props(element) -> dict[str, str]:
    return {p.get("type"): (p.text or "") for p in element.findall("prop")}


def read_tmx(data: bytes, name: str, *, src_lang: str | None = None,
             tgt_lang: str | None = None) -> Imported:
    """Read a TMX file (module doc). Raises InputError (not TMX, no units, one language
    only, a language missing)."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                      huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({exc.msg})") from None
    if root.tag != "tmx" or root.find("body") is None:
        raise InputError(f"{name}: not a TMX file (no <tmx><body>)")
    header = root.find("header")
    head = _props(header) if header is not None else {}
    src = _base(src_lang) or _base(header.get("srclang") if header is not None else None)
    if src in ("", "*all*"):
        src = _base(lang_code(None, "source"))
    units = root.find("body").findall("tu")
    if not tgt_lang:
        others = {_base(t.get(XML_LANG) or t.get("lang")) for u in units for t in u.findall("tuv")} - {src}
        tgt_lang = sorted(others)[0] if len(others) == 1 else None
        if len(others) > 1:
            raise InputError(f"{name}: units in {len(others) + 1} languages ({', '.join(sorted(others))} "
                             "besides the source): give the target language")
    tgt = _base(lang_code(tgt_lang, "target"))
    src_sents: list[str] = []
    tgt_sents: list[str] = []
    beads: list[Bead] = []
    for u in units:
        segs = {_base(t.get(XML_LANG) or t.get("lang")): _seg_text(t) for t in u.findall("tuv")}
        s_text, t_text = segs.get(src, ""), segs.get(tgt, "")
        if not s_text and not t_text:
            continue
        p = _props(u)
        s_parts = split_by_lengths(s_text, p.get("x-source-lengths"), len(p.get("x-source-ids", "").split(",")))
        t_parts = split_by_lengths(t_text, p.get("x-target-lengths"), len(p.get("x-target-ids", "").split(",")))
        notes = ["".join(n.itertext()) for n in u.findall("note")]
        users = p.get("x-note-users", "").split(",") if p.get("x-note-users") else []
        users = users if len(users) == len(notes) else [""] * len(notes)
        try:
            score = float(p["x-score"]) if p.get("x-score") else 1.0
        except ValueError:
            score = 1.0
        beads.append(Bead(
            tuple(range(len(src_sents), len(src_sents) + len(s_parts))),
            tuple(range(len(tgt_sents), len(tgt_sents) + len(t_parts))), score,
            [f for f in p.get("x-flags", "").split(",") if f], status=status_of(p.get("x-status")),
            origin="manual" if p.get("x-origin") == "manual" else "auto",
            reviewer=p.get("x-reviewer", ""),
            notes=[BeadNote(t, u_) for t, u_ in zip(notes, users) if t.strip()]))
        src_sents += s_parts
        tgt_sents += t_parts
    if not beads:
        raise InputError(f"{name}: no translation unit with text in {src} or {tgt}")
    check_cover(beads, len(src_sents), len(tgt_sents), name)
    docs = []
    for role, lang, sents in (("source", src, src_sents), ("target", tgt, tgt_sents)):
        kind = head.get(f"x-{role}-kind", "other")
        docs.append(document_of(sents, lang, file=head.get(f"x-{role}-file") or f"{name}#{role}",
                                kind=kind if kind in PROVENANCE_KINDS else "other",
                                title=head.get(f"x-{role}-title") or f"{name} ({lang})"))
    tool = " ".join(x for x in (header.get("creationtool", ""), header.get("creationtoolversion", ""))
                    if x) if header is not None else ""
    return Imported(docs[0], docs[1], Alignment(beads=beads, encoder=head.get("x-encoder", "")),
                    {"format": "tmx", "tool": tool})
