"""JSON, TSV and the Vecalign bead format."""

from __future__ import annotations

import csv
import io
import json

from aligner.export.common import (
    corrections,
    join_notes,
    note_dicts,
    provenance_dict,
    settings_dict,
    settings_line,
    text_of,
)
from aligner.types import Alignment, Document


def to_json(src: Document, tgt: Document, alignment: Alignment) -> str:
    """JSON export: documents with provenance, the settings, then beads (ids, texts, score,
    type, flags, review status, reviewer, notes), the sentences reviewers corrected (with
    their original text), and crossing candidates and links."""
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
                "status": b.status, "reviewer": b.reviewer, "origin": b.origin,
                "notes": note_dicts(b),
            }
            for b in alignment.beads
        ],
        "corrections": corrections(src, tgt),
        "crossings": [
            {"source": list(c.src), "target": list(c.tgt), "score": c.score, "reason": c.reason}
            for c in alignment.crossings
        ],
        "links": [{"source": list(c.src), "target": list(c.tgt), "reason": c.reason}
                  for c in alignment.links],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_tsv(src: Document, tgt: Document, alignment: Alignment, *, notes: bool = False,
           hunalign_join: bool = False) -> str:
    """TSV export: ``#`` provenance and settings lines, header, then source, target, score,
    type, flags, status, sentence ids, reviewer, and with ``notes`` the reviewers' notes
    (``user: text``, several joined by `` | ``: :func:`~aligner.export.common.join_notes`); a row whose source text starts with ``#``
    is quoted, so it is never taken for a comment. Last come ``source_lengths`` and
    ``target_lengths``: each sentence's length in characters (``"23,41"``, as TMX's
    ``x-source-lengths``), so a re-import (:mod:`aligner.imports.tabular`) splits a
    space-joined cell back into its sentences; appended, they move no column a reader
    takes by position. ``hunalign_join``: a bead's sentences are joined by hunalign's
    ``" ~~~ "`` rather than a space (LF Aligner / hunalign read them apart)."""
    join = (lambda doc, ids: " ~~~ ".join(doc.sentences[i].text for i in ids)) \
        if hunalign_join else text_of
    out = io.StringIO()
    for role, doc in (("source", src), ("target", tgt)):
        p = doc.provenance
        out.write(f"# {role}: {p.file} ({doc.lang}) sha256={p.sha256} kind={p.kind} — {p.label}\n")
    out.write(f"# encoder: {alignment.encoder}\n")
    out.write(f"# settings: {settings_line(alignment)}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # A row starting with "#" would read as a comment line; such rows are quoted whole.
    quoted = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["source", "target", "score", "type", "flags", "status", "source_ids",
                     "target_ids", "reviewer"] + (["notes"] if notes else [])
                    + ["source_lengths", "target_lengths"])
    for b in alignment.beads:
        row = [join(src, b.src), join(tgt, b.tgt), f"{b.score:.4f}", b.type,
               ",".join(b.flags), b.status, ",".join(map(str, b.src)), ",".join(map(str, b.tgt)),
               b.reviewer]
        if notes:
            row.append(join_notes(b.notes))
        row += [",".join(str(len(doc.sentences[i].text)) for i in ids)
                for doc, ids in ((src, b.src), (tgt, b.tgt))]
        (quoted if row[0].startswith("#") else writer).writerow(row)
    return out.getvalue()


def to_vecalign(alignment: Alignment) -> str:
    """Vecalign bead format: ``[0]:[0, 1]:0.8123`` one bead a line (0-based sentence ids)."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.4f}\n"
        for b in alignment.beads
    )


def vecalign_sidecar(src: Document, tgt: Document, alignment: Alignment) -> str:
    """What the bead format has no room for (JSON): provenance, encoder, settings, and the
    review — each bead's status, reviewer and notes (in bead order), the corrected sentences."""
    return json.dumps({"source": provenance_dict(src), "target": provenance_dict(tgt),
                       "encoder": alignment.encoder, "settings": settings_dict(alignment),
                       "review": [{"status": b.status, "reviewer": b.reviewer, "notes": note_dicts(b)}
                                  for b in alignment.beads],
                       "corrections": corrections(src, tgt)},
                      ensure_ascii=False, indent=1) + "\n"
