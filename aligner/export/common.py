"""What every export writes about its documents and its alignment: provenance (so a test
reconstruction is never mistaken for an archival original) and the settings it was made with."""

from __future__ import annotations

import json

from aligner.types import Alignment, Document


def provenance_dict(doc: Document) -> dict:
    """The provenance of ``doc`` as a JSON-ready dict (file, sha256, kind, label, language)."""
    p = doc.provenance
    return {
        "file": p.file, "sha256": p.sha256, "kind": p.kind, "label": p.label,
        "encoding": p.encoding, "language": doc.lang, "title": doc.title, "note": p.note,
        "sentences": len(doc.sentences),
    }


def settings_dict(alignment: Alignment) -> dict:
    """The aligner settings the alignment was made with (every registered one), and the
    project's adaptation its beads were last made with, if any (``"adaptation"``:
    :meth:`aligner.adapt.Adaptation.to_json`)."""
    from aligner.align import AlignConfig

    settings = AlignConfig.from_params(alignment.params).to_params()
    adaptation = (alignment.params or {}).get("adaptation")
    return settings | ({"adaptation": adaptation} if adaptation else {})


def settings_line(alignment: Alignment) -> str:
    """The settings as one compact JSON line (TSV comments, TMX and TEI headers)."""
    return json.dumps(settings_dict(alignment), separators=(",", ":"))


def text_of(doc: Document, ids: tuple[int, ...]) -> str:
    """The sentences ``ids`` of ``doc`` joined by spaces."""
    return " ".join(doc.sentences[i].text for i in ids)


def note_dicts(bead) -> list[dict]:
    """A bead's notes as ``[{"text", "user", "created"}]`` (JSON-ready)."""
    return [{"text": n.text, "user": n.user, "created": n.created} for n in bead.notes]


def corrections(src: Document, tgt: Document) -> list[dict]:
    """Sentences a reviewer corrected: ``[{"side": "source"|"target", "sentence": index
    (0-based), "original": text as segmented, "text": corrected text}]``, source first."""
    return [{"side": side, "sentence": s.index, "original": s.original, "text": s.text}
            for side, doc in (("source", src), ("target", tgt))
            for s in doc.sentences if s.corrected]


def join_notes(notes) -> str:
    """Notes in one cell: ``"user: text | user: text"``, with ``\\`` and ``|`` inside a
    text escaped as ``\\\\`` and ``\\|`` (so :func:`split_notes` gives them back exactly)."""
    return " | ".join(f"{n.user}: " + " ".join(n.text.split()).replace("\\", "\\\\").replace("|", "\\|")
                      for n in notes)


def split_notes(cell: str) -> list[tuple[str, str]]:
    """``[(user, text)]`` from a :func:`join_notes` cell (a part without ``"user: "`` has
    user "")."""
    parts, buf, i = [], [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell):
            buf.append(cell[i + 1])
            i += 2
            continue
        if cell.startswith(" | ", i):
            parts.append("".join(buf))
            buf, i = [], i + 3
            continue
        buf.append(c)
        i += 1
    parts.append("".join(buf))
    out = []
    for part in (p for p in parts if p.strip()):
        user, sep, text = part.partition(": ")
        out.append((user, text) if sep and user and ":" not in user else ("", part))
    return out
