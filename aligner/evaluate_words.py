"""Word-alignment evaluation: P/R/F1 and AER on Pharaoh ``i-j`` links, and the file formats.

* **Pharaoh format**: one line per sentence pair, links ``i-j`` separated by spaces, ``i``
  the 0-based source token index and ``j`` the target's. A possible (not sure) link is
  written ``i?j`` (the convention of Och & Ney's and the WPT 2003/2005 gold files); XL-WA
  has sure links only.
* **Pairs TSV**: one pair a line, source tokens TAB target tokens (tokens separated by
  single spaces), further columns ignored (XL-WA's third column holds its gold links).

Metrics (Och & Ney 2003, "A Systematic Comparison of Various Statistical Alignment
Models"), summed over all pairs: with A the test links, S the sure and P the possible
gold links (S ⊆ P), precision = |A ∩ P| / |A|, recall = |A ∩ S| / |S|,
AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|). With sure links only (P = S), AER = 1 - F1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from aligner.errors import InputError

_LINK = re.compile(r"^(\d+)([-?])(\d+)$")
Links = set[tuple[int, int]]


@dataclass(frozen=True)
class GoldLinks:
    """The gold links of one sentence pair: ``sure`` ⊆ ``possible``."""

    sure: frozenset[tuple[int, int]]
    possible: frozenset[tuple[int, int]]


def parse_pharaoh_line(line: str, where: str = "<string>") -> GoldLinks:
    """Parse one Pharaoh line (``"0-0 1-2 3?4"``; empty = no links).

    Raises:
        InputError: a field is not ``i-j`` or ``i?j`` with non-negative integers.
    """
    sure, possible = set(), set()
    for field in line.split():
        match = _LINK.match(field)
        if match is None:
            raise InputError(f"{where}: {field!r} is not a link 'i-j' (Pharaoh format)")
        pair = (int(match.group(1)), int(match.group(3)))
        possible.add(pair)
        if match.group(2) == "-":
            sure.add(pair)
    return GoldLinks(frozenset(sure), frozenset(possible))


def read_pharaoh(path: str | Path) -> list[GoldLinks]:
    """One :class:`GoldLinks` per line of a Pharaoh file.

    Raises:
        InputError: the file is missing or unreadable, or a line is malformed.
    """
    path = Path(path)
    return [parse_pharaoh_line(line, f"{path}:{n}") for n, line in enumerate(_read_lines(path), 1)]


def format_pharaoh(links: Iterable[tuple[int, int]]) -> str:
    """One Pharaoh line for ``links``, sorted: ``{(1, 2), (0, 0)}`` → ``"0-0 1-2"``."""
    return " ".join(f"{i}-{j}" for i, j in sorted(links))


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    if not text.strip():  # a score of 0 pairs would read as a perfect AER 0.000
        raise InputError(f"{path}: empty file (no sentence pairs)")
    return text.splitlines()


@dataclass(frozen=True)
class TokenPair:
    """One line of a pairs TSV: the source and target tokens (and any further columns)."""

    src: list[str]
    tgt: list[str]
    extra: list[str]


def read_pairs(path: str | Path) -> list[TokenPair]:
    """Read a pairs TSV (module docstring). A blank line is a pair of two empty sentences.

    Raises:
        InputError: the file is missing or unreadable, or a non-blank line has no tab.
    """
    path = Path(path)
    out = []
    for n, line in enumerate(_read_lines(path), 1):
        if not line.strip():
            out.append(TokenPair([], [], []))
            continue
        columns = line.split("\t")
        if len(columns) < 2:
            raise InputError(f"{path}:{n}: expected source tokens, a tab, target tokens")
        out.append(TokenPair(columns[0].split(), columns[1].split(), columns[2:]))
    return out


def write_pairs(path: str | Path, pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> None:
    """Write ``(source tokens, target tokens)`` pairs as a pairs TSV."""
    Path(path).write_text("".join(f"{' '.join(s)}\t{' '.join(t)}\n" for s, t in pairs), encoding="utf-8")


@dataclass(frozen=True)
class WordScore:
    """Corpus-level word-alignment scores (micro-averaged over pairs)."""

    precision: float
    recall: float
    f1: float
    aer: float
    pairs: int
    test_links: int
    sure_links: int

    def format(self) -> str:
        """One line: ``P 0.874  R 0.827  F1 0.849  AER 0.151  (90 pairs, 1050 links, 1113 sure)``."""
        return (f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  AER {self.aer:.3f}  "
                f"({self.pairs} pairs, {self.test_links} links, {self.sure_links} sure)")


def score_links(test: Sequence[Iterable[tuple[int, int]]], gold: Sequence[GoldLinks]) -> WordScore:
    """P, R, F1 (of precision against P and recall against S) and AER (Och & Ney 2003).

    Raises:
        InputError: ``test`` and ``gold`` have different numbers of pairs.
    """
    if len(test) != len(gold):
        raise InputError(f"the test has {len(test)} sentence pairs and the gold {len(gold)}")
    a = a_s = a_p = s = 0
    for links, g in zip(test, gold):
        links = set(links)
        a += len(links)
        s += len(g.sure)
        a_s += len(links & g.sure)
        a_p += len(links & g.possible)
    precision = a_p / a if a else 0.0
    recall = a_s / s if s else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    aer = 1.0 - (a_s + a_p) / (a + s) if a + s else 0.0
    return WordScore(precision, recall, f1, aer, len(gold), a, s)


def run_evaluate_words(test: str | Path, gold: str | Path) -> WordScore:
    """``aligner evaluate-words TEST GOLD``: score a Pharaoh file against a gold one.

    ``gold`` may also be a pairs TSV whose third column holds the gold links (XL-WA).

    Raises:
        InputError: a file is missing or malformed, or their line counts differ.
    """
    gold_path = Path(gold)
    lines = _read_lines(gold_path)
    if any("\t" in line for line in lines):
        gold_links = [parse_pharaoh_line(p.extra[0] if p.extra else "", f"{gold_path}:{n}")
                      for n, p in enumerate(read_pairs(gold_path), 1)]
    else:
        gold_links = read_pharaoh(gold_path)
    test_links = [g.possible for g in read_pharaoh(test)]
    return score_links(test_links, gold_links)


def run_words(pairs_path: str | Path, src_lang: str, tgt_lang: str, out: str | Path | None = None,
              encoder=None) -> list[str]:
    """``aligner words PAIRS.tsv --src-lang en --tgt-lang ru [-o OUT]``: link the words of
    each pre-tokenised pair; returns the Pharaoh lines and writes them to ``out`` if given.

    Raises:
        InputError: the pairs file is missing or malformed.
    """
    from aligner.words import align_pretokenised

    lines = [align_pretokenised(p.src, p.tgt, src_lang, tgt_lang, encoder).pharaoh()
             for p in read_pairs(pairs_path)]
    if out is not None:
        Path(out).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return lines
