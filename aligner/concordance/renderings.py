"""Marking, in each aligned text, the sub-span that most likely renders the phrase: the
word window whose sentence embedding is closest (cosine) to the phrase's, in the spirit of
embedding-based phrase alignment (Jalili Sabet et al. 2020, "SimAlign", Findings of EMNLP)."""

from __future__ import annotations

from collections import defaultdict

from aligner.concordance.match import _WORD, _words, normalise_rendering
from aligner.concordance.results import AlignedText, Hit

WINDOW_SLACK = (1, 3)   # rendering windows have n−1 … n+3 words for an n-word phrase
MIN_RENDERING_SIM = 0.3  # below this cosine no sub-span is highlighted (nothing renders it)
RENDERING_TOLERANCE = 0.05  # windows this close to the best cosine compete on word count
RENDERING_MARGIN = 0.2      # the best window must beat the 90th-percentile other window by this
SHORT_TEXT_MIN_SIM = 0.5    # …or, with fewer than 10 other windows, reach this cosine


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
        a.method = "window"
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
