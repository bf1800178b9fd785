"""Ingest: read -> clean -> segment -> :class:`aligner.types.Document`.

Entry points: :func:`prepare_document` (a file), :func:`document_from_bytes` (an upload),
:func:`document_from_text` (a string). All raise :class:`aligner.errors.InputError` for
unusable input and :class:`aligner.errors.UnknownLanguageError` for an unsupported
language, before doing any work on the text.
"""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from pathlib import Path

from aligner.clean import MARKUP_TAG, Cleaned, clean_text
from aligner.errors import AlignerError, InputError
from aligner.read import DEFAULT_MAX_BYTES, RawText, raw_text_from_bytes, read_text
from aligner.segment import normalise_lang, segment
from aligner.types import PROVENANCE_KINDS, Document, Provenance, Sentence


# Texts known to be test reconstructions, by sha256 of their bytes, so that a renamed copy
# is still labelled (corpora/litvinov-1938-08-07/README.md).
KNOWN_RECONSTRUCTIONS: dict[str, str] = {
    "059c36c76c49842d339b949ebd0a82eb3b889cdf6ae27ebc409047da8ac970fa": "Litvinov–Shigemitsu record of 7 Aug 1938, Russian test reconstruction",
}


# The same texts by sha256 of their text (:func:`text_fingerprint`), so that a copy saved in
# another encoding (cp1251, UTF-16) or with CRLF line ends is recognised too.
KNOWN_RECONSTRUCTION_TEXTS: dict[str, str] = {
    "6dec7ab73f08ee451453d73e3222b69aa91323a53645960ecff60c234a9995e3": "Litvinov–Shigemitsu record of 7 Aug 1938, Russian test reconstruction",
}


# Scripts of the supported languages, for the swapped-file check (:func:`check_script`).
# Serbian is left out: it is written in Cyrillic and in Latin.
CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "mk", "ky", "mn", "tt", "ba", "tg", "bg", "kk"})
LATIN_LANGS = frozenset({"en", "de", "fr", "es", "it", "nl", "da", "pl", "sk"})


def check_script(text: str, lang: str, name: str) -> None:
    """Refuse a text whose letters are plainly not in its declared language's script.

    The likely cause is a swapped pair of files (``aligner align en.txt ru.txt --src-lang
    ru``), which would otherwise be segmented by the wrong rules and aligned into nonsense.
    Looks at the first 100,000 characters; needs 100 letters; a Cyrillic-script language
    needs 5 % of its letters Cyrillic, a Latin-script one at most 90 %. Other scripts and
    Serbian are not checked.

    Raises:
        InputError: the text's script does not fit ``lang``.
    """
    if lang not in CYRILLIC_LANGS and lang not in LATIN_LANGS:
        return
    letters = [c for c in text[:100_000] if c.isalpha()]
    if len(letters) < 100:
        return
    share = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    if lang in CYRILLIC_LANGS and share < 0.05:
        raise InputError(f"{name}: declared {lang!r}, but only {share:.0%} of its letters are "
                         "Cyrillic; are the files swapped, or is the language code wrong?")
    if lang in LATIN_LANGS and share > 0.9:
        raise InputError(f"{name}: declared {lang!r}, but {share:.0%} of its letters are "
                         "Cyrillic; are the files swapped, or is the language code wrong?")


def text_fingerprint(text: str) -> str:
    """sha256 of ``text`` as NFC with LF line ends, no BOM and no trailing white space: the
    same for every encoding of one text."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    return hashlib.sha256(text.rstrip().encode("utf-8")).hexdigest()


def known_reconstruction(sha256: str, text: str | None = None, lang: str | None = None) -> str | None:
    """The description of a known test reconstruction with these bytes (sha256) or, given
    ``text``, this text in any encoding, or a text made from one (an edited copy, a run of
    about 25 words of it: :func:`aligner.reconstructions.recognise_reconstruction`, for the
    known texts of ``lang``'s script, or all if None); else None."""
    found = KNOWN_RECONSTRUCTIONS.get(sha256)
    if found is None and text is not None:
        found = KNOWN_RECONSTRUCTION_TEXTS.get(text_fingerprint(text))
    if found is None and text is not None:
        from aligner.reconstructions import recognise_reconstruction

        found = recognise_reconstruction([text], lang)
    return found


def default_kind(filename: str) -> str:
    """``"reconstruction"`` when the file name contains "reconstruct", else ``"other"``.

    (A known reconstruction is recognised by its content in any case: see ``_build``.)"""
    return "reconstruction" if "reconstruct" in Path(filename).name.lower() else "other"


def prepare_document(
    path: str | Path,
    lang: str,
    *,
    presplit: bool = False,
    encoding: str | None = None,
    kind: str | None = None,
    ocr: bool = True,
    title: str | None = None,
    strip_markup: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read, clean and segment the file at ``path``.

    ``presplit``: one sentence per non-empty line, text unchanged (bar outer white space
    and, with ``strip_markup``, tags); ``Sentence.paragraph`` is then the 0-based line
    number. Otherwise sentences come from :func:`aligner.segment.segment` on the cleaned
    text and ``paragraph`` is the 0-based cleaned paragraph. ``ocr``: OCR clean-up (off
    for TEI, which is edited text). ``kind``: provenance kind (default from the name).
    """
    code = normalise_lang(lang)
    raw = read_text(path, encoding=encoding, max_bytes=max_bytes)
    return _build(raw, code, presplit, kind, ocr, title, strip_markup)


def document_from_bytes(
    data: bytes,
    filename: str,
    lang: str,
    *,
    presplit: bool = False,
    encoding: str | None = None,
    kind: str | None = None,
    ocr: bool = True,
    title: str | None = None,
    strip_markup: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """:func:`prepare_document` for bytes in memory (``filename`` names them)."""
    code = normalise_lang(lang)
    raw = raw_text_from_bytes(data, filename, encoding=encoding, max_bytes=max_bytes)
    return _build(raw, code, presplit, kind, ocr, title, strip_markup)


def document_from_text(
    text: str,
    lang: str,
    *,
    filename: str = "<text>",
    presplit: bool = False,
    kind: str | None = None,
    ocr: bool = True,
    title: str | None = None,
    strip_markup: bool = False,
    tei: bool = False,
) -> Document:
    """:func:`prepare_document` for a string (sha256 of its UTF-8 bytes). ``tei``: the
    string is text extracted from TEI (one paragraph per line, no OCR clean-up)."""
    code = normalise_lang(lang)
    if not text.strip():
        raise InputError(f"{filename}: text is empty or white space only")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    raw = RawText(filename, text.removeprefix("\ufeff"), "utf-8", digest, tei)
    return _build(raw, code, presplit, kind, ocr, title, strip_markup)


def raw_line_numbers(doc: Document) -> list[int]:
    """0-based raw line ("\\n"-separated) on which each sentence starts.

    For one-unit-per-line files (bilinguator: line i of _ru <-> line i of _en) this is the
    unit id even where ``Sentence.paragraph`` is not: lines that clean to nothing (a bare
    ``<img1>``, a page number) are not paragraphs of the cleaned text.
    """
    newlines = [i for i, c in enumerate(doc.raw_text) if c == "\n"]
    return [bisect.bisect_right(newlines, s.raw_start - 1) for s in doc.sentences]


# --- assembly ------------------------------------------------------------------------------


def _build(
    raw: RawText,
    lang: str,
    presplit: bool,
    kind: str | None,
    ocr: bool,
    title: str | None,
    strip_markup: bool,
) -> Document:
    name = Path(raw.path).name
    check_script(raw.text, lang, name)
    if known_reconstruction(raw.sha256, raw.text, lang):
        kind = "reconstruction"  # whatever the caller assumed: the content says otherwise
    kind = kind or default_kind(name)
    if kind not in PROVENANCE_KINDS:
        raise AlignerError(f"unknown provenance kind {kind!r}; use one of {', '.join(PROVENANCE_KINDS)}")
    if presplit:
        cleaned, paragraphs = _presplit(raw.text, strip_markup)
        spans = [(s, e) for s, e, _ in paragraphs]
        para_of = [p for _, _, p in paragraphs]
    else:
        cleaned = clean_text(
            raw.text,
            ocr=ocr and not raw.is_tei,
            strip_markup=strip_markup,
            line_paragraphs=raw.is_tei,
        )
        spans = segment(cleaned.text, lang)
        para_of = _paragraph_numbers(cleaned.text, spans)
    sentences = []
    for i, ((s, e), para) in enumerate(zip(spans, para_of)):
        rs, re_ = cleaned.raw_span(s, e)
        sentences.append(
            Sentence(i, cleaned.text[s:e], s, e, rs, re_, cleaned.page_at(rs), para)
        )
    if not sentences:
        raise InputError(f"{name}: no text left after clean-up")
    provenance = Provenance(name, raw.sha256, kind, raw.encoding)  # type: ignore[arg-type]
    return Document(
        lang=lang,
        raw_text=raw.text,
        clean_text=cleaned.text,
        offsets=cleaned.offsets,
        sentences=sentences,
        provenance=provenance,
        title=title if title is not None else Path(name).stem,
        page_starts=cleaned.page_starts,
    )


def _paragraph_numbers(text: str, spans: list[tuple[int, int]]) -> list[int]:
    out = []
    para = 0
    pos = 0
    for s, _ in spans:
        para += text.count("\n\n", pos, s)
        pos = s
        out.append(para)
    return out


def _presplit(raw: str, strip_markup: bool) -> tuple[Cleaned, list[tuple[int, int, int]]]:
    """Cleaned text = the non-empty lines joined by "\\n"; (start, end, line no) per line."""
    text: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for line_no, line in enumerate(raw.splitlines(keepends=True)):
        body = line.rstrip("\r\n\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e")
        s, e = pos, pos + len(body)
        while s < e and raw[s].isspace():
            s += 1
        while e > s and raw[e - 1].isspace():
            e -= 1
        chars: list[tuple[str, int]] = []
        k = s
        for m in MARKUP_TAG.finditer(raw, s, e) if strip_markup else ():
            chars += [(raw[i], i) for i in range(k, m.start())]
            if chars and not chars[-1][0].isspace():
                chars.append((" ", m.start()))  # "glide;<delimiter>For" -> "glide; For"
            k = m.end()
        for i in range(k, e):
            if strip_markup and raw[i] == " " and chars and chars[-1][0] == " ":
                continue
            chars.append((raw[i], i))
        while chars and chars[0][0].isspace():
            chars.pop(0)
        while chars and chars[-1][0].isspace():
            chars.pop()
        if chars:
            if text:
                text.append("\n")
                offs.append(pos)
                ends.append(pos)
            start = len(text)
            for c, i in chars:
                text.append(c)
                offs.append(i)
                ends.append(i + 1)
            spans.append((start, len(text), line_no))
        pos += len(line)
    offs.append(len(raw))
    return Cleaned("".join(text), offs, [0], ends), spans
