"""Non-destructive clean-up of OCR'd (or plain) text, with a map back to the raw text.

The raw text is never changed. :func:`clean_text` builds a new string and, for every
character of it, the raw offset it came from, so a sentence found in the cleaned text can
be shown, highlighted or exported from the raw file.

What the OCR clean-up does (``ocr=True``):

* drops page furniture: stand-alone page numbers ("28"), running headers such as
  "Def. Doc. #1504" / "Def. Doc. # 1504" (also at the start of a line that goes on with
  text), a stand-alone or trailing "Copy" stamp; page numbers, headers and form feeds
  are recorded as page breaks;
* joins a sentence broken by a page break or by double-spaced OCR lines: across a blank
  line (and any furniture) when the text before does not end a sentence and the text
  after starts in lower case (or, across page furniture, when the text before ends mid-
  phrase); undoes end-of-line hyphenation ("defen-" + "ce" -> "defence"), keeping the
  hyphen when the hyphenated form occurs elsewhere in the document ("to-day");

and always (also with ``ocr=False``):

* paragraph structure: a blank line ends a paragraph. Inside a block of consecutive
  lines, the block is "one paragraph per line" when at least half its lines end a
  sentence (e.g. the Russian reconstruction, bilinguator texts); otherwise its lines are
  hard-wrapped and a newline is a paragraph break only after a sentence end on a short
  line (classic wrapped-text heuristic);
* white space collapsed to single spaces, Unicode NFC, zero-width characters dropped.

Paragraph breaks are "\\n\\n" in the cleaned text; a single "\\n" is a hard break inside a
paragraph (from ``</h1>`` when ``strip_markup``); the segmenter never crosses either.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

# --- furniture patterns ------------------------------------------------------------------

PAGE_NUMBER = re.compile(r"[-–—]?\s*(?:(?:page|p\.|стр\.|с\.)\s*)?\d{1,4}\s*[-–—]?", re.I)
"""A line that is only this is a page number (e.g. "28", "- 28 -", "Page 28")."""

RUNNING_HEADERS: tuple[re.Pattern[str], ...] = (
    # IMTFE exhibits: "Def. Doc. #1504", "Def. Doc. # 1504", "Def. Doc. No. 1504".
    re.compile(r"(?:Def|Pros)\.?\s*Doc\.?\s*(?:#|No\.?)\s*\d+(?:-?[A-Z])?(?![\w])", re.I),
)
"""Running headers, matched at the start of a line (the rest of the line is text)."""

COPY_STAMP = re.compile(r"copy\.?", re.I)
TRAILING_COPY = re.compile(r"(?<=[.!?»\"”’)\]])\s+copy\.?\s*$", re.I)

# Sentence-final punctuation, optionally followed by closing quotes/brackets.
_SENT_END = re.compile(r"[.!?…:;][\"'»”’)\]]*\s*$")
_HYPHEN_END = re.compile(r"(?<![\W\d_])(?<!-)[-\u00ad¬]$")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[-\u00ad¬]$")
_WORD_AFTER = re.compile(r"^([^\W\d_]+)")
MARKUP_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
"""An inline tag such as <b>, </h1>, <delimiter>, <img3> (only with ``strip_markup``)."""
_HARD_BREAK_TAG = re.compile(r"</(?:h[1-6]|p|div|title|li)\s*>|<br\s*/?>", re.I)
_INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|span|sup|sub|small|font)\b[^<>]*>", re.I)
_LINE_BREAK = re.compile(r"\r\n|[\n\r\f\v\x1c\x1d\x1e\x85\u2028\u2029]")

_PARA = "\u2029"  # placeholder for a paragraph break while building
_ZERO_WIDTH = {"\u200b", "\ufeff", "\u2060"}


@dataclass
class Cleaned:
    """Cleaned text and its map to the raw text.

    ``offsets[i]``: raw offset of cleaned char ``i`` (``len(text) + 1`` entries; the last
    is ``len(raw)``). ``ends[i]``: raw offset just after the raw source of char ``i``.
    ``page_starts``: raw offsets where pages start, page 1 at 0.
    """

    text: str
    offsets: list[int]
    page_starts: list[int] = field(default_factory=lambda: [0])
    ends: list[int] = field(default_factory=list)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(start, end)`` covering cleaned ``text[start:end]`` (end exclusive)."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside 0..{len(self.text)}")
        if start == end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.ends[end - 1]

    def page_at(self, raw_offset: int) -> int:
        """1-based page number of the page holding ``raw_offset``."""
        return max(1, bisect.bisect_right(self.page_starts, raw_offset))


@dataclass
class _Item:
    """One content line: raw [start, end) after furniture and outer white space."""

    start: int
    end: int
    gap_blank: bool = False  # a blank line before it
    gap_page: bool = False  # page furniture / form feed before it
    line_no: int = 0


def clean_text(
    raw: str,
    *,
    ocr: bool = True,
    strip_markup: bool = False,
    line_paragraphs: bool = False,
) -> Cleaned:
    """Clean ``raw`` -> :class:`Cleaned` (see the module docstring for the rules).

    ``ocr``: remove page furniture, join across page breaks, undo hyphenation.
    ``strip_markup``: drop inline tags (``<b>``, ``<i>``, ``<h1>``, ``<delimiter>`` …);
    ``</h1>``-like closers become a hard break, other tags white space or nothing.
    ``line_paragraphs``: every line is a paragraph (e.g. text extracted from TEI).
    """
    items, page_starts = _content_lines(raw, ocr)
    if ocr and items:
        _trim_trailing_copy(raw, items)
    check = [_check_text(raw, it, strip_markup) for it in items]
    seps = _separators(raw, items, check, ocr=ocr, line_paragraphs=line_paragraphs)
    chars = _emit(raw, items, seps, strip_markup)
    text, offsets, ends = _normalise(chars)
    offsets.append(len(raw))
    return Cleaned(text, offsets, page_starts, ends)


# --- step 1: lines, furniture, pages ------------------------------------------------------


def _content_lines(raw: str, ocr: bool) -> tuple[list[_Item], list[int]]:
    items: list[_Item] = []
    page_starts = [0]
    blank = page = False
    pos = 0
    line_no = 0
    for m in [*_LINE_BREAK.finditer(raw), None]:
        end = m.start() if m else len(raw)
        s, e = _strip_span(raw, pos, end)
        if s < e:
            marker = False
            line = raw[s:e]
            if ocr and (PAGE_NUMBER.fullmatch(line) or _header_len(line) == len(line)):
                marker = True
                s = e
            elif ocr and COPY_STAMP.fullmatch(line):
                s = e
            elif ocr and (n := _header_len(line)):
                marker = True
                s, e = _strip_span(raw, s + n, e)
            if marker and items and not page:
                page_starts.append(pos)
            page = page or marker
            if s < e:
                items.append(_Item(s, e, blank, page, line_no))
                blank = page = False
        else:
            blank = True
        if m is not None and m.group() == "\f":
            if items and not page:
                page_starts.append(m.end())
            page = True
        pos = m.end() if m else len(raw)
        line_no += 1
    return items, page_starts


def _strip_span(raw: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (raw[s].isspace() or raw[s] in _ZERO_WIDTH):
        s += 1
    while e > s and (raw[e - 1].isspace() or raw[e - 1] in _ZERO_WIDTH):
        e -= 1
    return s, e


def _header_len(line: str) -> int:
    for pat in RUNNING_HEADERS:
        m = pat.match(line)
        if m:
            return m.end()
    return 0


def _trim_trailing_copy(raw: str, items: list[_Item]) -> None:
    last = items[-1]
    m = TRAILING_COPY.search(raw, last.start, last.end)
    if m:
        last.end = _strip_span(raw, last.start, m.start())[1]


# --- step 2: how consecutive lines join ---------------------------------------------------


def _check_text(raw: str, it: _Item, strip_markup: bool) -> str:
    text = raw[it.start : it.end]
    return MARKUP_TAG.sub("", text).strip() if strip_markup else text


def ends_sentence(text: str) -> bool:
    """The text (a line) ends with terminal punctuation, closing quotes allowed."""
    return bool(_SENT_END.search(text))


def _starts_lower(text: str) -> bool:
    t = text.lstrip("\"'«„“‘([")
    return bool(t) and t[0].islower()


def _mid_phrase(text: str) -> bool:
    """Text that cannot end a paragraph: ends with a comma/dash or a lower-case word."""
    t = text.rstrip()
    return bool(t) and (t[-1] in ",-–—(" or (t[-1].isalpha() and t[-1].islower()))


def _separators(
    raw: str, items: list[_Item], check: list[str], *, ocr: bool, line_paragraphs: bool
) -> list[str]:
    """Separator before each item after the first: "join", "hyphen", "keep-hyphen", "break"."""
    n = len(items)
    # Blocks: runs of items joined by a bare newline (no blank line, no furniture).
    block_of = [0] * n
    for i in range(1, n):
        soft = not (items[i].gap_blank or items[i].gap_page)
        block_of[i] = block_of[i - 1] if soft else block_of[i - 1] + 1
    line_style: dict[int, bool] = {}
    members: dict[int, list[int]] = {}
    for i, b in enumerate(block_of):
        members.setdefault(b, []).append(i)
    wrapped_lengths: list[int] = []
    for b, idx in members.items():
        inner = idx[:-1]
        if not inner:
            line_style[b] = True
            continue
        ends = sum(ends_sentence(check[i]) for i in inner)
        line_style[b] = line_paragraphs or ends >= 0.5 * len(inner)
        if not line_style[b]:
            wrapped_lengths += [len(check[i]) for i in idx]
    width = _percentile(wrapped_lengths, 0.9) if wrapped_lengths else 0
    lower_raw = raw.lower() if ocr else ""

    seps = ["break"]
    for i in range(1, n):
        a, b = check[i - 1], check[i]
        it = items[i]
        hyphen = ocr and bool(_HYPHEN_END.search(a)) and _starts_lower(b)
        joined = "hyphen"
        if hyphen:
            left = _WORD_BEFORE.search(a)
            right = _WORD_AFTER.search(b)
            if left and right and f"{left.group(1)}-{right.group(1)}".lower() in lower_raw:
                joined = "keep-hyphen"
        else:
            joined = "join"
        if it.gap_blank or it.gap_page:
            cont = _starts_lower(b) or (it.gap_page and _mid_phrase(a))
            seps.append(joined if ocr and not ends_sentence(a) and cont else "break")
        elif line_paragraphs:
            seps.append("break")
        elif hyphen:
            seps.append(joined)
        elif line_style[block_of[i]]:
            seps.append("join" if ocr and not ends_sentence(a) and _starts_lower(b) else "break")
        else:
            indented = raw[it.start - 1] in " \t" if it.start else False
            short = len(a) < 0.75 * width
            seps.append("break" if ends_sentence(a) and (short or indented) else "join")
    return seps


def _percentile(values: list[int], q: float) -> float:
    values = sorted(values)
    return float(values[min(len(values) - 1, int(q * len(values)))])


# --- step 3: emit characters with their raw spans ------------------------------------------


def _emit(
    raw: str, items: list[_Item], seps: list[str], strip_markup: bool
) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for k, it in enumerate(items):
        if k:
            sep = seps[k]
            gap_at = items[k - 1].end
            if sep == "join":
                out.append((" ", gap_at, it.start))
            elif sep == "break":
                out.append((_PARA, gap_at, it.start))
        end = it.end
        if k + 1 < len(items) and seps[k + 1] == "hyphen" and _HYPHEN_END.search(raw[:end]):
            end -= 1  # drop the hyphen itself ("defen-" + "ce" -> "defence")
        i = it.start
        while i < end:
            c = raw[i]
            if strip_markup and c == "<":
                m = MARKUP_TAG.match(raw, i, end)
                if m:
                    if _HARD_BREAK_TAG.fullmatch(m.group()):
                        out.append(("\n", i, m.end()))
                    elif not _INLINE_TAG.fullmatch(m.group()):
                        out.append((" ", i, m.end()))  # <delimiter>, <img3>: a word break
                    i = m.end()
                    continue
            if c in _ZERO_WIDTH or c == "\u00ad":
                i += 1
                continue
            if c.isspace() or unicodedata.category(c) == "Cc":
                out.append((" ", i, i + 1))
            else:
                out.append((c, i, i + 1))
            i += 1
    return out


def _normalise(chars: list[tuple[str, int, int]]) -> tuple[str, list[int], list[int]]:
    """Collapse white space runs, strip the ends, apply NFC per cluster."""
    text: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        c, s, e = chars[i]
        if c in (" ", "\n", _PARA):
            j = i
            kinds = set()
            while j < n and chars[j][0] in (" ", "\n", _PARA):
                kinds.add(chars[j][0])
                j += 1
            if text and j < n:  # no white space at either end
                ws = "\n\n" if _PARA in kinds else "\n" if "\n" in kinds else " "
                for w in ws:
                    text.append(w)
                    offs.append(s)
                    ends.append(chars[j - 1][2] if ws == " " else s + 1)
            i = j
            continue
        # a cluster: a starter and the combining marks / conjoining jamo after it
        j = i + 1
        while j < n and _continues_cluster(chars[j][0]):
            j += 1
        cluster = "".join(ch for ch, _, _ in chars[i:j])
        norm = unicodedata.normalize("NFC", cluster)
        end = chars[j - 1][2]
        for w in norm:
            text.append(w)
            offs.append(s)
            ends.append(end)
        i = j
    return "".join(text), offs, ends


def _continues_cluster(c: str) -> bool:
    return unicodedata.combining(c) != 0 or "\u1160" <= c <= "\u11ff"
