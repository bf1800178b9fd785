"""Known test reconstructions recognised by their words: in imported alignments (an
imported TSV, TMX or InterText file has the sentences, not the file) and in files read
(:func:`aligner.document.known_reconstruction` checks their bytes and whole text first).

An alignment made elsewhere has the sentences as that tool split, joined, trimmed or left
out some of them (a translation memory drops 1-0 beads); a reviewer may have corrected a
few, or pasted some into a text of their own. So the check here is word *shingles*: a text's word
5-grams (lower case, ё as е, punctuation and spacing ignored), hashed, and of those the
quarter whose hash is 0 mod 4 kept as its sample — containment of sampled shingles
estimates the share of a text's 5-grams that another text has (Broder 1997, "On the
resemblance and containment of documents", §2, mod-m sampling).

A document is the reconstruction when at least :data:`MIN_SHARED` of its sampled shingles
are the reconstruction's and either half of its own sample (it is mostly the
reconstruction) or half of the reconstruction's (it holds most of it), or when it holds
:data:`MIN_SHARED_ANYWAY` of them (two or three of its sentences pasted into a longer
text). It is looked for in every language of its script, so a wrong Cyrillic language code
does not hide it. An independent translation of the same exhibit (the archival text, when
found) shares phrases, not runs of 25 words; the bundled Russian stories share none.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: Words a shingle spans, and the sampling modulus (one shingle in 4 is kept).
SHINGLE_WORDS, SAMPLE_MOD = 5, 4
#: Fewest shared sampled shingles that count (about a dozen 5-grams: a run of ~16 words).
MIN_SHARED = 3
#: Share of a sample (the document's, or the reconstruction's) that makes a match.
MIN_SHARE = 0.5
#: Or this many shared sampled shingles, whatever the shares: a run of about 25 words of
#: the reconstruction (two or three sentences of it pasted into a longer file make that file
#: a test text too; its paragraphs of 24 words or more give 5 to 56). None of the 152
#: Russian files of the evaluation data shares a single one.
MIN_SHARED_ANYWAY = 5

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class KnownText:
    """A known test reconstruction: its ``description``, ``lang`` and shingle ``sample``
    (:func:`shingle_sample` of its file)."""

    description: str
    lang: str
    sample: frozenset[str]


def words_of(text: str) -> list[str]:
    """The words of ``text``: NFC, lower case, ё as е (DVP prints е), ``\\w+`` runs."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower().replace("ё", "е"))


def shingle_sample(texts: Iterable[str]) -> frozenset[str]:
    """The sampled shingles of the texts read as one: each run of :data:`SHINGLE_WORDS`
    words hashed (BLAKE2b, 4 bytes, hex), kept when the hash is 0 mod :data:`SAMPLE_MOD`."""
    words = [w for t in texts for w in words_of(t)]
    out = set()
    for i in range(len(words) - SHINGLE_WORDS + 1):
        digest = hashlib.blake2b(" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8"), digest_size=4)
        if int.from_bytes(digest.digest(), "big") % SAMPLE_MOD == 0:
            out.add(digest.hexdigest())
    return frozenset(out)


#: corpora/litvinov-1938-08-07/ru.reconstructed.txt (tests/test_imports.py checks that
#: :func:`shingle_sample` of the file is this).
LITVINOV_RU = KnownText("Litvinov–Shigemitsu record of 7 Aug 1938, Russian test reconstruction", "ru",
                        frozenset("""
    001a66cc 00d2fd7c 00f5a68c 010b7508 0138bbb0 0167f9f0 016f89cc 029ce524 031f3980
    040a22d8 04c3f838 05314574 055f2878 07e820cc 08b88d3c 091f59c4 09398d48 0ad2f4b4
    0b8a6fb0 0be9115c 0bfb93b4 0ce43434 0d09449c 0d3ced6c 0d7f4bfc 0d917a78 0df16fe8
    0df7f820 0e21d860 0f18070c 0fa80778 0ffe8c3c 11405558 11547008 12220fdc 127bd2fc
    1287c3a0 12c04768 13282b90 13303288 14d84458 15184dec 152bd484 15a1285c 16405cf4
    1668e74c 18af6604 18d4c500 19025c30 1a680d94 1aeb28a0 1afe1548 1f68181c 1fd20768
    214157f8 219d7a54 226fd240 22d10f24 22d80ce8 2382b0fc 23f10850 243be958 253069e0
    25dd5128 280343d0 2835ec60 2847be1c 287829a8 28790348 2a43ac50 2a78c6f0 2b7f7d08
    2bcc2674 2c185e78 2db48d08 2e7e303c 2e9baea8 2f54e1b8 2f68e454 2f7dbd74 2fc76f24
    2fc9a820 30cf51a4 31b15e84 32e88f88 3447a604 3454cb34 34f9a79c 35855768 36ec825c
    37c4fad4 37fa4f7c 384a6444 39b7e3ac 3ad3bce4 3b07e458 3b328444 3bbcd9cc 3c3c4248
    3e580e7c 3f270590 3f3bd39c 3f571208 40227210 406610f0 41ac5e10 424a8c04 43705c8c
    4525fe00 452e8790 459efd64 465317b4 4862be4c 49302c54 493c5f7c 4a80d640 4b695c18
    4bfa50e8 4bfadff8 4cef383c 4d4db1c0 4dd2f96c 4dda2094 4e3cd61c 4f0b3030 51684bb4
    519d9c08 5373b798 53e7c30c 54ec1d40 55845b84 564dbdf0 57014dac 5745b478 57ad6620
    58ffe360 595eb818 5a629d48 5aaef674 5ac4874c 5db9a930 5dfc76f4 5e1c4100 5e3a8dec
    5e43848c 5e763dc0 5eb67bbc 5f0142f0 602aab70 60d2a37c 6168b3f4 638321ac 641190f0
    64726ac8 652caeac 65574d98 66ce35ec 671656fc 671dd254 673cb3c0 67ff891c 68277df0
    6890c9fc 68c786d8 6933a238 696801f4 69e8b98c 6a48d3dc 6a862c00 6b9f7958 6cc4cf64
    6d1bdd64 6e9cac5c 6fe778b4 7067fb54 72681538 73346634 74a4b918 755f6d18 75741a34
    76f2e7ec 777a26ec 77930cd4 796b15b4 797787a8 79aa91e4 79dcff74 79dd9594 7a09cedc
    7b38dcc4 7b9ee138 7ba1a78c 7ba50030 7bb26fcc 7c6a0278 7c84f8a8 7df6335c 7e715bbc
    7eafcfe0 7efea3a0 804cecf4 80975ea8 8135c554 835de4b0 83b81a00 83f756e0 84a0cfcc
    850006f8 87136f5c 877f2694 879651e0 87af01c8 87f58838 890e4838 895f4870 89a358e0
    8aac5788 8ad40b2c 8bffb278 8c024d14 8c2202f8 8ce2d444 8d35b1a8 8d3dfebc 8dcdf964
    8e1512c8 8ef9295c 90513258 9163618c 91b86ad4 91e679b4 91f214bc 92304b98 9248037c
    927fa07c 932b68d0 94208b14 94a3b324 94baef48 970c9030 976fdba0 986ae09c 9877ed18
    9909bb74 991a8258 99be3024 9a2a4bac 9b6a8f20 9c62dffc 9c70a160 9cb6cc20 9d5d33d0
    9dc4ce34 9e836854 a06e0140 a0b35c78 a1d8b308 a2263bf0 a2b30134 a2e42ed4 a36d61ac
    a3920830 a41715b0 a4630520 a4cac72c a5126a74 a53d7c4c a63c2424 a6728f94 a6e869e4
    a7ce1930 a95d3678 a9b8b320 a9db059c ab5c5424 ac15d720 ac634d80 acb0b29c adab1904
    adeb2824 ae146cf0 ae75bf20 af75a28c aff50664 b1fd0a00 b2cbc470 b35b1904 b38639f4
    b39233cc b3a41904 b3f3b9a4 b4604da4 b56614dc b5767948 b659df60 b7133958 b7830bf0
    b7da5ca8 b9d99668 bb2af1a4 bbc377b4 be626a48 be899ab0 bf8803c4 bfec3780 c0840ee0
    c1f18870 c24d3b4c c2e899fc c31a8310 c40a5348 c4253a2c c4f73ba0 c582c760 c626ca0c
    c664c900 c72c55c8 c7777e90 c7dd931c c84b0c38 c88f8068 c8a654d4 c92725e0 c9683248
    c9d15d08 c9d20814 caf04ed8 cbd60df8 cc04a564 cc1574d0 cd61e4e8 cd695660 cdaf79d8
    cdde4708 cec95f68 d15a5288 d194d434 d2347134 d54530c0 d5479f20 d5562cb4 d568f048
    d637c204 d901a740 d9049500 d92eba94 d93aeb28 d9de7bec da01a6fc da5732e0 da5f3e5c
    dc32a270 dca8a710 dcefa7b0 ddb5b4cc de103afc dee262b0 df1820d8 df7a3844 e04c5d98
    e14de910 e3545ab0 e35db2ac e39d0264 e3d329b0 e3ecd5cc e59d9c24 e65dd778 e665d8b4
    e6bc9cc0 e79536a8 e88fa5ec e89bdaa4 e8dea004 eb51834c ec239368 ec582440 ec851a88
    eea7cdc0 eedff798 ef106eb0 ef2316b4 ef70f454 efbe4e1c f083cc68 f17d75c4 f2ea2f5c
    f3658d6c f4e2aaf4 f7660cd0 f845326c fa63ee10 faf38cc4 fb40127c fbedb9d0 fbf37cb8
    fc1cd808 fd0f5744 ff6d3f14 fff8f5ec
""".split()))

KNOWN_TEXTS: tuple[KnownText, ...] = (LITVINOV_RU,)


def recognise_reconstruction(sentences: Iterable[str], lang: str | None) -> str | None:
    """The description of the known test reconstruction these sentences (of language
    ``lang``; None: any) are, by the rule of the module doc; else None. About 1–2 seconds
    per million words of a language that has a known reconstruction."""
    from aligner.document import CYRILLIC_LANGS  # a wrong Cyrillic code ("uk") is no way out

    def same_script(a: str) -> bool:
        return lang is None or a == lang or (a in CYRILLIC_LANGS and lang in CYRILLIC_LANGS)

    candidates = [k for k in KNOWN_TEXTS if same_script(k.lang)]
    if not candidates:
        return None
    sample = shingle_sample(sentences)
    for known in candidates:
        shared = len(sample & known.sample)
        if shared >= MIN_SHARED_ANYWAY or \
                (shared >= MIN_SHARED and shared >= MIN_SHARE * min(len(sample), len(known.sample))):
            return known.description
    return None
