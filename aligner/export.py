"""Exports of an in-memory alignment: TSV, JSON, Vecalign bead format and TMX 1.4b.

Every export carries each document's provenance (file, sha256, kind), so a test
reconstruction is never mistaken for an archival original:

* TSV: ``#`` comment lines first, then a header row and one bead a row.
* JSON: ``{"source": {...}, "target": {...}, "encoder": ..., "beads": [...], "crossings": [...]}``.
* Vecalign: one bead a line, ``[src ids]:[tgt ids]:score`` (0-based sentence ids), the
  format of Thompson & Koehn's vecalign and of Bertalign; provenance goes in a sidecar
  ``FILE.provenance.json`` when writing to a file (the bead format has no comments).
* TMX 1.4b, written with translate-toolkit: header ``<prop>``s give provenance; each
  translation unit (one bead) has ``<prop>``s for score, bead type, flags and status.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import IO, Literal

from aligner import __version__
from aligner.errors import AlignerError
from aligner.types import Alignment, Bead, Document

ExportFormat = Literal["tsv", "json", "tmx", "vecalign"]
EXPORT_FORMATS: tuple[str, ...] = ("tsv", "json", "tmx", "vecalign")


def provenance_dict(doc: Document) -> dict:
    """The provenance of ``doc`` as a JSON-ready dict (file, sha256, kind, label, language)."""
    p = doc.provenance
    return {
        "file": p.file, "sha256": p.sha256, "kind": p.kind, "label": p.label,
        "encoding": p.encoding, "language": doc.lang, "title": doc.title, "note": p.note,
        "sentences": len(doc.sentences),
    }


def _text(doc: Document, ids: tuple[int, ...]) -> str:
    return " ".join(doc.sentences[i].text for i in ids)


def _status(bead: Bead) -> str:
    return getattr(bead, "status", None) or "unreviewed"


def to_json(src: Document, tgt: Document, alignment: Alignment) -> str:
    """JSON export: documents with provenance, then beads (ids, texts, score, type, flags)."""
    data = {
        "source": provenance_dict(src),
        "target": provenance_dict(tgt),
        "encoder": alignment.encoder,
        "params": alignment.params,
        "beads": [
            {
                "source": list(b.src), "target": list(b.tgt),
                "source_text": _text(src, b.src), "target_text": _text(tgt, b.tgt),
                "score": round(b.score, 4), "type": b.type, "flags": list(b.flags),
                "status": _status(b),
            }
            for b in alignment.beads
        ],
        "crossings": [
            {"source": list(c.src), "target": list(c.tgt), "score": c.score, "reason": c.reason}
            for c in alignment.crossings
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_tsv(src: Document, tgt: Document, alignment: Alignment) -> str:
    """TSV export: ``#`` provenance lines, header, then source, target, score, type, flags,
    status, sentence ids; a row whose source text starts with ``#`` is quoted, so it is
    never taken for a comment."""
    out = io.StringIO()
    for role, doc in (("source", src), ("target", tgt)):
        p = doc.provenance
        out.write(f"# {role}: {p.file} ({doc.lang}) sha256={p.sha256} kind={p.kind} — {p.label}\n")
    out.write(f"# encoder: {alignment.encoder}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # A row starting with "#" would read as a comment line; such rows are quoted whole.
    quoted = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["source", "target", "score", "type", "flags", "status", "source_ids", "target_ids"])
    for b in alignment.beads:
        row = [_text(src, b.src), _text(tgt, b.tgt), f"{b.score:.4f}", b.type, ",".join(b.flags),
               _status(b), ",".join(map(str, b.src)), ",".join(map(str, b.tgt))]
        (quoted if row[0].startswith("#") else writer).writerow(row)
    return out.getvalue()


def to_vecalign(alignment: Alignment) -> str:
    """Vecalign bead format: ``[0]:[0, 1]:0.8123`` one bead a line (0-based sentence ids)."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.4f}\n"
        for b in alignment.beads
    )


def to_tmx(src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """TMX 1.4b bytes (translate-toolkit): one translation unit per bead.

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
    prop = etree.SubElement(header, "prop", type="x-encoder")
    prop.text = alignment.encoder
    for b in alignment.beads:
        unit = store.addsourceunit(_text(src, b.src))
        unit.target = _text(tgt, b.tgt)
        element = unit.xmlelement
        # TMX 1.4b: <prop> children come before <tuv>s.
        for pos, (key, value) in enumerate((
            ("x-score", f"{b.score:.4f}"), ("x-bead-type", b.type), ("x-flags", ",".join(b.flags)),
            ("x-status", _status(b)), ("x-source-ids", ",".join(map(str, b.src))),
            ("x-target-ids", ",".join(map(str, b.tgt))),
        )):
            prop = etree.Element("prop", type=key)
            prop.text = value
            element.insert(pos, prop)
    return bytes(store)


def render_export(fmt: str, src: Document, tgt: Document, alignment: Alignment) -> bytes:
    """The export in ``fmt`` (tsv, json, tmx, vecalign) as UTF-8 bytes.

    Raises:
        AlignerError: unknown format.
    """
    if fmt == "tsv":
        return to_tsv(src, tgt, alignment).encode()
    if fmt == "json":
        return to_json(src, tgt, alignment).encode()
    if fmt == "tmx":
        return to_tmx(src, tgt, alignment)
    if fmt == "vecalign":
        return to_vecalign(alignment).encode()
    raise AlignerError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def write_export(out: str | os.PathLike | IO, fmt: str, src: Document, tgt: Document,
                 alignment: Alignment) -> None:
    """Write the export to a path or an open stream (text or binary).

    For ``vecalign`` written to a path, the provenance goes to ``PATH.provenance.json``.
    """
    data = render_export(fmt, src, tgt, alignment)
    if isinstance(out, (str, os.PathLike)):
        path = Path(out)
        path.write_bytes(data)
        if fmt == "vecalign":
            sidecar = path.with_name(path.name + ".provenance.json")
            sidecar.write_text(json.dumps(
                {"source": provenance_dict(src), "target": provenance_dict(tgt),
                 "encoder": alignment.encoder}, ensure_ascii=False, indent=1) + "\n")
    elif isinstance(out, io.TextIOBase) or "b" not in getattr(out, "mode", "b"):
        out.write(data.decode("utf-8"))
    else:
        out.write(data)
