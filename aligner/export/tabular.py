"""JSON, TSV and the Vecalign bead format."""

from __future__ import annotations

import csv
import io
import json

from aligner.export.common import provenance_dict, settings_dict, settings_line, text_of
from aligner.types import Alignment, Document


def to_json(src: Document, tgt: Document, alignment: Alignment) -> str:
    """JSON export: documents with provenance, the settings, then beads (ids, texts, score,
    type, flags, review status) and crossing candidates and links."""
    data = {
        "source": provenance_dict(src),
        "target": provenance_dict(tgt),
        "encoder": alignment.encoder,
        "settings": settings_dict(alignment),
        "alignment": alignment.info,
        "beads": [
            {
                "source": list(b.src), "target": list(b.tgt),
                "source_text": text_of(src, b.src), "target_text": text_of(tgt, b.tgt),
                "score": round(b.score, 4), "type": b.type, "flags": list(b.flags),
                "status": b.status,
            }
            for b in alignment.beads
        ],
        "crossings": [
            {"source": list(c.src), "target": list(c.tgt), "score": c.score, "reason": c.reason}
            for c in alignment.crossings
        ],
        "links": [{"source": list(c.src), "target": list(c.tgt), "reason": c.reason}
                  for c in alignment.links],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_tsv(src: Document, tgt: Document, alignment: Alignment) -> str:
    """TSV export: ``#`` provenance and settings lines, header, then source, target, score,
    type, flags, status, sentence ids; a row whose source text starts with ``#`` is quoted,
    so it is never taken for a comment."""
    out = io.StringIO()
    for role, doc in (("source", src), ("target", tgt)):
        p = doc.provenance
        out.write(f"# {role}: {p.file} ({doc.lang}) sha256={p.sha256} kind={p.kind} — {p.label}\n")
    out.write(f"# encoder: {alignment.encoder}\n")
    out.write(f"# settings: {settings_line(alignment)}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # A row starting with "#" would read as a comment line; such rows are quoted whole.
    quoted = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["source", "target", "score", "type", "flags", "status", "source_ids", "target_ids"])
    for b in alignment.beads:
        row = [text_of(src, b.src), text_of(tgt, b.tgt), f"{b.score:.4f}", b.type,
               ",".join(b.flags), b.status, ",".join(map(str, b.src)), ",".join(map(str, b.tgt))]
        (quoted if row[0].startswith("#") else writer).writerow(row)
    return out.getvalue()


def to_vecalign(alignment: Alignment) -> str:
    """Vecalign bead format: ``[0]:[0, 1]:0.8123`` one bead a line (0-based sentence ids)."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.4f}\n"
        for b in alignment.beads
    )


def vecalign_sidecar(src: Document, tgt: Document, alignment: Alignment) -> str:
    """What the bead format has no room for: provenance, encoder, settings (JSON)."""
    return json.dumps({"source": provenance_dict(src), "target": provenance_dict(tgt),
                       "encoder": alignment.encoder, "settings": settings_dict(alignment)},
                      ensure_ascii=False, indent=1) + "\n"
