"""Line formats as alignments: the Vecalign/Bertalign bead file with its two sentence files,
and LF Aligner / hunalign tab-separated text (and our own TSV export).

Vecalign (Thompson & Koehn 2019) writes ``[0, 1]:[0]:0.1234`` a line over 0-based line
numbers of two one-sentence-a-line files, the third field a *cost* (0 = best); Bertalign
writes the same lines without it; our export writes a confidence (1 = certain). The number
is kept as the bead score unless ``cost`` is set (score = 1 − cost, clipped to [0, 1]); a
line without one gets score 1.

hunalign's ``-text`` output and LF Aligner's tab-separated export are ``source<TAB>target``
with optional further columns (hunalign: a score); a bead's sentences are joined by
``" ~~~ "``. An empty cell is a 1-0 / 0-1 bead. Our TSV export (recognised by its header)
gives status, reviewer, score, notes, the encoder and the languages (its ``#`` lines)
back, and a bead's sentences one by one (its ``source_lengths``/``target_lengths``).
"""

from __future__ import annotations

import csv
import io
import re

from aligner.errors import InputError
from aligner.evaluate import parse_beads
from aligner.export.common import split_notes
from aligner.imports.common import (
    Imported,
    check_cover,
    document_of,
    lang_code,
    split_by_lengths,
    status_of,
)
from aligner.read import decode_bytes
from aligner.sniff import head_of, markup_document
from aligner.types import PROVENANCE_KINDS, Alignment, Bead, BeadNote

HUNALIGN_JOIN = " ~~~ "


def _text(data: bytes, name: str) -> str:
    return decode_bytes(data, name)[0]


def _score(value: str, cost: bool) -> float:
    x = float(value)
    return min(1.0, max(0.0, 1.0 - x)) if cost else x


def read_vecalign(alignment: tuple[str, bytes], source: tuple[str, bytes],
                  target: tuple[str, bytes], *, src_lang: str | None, tgt_lang: str | None,
                  cost: bool = False) -> Imported:
    """A ``.align`` bead file with its source and target sentence files (module doc).
    Raises MissingLanguageError (a language not given), InputError (malformed line, ids
    outside the files, gaps)."""
    name = alignment[0]
    langs = lang_code(src_lang, "source"), lang_code(tgt_lang, "target")  # before any reading
    src_lines = [line for line in _text(source[1], source[0]).splitlines()]
    tgt_lines = [line for line in _text(target[1], target[0]).splitlines()]
    text = _text(alignment[1], name)
    raw = parse_beads(text, name)
    scores = []
    for line in (line for line in text.splitlines() if line.strip()):
        tail = line.rsplit("]", 1)[1].lstrip(":").strip()
        try:
            scores.append(_score(tail, cost) if tail else 1.0)
        except ValueError:
            raise InputError(f"{name}: {tail!r} is not a score") from None
    for side, ids, n, file in (("source", [i for s, _ in raw for i in s], len(src_lines), source[0]),
                               ("target", [j for _, t in raw for j in t], len(tgt_lines), target[0])):
        if ids and max(ids) >= n:
            raise InputError(f"{name}: {side} sentence {max(ids)} is past the end of {file} "
                             f"({n} lines; ids are 0-based line numbers)")
    beads = [Bead(tuple(s), tuple(t), sc) for (s, t), sc in zip(raw, scores)]
    check_cover(beads, len(src_lines), len(tgt_lines), name)
    src_doc = document_of(src_lines, langs[0], file=source[0])
    tgt_doc = document_of(tgt_lines, langs[1], file=target[0])
    return Imported(src_doc, tgt_doc, Alignment(beads=beads),
                    {"format": "vecalign", "tool": "Vecalign/Bertalign", "scores": "cost" if cost else "confidence"})


_OUR_HEADER = ["source", "target", "score", "type", "flags", "status"]


def _parse_notes(cell: str) -> list[BeadNote]:
    return [BeadNote(text, user) for user, text in split_notes(cell)]


# Our export's provenance lines: "# source: FILE (LANG) sha256=HEX kind=KIND — LABEL".
_PROVENANCE_LINE = re.compile(r"# (source|target): (.+) \((\S+)\) sha256=(\S*) kind=(\w+)")


def _header(lines: list[str]) -> dict[str, tuple[str, str, str]]:
    """role → (file, language code, provenance kind) from our export's ``#`` provenance
    lines."""
    found = (_PROVENANCE_LINE.match(line) for line in lines if line.startswith("# "))
    return {m[1]: (m[2], m[3], m[5]) for m in found if m}


def _encoder(lines: list[str]) -> str:
    """The encoder our export's ``# encoder:`` line names ("" if none)."""
    return next((line[len("# encoder:"):].strip() for line in lines
                 if line.startswith("# encoder:")), "")


def _sentences(cell: str, lengths: str, ids: str) -> list[str]:
    """A cell's sentences: split at hunalign's ``" ~~~ "``, else (our export) by the
    sentence lengths when they fit the cell (one sentence a listed id)."""
    if not cell.strip():
        return []
    if HUNALIGN_JOIN not in cell and lengths:
        n = len([i for i in ids.split(",") if i.strip()])
        return [x for x in split_by_lengths(cell, lengths, n) if x.strip()]
    return [x for x in cell.split(HUNALIGN_JOIN) if x.strip()]


def refuse_markup(data: bytes, name: str) -> None:
    """InputError if ``data`` is an HTML page or an XML document, not lines of TSV
    (:func:`aligner.sniff.markup_document`): its tags would be imported as sentences."""
    markup = markup_document(head_of(data))
    if markup:
        raise InputError(f"{name}: {markup}, not TSV (source<TAB>target lines)")


def read_tsv(data: bytes, name: str, *, src_lang: str | None, tgt_lang: str | None) -> Imported:
    """LF Aligner / hunalign TSV, or our TSV export (module doc; its documents' file and
    provenance kind come back from its ``#`` lines, so a test reconstruction stays one).
    Raises MissingLanguageError (a language not given), InputError (also for an HTML
    page or XML document given as TSV)."""
    refuse_markup(data, name)
    all_lines = _text(data, name).splitlines()
    lines = [line for line in all_lines if not line.startswith("#")]
    ours = bool(lines) and lines[0].split("\t")[:6] == _OUR_HEADER
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:])), delimiter="\t")) if ours \
        else [line.split("\t") for line in lines if line.strip()]
    head = lines[0].split("\t") if ours else []
    col = {k: i for i, k in enumerate(head)}
    header = _header(all_lines) if ours else {}  # our export names the files, languages, kinds
    langs = {role: lang_code(given or header.get(role, (None, None))[1], role)
             for role, given in (("source", src_lang), ("target", tgt_lang))}
    src_sents: list[str] = []
    tgt_sents: list[str] = []
    beads = []
    for n, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise InputError(f"{name}: row {n} has no tab (expected source<TAB>target)")
        get = lambda key: row[col[key]] if key in col and col[key] < len(row) else ""  # noqa: E731
        cells = [_sentences(c, get(f"{side}_lengths"), get(f"{side}_ids"))
                 for c, side in zip(row[:2], ("source", "target"))]
        raw_score = get("score") if ours else (row[2] if len(row) > 2 else "")
        try:  # hunalign's is a quality that may pass 1; LF Aligner's third column is text
            score = float(raw_score) if raw_score.strip() else 1.0
            score = score if ours else min(1.0, max(0.0, score))
        except ValueError:
            score = 1.0
        if not cells[0] and not cells[1]:
            continue
        beads.append(Bead(tuple(range(len(src_sents), len(src_sents) + len(cells[0]))),
                          tuple(range(len(tgt_sents), len(tgt_sents) + len(cells[1]))), score,
                          [f for f in get("flags").split(",") if f],
                          status=status_of(get("status")), reviewer=get("reviewer"),
                          notes=_parse_notes(get("notes"))))
        src_sents += cells[0]
        tgt_sents += cells[1]
    if not beads:
        raise InputError(f"{name}: no row with text")
    check_cover(beads, len(src_sents), len(tgt_sents), name)
    docs = []
    for role, sents in (("source", src_sents), ("target", tgt_sents)):
        file, _, kind = header.get(role, (None, None, None))
        if kind not in PROVENANCE_KINDS:  # not ours, or a kind we do not know: the file's name
            file, kind = f"{name}#{role}", "other"
        docs.append(document_of(sents, langs[role], file=file, kind=kind))
    return Imported(docs[0], docs[1], Alignment(beads=beads, encoder=_encoder(all_lines) if ours else ""),
                    {"format": "tsv", "tool": "aligner" if ours else "LF Aligner/hunalign"})
