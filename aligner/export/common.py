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
    """The aligner settings the alignment was made with (every registered one)."""
    from aligner.align import AlignConfig

    return AlignConfig.from_params(alignment.params).to_params()


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
