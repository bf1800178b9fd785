"""Concordance results: a hit sentence, the aligned texts that render it, groups of hits
by rendering, and the text and JSON forms the CLI and the API print."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from aligner.concordance.match import normalise_rendering


@dataclass
class AlignedText:
    """The other side of the bead that holds a hit sentence, in one alignment.

    ``text`` joins the bead's other-side sentences with a space; ``spans`` are the
    (start, end) character offsets in ``text`` of the sub-span that most likely renders the
    phrase (every occurrence of the best window), ``rendering`` its text and
    ``similarity`` its cosine to the phrase (None when no encoder was given or nothing
    reaches :data:`MIN_RENDERING_SIM`; an empty bead side — an omission — has ``text`` "").
    ``method``: how the rendering was looked for (``"links"``: word links, where
    ``similarity`` is the stand-out score of :func:`aligner.concordance.by_links.stands_out`;
    ``"window"``; None: not looked for); looked for and ``rendering`` None means the phrase
    is not rendered here.
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
    method: str | None = None

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


def _mark(text: str, spans: list[tuple[int, int]], left: str = "[[", right: str = "]]") -> str:
    out, last = [], 0
    for s, e in sorted(spans):
        out += [text[last:s], left, text[s:e], right]
        last = e
    out.append(text[last:])
    return "".join(out)


def format_text(phrase: str, hits: list[Hit], *, fuzzy: bool = False, total: int | None = None,
                offset: int = 0, complete: bool = True) -> str:
    """A plain-text concordance: one block per rendering group, matches in [[…]];
    sentence numbers from 1, as on the review page. With ``total`` (all hits, of which
    ``hits`` is the page at ``offset``) the heading says which part is shown."""
    total = len(hits) if total is None else total
    if not total:
        return f"no {'fuzzy ' if fuzzy else ''}match for “{phrase}”"
    shown = "" if len(hits) == total else \
        f", showing {offset + 1}–{offset + len(hits)}" if hits else f", none from {offset + 1}"
    lines = [f"“{phrase}”: {'at least ' if not complete else ''}{total} sentence(s)"
             f"{' (fuzzy)' if fuzzy else ''}{shown}"]
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
                measure = "score" if aligned.method == "links" else "cos"
                sim = f" {measure} {aligned.similarity:.2f}" if aligned.similarity is not None else ""
                if aligned.method and aligned.text and aligned.rendering is None:
                    sim = " — not rendered here"
                ords = ",".join(str(o + 1) for o in aligned.sentence_ords) or "—"
                lines.append(f"   ↔ [{aligned.lang}] {aligned.document_title} "
                             f"({aligned.provenance_label}) sentence {ords}{sim}:")
                lines.append(f"      {_mark(aligned.text, aligned.spans) if aligned.text else '(omitted)'}")
    return "\n".join(lines)


def as_json(phrase: str, hits: list[Hit], *, fuzzy: bool = False, total: int | None = None,
            offset: int = 0, limit: int | None = None, complete: bool = True) -> dict:
    """JSON-ready concordance: the hits and the rendering groups (indices into hits).
    ``count`` is the number of hits in all (``total``; default ``len(hits)``), ``hits``
    those of the page at ``offset``; ``complete`` False: at least ``count`` (fuzzy search
    verified only part of its candidates)."""
    index = {id(h): i for i, h in enumerate(hits)}
    return {
        "phrase": phrase, "fuzzy": fuzzy, "count": len(hits) if total is None else total,
        "offset": offset, "limit": limit, "complete": complete,
        "hits": [h.to_dict() for h in hits],
        "renderings": [{"key": g.key, "label": g.label, "lang": g.lang, "count": g.count,
                        "hits": [index[id(h)] for h, _ in g.entries]}
                       for g in group_by_rendering(hits)],
    }
