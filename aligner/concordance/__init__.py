"""Phrase concordance: where does a phrase occur, and how was it rendered?

:func:`aligner.store.concordance.search` finds a phrase in every stored document — exactly
(case-insensitive substring of the normalised text) or OCR-tolerantly (case- and punctuation-insensitive approximate
match on word windows, rapidfuzz) — and, for each hit, collects the aligned sentence(s) of
every alignment that contains the hit sentence. In each aligned text it marks the sub-span
that most likely renders the phrase: the word n-gram window whose sentence embedding is
closest (cosine) to the phrase's, a cross-lingual phrase-matching heuristic in the spirit of
embedding-based word/phrase alignment (Jalili Sabet et al. 2020, "SimAlign", Findings of
EMNLP). :func:`group_by_rendering` then groups hits by that highlighted rendering so that
different translations of the same words stand out.

Modules: :mod:`~aligner.concordance.match` (exact and fuzzy matching, no store),
:mod:`~aligner.concordance.results` (hits, groups, text and JSON),
:mod:`~aligner.concordance.renderings` (marking renderings with the encoder: word windows),
:mod:`~aligner.concordance.by_links` (a rendering read off a bead's word links, which the
store's concordance uses: it measures better, docs/words.md); the query over the store is
:func:`aligner.store.concordance.search`.
"""

from aligner.concordance.match import (
    FUZZY_MIN,
    EmptyPhraseError,
    exact_spans,
    fuzzy_matches,
    normalise,
    normalise_rendering,
)
from aligner.concordance.renderings import mark_hit_renderings, mark_renderings
from aligner.concordance.results import (
    AlignedText,
    Hit,
    RenderingGroup,
    as_json,
    format_text,
    group_by_rendering,
)

__all__ = ["FUZZY_MIN", "AlignedText", "EmptyPhraseError", "Hit", "RenderingGroup", "as_json",
           "exact_spans", "format_text", "fuzzy_matches", "group_by_rendering",
           "mark_hit_renderings", "mark_renderings", "normalise", "normalise_rendering"]
