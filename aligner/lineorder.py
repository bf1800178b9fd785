"""Displaced OCR lines: find a line that reads better somewhere else, and say where.

OCR of typed court exhibits sometimes shuffles whole *lines* ("ago. Before our order
reaches our troops in the Far East, | we will attack them in spite of any agreements. If
the | several more hours may elapse. …", logical order 1, 3, 4, 2). Sentence-level
crossing detection cannot see this: the displaced unit is half of one sentence and half of
another, so segmentation builds sentences that exist in no rendering.

:func:`displaced_lines` works on the target document's lines around each uncertain bead.
Around each weak or 0-1 bead it tries every single-line move within ``max_shift`` lines, re-segments the cleaned text
of the region in the new order and scores it against the source sentences of the same
region: the length-weighted mean, over the region's sentences, of each sentence's best
cosine with a source sentence. A move that raises this by ``min_gain`` over the order as
read is reported as a crossing candidate whose reason quotes the line and where it belongs.
Nothing is changed in the document: the reviewer decides (split and move sentences, or
link the crossing). The search is local and greedy (one move per region) — a repair in
the spirit of the line-reordering step of post-OCR correction, kept small on purpose.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from aligner.clean import ends_sentence
from aligner.segment import split_sentences
from aligner.types import Bead, Crossing, Document

MAX_SHIFT = 4          # text lines (blank ones not counted) a displaced line may have travelled
MAX_LINE_CHARS = 100   # longer lines are paragraphs, not typewriter lines: never moved
MIN_GAIN = 0.05        # mean best-cosine gain a move must bring to be reported
MAX_REGION_LINES = 14  # longer regions are not searched (moves grow quadratically)
UNCERTAIN = 0.7        # beads under this confidence open a region (AlignConfig.low_confidence)


def _line_pieces(doc: Document) -> list[tuple[int, int, int]]:
    """``(cleaned start, cleaned end, 1-based raw line number)`` of every raw line that
    keeps some text after cleaning (blank lines and dropped page furniture are left out)."""
    raw = doc.raw_text
    starts = [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]
    # offsets[k] is the raw offset of cleaned char k; it is non-decreasing.
    clean_starts = [bisect.bisect_left(doc.offsets, r, hi=len(doc.clean_text)) for r in starts]
    ends = clean_starts[1:] + [len(doc.clean_text)]
    text = doc.clean_text
    pieces = []
    for n, (s, e) in enumerate(zip(clean_starts, ends)):
        while s < e and text[s].isspace():  # the separator that replaced the line break
            s += 1
        if s < e:
            pieces.append((s, e, n + 1))
    return pieces


def _open_end(line: str) -> bool:
    """The line stops mid-sentence (no terminal punctuation)."""
    return not ends_sentence(line)


def _open_start(line: str) -> bool:
    """The line starts mid-sentence (its first letter is lower case)."""
    first = next((ch for ch in line if ch.isalpha()), "")
    return first.islower()


def _piece_text(doc: Document, piece: tuple[int, int, int]) -> str:
    return doc.clean_text[piece[0]:piece[1]].strip()


def _quote(text: str, width: int = 60, *, tail: bool = False) -> str:
    """``text`` in quotes, cut to ``width`` characters (its end kept if ``tail``)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return f"“{text}”"
    if tail:  # whole words only
        cut = text[-(width - 1):]
        return f"“…{cut.split(' ', 1)[-1] if ' ' in cut else cut}”"
    cut = text[: width - 1]
    return f"“{cut.rsplit(' ', 1)[0] if ' ' in cut else cut}…”"


class _Scorer:
    """Segments and embeds each text once and scores a region's text against source vectors."""

    def __init__(self, encoder, lang: str) -> None:
        self.encoder = encoder
        self.lang = lang
        self.cache: dict[str, np.ndarray] = {}
        self.split: dict[str, list[str]] = {}

    def sentences(self, text: str) -> list[str]:
        if text not in self.split:
            self.split[text] = [s for s in split_sentences(text, self.lang) if s.strip()]
        return self.split[text]

    def warm(self, texts: list[str], extra: Sequence[str] = ()) -> None:
        """Segment ``texts`` and encode their sentences and ``extra`` in one batch (the
        encoder's cost per call dwarfs its cost per short sentence)."""
        self.vectors(list(extra) + [s for t in texts for s in self.sentences(t)])

    def vectors(self, sentences: list[str]) -> np.ndarray:
        new = [s for s in dict.fromkeys(sentences) if s not in self.cache]
        if new:
            for s, v in zip(new, self.encoder.encode(new)):
                self.cache[s] = v / (np.linalg.norm(v) or 1.0)
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self.cache[s] for s in sentences])

    def score(self, text: str, source: np.ndarray) -> tuple[float, list[str], np.ndarray] | None:
        """(length-weighted mean best cosine, sentences, best source index per sentence),
        or None if the segmenter finds no sentence in ``text``."""
        sentences = self.sentences(text)
        if not sentences:
            return None
        sims = self.vectors(sentences) @ source.T
        weights = np.array([len(s) for s in sentences], dtype=np.float64)
        return float((sims.max(axis=1) * weights).sum() / weights.sum()), sentences, sims.argmax(axis=1)


def displaced_lines(src_texts: Sequence[str], tgt_doc: Document, beads: Sequence[Bead], encoder,
                    *, max_shift: int = MAX_SHIFT, min_gain: float = MIN_GAIN,
                    max_regions: int | None = None) -> list[Crossing]:
    """Crossing candidates for target lines that read better elsewhere (module doc).

    ``beads`` index ``src_texts`` and ``tgt_doc.sentences``; ``encoder`` follows
    :class:`aligner.embed.Encoder`. Returns crossings linking the source sentence(s) the
    repaired text matches to the target sentence(s) holding the displaced line, with a
    score in [0, 1] (the gain, scaled: ``min(1, 0.6 + 4 × gain)``) and a reason naming
    both lines (1-based line numbers of the raw text). At most ``max_regions`` regions
    are searched, least confident bead first (default ``max(10, beads / 1000)``: each costs
    up to a few hundred short encodings). Never raises on odd input; a document without
    line breaks gives ``[]``.
    """
    pieces = _line_pieces(tgt_doc)
    if len(pieces) < 3 or not src_texts or not beads:
        return []
    piece_starts = [p[0] for p in pieces]
    # A line break inside a sentence is what a displaced line leaves behind; a text whose
    # lines are its sentences (presplit, one per line) has none and is not searched.
    sentence_starts = {s.start for s in tgt_doc.sentences}
    if all(p[0] in sentence_starts for p in pieces):
        return []
    line_of = lambda pos: max(0, bisect.bisect_right(piece_starts, pos) - 1)  # noqa: E731
    sentence_lines = [(line_of(s.start), line_of(max(s.start, s.end - 1))) for s in tgt_doc.sentences]
    scorer = _Scorer(encoder, tgt_doc.lang)
    found: dict[tuple, Crossing] = {}
    seen_regions: set[tuple[int, int]] = set()
    # Regions open around weak beads and around 0-1 beads (a moved line often ends up
    # aligned to nothing), weakest first.
    seeds = sorted((k for k, b in enumerate(beads) if b.tgt and (b.score < UNCERTAIN or not b.src)),
                   key=lambda k: (beads[k].score >= UNCERTAIN, beads[k].score))
    budget = max(10, len(beads) // 1000) if max_regions is None else max_regions
    for k in seeds:
        if len(seen_regions) >= budget:
            break
        near = beads[max(0, k - 2): k + 3]
        tgt_ids = [j for b in near for j in b.tgt]
        src_ids = [i for b in beads[max(0, k - 3): k + 4] for i in b.src]
        if not src_ids:
            continue
        first, last = sentence_lines[min(tgt_ids)][0], sentence_lines[max(tgt_ids)][1]
        if last - first < 2 or last - first + 1 > MAX_REGION_LINES or (first, last) in seen_regions:
            continue
        seen_regions.add((first, last))
        lines = [_piece_text(tgt_doc, pieces[n]) for n in range(first, last + 1)]
        moves = []
        for i in range(len(lines)):
            # A moved line breaks a sentence where it left and where it landed: only a line
            # that starts or ends mid-sentence can have moved, and only to a place where a
            # line ends mid-sentence or the next one starts so.
            if len(lines[i]) > MAX_LINE_CHARS or not (_open_start(lines[i]) or _open_end(lines[i])):
                continue
            for j in range(max(0, i - max_shift), min(len(lines), i + max_shift + 1) + 1):
                if j in (i, i + 1):
                    continue
                if not ((j > 0 and _open_end(lines[j - 1])) or (j < len(lines) and _open_start(lines[j]))):
                    continue
                order = list(range(len(lines)))
                order.insert(j if j < i else j - 1, order.pop(i))
                moves.append((i, j, " ".join(lines[n] for n in order)))
        if not moves:
            continue
        source_texts = [src_texts[i] for i in src_ids]
        scorer.warm([" ".join(lines)] + [text for _, _, text in moves], source_texts)
        source = scorer.vectors(source_texts)
        scored = scorer.score(" ".join(lines), source)
        if scored is None:
            continue
        base = scored[0]
        best = None
        for i, j, text in moves:
            scored = scorer.score(text, source)
            gain = -1.0 if scored is None else scored[0] - base
            if gain >= min_gain and (best is None or gain > best[0]):
                best = (gain, i, j, text)
        if best is None:
            continue
        gain, i, j, text = best
        moved = lines[i]
        after = j - 1  # the line it should follow, in the order as read
        _, sentences, match = scorer.score(text, source)
        host = next((n for n, s in enumerate(sentences) if moved[:20] in s or s in moved), 0)
        src_match = (src_ids[int(match[host])],)
        line_no = pieces[first + i][2]
        holding = tuple(sorted(j2 for j2 in tgt_ids
                               if sentence_lines[j2][0] <= first + i <= sentence_lines[j2][1]))
        where = (f"after line {pieces[first + after][2]} {_quote(lines[after], tail=True)}" if after >= 0
                 else f"before line {pieces[first][2]} {_quote(lines[0])}")
        reason = (f"OCR line {line_no} {_quote(moved)} seems out of place: it reads better {where} "
                  f"(region fit {base:.2f} → {base + gain:.2f}); repaired sentence "
                  f"{_quote(sentences[host], 90)} matches {_quote(src_texts[src_match[0]], 60)}")
        crossing = Crossing(src_match, holding or (tgt_ids[0],), round(min(1.0, 0.6 + 4 * gain), 4), reason)
        key = (crossing.src, crossing.tgt)
        if key not in found or found[key].score < crossing.score:
            found[key] = crossing
    return sorted(found.values(), key=lambda c: -c.score)


def line_crossings(src_doc: Document, tgt_doc: Document, beads: Sequence[Bead], encoder) -> list[Crossing]:
    """:func:`displaced_lines` for both documents (either may be an OCR'd text), as
    crossings over ``beads``' source/target sentence indices, best first."""
    found = displaced_lines(src_doc.texts, tgt_doc, beads, encoder)
    swapped = [Bead(b.tgt, b.src, b.score) for b in beads]
    found += [Crossing(c.tgt, c.src, c.score, c.reason)
              for c in displaced_lines(tgt_doc.texts, src_doc, swapped, encoder)]
    return sorted(found, key=lambda c: -c.score)
