"""Crossing-link candidates: sentences the monotone path put in the wrong place."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.scores import _Stats, match_probability
from aligner.types import Bead, Crossing


def _unit(vec: np.ndarray) -> np.ndarray:
    return vec / (np.linalg.norm(vec) or 1.0)


def _ids_vector(emb: np.ndarray, ids: Sequence[int]) -> np.ndarray:
    """Normalised sum of the embeddings of sentences ``ids``: one side of a bead, ``(dim,)``."""
    return _unit(emb[list(ids)].sum(axis=0))


def _counterpart(bead: Bead, side: str) -> tuple[int, ...]:
    """The ids on the other side of ``bead`` from ``side`` ("src" or "tgt")."""
    return bead.src if side == "tgt" else bead.tgt


def _contribution(emb_side: np.ndarray, other: np.ndarray, ids: tuple[int, ...], sent: int) -> float:
    """How much sentence ``sent`` adds to its bead's similarity (cos with it − cos without)."""
    rest = [i for i in ids if i != sent]
    with_it = float(_ids_vector(emb_side, ids) @ other)
    without = float(_ids_vector(emb_side, rest) @ other) if rest else 0.0
    return with_it - without


def _quote(texts: Sequence[str], i: int, width: int = 40) -> str:
    """A sentence for a reason text: quoted and shortened, or "sentence id i" without texts.

    Reasons quote text rather than numbers: the page numbers sentences from 1, exports from 0.
    """
    if not texts:
        return f"sentence id {i}"
    text = " ".join(texts[i].split())
    if len(text) > width:
        text = text[: width // 2 - 1] + " … " + text[-(width // 2 - 1):]
    return f"“{text}”"


def _dangling(text: str) -> bool:
    """The sentence stops on a word, with no punctuation at all ("… and will"): its end is
    elsewhere. (A verse line or a clause ending in a comma or dash does not count.)"""
    text = text.rstrip()
    return bool(text) and text[-1].isalnum()


def _orphan_start(text: str) -> bool:
    """The sentence's very first character is a lower-case letter ("not fire toward
    Manchukuo."): its start is elsewhere. (Dialogue opening with a dash does not count.)"""
    text = text.lstrip()
    return bool(text) and text[0].isalpha() and text[0].islower()


def detect_crossings(
    beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, stats: _Stats, config: AlignConfig,
    src_texts: Sequence[str] = (), tgt_texts: Sequence[str] = (), encoder=None,
) -> list[Crossing]:
    """Crossing-link candidates: sentences that the monotone path put in the wrong place.

    Two kinds of evidence (Bertalign and Vecalign assume monotone order; this pass looks
    for the out-of-order fragments that OCR of court exhibits produces):

    * **Similarity.** A sentence in a null bead, in a bead under ``config.low_confidence``,
      or adding almost nothing to its m-n bead (leave-one-out contribution under 0.02)
      whose top-k match two or more beads away beats its own bead by a clear margin and
      is a likely translation by the full margin criterion.
    * **Broken sentences.** A fragment that starts in lower case after a complete
      sentence ("not fire toward Manchukuo.") and a sentence on the same side that stops
      without terminal punctuation ("… and will") 1 to ``40`` beads away: the fragment is linked
      to that sentence's counterparts. With an encoder, the dangling sentence whose joined
      text with the fragment best matches its counterpart is preferred.

    Candidates at or above ``config.crossing_min`` are returned, best first.
    """
    if not beads or len(stats.src_top) == 0:
        return []
    src_bead = {i: k for k, b in enumerate(beads) for i in b.src}
    tgt_bead = {j: k for k, b in enumerate(beads) for j in b.tgt}
    found: dict[tuple, Crossing] = {}

    def add(src_ids: tuple, tgt_ids: tuple, score: float, reason: str) -> None:
        key = (src_ids, tgt_ids)
        if score >= config.crossing_min and (key not in found or found[key].score < score):
            found[key] = Crossing(src_ids, tgt_ids, round(score, 4), reason)

    def own_similarity(side: str, sent: int) -> float:
        bead = beads[tgt_bead[sent] if side == "tgt" else src_bead[sent]]
        other_ids, other_emb = _counterpart(bead, side), (src_emb if side == "tgt" else tgt_emb)
        if not other_ids:
            return 0.0
        vec = tgt_emb[sent] if side == "tgt" else src_emb[sent]
        return float(_ids_vector(other_emb, other_ids) @ vec)

    def check(side: str, sent: int) -> None:
        if side == "tgt":
            own_k, cands, vec, pool = tgt_bead[sent], stats.tgt_top[sent], tgt_emb[sent], src_emb
            other_bead, knn_self, knn_pool = src_bead, stats.tgt_knn[sent], stats.src_knn
        else:
            own_k, cands, vec, pool = src_bead[sent], stats.src_top[sent], src_emb[sent], tgt_emb
            other_bead, knn_self, knn_pool = tgt_bead, stats.src_knn[sent], stats.tgt_knn
        own = own_similarity(side, sent)
        for c in cands.tolist():
            k = other_bead[c]
            if abs(k - own_k) < 2:
                continue
            cos = float(pool[c] @ vec)
            # Clearly better there than where it is, and a likely translation on its own.
            # The second test uses the full margin (cosine minus the mean of both sides'
            # kNN similarity, Artetxe & Schwenk 2019 §3.1, as in find_anchors): raw cosine
            # alone made every omitted sentence a "crossing" with some same-topic sentence.
            score = float(match_probability(cos - own - 0.05)) if cos - own > 0.1 else 0.0
            margin = cos - 0.5 * float(knn_self + knn_pool[c])
            score = min(score, float(match_probability(margin)))
            src_ids, tgt_ids = ((c,), (sent,)) if side == "tgt" else ((sent,), (c,))
            mine, theirs = (tgt_texts, src_texts) if side == "tgt" else (src_texts, tgt_texts)
            add(src_ids, tgt_ids, score,
                f"{_quote(mine, sent)} matches {_quote(theirs, c)} elsewhere "
                f"(cosine {cos:.2f} there, {own:.2f} in its own bead)")

    for k, bead in enumerate(beads):
        if not bead.src or not bead.tgt or bead.score < config.low_confidence:
            for j in bead.tgt:
                check("tgt", j)
            for i in bead.src:
                check("src", i)
            continue
        src_vec, tgt_vec = _ids_vector(src_emb, bead.src), _ids_vector(tgt_emb, bead.tgt)
        for side, ids, emb, other in (("tgt", bead.tgt, tgt_emb, src_vec), ("src", bead.src, src_emb, tgt_vec)):
            if len(ids) > 1:
                for sent in ids:
                    if _contribution(emb, other, ids, sent) < 0.02:
                        check(side, sent)
    for side, texts, where in (("tgt", tgt_texts, tgt_bead), ("src", src_texts, src_bead)):
        _broken_sentences(side, texts, where, beads, tgt_emb if side == "tgt" else src_emb,
                          src_emb if side == "tgt" else tgt_emb, encoder, add)
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.src, c.tgt))
    # A reviewer's queue, not a dump: at most one candidate per 50 beads (10 at least).
    return ranked[: max(10, len(beads) // 50)]


def _broken_sentences(side: str, texts: Sequence[str], where: dict[int, int], beads: list[Bead],
                      own_emb: np.ndarray, other_emb: np.ndarray, encoder, add) -> None:
    """Link lower-case fragments to dangling sentences elsewhere (see :func:`detect_crossings`)."""
    dangling = [i for i, t in enumerate(texts) if _dangling(t)]
    for f, text in enumerate(texts):
        if not _orphan_start(text) or (f > 0 and _dangling(texts[f - 1])):
            continue  # it continues the sentence before it: not displaced
        if len(text.split()) < 2:
            continue  # a lone word ("ago.") is as likely what a lacuna left as a moved line
        # A host in the next bead counts (a full sentence lies between them: f != d + 1).
        hosts = [d for d in dangling if d != f - 1 and 1 <= abs(where[d] - where[f]) <= 40]
        hosts = [d for d in hosts if _counterpart(beads[where[d]], side)]
        hosts = sorted(hosts, key=lambda d: abs(where[d] - where[f]))[:6]  # the nearest few
        if not hosts:
            continue
        # How well the fragment, alone and joined to the host, matches the host's counterpart.
        counterparts = [_ids_vector(other_emb, _counterpart(beads[where[d]], side)) for d in hosts]
        fits = [float(own_emb[f] @ vec) for vec in counterparts]
        if encoder is not None:
            joined = encoder.encode([f"{texts[d]} {text}" for d in hosts])
            fits = [fit + float(joined[n] @ counterparts[n]) for n, fit in enumerate(fits)]
        order = sorted(range(len(hosts)), key=lambda n: (-fits[n], abs(where[hosts[n]] - where[f])))
        for rank, n in enumerate(order[:2]):
            d = hosts[n]
            counterpart = _counterpart(beads[where[d]], side)
            src_ids, tgt_ids = (tuple(counterpart), (f,)) if side == "tgt" else ((f,), tuple(counterpart))
            add(src_ids, tgt_ids, 0.8 if rank == 0 else 0.65,
                f"the fragment {_quote(texts, f)} starts in lower case and {_quote(texts, d)} "
                "stops mid-sentence: the fragment may continue it (OCR line displacement)")
