"""The phrase concordance over the store: find a phrase in every stored document through
the search index (:mod:`aligner.store.search_index`) and, for each hit, the aligned
sentence(s) of every alignment that holds it, its rendering marked from the bead's word links
(:mod:`aligner.store.concordance_links`).

Exact search matches word forms: the phrase's words, stemmed (Snowball, Russian and
English by script: «понимании» finds «понимание»), as consecutive words of a sentence.
Fuzzy (OCR-tolerant) search finds every exact hit, plus sentences with a word window
(n−1 … n+1 words for n query words) whose rapidfuzz ratio to the phrase is at least
``min_score``: candidates are sentences holding, for every query word of four letters or
more, one of its vocabulary variants (trigram index) — so a lost short word ("[in] our
understanding") or a misread one ("Jaranese") is still found. A phrase of short words
only is searched exactly.

Results come a page at a time with the total: :func:`search_page`. An export of every hit
finds them once (:func:`find_matches`: the ids, in order) and reads their details a chunk at
a time (:func:`hit_chunks`). Reading only (the index is brought up to date first, and
marking renderings may fill the word-link cache).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.concordance import (
    FUZZY_MIN,
    AlignedText,
    EmptyPhraseError,
    Hit,
)
from aligner.concordance.match import _WORD, _best_windows, _fuzzy_key
from aligner.concordance.tokens import phrase_spans, query_stems, stem, tokens
from aligner.store import search_index
from aligner.store.models import AlignmentRow, BeadSentence, DocumentRow, SentenceRow
from aligner.types import Provenance

#: Default page size of :func:`search_page`.
PAGE = 50
#: A query word this long or longer gets OCR variants in fuzzy search.
LONG_WORD = 4
#: Variants of a query word: vocabulary words whose ratio to it is at least this (0–100).
VARIANT_MIN = 70.0
#: Fuzzy candidates verified at most; beyond, the page says the count is incomplete.
MAX_CANDIDATES = 20_000


@dataclass
class SearchPage:
    """One page of hits. ``total``: hits in all (at least that many when ``complete`` is
    False: fuzzy search verified only the first :data:`MAX_CANDIDATES` candidates);
    ``hits``: those at ``[offset, offset + limit)``, in document order."""

    phrase: str
    fuzzy: bool
    total: int
    offset: int
    limit: int | None
    hits: list[Hit] = field(default_factory=list)
    complete: bool = True


@dataclass
class _Row:
    id: int
    document_id: int
    ord: int
    text: str


def _rows(session: Session, ids: list[int]) -> list[_Row]:
    if not ids:
        return []
    found = {r[0]: _Row(*r) for r in session.execute(
        select(SentenceRow.id, SentenceRow.document_id, SentenceRow.ord, SentenceRow.text)
        .where(SentenceRow.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _documents(session: Session, ids: set[int]) -> dict[int, DocumentRow]:
    if not ids:
        return {}
    # The columns a hit shows, not the documents' texts and offset maps (megabytes each).
    cols = (DocumentRow.id, DocumentRow.title, DocumentRow.origin_file, DocumentRow.lang,
            DocumentRow.sha256, DocumentRow.kind)
    return {d.id: d for d in session.execute(select(*cols).where(DocumentRow.id.in_(ids)))}


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


def _hits(session: Session, matches: list[tuple[_Row, list, float]]) -> list[Hit]:
    docs = _documents(session, {row.document_id for row, _, _ in matches})
    aligned = _aligned_texts(session, [row.id for row, _, _ in matches])
    hits = []
    for row, spans, score in matches:
        d = docs[row.document_id]
        hits.append(Hit(document_id=d.id, document_title=d.title or d.origin_file, lang=d.lang,
                        provenance_label=_label(d), sentence_id=row.id, sentence_ord=row.ord,
                        text=row.text, spans=spans, score=score,
                        aligned=aligned.get(row.id, [])))
    return hits


def _fuzzy_spans(phrase: str, stems: list[str], text: str, minimum: float) -> tuple[list, float]:
    """Spans and score of a fuzzy hit: the word windows reaching ``minimum``, else (a word-form
    match only) the exact phrase spans with 100."""
    key = _fuzzy_key(phrase)
    score, spans = _best_windows(key, len(key.split()), text, minimum)
    if spans:
        return spans, round(score, 1)
    return phrase_spans(text, stems) or [(0, 0)], 100.0


def _fuzzy_ids(session: Session, phrase: str, stems: list[str], lang, project_id, offset,
               limit, minimum: float) -> tuple[int, list[int], bool]:
    """``(total, ids of the page, complete)`` of a fuzzy search (see the module)."""
    conn = session.connection()
    words = [w for w, _, _ in tokens(phrase)]
    long_words = [w for w in dict.fromkeys(words) if len(w) >= LONG_WORD]
    if not long_words:  # short words only: nothing to be OCR-tolerant about
        return (*_counted(search_index.phrase_ids, conn, stems, lang, project_id, offset, limit),
                True)
    groups = []
    for w in long_words:
        near = {s for _, s, _ in search_index.variants(conn, w, VARIANT_MIN if len(words) > 1 else minimum)}
        groups.append(sorted(near | {stem(w)}))
    if len(words) == 1:  # one word: a sentence with a variant is a hit, no windows to check
        return (*_counted(search_index.any_ids, conn, groups, lang, project_id, offset, limit),
                True)
    _, exact = search_index.phrase_ids(conn, stems, lang=lang, project_id=project_id, count=False)
    _, candidates = search_index.any_ids(conn, groups, lang=lang, project_id=project_id,
                                         limit=MAX_CANDIDATES + 1, count=False)
    complete = len(candidates) <= MAX_CANDIDATES
    exact_set = set(exact)
    from aligner.concordance.match import fuzzy_matches

    rows = _rows(session, [i for i in candidates[:MAX_CANDIDATES] if i not in exact_set])
    verified = {rows[i].id for i, _, _ in fuzzy_matches(phrase, [r.text for r in rows], minimum)}
    ids = sorted(exact_set | verified)
    return len(ids), ids[offset:None if limit is None else offset + limit], complete


def _counted(query, conn, terms, lang, project_id, offset: int, limit) -> tuple[int, list[int]]:
    """``query`` (:func:`search_index.phrase_ids` / ``any_ids``) with its total; every id
    from the start needs no count query (the total is their number)."""
    every = offset == 0 and limit is None
    total, ids = query(conn, terms, lang=lang, project_id=project_id, offset=offset,
                       limit=limit, count=not every)
    return (len(ids) if every else total), ids


def _matching_ids(session: Session, phrase: str, stems: list[str], fuzzy: bool, lang,
                  project_id, offset: int, limit, min_score: float) -> tuple[int, list[int], bool]:
    """``(total, ids of [offset, offset + limit), complete)``: the matching query.
    Raises UnknownLanguageError for a ``lang`` no document can have (not an empty result)."""
    if lang:
        from aligner.segment import normalise_lang

        lang = normalise_lang(lang)  # "en-US" is "en"; "xx" is an error, not zero hits
    if fuzzy:
        return _fuzzy_ids(session, phrase, stems, lang, project_id, offset, limit, min_score)
    total, ids = _counted(search_index.phrase_ids, session.connection(), stems, lang,
                          project_id, offset, limit)
    return total, ids, True


def _hits_of(session: Session, phrase: str, stems: list[str], ids: list[int], fuzzy: bool,
             min_score: float, encoder) -> list[Hit]:
    """The hits of matching sentence ``ids`` (in that order; ids no longer stored are left
    out): spans, score, aligned texts, renderings marked if ``encoder``. Ends the session's
    transaction."""
    try:
        rows = _rows(session, ids)
        if fuzzy:
            matches = [(r, *_fuzzy_spans(phrase, stems, r.text, min_score)) for r in rows]
        else:
            matches = [(r, phrase_spans(r.text, stems) or [(0, 0)], 100.0) for r in rows]
        hits = _hits(session, matches)
    finally:
        session.rollback()
    if encoder is not None:  # renderings from the beads' word links (may fill their cache)
        from aligner.store.concordance_links import mark_hit_renderings_by_links

        mark_hit_renderings_by_links(session, phrase, hits, encoder, fuzzy=fuzzy)
    return hits


def search_page(session: Session, phrase: str, *, fuzzy: bool = False, lang: str | None = None,
                encoder=None, project_id: int | None = None, min_score: float = FUZZY_MIN,
                offset: int = 0, limit: int | None = PAGE) -> SearchPage:
    """Find ``phrase`` in every stored document (see the module); one page of hits with
    the total count. ``lang`` restricts the documents searched (ISO 639-1);
    ``project_id`` to one project; ``min_score`` (0–100) is the fuzzy window's rapidfuzz
    ratio; ``limit`` None gives every hit. ``encoder`` (:class:`aligner.embed.Encoder`)
    marks the rendering in each aligned text of the page. Raises
    :class:`EmptyPhraseError` for a phrase without letters or digits."""
    if not _WORD.search(phrase or ""):
        raise EmptyPhraseError("the search phrase has no letters or digits")
    offset = max(0, int(offset))
    search_index.ensure_current(session)
    stems = query_stems(phrase)
    try:
        total, ids, complete = _matching_ids(session, phrase, stems, fuzzy, lang, project_id,
                                             offset, limit, min_score)
    except BaseException:
        session.rollback()
        raise
    hits = _hits_of(session, phrase, stems, ids, fuzzy, min_score, encoder)
    return SearchPage(phrase, fuzzy, total, offset, limit, hits, complete)


@dataclass
class Matches:
    """Every sentence where a phrase occurs, found by one run of the matching query:
    ``ids`` in document (sentence-id) order; ``complete`` as in :class:`SearchPage`. Their
    hits are read a slice of ids at a time by :func:`hits_of` (an export's chunks)."""

    phrase: str
    fuzzy: bool
    min_score: float
    ids: list[int]
    complete: bool = True

    @property
    def total(self) -> int:
        return len(self.ids)


def find_matches(session: Session, phrase: str, *, fuzzy: bool = False,
                 lang: str | None = None, project_id: int | None = None,
                 min_score: float = FUZZY_MIN) -> Matches:
    """The ids of every hit of ``phrase`` (arguments as :func:`search_page`), without their
    details: one matching query however many hits. Ends the session's transaction.
    Raises :class:`EmptyPhraseError` for a phrase without letters or digits."""
    if not _WORD.search(phrase or ""):
        raise EmptyPhraseError("the search phrase has no letters or digits")
    search_index.ensure_current(session)
    try:
        _, ids, complete = _matching_ids(session, phrase, query_stems(phrase), fuzzy, lang,
                                         project_id, 0, None, min_score)
    finally:
        session.rollback()
    return Matches(phrase, fuzzy, min_score, ids, complete)


def hits_of(session: Session, matches: Matches, ids: list[int], *, encoder=None) -> list[Hit]:
    """The hits of ``ids`` (a slice of ``matches.ids``), in that order, exactly as
    :func:`search_page` shows them: spans, score, aligned texts, renderings marked if
    ``encoder``. A sentence deleted since it was found is left out."""
    return _hits_of(session, matches.phrase, query_stems(matches.phrase), ids, matches.fuzzy,
                    matches.min_score, encoder)


def hit_chunks(session: Session, matches: Matches, *, size: int, start: int = 0,
               encoder=None) -> Iterator[list[Hit]]:
    """:func:`hits_of` for ``matches.ids[start:]``, ``size`` ids at a time (memory: one
    chunk of hits; SQL: a fixed handful of statements per chunk, no matching query)."""
    for at in range(start, len(matches.ids), size):
        yield hits_of(session, matches, matches.ids[at:at + size], encoder=encoder)


def search(session: Session, phrase: str, *, fuzzy: bool = False, lang: str | None = None,
           encoder=None, project_id: int | None = None, min_score: float = FUZZY_MIN) -> list[Hit]:
    """Every hit of ``phrase`` (:func:`search_page` without paging), in document order."""
    return search_page(session, phrase, fuzzy=fuzzy, lang=lang, encoder=encoder,
                       project_id=project_id, min_score=min_score, limit=None).hits
