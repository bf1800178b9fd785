"""``name-variant``: a name spelled in several ways across one document (Hunchun /
Khunchun / Hunch'un)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from aligner.fidelity.flag import NAME_VARIANT, Flag
from aligner.fidelity.names import _RU_ENDINGS, _stems
from aligner.fidelity.tokens import _ROMAN, _WEEKDAYS, _is_cyrillic, _strip_possessive, _tokens
from aligner.lexicon.numbers import EN_MONTHS, RU_MONTH_PATTERN
from aligner.lexicon.spelling import dictionary
from aligner.lexicon.translit import name_key

if TYPE_CHECKING:
    from aligner.fidelity.context import BeadText, FidelityContext


NAME_VARIANT_MIN = 88.0    # ratio above which two spellings in one document are "the same name"

@dataclass
class NameGroup:
    """Spellings of one name found in a document, e.g. Hunch'un ×4, Khunchun ×2.

    ``forms`` maps one representative per spelling to its count (most frequent first);
    ``members`` maps every surface form seen (inflected, possessive, all-caps) to its
    representative. ``canonical`` is the most frequent spelling.
    """

    forms: dict[str, int]
    members: dict[str, str] = field(default_factory=dict)

    @property
    def canonical(self) -> str:
        return next(iter(self.forms))

    @property
    def variants(self) -> list[str]:
        """Surface forms whose spelling is not the canonical one."""
        return [m for m, rep in self.members.items() if rep != self.canonical]


def _name_candidates(texts: list[str], lang: str) -> Counter:
    """Capitalised words that look like names (mid-sentence, or known mid-sentence), less
    common words (English "There", "Well" after a quotation mark)."""
    lexicon = dictionary(lang)
    counts: Counter = Counter()
    initial_counts: Counter = Counter()
    mid_keys: set[str] = set()
    for text in texts:
        for token in _tokens(text):
            word = _strip_possessive(token.text)
            if len(word) < 4 or not word[0].isupper() or _ROMAN.fullmatch(word):
                continue
            low = word.lower()
            if low in EN_MONTHS or low in _WEEKDAYS or RU_MONTH_PATTERN.fullmatch(low):
                continue
            if lexicon is not None and lexicon.is_common(low.replace("’", "'")):
                continue
            if token.initial:
                initial_counts[word] += 1
            else:
                counts[word] += 1
                mid_keys.add(name_key(word))
    for word, n in initial_counts.items():
        if name_key(word) in mid_keys:
            counts[word] += n
    return counts


_EN_DERIVATION = ("ians", "ian", "ese", "ans", "an", "ish", "ia", "s")


def _spelling(word: str) -> str:
    """A form's written stem, case and inflection removed: «Хуньчуньским» → «хуньчунь»,
    "Japanese" → "japan", "KHUNCHUN" → "khunchun" (apostrophes kept: they are spelling)."""
    base = _strip_possessive(word.replace("’", "'")).lower()
    if _is_cyrillic(base):
        lexicon = dictionary("ru")
        if lexicon is not None:  # «Сверчка» → «сверчок»: fleeting vowels need the lemma
            base = lexicon.lemma(base)
        stripped = _RU_ENDINGS.sub("", base)
        return stripped if len(stripped) >= 3 else base
    for suffix in _EN_DERIVATION:
        if base.endswith(suffix) and len(base) - len(suffix) >= 4:
            return base[: -len(suffix)]
    return base


def _same_spelling(a: str, b: str) -> bool:
    """Japan/Japanese, Russia/Russian: one written stem extends the other."""
    return a.startswith(b) or b.startswith(a)


def document_name_variants(texts: list[str], lang: str | None = None) -> list[NameGroup]:
    """Names spelled in more than one way across one document.

    ``texts`` are the sentences of one document in language ``lang`` (guessed from the
    script if None). Capitalised words that are not common words (not sentence-initial
    unless also seen mid-sentence) are clustered when their romanisation-neutral keys
    (:func:`aligner.lexicon.translit.name_key`, after removing case endings and demonym
    suffixes) are equal or close (rapidfuzz ratio ≥ :data:`NAME_VARIANT_MIN`). Inside a
    cluster, inflected and derived forms (Russian case endings, English plural, possessive,
    Japan/Japanese) are one spelling. Returns clusters with two or more spellings, the
    most frequent first. Example: ["… the Khunchun agreement …", "… the Hunch'un
    Agreement …", "… the Hunch'un maps …"] → one group {"Hunch'un": 2, "Khunchun": 1}.
    """
    if lang is None:
        lang = "ru" if any(_is_cyrillic(t) for t in texts[:50]) else "en"
    counts = _name_candidates(texts, lang)
    by_key: dict[str, Counter] = {}
    for word, n in counts.items():
        by_key.setdefault(min(_stems(word), key=len), Counter())[word] += n
    keys = sorted(by_key, key=lambda k: -sum(by_key[k].values()))
    clusters: list[list[str]] = []
    cluster_of: dict[str, int] = {}
    for key in keys:
        home = next((cluster_of[o] for o in cluster_of if fuzz.ratio(key, o) >= NAME_VARIANT_MIN),
                    None)
        if home is None:
            home = len(clusters)
            clusters.append([])
        clusters[home].append(key)
        cluster_of[key] = home
    result: list[NameGroup] = []
    for members in clusters:
        forms: Counter = Counter()
        for key in members:
            forms.update(by_key[key])
        classes: list[tuple[str, str]] = []  # (written stem, representative form)
        member_rep: dict[str, str] = {}
        totals: Counter = Counter()
        for word, n in forms.most_common():
            stem = _spelling(word)
            rep = next((r for st, r in classes if _same_spelling(st, stem)), None)
            if rep is None:
                rep = word
                classes.append((stem, word))
            member_rep[word] = rep
            totals[rep] += n
        if len(classes) >= 2:
            result.append(NameGroup(dict(totals.most_common()), member_rep))
    result.sort(key=lambda g: -sum(g.forms.values()))
    return result


def check(bead: BeadText, ctx: FidelityContext) -> list[Flag]:
    """A spelling of a name that the same document spells otherwise elsewhere."""
    flags = []
    for side, texts, variants in (("src", bead.src_texts, ctx.src_variants),
                                  ("tgt", bead.tgt_texts, ctx.tgt_variants)):
        words = {_strip_possessive(t.text) for text in texts for t in _tokens(text)}
        for variant, group in variants.items():
            if variant in words:
                flags.append(Flag(
                    NAME_VARIANT,
                    f"“{variant}” is spelled “{group.canonical}” elsewhere in this document",
                    side=side, details={"forms": group.forms}, suggestion=group.canonical,
                ))
    return flags
