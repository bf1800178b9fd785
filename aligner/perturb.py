"""Seeded perturbation of a 1-1 gold bitext into a harder bitext with m:n gold beads.

Published ru-en gold with m:n beads does not exist (eval-data README §3), so we make one:
start from a bitext whose gold is line i ↔ line i (e.g. NTREX-128 ru-en news) and apply the
edits that real archival bitexts show, keeping track of the gold beads:

* **merge** two adjacent sentences on one side → a 1-2 (source merged) or 2-1 bead;
* **split** a sentence at a comma/semicolon near its middle → a 2-1 (source split) or 1-2 bead;
* **delete** a sentence on one side → a 0-1 (source deleted) or 1-0 bead;
* **move** one fragment — a run of 1–3 target sentences — elsewhere in the target. Our aligner
  emits monotone beads, so the monotone gold marks the moved target sentences as 0-1 beads
  where they now stand and their source sentences as 1-0 beads where they stayed; an aligner
  that links them across is scored as wrong on them (they are "crossing" links);
* **OCR noise** on target sentences: dropped spaces, letter confusions ("Japanese" →
  "Jaranese"), doubled letters. Noise changes no bead.

``rate`` in [0, 1] scales every edit's probability; rate 0 returns the input unchanged with
1-1 gold. The result is deterministic for a given ``seed`` (``random.Random``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.evaluate import RawBead


@dataclass(frozen=True)
class PerturbConfig:
    """Per-edit weights; the probability of an edit is ``weight * rate`` (capped at 1).

    ``merge``, ``split`` and ``delete`` are chances per 1-1 unit (the side is chosen with equal
    odds); ``move`` is the chance per document of moving one fragment; ``noise`` is the chance per
    target sentence of 1–2 OCR-style edits. Defaults make merges and splits the common case and
    deletions rarer, as in the Text+Berg and MAC gold sets (README §2).
    """

    merge: float = 1.0
    split: float = 0.5
    delete: float = 0.25
    move: float = 5.0
    noise: float = 1.0
    min_move_distance: int = 3


@dataclass
class PerturbedBitext:
    """A perturbed bitext: ``src``/``tgt`` sentence lists and the monotone ``gold`` beads that
    partition both (0-based ids); ``edits`` is a log such as ``"merge-src@12"``."""

    src: list[str]
    tgt: list[str]
    gold: list[RawBead]
    edits: list[str] = field(default_factory=list)


# OCR confusions of Latin letters (single characters and pairs, both directions).
_OCR_SWAPS: dict[str, str] = {
    "p": "r", "r": "p", "m": "rn", "rn": "m", "e": "c", "c": "e", "l": "1", "I": "l",
    "O": "0", "o": "0", "h": "b", "n": "u", "u": "n", "cl": "d", "d": "cl", "f": "t", "S": "5",
}
_SPLIT_PUNCT = re.compile(r"[,;](?=\s)")


def _split_point(sentence: str) -> int | None:
    """Index just after a comma/semicolon lying in the middle 30–70 % of ``sentence``, nearest
    the centre; None if there is none."""
    n = len(sentence)
    best: int | None = None
    for m in _SPLIT_PUNCT.finditer(sentence):
        pos = m.end()
        if 0.3 * n <= pos <= 0.7 * n and (best is None or abs(pos - n / 2) < abs(best - n / 2)):
            best = pos
    return best


def ocr_noise(sentence: str, rng: random.Random, edits: int = 1) -> str:
    """Apply ``edits`` OCR-style edits to ``sentence``: drop a space, swap a letter for a
    look-alike (``_OCR_SWAPS``) or double a letter. Returns the sentence unchanged if it offers
    no place for the chosen edit."""
    s = sentence
    for _ in range(edits):
        kind = rng.choice(("space", "swap", "double"))
        if kind == "space":
            spaces = [i for i, ch in enumerate(s) if ch == " "]
            if spaces:
                i = rng.choice(spaces)
                s = s[:i] + s[i + 1 :]
        elif kind == "swap":
            spots = [(i, k) for k in _OCR_SWAPS for i in _find_all(s, k)]
            if spots:
                i, k = rng.choice(spots)
                s = s[:i] + _OCR_SWAPS[k] + s[i + len(k) :]
        else:
            letters = [i for i, ch in enumerate(s) if ch.isalpha()]
            if letters:
                i = rng.choice(letters)
                s = s[: i + 1] + s[i] + s[i + 1 :]
    return s


def _find_all(s: str, sub: str) -> list[int]:
    out, i = [], s.find(sub)
    while i >= 0:
        out.append(i)
        i = s.find(sub, i + 1)
    return out


def perturb_bitext(
    src: Sequence[str],
    tgt: Sequence[str],
    rate: float,
    seed: int,
    config: PerturbConfig | None = None,
) -> PerturbedBitext:
    """Perturb a 1-1 bitext (``src[i]`` ↔ ``tgt[i]``) and return it with its gold beads.

    Edits (see module docstring) each fire with probability ``weight * rate``. At most one
    edit touches a unit, so every gold bead is 1-1, 1-2, 2-1, 1-0 or 0-1. The gold beads are
    monotone and every output sentence lies in exactly one bead.

    Raises :class:`InputError` if the sides differ in length or ``rate`` is outside [0, 1].
    """
    if len(src) != len(tgt):
        raise InputError(f"a 1-1 bitext needs equal sides; got {len(src)} source, {len(tgt)} target")
    if not 0.0 <= rate <= 1.0:
        raise InputError(f"perturbation rate must be in [0, 1], got {rate}")
    cfg = config or PerturbConfig()
    rng = random.Random(seed)
    edits: list[str] = []
    # A unit is one gold bead: (source sentences, target sentences).
    units: list[tuple[list[str], list[str]]] = [([s], [t]) for s, t in zip(src, tgt)]

    def p(weight: float) -> float:
        return min(1.0, weight * rate)

    out: list[tuple[list[str], list[str]]] = []
    i = 0
    while i < len(units):
        s, t = units[i]
        r = rng.random()
        cut_merge = p(cfg.merge)
        cut_split = cut_merge + p(cfg.split)
        cut_delete = cut_split + p(cfg.delete)
        side = "src" if rng.random() < 0.5 else "tgt"
        if r < cut_merge and i + 1 < len(units):
            s2, t2 = units[i + 1]
            if side == "src":  # one source sentence ↔ two target sentences (1-2)
                out.append(([s[0] + " " + s2[0]], t + t2))
            else:  # 2-1
                out.append((s + s2, [t[0] + " " + t2[0]]))
            edits.append(f"merge-{side}@{i}")
            i += 2
            continue
        if cut_merge <= r < cut_split:
            text = s[0] if side == "src" else t[0]
            cut = _split_point(text)
            if cut is not None:
                parts = [text[:cut].rstrip(), text[cut:].lstrip()]
                out.append((parts, t) if side == "src" else (s, parts))
                edits.append(f"split-{side}@{i}")
                i += 1
                continue
        if cut_split <= r < cut_delete:
            out.append(([], t) if side == "src" else (s, []))
            edits.append(f"delete-{side}@{i}")
            i += 1
            continue
        out.append((s, t))
        i += 1
    units = out

    if rng.random() < p(cfg.move):
        units = _move_fragment(units, rng, cfg.min_move_distance, edits)

    src_out: list[str] = []
    tgt_out: list[str] = []
    gold: list[RawBead] = []
    for s, t in units:
        if not s and not t:
            continue
        gold.append(
            (tuple(range(len(src_out), len(src_out) + len(s))),
             tuple(range(len(tgt_out), len(tgt_out) + len(t))))
        )
        src_out.extend(s)
        tgt_out.extend(t)

    noisy = p(cfg.noise)
    for k, sentence in enumerate(tgt_out):
        if rng.random() < noisy:
            tgt_out[k] = ocr_noise(sentence, rng, edits=rng.choice((1, 2)))
            if tgt_out[k] != sentence:
                edits.append(f"noise-tgt@{k}")
    return PerturbedBitext(src_out, tgt_out, gold, edits)


def _move_fragment(
    units: list[tuple[list[str], list[str]]],
    rng: random.Random,
    min_distance: int,
    edits: list[str],
) -> list[tuple[list[str], list[str]]]:
    """Move the target side of a run of 1–3 untouched 1-1 units elsewhere in the target.

    The run's units keep their source sentences as 1-0 beads; each moved target sentence becomes
    a 0-1 bead at the insertion point, at least ``min_distance`` units before or after the run.
    Returns ``units`` unchanged when the document is too short for that.
    """
    length = rng.choice((1, 2, 3))
    starts = [
        a for a in range(len(units) - length + 1)
        if all(len(units[k][0]) == len(units[k][1]) == 1 for k in range(a, a + length))
    ]
    if not starts:
        return units
    a = rng.choice(starts)
    b = a + length
    # insertion points are gaps between units (0..len); keep them away from the run
    gaps = [g for g in range(len(units) + 1) if g <= a - min_distance or g >= b + min_distance]
    if not gaps:
        return units
    g = rng.choice(gaps)
    moved = [([], list(units[k][1])) for k in range(a, b)]
    stripped = units[:a] + [(list(units[k][0]), []) for k in range(a, b)] + units[b:]
    edits.append(f"move-tgt@{a}-{b - 1}->{g}")
    # g indexes gaps of the original list; the stripped list has the same length, so it holds.
    return stripped[:g] + moved + stripped[g:]


@dataclass
class OneToOneDocument:
    """A document of a 1-1 gold bitext: ``src[i]`` ↔ ``tgt[i]``."""

    doc_id: str
    src: list[str]
    tgt: list[str]


def read_ntrex_documents(folder: str | Path, src_lang: str = "rus") -> list[OneToOneDocument]:
    """Read NTREX-128 (Federmann et al. 2022; eval-data README §3.2) as 1-1 documents.

    ``folder`` holds ``DOCUMENT_IDS.tsv`` and ``NTREX-128/newstest2019-{ref.<src_lang>,src.eng}.txt``.
    The *source* side is the ``src_lang`` reference translation and the *target* the English
    original, because our direction is Russian source → English translation. Each document is a
    contiguous run of lines with the same id (123 documents, 1,997 lines).
    Raises :class:`InputError` if a file is missing or the line counts differ.
    """
    root = Path(folder)
    paths = {
        "ids": root / "DOCUMENT_IDS.tsv",
        "src": root / "NTREX-128" / f"newstest2019-ref.{src_lang}.txt",
        "tgt": root / "NTREX-128" / "newstest2019-src.eng.txt",
    }
    lines: dict[str, list[str]] = {}
    for key, path in paths.items():
        if not path.is_file():
            raise InputError(f"{path}: NTREX file not found")
        lines[key] = path.read_text(encoding="utf-8").splitlines()
    if not len(lines["ids"]) == len(lines["src"]) == len(lines["tgt"]):
        raise InputError(
            f"{root}: NTREX line counts differ (ids {len(lines['ids'])}, "
            f"{src_lang} {len(lines['src'])}, eng {len(lines['tgt'])})"
        )
    docs: list[OneToOneDocument] = []
    for doc_id, s, t in zip(lines["ids"], lines["src"], lines["tgt"]):
        doc_id = doc_id.strip()
        if not docs or docs[-1].doc_id != doc_id:
            docs.append(OneToOneDocument(doc_id, [], []))
        docs[-1].src.append(s)
        docs[-1].tgt.append(t)
    return docs
