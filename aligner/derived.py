"""Texts derived from a known test reconstruction: an excerpt of it, or a copy with a few
words changed, is a test reconstruction too, and is labelled as one.

:func:`aligner.document.known_reconstruction` recognises the reconstruction's exact text
(any encoding); a reviewer's edited copy or a quoted stretch would otherwise be read as an
archival text, which is what the project must never claim of it. Here a text is cut into
*pieces* — runs between sentence ends and line breaks, NFC, case-folded, white space
collapsed; pieces under :data:`MIN_PIECE` characters (headings, dates, numbers) are left
out — and each piece is fingerprinted (the first 8 hex digits of its sha256). A text is
derived from a reconstruction when at least :data:`MIN_SHARED` of its pieces, and at least
:data:`SHARE` of them, have the fingerprint of one of the reconstruction's pieces. An
independent text in the same language shares no 20-character sentence with it verbatim.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MIN_PIECE = 20   # characters: shorter pieces (a heading, "7 августа 1938 г.") prove nothing
MIN_SHARED = 5   # pieces in common, at the least
SHARE = 0.5      # of the text's pieces

_CUT = re.compile(r"(?<=[.!?…»])\s+|\n+")

# The pieces of corpora/litvinov-1938-08-07/ru.reconstructed.txt, as piece_fingerprints
# gives them (tests/test_document.py checks they still match the bundled file).
_LITVINOV = frozenset("""
036a2ca9 05079655 06141e6a 089c51d0 090b7a00 0ed107bd 106fb7dc 1182ced4 16df6a76 1777c773
1e04236c 1e38a3aa 27967c62 2b62e22b 32185f17 354ac9cd 373f31af 376e56ae 3807ca38 3884eb7b
3d4a1d0b 3fb20725 40f13439 41087956 454fafb5 456b8ba7 45c21320 4a1b3849 4a1f822b 4d9aa393
529bd3b6 57b42e12 59fd78ff 5e3daefd 5fe50f0f 60b756b8 612228e0 63a4eda4 67e12849 69360223
6946c757 6b95b29e 6d394784 6f82ab10 6f99cb62 73b80fbb 76dbda1f 79aa02d5 7e6f1adc 7ea8687e
80309c7c 81cc3cc8 842e0002 89f7346f 8b83415f 8bb4a752 8ee2c458 9699c38e 9768e686 98a0ff96
999acaa7 9a4260b9 9b05a0a7 9e95b519 a06fc518 a07a3eab a5906ee4 a6682694 a7cce514 a9f6229d
ae423fd6 b1e95cca b544f83f b7d3efa6 b823dc43 baeca1a5 bc24453a c0a9de56 c4b6474a c4dd0b45
cb08edcb cee39523 cfd713bc d2716851 d3cf2678 d5e7d412 d829b9e8 d923dce5 d9aebf9e dbab888c
dcb60e30 ddabb69e e03cd051 e12eace0 e2966206 e7546820 e87e9bf8 ee377611 f57f33b8 fab58309
fbfb904f ff85a548
""".split())
KNOWN_PIECES: dict[str, frozenset[str]] = {
    "Litvinov–Shigemitsu record of 7 Aug 1938, Russian test reconstruction": _LITVINOV,
}


def piece_fingerprints(text: str) -> list[str]:
    """The fingerprints of ``text``'s pieces (module doc), in order."""
    return list(_fingerprints(text))


def _fingerprints(text: str):
    start = 0
    for cut in _CUT.finditer(text):  # lazily, piece by piece: a big file stops early
        yield from _fingerprint(text[start:cut.start()])
        start = cut.end()
    yield from _fingerprint(text[start:])


def _fingerprint(piece: str):
    piece = " ".join(unicodedata.normalize("NFC", piece.lstrip("\ufeff")).casefold().split())
    if len(piece) >= MIN_PIECE:
        yield hashlib.sha256(piece.encode("utf-8")).hexdigest()[:8]


def derived_reconstruction(text: str) -> str | None:
    """``"derived from <description> (N of M sentences the same)"`` if ``text`` is derived
    from a known test reconstruction (module doc; pieces counted once each), else None.

    A text with more distinct pieces than a known one has, divided by :data:`SHARE`, cannot
    be derived from it: the scan stops there, so a big file costs a few hundred pieces."""
    most = max(len(known) for known in KNOWN_PIECES.values()) / SHARE
    distinct: set[str] = set()
    for fingerprint in _fingerprints(text):
        distinct.add(fingerprint)
        if len(distinct) > most:
            return None
    for description, known in KNOWN_PIECES.items():
        shared = len(distinct & known)
        if shared >= MIN_SHARED and shared >= SHARE * len(distinct):
            return f"derived from the {description} ({shared} of {len(distinct)} sentences the same)"
    return None
