"""Link the words of a bead: which source words render which target words.

The method, step by step (each step's source in its function's docstring):

1. the similarity matrix of every word pair (:mod:`aligner.words.similarity`);
2. **mutual argmax** (SimAlign's "ArgMax", Jalili Sabet et al. 2020): ``i`` and
   ``j`` are linked if ``j`` is ``i``'s best match and ``i`` is ``j``'s; done twice, the
   second time with a small bonus for pairs beside a first-pass link
   (:func:`diagonal_support`: «в нашем понимании» goes to the "in" of "in our
   understanding", not to the one of "in the Japanese understanding"). SimAlign's
   IterMax did worse on the XL-WA dev part with these vectors (AER +0.02: its unrestricted
   second round adds more wrong links than right ones);
3. a **second round** among the words left without a link, only beside a linked pair
   (:func:`second_round`): repeated words in a different order;
4. **function words** an article-less language has no counterpart for (English articles,
   "of", auxiliaries against Russian) attach to the word they belong with
   (:func:`attach_function_words`);
5. **span growth**: a word left without a link joins its linked neighbour's link when the
   two words together are closer to the neighbour's target word than the neighbour alone
   (:func:`grow_spans`): «в течение» → "for".

The result links each word to 0..n words of the other side; linked words form m-n
groups (connected components), and a link inside a group of more than two words is
*partial* (the page draws it differently from a 1-1 link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

import numpy as np

from aligner.words import function_words
from aligner.words.lexicon import Lexicon
from aligner.words.similarity import cosine_01, distortion_prior, spelling_matrix
from aligner.words.tokens import Token, from_words, is_punct, tokenize
from aligner.words.vectors import word_vectors

Origin = Literal["match", "function-word", "span"]
CONFIDENCE_TEMPERATURE = 0.05  # softmax temperature on the [0, 1] similarity (display only)
SPAN_MARGIN = 0.0  # a span must be strictly closer than its linked word alone
# Bonus for a pair whose diagonal neighbour was linked by a first mutual argmax: about the
# usual gap between a word's best and second-best match. Tuned on the XL-WA dev part
# (0.02 / 0.05 / 0.1 gave AER 0.138 / 0.136 / 0.142; 0 gives 0.141).
NEIGHBOUR_SUPPORT = 0.05


@dataclass(frozen=True)
class Link:
    """Source token ``src`` renders target token ``tgt`` (indices into the token lists).

    ``confidence`` in [0, 1]: for a ``"match"``, how clearly each word is the other's best
    match (the geometric mean of the row and column softmax of the similarities, as
    awesome-align's bidirectional probabilities, Dou & Neubig 2021); a link added
    by a later step (``"function-word"``, ``"span"``) carries the confidence of the link
    it joined.
    """

    src: int
    tgt: int
    confidence: float
    origin: Origin = "match"


@dataclass
class WordAlignment:
    """The word links of one bead (or sentence pair)."""

    src_tokens: list[Token]
    tgt_tokens: list[Token]
    links: list[Link] = field(default_factory=list)

    def pairs(self) -> set[tuple[int, int]]:
        """The links as ``(src, tgt)`` index pairs."""
        return {(link.src, link.tgt) for link in self.links}

    def groups(self) -> list[tuple[list[int], list[int]]]:
        """The m-n groups: connected components of the links, as (source indices, target
        indices), sorted; words without a link are in none."""
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for link in self.links:
            parent[find(("s", link.src))] = find(("t", link.tgt))
        members: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        for node in list(parent):
            side, index = node
            group = members.setdefault(find(node), ([], []))
            group[0 if side == "s" else 1].append(index)
        return sorted((sorted(s), sorted(t)) for s, t in members.values())

    def partial(self) -> set[tuple[int, int]]:
        """The links that are part of an m-n group larger than 1-1 (drawn as partial)."""
        out = set()
        for src, tgt in self.groups():
            if len(src) + len(tgt) > 2:
                out |= {(i, j) for i in src for j in tgt}
        return out & self.pairs()

    def pharaoh(self) -> str:
        """The links as a Pharaoh line, ``"0-0 1-2 ..."``, sorted."""
        return " ".join(f"{i}-{j}" for i, j in sorted(self.pairs()))


def mutual_argmax(sim: np.ndarray) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` where ``j`` is row ``i``'s argmax and ``i`` column ``j``'s
    (SimAlign's ArgMax, Jalili Sabet et al. 2020). ``sim`` is ``(m, n)``."""
    if sim.size == 0:
        return []
    best_j = sim.argmax(axis=1)
    best_i = sim.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_j) if best_i[j] == i]


def confidences(sim: np.ndarray, temperature: float = CONFIDENCE_TEMPERATURE) -> np.ndarray:
    """``(m, n)``: sqrt(row softmax × column softmax) of ``sim / temperature``, in [0, 1]."""
    z = sim / temperature
    rows = np.exp(z - z.max(axis=1, keepdims=True))
    rows /= rows.sum(axis=1, keepdims=True)
    cols = np.exp(z - z.max(axis=0, keepdims=True))
    cols /= cols.sum(axis=0, keepdims=True)
    return np.sqrt(rows * cols)


PHRASE_MAX = 4  # content words a function word's phrase may have ("the effective end" has 2)


def _phrase_head(words: Sequence[str], start: int, lang: str, links: dict[int, list[int]],
                 other: Sequence[str], other_lang: str) -> int | None:
    """The word that function word ``words[start]`` belongs to: among the linked content
    words of its phrase (up to the next punctuation or, once a content word was seen, the
    next function word; at most ``PHRASE_MAX``), the first whose counterpart is of a
    category the function word attaches to (:data:`function_words.ATTACHABLE`); for an
    article or "of", else the last one."""
    word = words[start].lower()
    accepted = function_words.ATTACHABLE[lang][word]
    breakers = function_words.PHRASE_BREAKERS.get(lang, frozenset())
    phrase, k = [], start + 1
    while k < len(words) and not is_punct(words[k]) and len(phrase) < PHRASE_MAX:
        if words[k].lower() in breakers:
            if phrase or k > start + 2:
                break  # "of the ...", "had not reached": one function word may come between
        else:
            phrase.append(k)
        k += 1
    linked = [k for k in phrase if k in links]
    for k in linked:
        if {function_words.category(other[j], other_lang) for j in links[k]} & accepted:
            return k
    if word in function_words.FALLBACK_TO_LAST and linked:
        return linked[-1]
    return None


def attach_function_words(words: Sequence[str], lang: str, links: dict[int, list[int]],
                          other: Sequence[str], other_lang: str) -> list[tuple[int, int]]:
    """New ``(word, other side's word)`` pairs for the unlinked function words of ``words``
    (in ``lang``) listed in :mod:`aligner.words.function_words`: each takes the links of
    the word it belongs to (:func:`_phrase_head`: "the effective end" → «конец», "of the
    Bulgarian Empire" → «царства», "was represented" → «представляли»).

    ``links`` maps a word index to the indices of ``other`` (in ``other_lang``) it is
    linked to.
    """
    attachable = function_words.ATTACHABLE.get(lang, {})
    out = []
    for i, word in enumerate(words):
        if i in links or word.lower() not in attachable:
            continue
        head = _phrase_head(words, i, lang, links, other, other_lang)
        if head is not None:
            out.extend((i, j) for j in links[head])
    return out


def span_candidates(words: Sequence[str], links: dict[int, list[int]]) -> list[tuple[int, int, str, str]]:
    """The spans :func:`grow_spans` tries: ``(word, linked neighbour, the two words joined,
    the neighbour alone)`` for each unlinked word beside a linked one (right first)."""
    candidates = []
    for i, word in enumerate(words):
        if i in links or is_punct(word):
            continue
        for k in (i + 1, i - 1):
            if k in links and 0 <= k < len(words) and not is_punct(words[k]):
                lo, hi = min(i, k), max(i, k)
                candidates.append((i, k, " ".join(words[lo : hi + 1]), words[k]))
                break
    return candidates


def accept_spans(candidates: Sequence[tuple[int, int, str, str]], links: dict[int, list[int]],
                 span_vectors: np.ndarray, alone_vectors: np.ndarray, other_forms: np.ndarray,
                 margin: float = SPAN_MARGIN) -> list[tuple[int, int, int]]:
    """The ``(word, other side's word, neighbour)`` triples of :func:`grow_spans` among
    ``candidates`` (:func:`span_candidates`), given the embeddings of their joined words and
    of their neighbours alone (both ``(len(candidates), dim)``)."""
    out = []
    for (i, k, _, _), span, single in zip(candidates, span_vectors, alone_vectors):
        j = links[k][0]
        if float(span @ other_forms[j]) > float(single @ other_forms[j]) + margin:
            out.append((i, j, k))
    return out


def grow_spans(words: Sequence[str], other: Sequence[str], links: dict[int, list[int]], vectors,
               other_forms: np.ndarray, margin: float = SPAN_MARGIN) -> list[tuple[int, int, int]]:
    """New ``(word, other side's word, neighbour)`` triples: an unlinked word joins the
    link of a linked neighbour ``k`` (right first) to word ``j`` of the other side when the
    embedding of the two words together is closer to ``j``'s form vector than ``k``'s
    alone is, by more than ``margin`` (cosine). Punctuation neither grows nor is grown.

    This is phrase extraction's "grow" step (Koehn, Och & Marcu 2003: an unaligned
    word next to an alignment point joins it), checked by the encoder instead of taken on
    trust. ``other_forms`` is ``(len(other), dim)``: the other side's form vectors.
    """
    candidates = span_candidates(words, links)
    if not candidates:
        return []
    vecs = vectors.texts([c[2] for c in candidates] + [c[3] for c in candidates])
    return accept_spans(candidates, links, vecs[: len(candidates)], vecs[len(candidates) :], other_forms, margin)


def diagonal_support(shape: tuple[int, int], pairs: Iterable[tuple[int, int]]) -> np.ndarray:
    """``shape`` float32, 1 where a diagonal neighbour ``(i - 1, j - 1)`` or ``(i + 1, j + 1)``
    is in ``pairs``, else 0: added (scaled by ``NEIGHBOUR_SUPPORT``) to the similarities
    before the final mutual argmax, so that of two equally good matches of a repeated
    word the one that keeps its neighbours' order wins (the monotonicity that HMM
    alignment models through jump widths, Vogel, Ney & Tillmann 1996)."""
    support = np.zeros(shape, dtype=np.float32)
    m, n = shape
    for i, j in pairs:
        if i + 1 < m and j + 1 < n:
            support[i + 1, j + 1] = 1.0
        if i > 0 and j > 0:
            support[i - 1, j - 1] = 1.0
    return support


def second_round(sim: np.ndarray, pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """New ``(i, j)`` pairs among the words mutual argmax left without a link, repeated
    until none is found: ``i`` and ``j`` are each other's best among those words, one of
    them is the other's best match overall (its own best was taken by a competitor, the
    case SimAlign's IterMax second round is for), and a diagonal neighbour ``(i - 1, j - 1)``
    or ``(i + 1, j + 1)`` is linked (the "grow-diag" condition of Koehn, Och & Marcu 2003).

    This links repeated words in a different order: «на нашей территории — в нашем
    понимании» against "on our territory, ... in our understanding". ``sim`` is ``(m, n)``.
    """
    pairs, added = set(pairs), []
    best_j, best_i = sim.argmax(axis=1), sim.argmax(axis=0)
    while True:
        free_i = np.ones(sim.shape[0], dtype=bool)
        free_j = np.ones(sim.shape[1], dtype=bool)
        for i, j in pairs:
            free_i[i] = free_j[j] = False
        if not free_i.any() or not free_j.any():
            return added
        among_free = np.where(free_i[:, None] & free_j[None, :], sim, -np.inf)
        free_best_j, free_best_i = among_free.argmax(axis=1), among_free.argmax(axis=0)
        new = [(int(i), int(j)) for i, j in zip(np.nonzero(free_i)[0], free_best_j[free_i])
               if free_j[j] and free_best_i[j] == i and (best_j[i] == j or best_i[j] == i)
               and ((i - 1, j - 1) in pairs or (i + 1, j + 1) in pairs)]
        if not new:
            return added
        pairs.update(new)
        added.extend(new)


def similarity_matrix(src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str,
                      vectors, lexicon: Lexicon | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sim, src_forms, tgt_forms)``: the ``(m, n)`` similarity (meaning, spelling and
    lexicon, times the distortion prior) and the two sides' form vectors."""
    src_forms, tgt_forms = vectors.forms_many([(src, src_lang), (tgt, tgt_lang)])
    contexts = vectors.in_context_many([src, tgt]) if vectors.contextual else None
    return combine_views(src, tgt, src_lang, tgt_lang, src_forms, tgt_forms, contexts, lexicon), src_forms, tgt_forms


def combine_views(src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str,
                  src_forms: np.ndarray, tgt_forms: np.ndarray, contexts, lexicon: Lexicon | None = None) -> np.ndarray:
    """The ``(m, n)`` float32 similarity of :func:`similarity_matrix` from the form vectors
    and ``contexts``: ``((src in context, src leave-one-out), (tgt ..., ...))`` or None."""
    views = [cosine_01(src_forms, tgt_forms)]
    if contexts is not None:
        (src_ctx, src_loo), (tgt_ctx, tgt_loo) = contexts
        views += [cosine_01(src_ctx, tgt_ctx), cosine_01(src_loo, tgt_loo)]
    sim = np.mean(views, axis=0)
    sim = np.maximum(sim, spelling_matrix(src, tgt, src_lang, tgt_lang))
    if lexicon is not None and len(lexicon):
        known = np.array([[lexicon.score(a, b) for b in tgt] for a in src], dtype=np.float32)
        sim = np.maximum(sim, known.reshape(sim.shape))
    sim *= distortion_prior(len(src), len(tgt))
    return sim.astype(np.float32, copy=False)


def _by_side(links: dict[tuple[int, int], Link], side: int) -> dict[int, list[int]]:
    """Word of side ``side`` (0 source, 1 target) → the other side's words it is linked to."""
    out: dict[int, list[int]] = {}
    for pair in links:
        out.setdefault(pair[side], []).append(pair[1 - side])
    return out


def match_links(sim: np.ndarray, src: Sequence[str], tgt: Sequence[str], src_lang: str,
                tgt_lang: str) -> dict[tuple[int, int], Link]:
    """Steps 2-4 of the method (module docstring) on the ``(m, n)`` similarity: the links
    by ``(src, tgt)`` pair, before span growth."""
    sim = sim + NEIGHBOUR_SUPPORT * diagonal_support(sim.shape, mutual_argmax(sim))
    confidence = np.clip(confidences(sim), 0.0, 1.0)
    links = {(i, j): Link(i, j, float(confidence[i, j])) for i, j in mutual_argmax(sim)}
    for i, j in second_round(sim, set(links)):
        links[(i, j)] = Link(i, j, float(confidence[i, j]))
    # Function words first, so that span growth does not give an article to an adjective.
    for words, lang, other, other_lang, side in ((src, src_lang, tgt, tgt_lang, 0), (tgt, tgt_lang, src, src_lang, 1)):
        if function_words.attaching(lang, other_lang):
            for i, j in attach_function_words(words, lang, _by_side(links, side), other, other_lang):
                pair = (i, j) if side == 0 else (j, i)
                head = max((link for key, link in links.items() if key[1 - side] == j), key=lambda l: l.confidence)
                links.setdefault(pair, Link(*pair, head.confidence, "function-word"))
    return links


def align_many(pairs: Sequence[tuple[list[Token], list[Token], str, str]], encoder=None,
               lexicon: Lexicon | None = None) -> list[WordAlignment]:
    """Link the tokens of many ``(src_tokens, tgt_tokens, src_lang, tgt_lang)`` pairs (module
    docstring), with the encoder called for all of them together: one call for the form
    vectors of every distinct word, one pass of the token stage and head for the in-context
    views (:meth:`WordVectors.in_context_many`) and one call for every span to try (step 5
    needs the links of steps 2-4, so it comes after them for all pairs). ``encoder``:
    default ``get_encoder()``; ``lexicon``: an optional corpus dictionary.

    The links do not depend on which pairs are linked together. (Batched arithmetic may
    differ from one pair alone in the last bits of a float, never more.)
    """
    results = [WordAlignment(s, t) for s, t, _, _ in pairs]
    todo = [k for k, (s, t, _, _) in enumerate(pairs) if s and t]
    if not todo:
        return results
    vectors = word_vectors(encoder)
    words = [([t.text for t in pairs[k][0]], [t.text for t in pairs[k][1]]) for k in todo]
    langs = [pairs[k][2:] for k in todo]
    forms = vectors.forms_many([(w[side], lang[side]) for w, lang in zip(words, langs) for side in (0, 1)])
    contexts = vectors.in_context_many([w[side] for w in words for side in (0, 1)]) if vectors.contextual else None
    found, spans = [], []
    for n, ((src, tgt), (src_lang, tgt_lang)) in enumerate(zip(words, langs)):
        both = None if contexts is None else (contexts[2 * n], contexts[2 * n + 1])
        sim = combine_views(src, tgt, src_lang, tgt_lang, forms[2 * n], forms[2 * n + 1], both, lexicon)
        links = match_links(sim, src, tgt, src_lang, tgt_lang)
        found.append(links)
        # Both sides' spans from the links before growth: a span grown on the source side
        # only joins target words that were linked already, so the target side's
        # candidates, and the word each one's neighbour is linked to first, stay the same.
        sides = [_by_side(links, 0), _by_side(links, 1)]
        spans.append([(sides[0], span_candidates(src, sides[0])), (sides[1], span_candidates(tgt, sides[1]))])
    cands_all = [c for bead in spans for _, cands in bead for c in cands]
    vecs = vectors.texts([c[2] for c in cands_all] + [c[3] for c in cands_all]) if cands_all else None
    at, half = 0, len(cands_all)
    for n, (k, links) in enumerate(zip(todo, found)):
        for side, (by_side, cands) in enumerate(spans[n]):
            if not cands:
                continue
            other_forms = forms[2 * n + 1 - side]
            for i, j, nb in accept_spans(cands, by_side, vecs[at : at + len(cands)],
                                         vecs[half + at : half + at + len(cands)], other_forms):
                pair = (i, j) if side == 0 else (j, i)
                joined = links[(nb, j) if side == 0 else (j, nb)]
                links.setdefault(pair, Link(*pair, joined.confidence, "span"))
            at += len(cands)
        results[k].links = sorted(links.values(), key=lambda l: (l.src, l.tgt))
    return results


def align_tokens(src_tokens: list[Token], tgt_tokens: list[Token], src_lang: str, tgt_lang: str,
                 encoder=None, lexicon: Lexicon | None = None) -> WordAlignment:
    """Link ``src_tokens`` to ``tgt_tokens`` (module docstring). ``encoder``: default
    ``get_encoder()``; ``lexicon``: an optional corpus dictionary."""
    return align_many([(src_tokens, tgt_tokens, src_lang, tgt_lang)], encoder, lexicon)[0]


def align_pretokenised(src_words: Sequence[str], tgt_words: Sequence[str], src_lang: str, tgt_lang: str,
                       encoder=None, lexicon: Lexicon | None = None) -> WordAlignment:
    """Link pre-tokenised words (e.g. XL-WA's columns); token offsets are those in the words
    joined by single spaces.

    Raises:
        InputError: a word is empty or contains whitespace.
    """
    return align_tokens(from_words(src_words), from_words(tgt_words), src_lang, tgt_lang, encoder, lexicon)


def link_words(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str, encoder=None,
               lexicon: Lexicon | None = None, seed_pairs: Iterable[tuple[str, str]] = ()) -> WordAlignment:
    """Tokenise two raw sentences (or the two sides of a bead) and link their words.

    ``src_lang``/``tgt_lang``: ISO 639-1 codes (they select the lemmatiser, number words
    and function-word rules). ``seed_pairs``: word pairs known to translate each other
    (added to ``lexicon``, or making one). Token offsets are characters in the given text.
    """
    seed_pairs = list(seed_pairs)
    if seed_pairs:
        merged = Lexicon(seed_pairs)
        if lexicon is not None:
            merged._scores = {**lexicon._scores, **merged._scores}
        lexicon = merged
    return align_tokens(tokenize(src_text), tokenize(tgt_text), src_lang, tgt_lang, encoder, lexicon)
