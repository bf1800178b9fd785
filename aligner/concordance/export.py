"""Concordance hits as flat rows for export: one row per hit and aligned text (one row
with empty alignment fields for a hit with no alignment), as CSV or JSON.

Columns (:data:`COLUMNS`, in order): the hit — ``document_id``, ``document_title``,
``lang``, ``provenance``, ``sentence_id``, ``sentence_no``, ``match``, ``match_start``,
``match_end``, ``score``, ``text``; the aligned text — ``alignment_id``, ``bead_id``,
``aligned_document_id``, ``aligned_lang``, ``aligned_provenance``, ``aligned_sentence_ids``,
``aligned_text``, ``rendering``.

Ids: ``document_id``, ``sentence_id`` (store ids), ``sentence_no`` (1-based, as the page
counts), ``alignment_id``, ``bead_id``, ``aligned_document_id``, ``aligned_sentence_ids``
(space-separated in CSV). Offsets are 0-based character offsets into ``text``.
``provenance`` and ``aligned_provenance`` are the provenance labels
(:attr:`aligner.types.Provenance.label`) of the hit's document and of the aligned
document: a test reconstruction says :data:`aligner.types.RECONSTRUCTION_LABEL` on its own
side of every row, so no exported sentence of one passes for the archival text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from aligner.concordance.results import Hit

COLUMNS = ("document_id", "document_title", "lang", "provenance", "sentence_id", "sentence_no",
           "match", "match_start", "match_end", "score", "text", "alignment_id", "bead_id",
           "aligned_document_id", "aligned_lang", "aligned_provenance", "aligned_sentence_ids",
           "aligned_text", "rendering")


def rows(hits: Iterable[Hit]) -> Iterable[dict]:
    """Flat dicts with :data:`COLUMNS` (lists stay lists), one per hit and aligned text;
    a hit with no aligned text gives one dict with the aligned fields None (``[]`` for
    ``aligned_sentence_ids``)."""
    for h in hits:
        base = {"document_id": h.document_id, "document_title": h.document_title, "lang": h.lang,
                "provenance": h.provenance_label, "sentence_id": h.sentence_id,
                "sentence_no": h.sentence_ord + 1, "match": h.match, "match_start": h.span[0],
                "match_end": h.span[1], "score": h.score, "text": h.text}
        for a in h.aligned or [None]:
            yield {**base,
                   "alignment_id": a.alignment_id if a else None, "bead_id": a.bead_id if a else None,
                   "aligned_document_id": a.document_id if a else None,
                   "aligned_lang": a.lang if a else None,
                   "aligned_provenance": a.provenance_label if a else None,
                   "aligned_sentence_ids": list(a.sentence_ids) if a else [],
                   "aligned_text": a.text if a else None, "rendering": a.rendering if a else None}


def csv_lines(hits: Iterable[Hit], *, header: bool = True) -> Iterable[str]:
    """CSV text of :func:`rows`, a line at a time (RFC 4180 quoting, CRLF line ends; a
    header line of :data:`COLUMNS` first if ``header``); ``aligned_sentence_ids``
    space-separated, None as an empty field."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    if header:
        writer.writeheader()
    for r in rows(hits):
        writer.writerow({**r, "aligned_sentence_ids": " ".join(map(str, r["aligned_sentence_ids"]))})
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    rest = buf.getvalue()
    if rest:
        yield rest


def json_text(phrase: str, fuzzy: bool, total: int, hits: Iterable[Hit]) -> str:
    """``{"phrase", "fuzzy", "count", "rows": [...]}`` as JSON text (``rows``: :func:`rows`;
    ``count``: ``total``, the number of hits, not of rows)."""
    return json.dumps({"phrase": phrase, "fuzzy": fuzzy, "count": total, "rows": list(rows(hits))},
                      ensure_ascii=False, indent=1)
