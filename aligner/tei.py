"""TEI XML (FRUS-style ``<div type="document">``) reduced to paragraph text: one
:class:`TeiDocument` per document div, fragments and undeclared prefixes tolerated, entities
and DTDs never loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aligner.errors import InputError


@dataclass(frozen=True)
class TeiDocument:
    """One ``<div type="document">`` of a TEI file: its ``xml:id``, title (``<head>``),
    text (one paragraph per line) and date (ISO ``YYYY-MM-DD`` from its first ``<date
    when>`` or FRUS ``frus:doc-dateTime-min``, else "")."""

    id: str
    title: str
    text: str
    date: str = ""


_BLOCK_TAGS = {"p", "head", "item"}
_SKIP_TAGS = {"note", "fw", "figDesc", "teiHeader"}  # footnotes, forme work, metadata
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", re.S)
_PREFIX = re.compile(r"</?([A-Za-z_][\w.-]*):|\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
_DECLARED = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")


def parse_tei(data: bytes, name: str, encoding: str | None) -> tuple[list[TeiDocument], str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    enc = encoding or "utf-8"
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as first:
        # FRUS excerpts are fragments: several <div> roots, prefixes (frus:) declared in a
        # parent that was cut away. Wrap them in a root that declares every prefix used.
        try:
            from aligner.read import decode_bytes  # plain-text decoding of the fragment

            text, enc = decode_bytes(data, name, encoding=encoding)
        except InputError:
            raise InputError(f"{name}: malformed XML ({_xml_msg(first)})") from None
        root = _parse_fragment(text, parser)
        if root is None:
            raise InputError(f"{name}: malformed XML ({_xml_msg(first)})") from None
    else:
        enc = (root.getroottree().docinfo.encoding or "utf-8").lower()
    return _tei_documents(root), enc


def _xml_msg(exc: Exception) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return msg


def _parse_fragment(text: str, parser):
    from lxml import etree

    body = _DOCTYPE.sub("", _XML_DECL.sub("", text.lstrip("\ufeff")))
    declared = set(_DECLARED.findall(body))
    prefixes = {p for pair in _PREFIX.findall(body) for p in pair if p}
    prefixes -= declared | {"xml", "xmlns"}
    decls = "".join(f' xmlns:{p}="urn:x-undeclared:{p}"' for p in sorted(prefixes))
    try:
        return etree.fromstring(f"<fragment{decls}>{body}</fragment>".encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comment / processing instruction
        return ""
    return tag.rsplit("}", 1)[-1]


def _tei_documents(root) -> list[TeiDocument]:
    divs = [el for el in root.iter() if _local(el) == "div" and el.get("type") == "document"]
    if not divs:
        bodies = [el for el in root.iter() if _local(el) == "body"]
        divs = bodies[:1] or [root]
    docs = []
    for i, div in enumerate(divs):
        paras = [_block_text(el) for el in _blocks(div)]
        paras = [p for p in paras if p]
        heads = [_block_text(el) for el in _blocks(div) if _local(el) == "head"]
        doc_id = div.get("{http://www.w3.org/XML/1998/namespace}id") or div.get("n") or str(i + 1)
        docs.append(TeiDocument(doc_id, heads[0] if heads else "", "\n".join(paras), _tei_date(div)))
    return docs


def _tei_date(div) -> str:
    for el in div.iter():
        if _local(el) == "date" and re.match(r"\d{4}-\d\d-\d\d", el.get("when") or ""):
            return el.get("when")[:10]
    for key, value in div.attrib.items():
        if key.endswith("doc-dateTime-min") and re.match(r"\d{4}-\d\d-\d\d", value):
            return value[:10]
    return ""


def _blocks(div):
    """Block elements (p/head/item) in document order, outermost only, outside notes."""
    out = []

    def walk(el):
        for child in el:
            tag = _local(child)
            if not tag or tag in _SKIP_TAGS:
                continue
            if tag in _BLOCK_TAGS:
                out.append(child)
            else:
                walk(child)

    walk(div)
    return out


def _block_text(el) -> str:
    """Text of one block with footnotes left out and white space collapsed."""
    parts: list[str] = []

    def walk(node):
        if node.text and _local(node) not in _SKIP_TAGS:
            parts.append(node.text)
        for child in node:
            tag = _local(child)
            if tag and tag not in _SKIP_TAGS:
                if tag == "lb":
                    parts.append(" ")
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    text = " ".join("".join(parts).split())
    label = el.getprevious()
    if _local(el) == "item" and label is not None and _local(label) == "label":
        lab = " ".join("".join(label.itertext()).split())
        if lab:
            text = f"{lab} {text}"
    return text
