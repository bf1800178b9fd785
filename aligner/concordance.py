"""Phrase concordance over the store: where does a phrase occur, and how was it rendered?

:func:`search` finds a phrase in every stored document — exactly (case-insensitive substring
of the normalised text) or OCR-tolerantly (case- and punctuation-insensitive approximate
match on word windows, rapidfuzz) — and, for each hit, collects the aligned sentence(s) of
every alignment that contains the hit sentence. In each aligned text it marks the sub-span
that most likely renders the phrase: the word n-gram window whose sentence embedding is
closest (cosine) to the phrase's, a cross-lingual phrase-matching heuristic in the spirit of
embedding-based word/phrase alignment (Jalili Sabet et al. 2020, "SimAlign", Findings of
EMNLP). :func:`group_by_rendering` then groups hits by that highlighted rendering so that
different translations of the same words stand out.

Pure reading: nothing in the store is changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.errors import AlignerError
from aligner.lexicon.spelling import dictionary
from aligner.store.models import AlignmentRow, BeadSentence, DocumentRow, SentenceRow
from aligner.types import Provenance

FUZZY_MIN = 80.0        # rapidfuzz ratio (0–100) a word window needs to count as a fuzzy hit
MAX_HITS = 500          # a phrase found more often is cut here (the rest is counted, not shown)
WINDOW_SLACK = (1, 3)   # rendering windows have n−1 … n+3 words for an n-word phrase
MIN_RENDERING_SIM = 0.3  # below this cosine no sub-span is highlighted (nothing renders it)
RENDERING_TOLERANCE = 0.05  # windows this close to the best cosine compete on word count
RENDERING_MARGIN = 0.2      # the best window must beat the 90th-percentile other window by this
SHORT_TEXT_MIN_SIM = 0.5    # …or, with fewer than 10 other windows, reach this cosine

_FOLD = str.maketrans({
    "ё": "е", "Ё": "Е", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "’": "'", "‘": "'", "‛": "'", "—": "-", "–": "-", "‐": "-", "‑": "-", "\u00a0": " ",
})
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SPACES = re.compile(r"\s+")
_FUZZY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # "hand-grenades" is two words here


class EmptyPhraseError(AlignerError):
    """The search phrase has no letters or digits."""


# --- normalisation ------------------------------------------------------------------------

def normalise(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for exact search and keep a map back to it.

    NFKC, case-folded, ё→е, quotes/apostrophes/dashes unified, white-space runs → one space.
    Returns ``(folded, index)`` where ``index[k]`` is the offset in ``text`` of folded
    character ``k`` (``len(index) == len(folded) + 1``; the last entry is ``len(text)``).
    """
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch).translate(_FOLD).casefold()
        for c in piece:
            if c.isspace():
                if previous_space:
                    continue
                c = " "
                previous_space = True
            else:
                previous_space = False
            out.append(c)
            index.append(i)
    while out and out[-1] == " ":
        out.pop()
        index.pop()
    index.append(len(text))
    return "".join(out), index


def normalise_rendering(text: str, lang: str | None = None) -> str:
    """The grouping key of a rendering: folded words only («В нашем понимании,» → "в нашем
    понимании"); for a language with a morphological dictionary (Russian) each word is
    replaced by its lemma, so that «носа» and «носом» group with «нос»."""
    words = [w.casefold() for w in _WORD.findall(text.translate(_FOLD))]
    lexicon = dictionary(lang) if lang else None
    if lexicon is not None and hasattr(lexicon, "lemma"):
        words = [lexicon.lemma(w) for w in words]
    return " ".join(words)


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


# --- results ------------------------------------------------------------------------------


@dataclass
class AlignedText:
    """The other side of the bead that holds a hit sentence, in one alignment.

    ``text`` joins the bead's other-side sentences with a space; ``spans`` are the
    (start, end) character offsets in ``text`` of the sub-span that most likely renders the
    phrase (every occurrence of the best window), ``rendering`` its text and
    ``similarity`` its cosine to the phrase (None when no encoder was given or nothing
    reaches :data:`MIN_RENDERING_SIM`; an empty bead side — an omission — has ``text`` "").
    """

    alignment_id: int
    bead_id: int
    document_id: int
    document_title: str
    lang: str
    provenance_label: str
    sentence_ids: list[int]
    sentence_ords: list[int]
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    rendering: str | None = None
    similarity: float | None = None

    @property
    def key(self) -> str:
        """Grouping key: :func:`normalise_rendering` of the rendering ("" if none)."""
        return normalise_rendering(self.rendering, self.lang) if self.rendering else ""


@dataclass
class Hit:
    """One sentence where the phrase occurs.

    ``spans`` are the (start, end) offsets of every match in ``text`` (``span`` the first);
    ``score`` 100 for an exact match, else the rapidfuzz ratio of the best word window; ``aligned`` one entry per
    alignment containing the sentence (empty for a document with no alignment).
    """

    document_id: int
    document_title: str
    lang: str
    provenance_label: str
    sentence_id: int
    sentence_ord: int
    text: str
    spans: list[tuple[int, int]]
    score: float
    aligned: list[AlignedText] = field(default_factory=list)

    @property
    def span(self) -> tuple[int, int]:
        return self.spans[0]

    @property
    def match(self) -> str:
        return self.text[self.span[0]:self.span[1]]

    def to_dict(self) -> dict:
        """JSON-ready form (with the matched text and each rendering's key)."""
        data = asdict(self)
        data["match"] = self.match
        for entry, aligned in zip(data["aligned"], self.aligned):
            entry["key"] = aligned.key
        return data


@dataclass
class RenderingGroup:
    """Hits whose aligned text renders the phrase the same way (same normalised key).

    ``key`` (lemmatised for Russian) "" collects hits with no highlighted rendering;
    ``lang`` is the rendering's language; ``entries`` pair each hit with the aligned text that carries the rendering.
    """

    key: str
    lang: str
    entries: list[tuple[Hit, AlignedText | None]]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def label(self) -> str:
        """The most frequent surface form in the group («в нашем понимании»; key "" → "")."""
        forms = Counter(normalise_rendering(a.rendering) for _, a in self.entries
                        if a is not None and a.rendering)
        return forms.most_common(1)[0][0] if forms else ""


# --- search -------------------------------------------------------------------------------


@dataclass
class _Row:
    id: int
    document_id: int
    ord: int
    text: str


def _sentence_rows(session: Session, lang: str | None, project_id: int | None) -> list[_Row]:
    q = (select(SentenceRow.id, SentenceRow.document_id, SentenceRow.ord, SentenceRow.text)
         .join(DocumentRow, DocumentRow.id == SentenceRow.document_id)
         .order_by(SentenceRow.document_id, SentenceRow.ord))
    if lang:
        q = q.where(DocumentRow.lang == lang)
    if project_id is not None:
        q = q.where(DocumentRow.project_id == project_id)
    return [_Row(*r) for r in session.execute(q)]


def _exact_matches(phrase: str, rows: list[_Row]) -> list[tuple[_Row, list[tuple[int, int]], float]]:
    needle, _ = normalise(phrase)
    found = []
    for row in rows:
        # Cheap whole-string fold first; the per-character map only for likely matches.
        quick = _SPACES.sub(" ", unicodedata.normalize("NFKC", row.text).translate(_FOLD).casefold())
        if needle not in quick:
            continue
        folded, index = normalise(row.text)
        spans = []
        at = folded.find(needle)
        while at >= 0:
            spans.append((index[at], index[at + len(needle) - 1] + 1))
            at = folded.find(needle, at + len(needle))
        if spans:
            found.append((row, spans, 100.0))
    return found


def _fuzzy_key(text: str) -> str:
    return " ".join(w.casefold() for w in _FUZZY_WORD.findall(text.translate(_FOLD)))


def _best_windows(phrase_key: str, n: int, text: str, minimum: float
                  ) -> tuple[float, list[tuple[int, int]]]:
    """Best window score, and the non-overlapping windows scoring ≥ ``minimum``, best first."""
    spans = [(m.start(), m.end()) for m in _FUZZY_WORD.finditer(text)]
    folded = [text[s:e].translate(_FOLD).casefold() for s, e in spans]
    scored = []
    for size in range(max(1, n - 1), n + 2):
        for k in range(len(spans) - size + 1):
            score = fuzz.ratio(phrase_key, " ".join(folded[k:k + size]))
            if score >= minimum:
                scored.append((score, -size, spans[k][0], spans[k + size - 1][1]))
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in sorted(scored, reverse=True):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return (max(scored)[0] if scored else 0.0), sorted(chosen)


def _fuzzy_matches(phrase: str, rows: list[_Row], minimum: float
                   ) -> list[tuple[_Row, list[tuple[int, int]], float]]:
    phrase_key = _fuzzy_key(phrase)
    n = len(phrase_key.split())
    keys = [_fuzzy_key(r.text) for r in rows]
    # Cheap C-level prefilter over whole sentences, then the exact word windows.
    candidates = process.extract(phrase_key, keys, scorer=fuzz.partial_ratio,
                                 score_cutoff=minimum - 5, limit=None)
    found = []
    for _, _, i in sorted(candidates, key=lambda c: c[2]):
        score, spans = _best_windows(phrase_key, n, rows[i].text, minimum)
        if spans:
            found.append((rows[i], spans, round(score, 1)))
    return found


def _documents(session: Session, ids: set[int]) -> dict[int, DocumentRow]:
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(DocumentRow).where(DocumentRow.id.in_(ids)))}


def _label(d: DocumentRow) -> str:
    return Provenance(file=d.origin_file, sha256=d.sha256, kind=d.kind).label


def _aligned_texts(session: Session, sentence_ids: list[int]) -> dict[int, list[AlignedText]]:
    """For each sentence id: the other side of its bead in every alignment containing it."""
    if not sentence_ids:
        return {}
    memberships = session.execute(
        select(BeadSentence.sentence_id, BeadSentence.bead_id, BeadSentence.alignment_id,
               BeadSentence.side).where(BeadSentence.sentence_id.in_(sentence_ids))).all()
    bead_ids = {m.bead_id for m in memberships}
    others: dict[tuple[int, str], list[tuple[int, int, int, str]]] = defaultdict(list)
    if bead_ids:
        rows = session.execute(
            select(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord, SentenceRow.id,
                   SentenceRow.ord, SentenceRow.document_id, SentenceRow.text)
            .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
            .where(BeadSentence.bead_id.in_(bead_ids))
            .order_by(BeadSentence.bead_id, BeadSentence.side, BeadSentence.ord)).all()
        for bead_id, side, _, sid, sord, doc_id, text in rows:
            others[(bead_id, side)].append((sid, sord, doc_id, text))
    alignment_ids = {m.alignment_id for m in memberships}
    alignments = {a.id: a for a in session.scalars(
        select(AlignmentRow).where(AlignmentRow.id.in_(alignment_ids)))} if alignment_ids else {}
    docs = _documents(session, {a.src_document_id for a in alignments.values()}
                      | {a.tgt_document_id for a in alignments.values()})
    result: dict[int, list[AlignedText]] = defaultdict(list)
    for m in sorted(memberships, key=lambda m: (m.sentence_id, m.alignment_id)):
        other_side = "tgt" if m.side == "src" else "src"
        a = alignments[m.alignment_id]
        doc = docs[a.tgt_document_id if other_side == "tgt" else a.src_document_id]
        sentences = others.get((m.bead_id, other_side), [])
        result[m.sentence_id].append(AlignedText(
            alignment_id=a.id, bead_id=m.bead_id, document_id=doc.id,
            document_title=doc.title or doc.origin_file, lang=doc.lang,
            provenance_label=_label(doc),
            sentence_ids=[s[0] for s in sentences], sentence_ords=[s[1] for s in sentences],
            text=" ".join(s[3] for s in sentences)))
    return result


# Function words do not count when comparing a window's length with the phrase's.
_FUNCTION_WORDS = frozenset(
    "the a an of in on at to by for and or but with from as is was "
    "а и но в во на о об по с со к ко у за из от до для же ли бы".split())


def _content_words(text: str) -> int:
    return sum(w.casefold() not in _FUNCTION_WORDS for w in _WORD.findall(text))


def _windows(text: str, n: int) -> list[tuple[int, int]]:
    spans = _words(text)
    low, high = max(1, n - WINDOW_SLACK[0]), n + WINDOW_SLACK[1]
    return [(spans[k][0], spans[k + size - 1][1])
            for size in range(low, high + 1) for k in range(len(spans) - size + 1)]


def mark_renderings(phrase: str, aligned: list[AlignedText], encoder) -> None:
    """Set ``spans``/``rendering``/``similarity`` on each aligned text, in place.

    Candidates are all word windows of n−1 … n+3 words (n = words in ``phrase``); all are
    encoded in one batch with ``encoder`` (:class:`aligner.embed.Encoder`). Among the
    windows within :data:`RENDERING_TOLERANCE` of the highest cosine to the phrase, the one
    whose word count is closest to n wins (then the higher cosine, the shorter, the
    earlier). Every occurrence of the winning window's words is highlighted. No rendering is
    marked when the best window does not stand out: cosine under :data:`MIN_RENDERING_SIM`,
    or less than :data:`RENDERING_MARGIN` above the 90th-percentile of the windows that do
    not overlap it (with fewer than 10 of those: under :data:`SHORT_TEXT_MIN_SIM`) — the aligned sentence
    then probably does not render the phrase (a misalignment, or a free translation).
    """
    words = max(1, len(_WORD.findall(phrase)))
    n = max(1, _content_words(phrase))  # "the nose" ~ «нос»: articles have no counterpart
    jobs = [(a, _windows(a.text, words)) for a in aligned if a.text]
    texts = sorted({a.text[s:e] for a, spans in jobs for s, e in spans})
    if not texts:
        return
    vectors = encoder.encode([phrase] + texts)
    sims = dict(zip(texts, (vectors[1:] @ vectors[0]).tolist()))
    for a, spans in jobs:
        if not spans:
            continue
        top_span = max(spans, key=lambda sp: sims[a.text[sp[0]:sp[1]]])
        top = sims[a.text[top_span[0]:top_span[1]]]
        # The rendering must stand out from the windows that do not overlap it: an aligned
        # sentence that does not render the phrase still has a "best" window.
        others = sorted(sims[a.text[s:e]] for s, e in spans if e <= top_span[0] or s >= top_span[1])
        if len(others) >= 10:
            if top - others[int(0.9 * (len(others) - 1))] < RENDERING_MARGIN:
                continue
        elif top < SHORT_TEXT_MIN_SIM:
            continue
        # Among near-best windows prefer the phrase's word count: cosine alone favours a
        # bare "588" over «высоту 588» for "Hill 588" (0.53 vs 0.51 with use-m3).
        near = [sp for sp in spans if sims[a.text[sp[0]:sp[1]]] >= top - RENDERING_TOLERANCE]
        best_s, best_e = min(near, key=lambda sp: (
            abs(_content_words(a.text[sp[0]:sp[1]]) - n),
            -round(sims[a.text[sp[0]:sp[1]]], 4), sp[1] - sp[0], sp[0]))
        best_text = a.text[best_s:best_e]
        similarity = float(sims[best_text])
        if similarity < MIN_RENDERING_SIM:
            continue
        key = normalise_rendering(best_text)
        a.spans = [sp for sp in spans if normalise_rendering(a.text[sp[0]:sp[1]]) == key
                   and sp[1] - sp[0] == best_e - best_s]
        a.rendering = best_text
        a.similarity = round(similarity, 4)


def search(session: Session, phrase: str, *, fuzzy: bool = False, lang: str | None = None,
           encoder=None, project_id: int | None = None, min_score: float = FUZZY_MIN,
           limit: int = MAX_HITS) -> list[Hit]:
    """Find ``phrase`` in every stored document and show how it was rendered.

    ``fuzzy=False``: case-insensitive substring of the :func:`normalise`-d text.
    ``fuzzy=True``: case- and punctuation-insensitive; a word window (n−1 … n+1 words)
    matching with rapidfuzz ratio ≥ ``min_score`` (0–100) is a hit — tolerant of OCR
    errors ("Jaranese troops") and of a lost word ("[in] our understanding").
    ``lang`` restricts the documents searched (ISO 639-1); ``project_id`` to one project.
    ``encoder`` (:class:`aligner.embed.Encoder`) marks the rendering in each aligned text
    (:func:`mark_renderings`); without it renderings stay None. At most ``limit`` hits, in
    document and sentence order. Raises :class:`EmptyPhraseError` for a phrase without
    letters or digits.
    """
    if not _WORD.search(phrase or ""):
        raise EmptyPhraseError("the search phrase has no letters or digits")
    rows = _sentence_rows(session, lang, project_id)
    matches = (_fuzzy_matches(phrase, rows, min_score) if fuzzy
               else _exact_matches(phrase, rows))[:limit]
    docs = _documents(session, {row.document_id for row, _, _ in matches})
    aligned = _aligned_texts(session, [row.id for row, _, _ in matches])
    hits = []
    for row, spans, score in matches:
        d = docs[row.document_id]
        hits.append(Hit(document_id=d.id, document_title=d.title or d.origin_file, lang=d.lang,
                        provenance_label=_label(d), sentence_id=row.id, sentence_ord=row.ord,
                        text=row.text, spans=spans, score=score,
                        aligned=aligned.get(row.id, [])))
    if encoder is not None:
        mark_hit_renderings(phrase, hits, encoder, fuzzy=fuzzy)
    return hits


def mark_hit_renderings(phrase: str, hits: list[Hit], encoder, *, fuzzy: bool = False) -> None:
    """:func:`mark_renderings` for every hit's aligned texts. A fuzzy hit is rendered from
    the words actually found ("понимании" for a typed "понемании"): a misspelt query
    embeds less like its translation than the text does."""
    if not fuzzy:
        mark_renderings(phrase, [a for h in hits for a in h.aligned], encoder)
        return
    by_match: dict[str, list[AlignedText]] = defaultdict(list)
    for h in hits:
        by_match[h.match].extend(h.aligned)
    for match, aligned in by_match.items():
        mark_renderings(match, aligned, encoder)


def group_by_rendering(hits: list[Hit]) -> list[RenderingGroup]:
    """Group (hit, aligned text) pairs by rendering key and language, largest group first.

    Hits with no aligned text, or whose aligned text has no marked rendering, go to a
    group with key "" (shown last).
    """
    groups: dict[tuple[str, str], RenderingGroup] = {}
    for hit in hits:
        for aligned in hit.aligned or [None]:
            key = aligned.key if aligned else ""
            lang = aligned.lang if aligned else ""
            groups.setdefault((key, lang), RenderingGroup(key, lang, [])).entries.append((hit, aligned))
    return sorted(groups.values(), key=lambda g: (g.key == "", -g.count, g.lang, g.key))


# --- text output --------------------------------------------------------------------------


def _mark(text: str, spans: list[tuple[int, int]], left: str = "[[", right: str = "]]") -> str:
    out, last = [], 0
    for s, e in sorted(spans):
        out += [text[last:s], left, text[s:e], right]
        last = e
    out.append(text[last:])
    return "".join(out)


def format_text(phrase: str, hits: list[Hit], *, fuzzy: bool = False) -> str:
    """A plain-text concordance: one block per rendering group, matches in [[…]];
    sentence numbers from 1, as on the review page."""
    if not hits:
        return f"no {'fuzzy ' if fuzzy else ''}match for “{phrase}”"
    lines = [f"“{phrase}”: {len(hits)} sentence(s){' (fuzzy)' if fuzzy else ''}"]
    for group in group_by_rendering(hits):
        title = (f"rendered «{group.label}» ({group.lang})" if group.key
                 else "no aligned rendering")
        lines += ["", f"== {title}: {group.count} =="]
        for hit, aligned in group.entries:
            score = "" if hit.score >= 100 else f" ~{hit.score:.0f}"
            lines.append(f"  [{hit.lang}] {hit.document_title} ({hit.provenance_label}) "
                         f"sentence {hit.sentence_ord + 1}{score}:")
            lines.append(f"      {_mark(hit.text, hit.spans)}")
            if aligned is not None:
                sim = f" cos {aligned.similarity:.2f}" if aligned.similarity is not None else ""
                ords = ",".join(str(o + 1) for o in aligned.sentence_ords) or "—"
                lines.append(f"   ↔ [{aligned.lang}] {aligned.document_title} "
                             f"({aligned.provenance_label}) sentence {ords}{sim}:")
                lines.append(f"      {_mark(aligned.text, aligned.spans) if aligned.text else '(omitted)'}")
    return "\n".join(lines)


def as_json(phrase: str, hits: list[Hit], *, fuzzy: bool = False) -> dict:
    """JSON-ready concordance: the hits and the rendering groups (indices into hits)."""
    index = {id(h): i for i, h in enumerate(hits)}
    return {
        "phrase": phrase, "fuzzy": fuzzy, "count": len(hits),
        "hits": [h.to_dict() for h in hits],
        "renderings": [{"key": g.key, "label": g.label, "lang": g.lang, "count": g.count,
                        "hits": [index[id(h)] for h, _ in g.entries]}
                       for g in group_by_rendering(hits)],
    }


__all__ = ["AlignedText", "EmptyPhraseError", "Hit", "RenderingGroup", "as_json",
           "format_text", "group_by_rendering", "mark_hit_renderings", "mark_renderings",
           "normalise",
           "normalise_rendering", "search"]
