"""The gold sets of ``bench/quality.py`` (../shared/eval-data, see its README.md) and the
published figures they are compared with."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import AlignerError, InputError
from aligner.evaluate import RawBead, read_beads

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval-data"
NTREX_RATES = (0.0, 0.05, 0.10, 0.20)
CORPUS_NAMES = ("textberg", "mac-test", "mac-dev", "nonlit", "ntrex", "bilinguator")

# Published scores from ../shared/eval-data/README.md §2: (P, R, F1) per metric column.
# "strict"/"lax" are metric 1a, "exact" is metric 1b.
PUBLISHED: dict[str, dict[str, dict[str, tuple[float, float, float]]]] = {
    "textberg": {  # README §2.4: Vecalign README (LASER); Bertalign README HEAD (LaBSE)
        "Vecalign (LASER)": {"strict": (.899, .904, .902), "lax": (.985, .987, .986)},
        "Vecalign (LaBSE, Bertalign 2021)": {"strict": (.869, .857, .863), "lax": (.993, .984, .988)},
        "Bertalign (LaBSE)": {"strict": (.932, .941, .936), "lax": (.987, .991, .989)},
    },
    "mac-test": {  # README §2.1: aligner-eval README, metric 1b
        "Gale-Church": {"exact": (.442, .470, .455)},
        "Hunalign": {"exact": (.566, .656, .607)},
        "Bleualign": {"exact": (.711, .644, .676)},
        "Vecalign (LaBSE)": {"exact": (.860, .886, .873)},
        "Bertalign (LaBSE)": {"exact": (.906, .912, .909)},
    },
    "mac-dev": {  # README §2.3: Bertalign README 2021, metric 1a
        "Gale-Church": {"strict": (.472, .497, .485), "lax": (.727, .746, .737)},
        "Hunalign": {"strict": (.573, .653, .610), "lax": (.811, .897, .852)},
        "Bleualign": {"strict": (.676, .609, .641), "lax": (.929, .823, .873)},
        "Vecalign (LaBSE)": {"strict": (.848, .878, .863), "lax": (.995, .999, .997)},
        "Bertalign (LaBSE)": {"strict": (.909, .914, .911), "lax": (.996, 1.0, .998)},
    },
    "nonlit": {  # README §2.5: aligner-eval README, metric 1b, pooled over aca/pol/mag
        "Gale-Church": {"exact": (.852, .852, .852)},
        "Hunalign": {"exact": (.884, .917, .900)},
        "Bleualign": {"exact": (.923, .900, .911)},
        "Vecalign (LaBSE)": {"exact": (.979, .980, .979)},
        "Bertalign (LaBSE)": {"exact": (.987, .987, .987)},
    },
}


@dataclass
class Doc:
    """One bitext with gold: ``src``/``tgt`` sentences, ``gold`` beads over their 0-based ids."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[RawBead]


@dataclass
class Corpus:
    """A named set of documents, or the reason it cannot be run."""

    name: str
    docs: list[Doc] = field(default_factory=list)
    skip: str = ""
    note: str = ""


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: missing")
    return path.read_text(encoding="utf-8").splitlines()


def _checked(doc: Doc) -> Doc:
    """Refuse gold that points past the end of a sentence file (a wrong file pairing)."""
    top_s = max((i for s, _ in doc.gold for i in s), default=-1)
    top_t = max((j for _, t in doc.gold for j in t), default=-1)
    if top_s >= len(doc.src) or top_t >= len(doc.tgt):
        raise InputError(f"{doc.name}: gold refers to sentence ids beyond the text files")
    return doc


def _folder_corpus(name: str, src_dir: Path, tgt_dir: Path, gold_dir: Path, prefix: str = "") -> list[Doc]:
    docs = []
    for gold in sorted(p for p in gold_dir.iterdir() if p.is_file()):
        key = gold.name.removesuffix(".align")
        docs.append(_checked(Doc(prefix + key, _lines(src_dir / key), _lines(tgt_dir / key), read_beads(gold))))
    if not docs:
        raise InputError(f"{gold_dir}: no gold files")
    return docs


def load_corpus(name: str, works: str, seed: int) -> list[Corpus]:
    """Load corpus ``name``; returns one Corpus per reported row (ntrex gives one per rate)."""
    try:
        if name == "textberg":
            base = EVAL / "text+berg" / "bertalign-text+berg"
            return [Corpus(name, _folder_corpus(name, base / "de", base / "fr", base / "gold"), note="de→fr")]
        if name in ("mac-test", "mac-dev"):
            base = EVAL / name
            s, t = ("src", "tgt") if name == "mac-test" else ("zh", "en")
            return [Corpus(name, _folder_corpus(name, base / s, base / t, base / "gold"), note="zh→en")]
        if name == "nonlit":
            docs = []
            for sub in ("aca", "pol", "mag"):
                base = EVAL / "aligner-eval-nonliterary" / sub
                docs += _folder_corpus(name, base / "src", base / "tgt", base / "gold", prefix=f"{sub}/")
            return [Corpus(name, docs, note="aca en→zh, pol zh→en, mag en→zh")]
        if name == "ntrex":
            from aligner.perturb import perturb_bitext, read_ntrex_documents

            originals = read_ntrex_documents(EVAL / "ntrex128", src_lang="rus")
            out = []
            for rate in NTREX_RATES:
                docs = []
                for k, d in enumerate(originals):
                    p = perturb_bitext(d.src, d.tgt, rate=rate, seed=seed * 1000 + k)
                    docs.append(Doc(f"{k:03d}-{d.doc_id}", p.src, p.tgt, p.gold))
                out.append(Corpus(f"ntrex@{rate:.2f}", docs, note="ru→en, perturbed"))
            return out
        if name == "bilinguator":
            return [load_bilinguator(works)]
    except OSError as exc:
        return [Corpus(name, skip=f"data absent: {exc.filename or exc}")]
    except AlignerError as exc:
        return [Corpus(name, skip=f"data unusable: {exc}")]
    raise SystemExit(f"unknown corpus {name!r}; choose from {', '.join(CORPUS_NAMES)}")


@dataclass
class ParagraphDoc(Doc):
    """A work: sentences with the gold paragraph (line number) each belongs to."""

    src_para: list[int] = field(default_factory=list)
    tgt_para: list[int] = field(default_factory=list)
    para_gold: list[RawBead] = field(default_factory=list)


def _clean_unit(line: str) -> str:

    line = line.replace("<delimiter>", "\n")
    return re.sub(r"</?(?:h1|b|i)>", "", line)


DEFAULT_WORKS = ("nos", "khameleon", "aptekarsha", "smert_ivana_ilyicha", "malchik_u_khrista_na_yolke",
                 "the_canterville_ghost", "the_happy_prince", "the_gift_of_the_magi")


def load_bilinguator(works: str) -> Corpus:
    """Segment each paragraph of the selected ru/en works with ``aligner.segment.split_sentences``.

    ``works`` is ``"default"`` (:data:`DEFAULT_WORKS`), ``"all"`` (39 works) or an integer N
    (the first N works in alphabetical order).
    """
    try:
        from aligner.segment import split_sentences
    except ImportError as exc:
        return Corpus("bilinguator", skip=f"aligner.segment.split_sentences not available ({exc})")
    folder = EVAL / "bilinguator-ru-en" / "texts"
    if not folder.is_dir():
        return Corpus("bilinguator", skip=f"{folder} absent")
    names = sorted(p.name for p in folder.iterdir() if (p / f"{p.name}_ru.txt").is_file()
                   and (p / f"{p.name}_en.txt").is_file())
    if works == "default":
        names = [n for n in names if n in DEFAULT_WORKS]
    elif works != "all":
        if not works.isdigit():
            raise SystemExit(f"--works must be 'default', 'all' or a number, not {works!r}")
        names = names[: int(works)]
    docs: list[Doc] = []
    for name in names:
        ru = _lines(folder / name / f"{name}_ru.txt")
        en = _lines(folder / name / f"{name}_en.txt")
        if len(ru) != len(en):
            raise InputError(f"{name}: ru and en have different line counts ({len(ru)}, {len(en)})")
        doc = ParagraphDoc(name, [], [], [])
        for i, (r, e) in enumerate(zip(ru, en)):
            rs = [_text(s) for s in split_sentences(_clean_unit(r), "ru")]
            es = [_text(s) for s in split_sentences(_clean_unit(e), "en")]
            rs, es = [s for s in rs if s.strip()], [s for s in es if s.strip()]
            doc.src += rs
            doc.tgt += es
            doc.src_para += [i] * len(rs)
            doc.tgt_para += [i] * len(es)
            if rs or es:
                doc.para_gold.append(((i,) if rs else (), (i,) if es else ()))
        docs.append(doc)
    return Corpus("bilinguator", docs, note=f"ru→en, {len(docs)} works, paragraph gold")


def _text(sentence) -> str:
    return sentence if isinstance(sentence, str) else sentence.text


def paragraph_beads(beads: Sequence[RawBead], src_para: list[int], tgt_para: list[int]) -> list[RawBead]:
    """Project sentence beads to paragraph beads: paragraphs linked by any sentence bead join
    one bead (connected components); paragraphs with no link become null beads."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, t in beads:
        nodes = [("s", src_para[i]) for i in s] + [("t", tgt_para[j]) for j in t]
        for node in nodes:
            find(node)
        if s and t:
            for node in nodes[1:]:
                parent[find(node)] = find(nodes[0])
    groups: dict[tuple[str, int], tuple[set[int], set[int]]] = {}
    for node in list(parent):
        ss, tt = groups.setdefault(find(node), (set(), set()))
        (ss if node[0] == "s" else tt).add(node[1])
    return sorted(((tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values()),
                  key=lambda b: (b[0] or b[1])[0])


def inside_share(beads: Sequence[RawBead], src_para: list[int], tgt_para: list[int]) -> tuple[int, int]:
    """(beads inside one gold paragraph pair, linked beads): a linked sentence bead is inside
    when all its sentences, both sides, come from the same aligned paragraph."""
    inside = total = 0
    for s, t in beads:
        if s and t:
            total += 1
            inside += len({src_para[i] for i in s} | {tgt_para[j] for j in t}) == 1
    return inside, total
