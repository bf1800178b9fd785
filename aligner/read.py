"""Read an input file into text: plain text in archive encodings, or TEI XML.

Plain text: UTF-8 (with or without BOM), UTF-16/32 (with BOM), and legacy single-byte
encodings such as cp1251 and KOI8-R, told apart by charset-normalizer (statistical
detection on letter frequencies/coherence). TEI XML (FRUS-style ``<div type="document">``)
is reduced to its paragraph text.

The raw text returned is the decoded string (BOM removed, newlines as in the file); every
later offset refers to it. Anything unusable raises :class:`aligner.errors.InputError`
with a one-line message naming the file.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.sniff import refuse_non_text
from aligner.tei import TeiDocument, parse_tei

def _max_file_bytes() -> int:
    value = os.environ.get("ALIGNER_MAX_FILE_BYTES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 4 * 1024 * 1024


DEFAULT_MAX_BYTES = _max_file_bytes()
"""Files larger than this are refused: 4 MiB (a long novel; environment
``ALIGNER_MAX_FILE_BYTES`` sets another). Measured (``bench/big_files.py``, use-m3, one core):
aligning 2 MB a side takes about 2 minutes and 2 GB, memory and time growing with the
sentence count; a 50 MB text would need 10+ GB and an hour, so it is refused at once."""

TEI_SUFFIXES = (".xml", ".tei")

# BOM -> codec, longest first (the UTF-32-LE BOM starts with the UTF-16-LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Magic numbers of binary formats people upload by mistake -> readable name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF", "a PDF (extract its text first)"),
    (b"PK\x03\x04", "a ZIP/DOCX/ODT archive (save it as plain text first)"),
    (b"\xd0\xcf\x11\xe0", "an MS Office binary document (save it as plain text first)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
)

# Share of C0/C1 control characters (other than tab/newlines/form feed) above which a
# decoded "text" is really binary data that happened to decode in a single-byte codec.
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class RawText:
    """A file as read.

    ``text``: the decoded text (BOM stripped; for TEI, the extracted paragraphs, one per
    line, documents separated by a blank line). ``encoding``: the codec used (Python name).
    ``sha256``: hex digest of the file's bytes. ``is_tei``: read as TEI XML.
    """

    path: str
    text: str
    encoding: str
    sha256: str
    is_tei: bool = False


# --- public API ------------------------------------------------------------------------


def read_text(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawText:
    """Read ``path`` as plain text or TEI XML.

    ``encoding`` overrides detection (any Python codec name). TEI is recognised by the
    suffix ``.xml``/``.tei`` or by content starting with ``<?xml`` / ``<TEI``.

    Raises InputError: missing file, directory, larger than ``max_bytes``, empty or
    white space only, binary, undecodable, unknown ``encoding``, malformed XML, an HTML
    page or an alignment file (:func:`aligner.sniff.refuse_non_text`).
    """
    path = Path(path)
    data = read_bytes(path, max_bytes)
    return raw_text_from_bytes(data, display_name(path.name), encoding=encoding,
                               path=display_name(str(path)))


def display_name(name: str) -> str:
    """A file name as text that can be printed and stored.

    Linux hands Python a name that is not UTF-8 (a Russian archive unpacked with its cp1251
    names) with its bytes as lone surrogates, which no UTF-8 output or database takes. Those
    bytes are decoded as UTF-8 if they are, else as cp1251 (the Russian archives' Windows
    code page), else with replacement characters. A proper name comes back unchanged.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        data = os.fsencode(name)
    for codec in ("utf-8", "cp1251"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", errors="replace")


def raw_text_from_bytes(
    data: bytes,
    filename: str,
    *,
    encoding: str | None = None,
    path: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawText:
    """Like :func:`read_text` for bytes already in memory (e.g. an upload).

    ``filename`` names the data in error messages and decides TEI by its suffix.
    """
    name = Path(filename).name or "<upload>"
    if len(data) > max_bytes:
        raise InputError(size_error(name, len(data), max_bytes))
    if not data:
        raise InputError(f"{name}: file is empty")
    refuse_non_text(data, name)  # an HTML page, a TMX or InterText alignment
    digest = hashlib.sha256(data).hexdigest()
    if _looks_like_tei(data, name):
        docs, enc = parse_tei(data, name, encoding)
        text = "\n\n".join(d.text for d in docs if d.text)
        if not text.strip():
            raise InputError(f"{name}: the TEI file contains no paragraph text")
        return RawText(path or name, text, enc, digest, is_tei=True)
    text, enc = decode_bytes(data, name, encoding=encoding)
    return RawText(path or name, text, enc, digest, is_tei=False)


def read_tei_documents(
    path: str | Path, *, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[TeiDocument]:
    """The ``<div type="document">`` elements of a TEI file, in order.

    Files without such divs give one document from the ``<body>`` (or the whole file).
    Raises InputError as :func:`read_text`, and when no paragraph text is found.
    """
    path = Path(path)
    return tei_documents_from_bytes(read_bytes(path, max_bytes), path.name, encoding=encoding)


def tei_documents_from_bytes(data: bytes, name: str, *, encoding: str | None = None) -> list[TeiDocument]:
    """:func:`read_tei_documents` for bytes in memory (``name`` names them in errors)."""
    docs, _ = parse_tei(data, name, encoding)
    docs = [d for d in docs if d.text]
    if not docs:
        raise InputError(f"{name}: the TEI file contains no paragraph text")
    return docs


def decode_bytes(data: bytes, name: str, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode plain-text bytes -> ``(text, codec name)``; BOM removed.

    Order: explicit ``encoding``; a BOM; strict UTF-8; charset-normalizer's best guess.
    Raises InputError for binary, undecodable or white-space-only data.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"{name}: unknown encoding {encoding!r}") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: cannot be decoded as {encoding} (byte {exc.start}: {exc.reason})"
            ) from None
        enc = codecs.lookup(encoding).name
    else:
        text, enc = _detect_and_decode(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_text(text, name)
    return text, enc


# --- helpers ---------------------------------------------------------------------------


def read_bytes(path: Path, max_bytes: int, *, size_hint: bool = True) -> bytes:
    """The bytes of the file at ``path``. Raises InputError: missing, a directory, larger
    than ``max_bytes`` (``size_hint``: say how to raise the aligner's limit), unreadable."""
    name = display_name(path.name or str(path))
    if not path.exists():
        raise InputError(f"{name}: no such file ({display_name(str(path))})")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(size_error(name, size, max_bytes, hint=size_hint))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def size_error(name: str, size: int, limit: int, *, hint: bool = True) -> str:
    """The refusal of a file over the limit, in exact bytes however close the two are
    (rounded megabytes once read "50.00 MB > limit 50.00 MB"), e.g. ``"big.txt: file is too
    large (4,194,305 bytes > limit 4,194,304 bytes = 4 MiB; …)"``; ``hint`` adds how to
    raise the limit and what aligning a big text costs."""
    mib = 1024 * 1024
    whole = f" = {limit / mib:g} MiB" if limit >= mib else ""
    why = ("; ALIGNER_MAX_FILE_BYTES sets another: aligning takes about 1 GB of memory and a "
           "minute per MB of text") if hint else ""
    return f"{name}: file is too large ({size:,} bytes > limit {limit:,} bytes{whole}{why})"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode UTF-16 text that has no BOM, recognised by NUL bytes on one parity only.

    Latin and Cyrillic text in UTF-16 has a zero high byte (Latin) or a 0x04 high byte
    (Cyrillic) in every code unit; either way, text has NULs in one byte position and
    almost none in the other, which binary data does not. Returns None if it is not that.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if low.count(0) <= len(low) // 100 and high.count(0) + high.count(4) >= len(high) * 0.6:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if sum(ch.isprintable() or ch.isspace() for ch in text) >= 0.98 * len(text):
                return text, codec
    return None


def _detect_and_decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise InputError(f"{name}: has a {codec} BOM but is not valid {codec}") from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: binary file ({what}), not text")
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut off inside its last character (`head -c`, a broken download) is
        # still UTF-8: drop the incomplete final sequence (at most 3 bytes), lose nothing else.
        if exc.reason == "unexpected end of data" and len(data) - exc.start <= 3:
            return data[: exc.start].decode("utf-8"), "utf-8"
    from charset_normalizer import from_bytes  # local: import costs ~0.1 s

    best = from_bytes(data).best()
    text, enc = (str(best), codecs.lookup(best.encoding).name) if best else ("", "")
    weak = best is None or (len(data) < _SHORT and best.coherence < 0.1)
    if weak or enc in _CYRILLIC_CODECS:
        text, enc = _best_cyrillic(data, text, enc)
    if not enc:
        raise InputError(f"{name}: binary or undecodable file (no text encoding fits)")
    return text, enc


# Below this many bytes, a guess with no language coherence is weak (charset-normalizer
# reads 12 bytes of KOI8-R Russian as Shift-JIS): a Cyrillic reading that scores well wins.
_SHORT = 200


# Single-byte Cyrillic codecs that charset-normalizer confuses on short texts.
_CYRILLIC_CODECS = ("cp1251", "koi8-r", "koi8-u", "cp866", "mac-cyrillic", "iso8859-5")


def _cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u0400" <= c <= "\u04ff" for c in letters) / max(1, len(letters))


_GLUE = ("Pd", "Po", "Pe", "Pf", "Sc", "Sm", "So")


def _cyrillic_score(text: str) -> float:
    """Plausibility of Russian-like text, per character.

    For: Russian lower-case letters; (less) capitals that start a word. Against: a capital after a lower-case letter (KOI8-R read as cp1251 and vice
    versa swap case), non-Russian Cyrillic letters (ѓ, Њ: cp1251 read as something else),
    Latin letters glued to Cyrillic, symbols and box drawing (cp866 misread), controls.
    """
    score = 0.0
    prev = " "
    for c in text:
        cyr = "\u0410" <= c <= "\u044f" or c in "ёЁ"
        if cyr and c.islower():
            score += 1
        elif cyr:
            score += -2 if prev.islower() else 0.5 if not prev.isalpha() else 0
        elif "\u0400" <= c <= "\u04ff":
            score -= 2
        elif c.isascii() and c.isalpha():
            score -= 3 if ("\u0400" <= prev <= "\u04ff") else 0
        elif unicodedata.category(c) == "Cc" and c not in "\t\n\r\f":
            score -= 5
        elif not c.isascii() and unicodedata.category(c)[0] in "SC":
            score -= 3
        if c.isalpha() and not prev.isascii() and unicodedata.category(prev) in _GLUE:
            score -= 3  # "—игемицу": a dash/quote glued to a word start is a misread capital
        prev = c
    return score / max(1, len(text))


def _best_cyrillic(data: bytes, text: str, enc: str) -> tuple[str, str]:
    """charset-normalizer mixes up the single-byte Cyrillic codecs on short texts (a
    line or two); pick the one whose decoding reads most like Cyrillic prose."""
    best = (_cyrillic_score(text) if enc in _CYRILLIC_CODECS else 0.0, text, enc)
    for codec in _CYRILLIC_CODECS:
        try:
            cand = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _cyrillic_share(cand) < 0.5:
            continue
        score = _cyrillic_score(cand)
        if score < 0.3:
            continue
        if score > best[0]:
            best = (score, cand, codecs.lookup(codec).name)
    return best[1], best[2]


def _check_text(text: str, name: str) -> None:
    if not text.strip():
        raise InputError(f"{name}: file contains only white space")
    controls = sum(
        1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v"
    )
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: binary file (control characters), not text")


def _looks_like_tei(data: bytes, name: str) -> bool:
    if name.lower().endswith(TEI_SUFFIXES):
        return True
    head = data[:200]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            head = head.decode(codec, "ignore").encode("utf-8")
            break
    head = head.lstrip()
    return head.startswith((b"<?xml", b"<TEI"))
