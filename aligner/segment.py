"""Sentence segmentation: razdel (Russian and other Cyrillic) or pysbd, plus archive rules.

Libraries: razdel (natasha project, rule-based Russian sentenizer) for ``ru`` and the
Cyrillic languages pysbd lacks; pysbd (Sadvilkar & Neumann 2020, "PySBD: Pragmatic
Sentence Boundary Disambiguation", port of the Golden Rules of pragmatic_segmenter) for
the rest. On top of them, rules these archive documents need:

* a boundary is undone when the next piece starts in lower case or with , ; : — and the
  piece before ends in a full stop ("i. e., the", "guaras. who", "U.S.S.R. and");
* ... or when the piece before ends in an abbreviation that never ends a sentence, or an
  initial before a capitalised word ("M. M. Litvinov", «т. Ворошилов», "Def. Doc. No. 3");
* «1938 г.» ends a sentence only before a capitalised word that is not an initial;
* closing quotes after sentence-final punctuation stay with their sentence.

Never crosses a line break: paragraphs ("\\n\\n") and hard breaks ("\\n") are segmented
separately.
"""

from __future__ import annotations

import re
import threading

from aligner.errors import UnknownLanguageError
from aligner.progress import report

# pysbd 0.3.4 languages.
PYSBD_LANGS = (
    "am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy", "it", "ja",
    "kk", "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh",
)  # fmt: skip
# Cyrillic languages pysbd lacks: razdel's Russian rules are the closest fit.
RAZDEL_LANGS = ("ru", "uk", "be", "mk", "sr", "ky", "mn", "tt", "ba", "tg")
SUPPORTED_LANGS = tuple(sorted(set(PYSBD_LANGS) | set(RAZDEL_LANGS)))

# Abbreviations (lower-cased, without the final ".") after which no sentence ends,
# whatever follows. Kept short on purpose: each costs recall on real sentence ends.
NON_FINAL_ABBREVIATIONS = {
    # English titles and references; IMTFE document headers
    "mr", "mrs", "messrs", "dr", "st", "no", "nos", "def", "doc", "exh", "pros", "gen",
    "col", "lt", "capt", "maj", "prof", "vol", "pp", "cf", "viz", "vs", "jr", "sr",
    # Russian: т. (товарищ/том/то есть), тов., гр., им., ул., стр., см., проф., акад., ген.
    "т", "тов", "гр", "им", "ул", "стр", "см", "проф", "акад", "ген",
}  # fmt: skip

_INITIAL = re.compile(r"(?:^|[\s(«\"“])[A-ZА-ЯЁ]\.$")
_LAST_WORD_DOT = re.compile(r"([^\W\d_]+)\.$")
_YEAR_G = re.compile(r"\d\s*гг?\.$")
_NEXT_INITIAL = re.compile(r"^[A-ZА-ЯЁ]\.")
_YEAR_G_INSIDE = re.compile(r"\d\s*гг?\.(\s+)(?=[«\"„“(]?[A-ZА-ЯЁ][^\W\d_])")
_CLOSERS = "\"'»”’)]"


def normalise_lang(lang: str) -> str:
    """``"en-US"`` -> ``"en"``; raises UnknownLanguageError if unsupported."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    if code not in SUPPORTED_LANGS:
        raise UnknownLanguageError(
            f"unsupported language {lang!r} for sentence segmentation; "
            f"supported: {', '.join(SUPPORTED_LANGS)}"
        )
    return code


def segment(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans ``[(start, end), ...]`` into ``text`` (end exclusive), in order.

    Spans are stripped of surrounding white space and never cross a newline. Progress
    (characters done) goes to :func:`aligner.progress.report`.
    Raises UnknownLanguageError for an unsupported ``lang``.
    """
    code = normalise_lang(lang)
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, line in enumerate(text.split("\n")):
        if k % 500 == 0:  # a long text takes a while (pysbd: ~10 s a megabyte)
            report("segment", pos, len(text))
        for c_start, c_end in _chunks(line):
            chunk = line[c_start:c_end]
            if chunk.strip():
                spans += [(pos + c_start + s, pos + c_start + e)
                          for s, e in _cap(chunk, _segment_line(chunk, code))]
        pos += len(line) + 1
    report("segment", len(text), len(text))
    return spans


#: Lines longer than this are cut at sentence ends before the library sees them: pysbd
#: and razdel slow down faster than linearly on a megabyte-long line (an OCR dump with no
#: line breaks), and a 100 kB line already took 5 s.
LINE_CHUNK = 5_000
#: A "sentence" longer than this (a run-on block with no punctuation) is cut at spaces:
#: the encoder's cost and memory grow with the length of one input.
MAX_SENTENCE_CHARS = 2_000
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s+")


def _chunks(line: str) -> list[tuple[int, int]]:
    """``line`` cut into pieces of about :data:`LINE_CHUNK` characters, at a sentence end
    (else a space, else anywhere) — one piece for ordinary lines."""
    out, start = [], 0
    while len(line) - start > LINE_CHUNK:
        window = line[start + LINE_CHUNK // 2 : start + LINE_CHUNK]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        cut = ends[-1] if ends else window.rfind(" ") + 1
        cut = start + LINE_CHUNK // 2 + cut if cut > 0 else start + LINE_CHUNK
        out.append((start, cut))
        start = cut
    out.append((start, len(line)))
    return out


def _cap(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans longer than :data:`MAX_SENTENCE_CHARS` cut at the last space before the limit."""
    out = []
    for s, e in spans:
        while e - s > MAX_SENTENCE_CHARS:
            cut = text.rfind(" ", s + 1, s + MAX_SENTENCE_CHARS)
            cut = cut if cut > s else s + MAX_SENTENCE_CHARS
            out.append(_strip(text, s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if s < e:
            out.append((s, e))
    return out


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentence strings of :func:`segment`."""
    return [text[s:e] for s, e in segment(text, lang)]


# --- one line ------------------------------------------------------------------------------


def _segment_line(line: str, code: str) -> list[tuple[int, int]]:
    pieces = _library_pieces(line, code)
    spans = _locate(line, pieces)
    if code in ("zh", "ja", "ar", "fa", "ur", "hi", "mr", "am", "my"):
        return [s for s in spans if s[0] < s[1]]
    spans = _merge(line, spans)
    spans = _split_year_g(line, spans) if code in RAZDEL_LANGS else _split_in_quotes(line, spans)
    spans = _move_closers(line, spans)
    return [_strip(line, s, e) for s, e in spans if line[s:e].strip()]


def _library_pieces(line: str, code: str) -> list[str]:
    if code in RAZDEL_LANGS:
        from razdel import sentenize

        return [s.text for s in sentenize(line)]
    return _pysbd(code).segment(line)


_PYSBD = threading.local()


def _pysbd(code: str):
    """One pysbd Segmenter per language and thread: ``Segmenter.segment`` keeps the text
    on the instance (``original_text``) and reads it back to locate the sentences, so a
    segmenter shared by two threads (a batch worker and the aligner's line search) can
    return another call's pieces."""
    import pysbd

    segmenters = _PYSBD.__dict__.setdefault("by_lang", {})
    if code not in segmenters:
        segmenters[code] = pysbd.Segmenter(language=code, clean=False)
    return segmenters[code]


def _locate(line: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Map library pieces back to ``line`` by their non-space characters.

    (pysbd's own char_span uses str.find and can land on an earlier repeat.)
    """
    spans = []
    pos = 0
    for piece in pieces:
        chars = [c for c in piece if not c.isspace()]
        if not chars:
            continue
        start = None
        k = 0
        i = pos
        while i < len(line) and k < len(chars):
            c = line[i]
            if c.isspace():
                i += 1
                continue
            if c != chars[k]:
                break  # the library changed the text: give up on exactness
            if start is None:
                start = i
            k += 1
            i += 1
        if start is None or k < len(chars):
            return [(0, len(line))] if not spans else [*spans[:-1], (spans[-1][0], len(line))]
        spans.append((start, i))
        pos = i
    if spans and spans[-1][1] < len(line.rstrip()):
        spans[-1] = (spans[-1][0], len(line.rstrip()))
    return spans


def _strip(line: str, s: int, e: int) -> tuple[int, int]:
    while s < e and line[s].isspace():
        s += 1
    while e > s and line[e - 1].isspace():
        e -= 1
    return s, e


def _no_boundary(before: str, after: str) -> bool:
    """True when a boundary between ``before`` and ``after`` must be undone."""
    before = before.rstrip()
    after = after.lstrip()
    if not before or not after:
        return False
    if not before.endswith("."):
        # a piece starting with , ; : continues; '"Why?" he asked' is one sentence
        if re.search(r"[!?…][\"'»”’)]*$", before):
            return after[0] in ",;:" or after[0].islower()
        return after[0] in ",;:"
    if after[0] in ",;:)" or after[0].islower():
        return True
    m = _LAST_WORD_DOT.search(before)
    word = m.group(1).lower() if m else ""
    if word in NON_FINAL_ABBREVIATIONS:
        if word == "no" and not after[0].isdigit():
            return False  # "… said no. Then" — "No." as abbreviation only before a number
        return True
    if _INITIAL.search(before) and after[0].isupper() and not _YEAR_G.search(before):
        return True  # "M. M. Litvinov", "U. S. Government"
    return False


def _merge(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _no_boundary(line[out[-1][0] : out[-1][1]], line[s:e]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _split_year_g(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split «… в 1938 г. Затем …» (razdel keeps it whole); not before an initial."""
    out = []
    for s, e in spans:
        cut = s
        for m in _YEAR_G_INSIDE.finditer(line, s, e):
            nxt = line[m.end() : e]
            if _NEXT_INITIAL.match(nxt.lstrip("«\"„“(")):
                continue
            out.append((cut, m.start(1)))
            cut = m.end()
        out.append((cut, e))
    return out


_IN_QUOTE_BOUNDARY = re.compile(r"[.!?…]+\s+(?=[\"“‘'(]?[A-Z])")


def _split_in_quotes(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split sentences inside a quotation, which pysbd keeps whole.

    “Very good. Whose dog is it? I won't let this pass!” is three sentences, as razdel
    makes of the Russian; leaving it whole forces 1-3 beads on the aligner. Only ends of
    sentence inside an open quotation are cut, and abbreviations and initials still veto
    (:func:`_no_boundary`).
    """
    out = []
    for s, e in spans:
        cut = s
        for m in _IN_QUOTE_BOUNDARY.finditer(line, s, e):
            before, after = line[cut : m.end()], line[m.end() : e]
            if not _inside_quote(line[s : m.start()]) or _no_boundary(before, after):
                continue
            out.append((cut, m.end()))
            cut = m.end()
        out.append((cut, e))
    return [_strip(line, a, b) for a, b in out if line[a:b].strip()]


def _inside_quote(text: str) -> bool:
    """Does ``text`` leave a double quotation open (“…  or an odd number of ")?"""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _move_closers(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A piece that starts with closing quotes hands them to the sentence before."""
    out = list(spans)
    for k in range(1, len(out)):
        s, e = out[k]
        i = s
        while i < e and line[i].isspace():
            i += 1
        j = i
        while j < e and line[j] in _CLOSERS and _opened(line[out[k - 1][0] : out[k - 1][1]], line[j]):
            j += 1
        if j > i and out[k - 1][1] <= i:
            out[k - 1] = (out[k - 1][0], j)
            out[k] = (j, e)
    return out


def _opened(before: str, closer: str) -> bool:
    """Is there an unclosed quote/bracket in ``before`` that ``closer`` would close?"""
    pairs = {"»": "«", "”": "“", ")": "(", "]": "[", "’": "‘"}
    if closer in pairs:
        return before.count(pairs[closer]) > before.count(closer)
    return before.count(closer) % 2 == 1  # straight quotes
