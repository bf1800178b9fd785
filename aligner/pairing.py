"""Find which record translates which: document alignment across two languages.

Input: source and target files or folders; every file is split into records
(:mod:`aligner.records`). Output: pairs (source record, target record) with a calibrated
score, a ``partial`` flag and their evidence, and the records left without a partner.

1. **Candidates** (Buck & Koehn 2016, WMT16 document alignment: cheap candidates, then a
   costly score): for each record, the ``candidates`` records of the other language with
   the closest document vector (length-weighted mean of its sentence embeddings), and the
   ``candidates`` that hold most nearest neighbours of its sentences ("votes"; this finds
   a telegram that renders a few paragraphs of a long record, whose document vector is
   far).
2. **Score** (Thompson & Koehn 2020, §3.2, re-scoring by sentence alignment): the
   order-aware chain of :func:`aligner.pairscore.score_pair`, plus the rarity-weighted
   dates, numbers and names both share (:mod:`aligner.evidence`), through a logistic
   fitted by ``bench/pairing.py --fit`` into a probability in [0, 1].
3. **Assignment with a null option**: competitive linking (greedy by score; Melamed 2000;
   Buck & Koehn 2016's 1-1 choice), and a pair only if its score reaches ``threshold``, so
   a record may stay untranslated; a pair needs links in proportion to the shorter
   record's length (one or two links between long records are chance:
   :func:`aligner.pairassign.links_needed`). With ``many``, a record already paired may take
   further renderings (an exhibit and a telegram of the same conversation) when they
   reach the threshold too with at least two linked sentences, scored with the first
   partner out of the comparison (:mod:`aligner.pairfurther`), and a target may render
   parts of several records if those parts do not overlap.
4. **Partial**: the chain runs over less than ``partial_below`` of the source record's
   text and clearly less of it than of the target, or the target is too short to render
   the whole record (:func:`is_partial`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from aligner.errors import InputError
from aligner.evidence import Facts, Rarity, describe, evidence_weight, record_facts, shared_facts
from aligner.pairassign import Candidate, assign
from aligner.pairfurther import rescore_further
from aligner.pairscore import PairScore, ScoreConfig, Side, knn_means, score_pair
from aligner.read import display_name
from aligner.records import Record, read_records, record_documents, record_refs
from aligner.segment import normalise_lang
from aligner.types import Document

FOLDER_SUFFIXES = (".txt", ".xml", ".tei")
"""Files taken from a folder (searched recursively); a file named on its own is always taken."""
VOTERS = 64  # sentences per record that vote for candidates (all of a shorter record)

# Logistic weights of the score: bias, log(chain + CHAIN_FLOOR) (chain in units), shared-
# fact evidence (nats, capped at EVIDENCE_CAP). Fitted by bench/pairing.py --fit on
# bilinguator chunks with same-scene decoys (see its docstring): log-loss 0.040 on 5,524
# candidate pairs (388 positive). With no shared facts a chain of 0.08 gives 0.47, 0.3
# gives 0.999, none (0) 0.005.
SCORE_BIAS, SCORE_CHAIN, SCORE_EVIDENCE = 14.68, 8.64, 0.100
CHAIN_FLOOR = 0.1
EVIDENCE_CAP = 20.0


@dataclass(frozen=True)
class PairConfig:
    """Parameters of :func:`pair_entries`.

    Attributes:
        score: parameters of the chain score.
        candidates: records of the other language scored per record, by document
            vector and again by sentence votes.
        pool_max: largest sample of the other language's sentences the kNN margin and the
            votes are taken over (every k-th sentence beyond it).
        threshold: least score of a pair (the null option).
        partial_below: extent (of either text) under which a pair is partial (see :func:`is_partial`).
        many: allow further renderings of a paired record (see the module doc).
        leftover_threshold: least score of a *tentative* pair, chosen in the second round
            among records left unpaired on both sides (1.0 turns the round off). On
            ``bench/pairing.py --fit``'s labelled collections (bilinguator chunks with
            untranslated records and same-scene decoys; 390 gold pairs) the round takes
            pairing F1 from .928 to .954 (P .988 -> .984, R .874 -> .926); 0.005 gives
            .955, 0.02-0.05 .947. It needs as many links as the first round
            (:func:`aligner.pairassign.links_needed`).
        strip_markup: drop inline tags (<b>, <h1>, <delimiter>) when reading.
        warm_pooled: with an encoder that pools token features (the default use-m3),
            embed through them (:meth:`aligner.embed.CachedEncoder.window_embeddings`,
            windows of one: the same vectors), so that aligning the pairs next finds
            them in the encoder's cache and encodes each sentence once. They take 10 KB a
            sentence in the cache against 2 KB: leave it off to pair only.
    """

    score: ScoreConfig = field(default_factory=ScoreConfig)
    candidates: int = 3
    pool_max: int = 4096
    threshold: float = 0.5
    partial_below: float = 0.8
    many: bool = True
    leftover_threshold: float = 0.01
    strip_markup: bool = True
    warm_pooled: bool = False


@dataclass
class Entry:
    """One record ready to be paired: where it is (``file``, ``record``), its document
    (``doc``; ``base`` + a sentence's raw offset = its offset in the file), the sentences
    that are compared (``rows``: those that reach past the heading; a record's heading,
    document number and date line are not its text), their vectors (``side``) and
    ``facts``."""

    file: str
    record: Record
    doc: Document
    base: int
    ref: str = ""
    side: Side | None = None
    facts: Facts | None = None
    rows: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.rows:
            body = self.record.body_start - self.base
            self.rows = [s.index for s in self.doc.sentences if s.raw_end > body] or \
                [s.index for s in self.doc.sentences]

    @property
    def texts(self) -> list[str]:
        """The compared sentences' texts."""
        return [self.doc.sentences[i].text for i in self.rows]

    def describe(self) -> dict:
        """``{"file", "title", "start", "end", "date", "id", "ref", "label"}`` (``ref``:
        ``FILE`` for a one-record file, else ``FILE#REF`` as
        :func:`aligner.records.load_record` takes it; ``label`` the provenance label, e.g.
        "TEST RECONSTRUCTION — not the archival text")."""
        rec = self.record
        return {"file": self.file, "title": rec.title, "start": rec.start, "end": rec.end,
                "date": rec.date, "id": rec.id or None,
                "ref": f"{self.file}#{self.ref}" if self.ref else self.file,
                "label": self.doc.provenance.label}


def find_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files named in ``paths``, and files with a suffix in :data:`FOLDER_SUFFIXES` found
    recursively in the folders named (sorted; hidden ones skipped).

    Raises InputError: a path does not exist, or a folder holds no such file.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise InputError(f"{path}: no {'/'.join(FOLDER_SUFFIXES)} file in this folder")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def load_entries(paths: Sequence[str | Path], lang: str, *, strip_markup: bool = True,
                 skipped: list[dict] | None = None) -> list[Entry]:
    """Read, split and segment every file of ``paths`` (see :func:`find_files`) into
    :class:`Entry` records (no vectors yet).

    With a ``skipped`` list, a file found in a folder that cannot be used (binary, empty,
    in another script) is left out and named there (``{"file", "reason"}``): one bad file
    in an archive's folder does not stop the run. Raises InputError for unusable input
    otherwise (always for a file named in ``paths`` itself), and when no file of ``paths``
    could be used.
    """
    named = {Path(p) for p in paths if Path(p).is_file()}
    already = len(skipped or [])
    entries = []
    for path in find_files(paths):
        try:
            file = read_records(path, lang)
            docs = record_documents(file, lang, strip_markup=strip_markup)
        except InputError as exc:
            if skipped is None or path in named:
                raise
            skipped.append({"file": display_name(str(path)), "reason": str(exc)})
            continue
        single = len(file.records) == 1 and not file.raw.is_tei
        refs = record_refs(file.records) if len(file.records) > 1 or file.raw.is_tei else [""]
        for rec, doc, ref in zip(file.records, docs, refs):
            entries.append(Entry(display_name(str(path)), rec, doc, 0 if single else rec.start, ref))
    mine = (skipped or [])[already:]
    if not entries and mine:
        raise InputError(f"no usable {lang} file in {', '.join(display_name(str(p)) for p in paths)}: "
                         f"{len(mine)} skipped, e.g. {mine[0]['reason']}")
    return entries


def pair_paths(src_paths: Sequence[str | Path], tgt_paths: Sequence[str | Path], src_lang: str,
               tgt_lang: str, encoder=None, *, config: PairConfig = PairConfig()) -> dict:
    """Pair the records of the source files/folders with those of the target ones.

    ``encoder``: a sentence encoder (default :func:`aligner.embed.get_encoder`). Returns the
    JSON-ready result of :func:`pair_entries`, plus ``"skipped"``: the files of the folders
    that could not be used (:func:`load_entries`). Raises InputError for unusable input and
    UnknownLanguageError for an unsupported language.
    """
    src_lang, tgt_lang = normalise_lang(src_lang), normalise_lang(tgt_lang)
    if encoder is None:
        from aligner.embed import get_encoder
        encoder = get_encoder()
    skipped: list[dict] = []
    sources, targets = load_sides(src_paths, tgt_paths, src_lang, tgt_lang,
                                  strip_markup=config.strip_markup, skipped=skipped)
    return {**pair_entries(sources, targets, encoder, config=config), "skipped": skipped}


def load_sides(src_paths: Sequence[str | Path], tgt_paths: Sequence[str | Path], src_lang: str,
               tgt_lang: str, *, strip_markup: bool = True,
               skipped: list[dict] | None = None) -> tuple[list[Entry], list[Entry]]:
    """The source and the target records (:func:`load_entries` on each side). Raises
    InputError as it does, and when a file is on both sides (the same folder given twice
    would pair every file with itself)."""
    both = set(map(Path.resolve, find_files(src_paths))) & set(map(Path.resolve, find_files(tgt_paths)))
    if both:
        raise InputError(f"{display_name(str(min(both)))} is both a source and a target "
                         f"({len(both)} such file{'s' if len(both) > 1 else ''}): give the sources "
                         "and the targets in separate files or folders")
    return (load_entries(src_paths, src_lang, strip_markup=strip_markup, skipped=skipped),
            load_entries(tgt_paths, tgt_lang, strip_markup=strip_markup, skipped=skipped))


def pair_entries(sources: list[Entry], targets: list[Entry], encoder, *,
                 config: PairConfig = PairConfig()) -> dict:
    """Pair ``sources`` with ``targets`` (see the module doc).

    Returns ``{"pairs": [{"source": {...}, "target": {...}, "score", "partial",
    "evidence"}], "unpaired_source": [...], "unpaired_target": [...], "params": {...}}``;
    each side is described by :meth:`Entry.describe`; pairs are sorted by source file and
    offset; an unpaired record names its best candidate (``"best"``) if it had one.
    Raises InputError if either side has no record.
    """
    scored = score_candidates(sources, targets, encoder, config=config)
    return pair_scored(sources, targets, scored, config, getattr(encoder, "name", ""))


def pair_scored(sources: list[Entry], targets: list[Entry], scored: dict,
                config: PairConfig = PairConfig(), encoder_name: str = "") -> dict:
    """:func:`pair_entries` from candidates already scored (:func:`score_candidates`)."""
    chosen, tentative = assign(scored, config)
    pairs = [pair_json(sources[s], targets[t], scored[s, t], config, tentative=(s, t) in tentative)
             for s, t in chosen]
    pairs.sort(key=lambda p: (p["source"]["file"], p["source"]["start"], -p["score"]))
    return {
        "pairs": pairs,
        "unpaired_source": _unpaired(sources, targets, {s for s, _ in chosen}, scored, 0),
        "unpaired_target": _unpaired(targets, sources, {t for _, t in chosen}, scored, 1),
        "params": {"encoder": encoder_name, "threshold": config.threshold,
                   "leftover_threshold": config.leftover_threshold, "score": asdict(config.score)},
    }


def score_candidates(sources: list[Entry], targets: list[Entry], encoder, *,
                     config: PairConfig = PairConfig()) -> dict[tuple[int, int], Candidate]:
    """Embed the records, pick candidate pairs and score them: ``{(source index, target
    index): Candidate}``; with ``config.many``, the other candidates of the source records
    the first round pairs are scored again as further renderings, with that partner out
    (:func:`aligner.pairfurther.rescore_further`). Raises InputError if either side has no
    record."""
    if not sources or not targets:
        raise InputError("nothing to pair: no source record" if not sources else "nothing to pair: no target record")
    _embed(sources, encoder, config.warm_pooled)
    _embed(targets, encoder, config.warm_pooled)
    _fill_knn(sources, targets, config)
    for entries in (sources, targets):
        for e in entries:
            e.facts = record_facts(e.texts, e.doc.lang)
    rarity = (Rarity.of([e.facts for e in sources]), Rarity.of([e.facts for e in targets]))

    def score(s: int, t: int, side: Side) -> Candidate:
        chain = score_pair(side, targets[t].side, config.score)
        shared = shared_facts(sources[s].facts, targets[t].facts)
        weight = evidence_weight(shared, *rarity)
        return Candidate(chain, weight, describe(shared, sources[s].facts, targets[t].facts),
                         pair_probability(chain.chain, weight), (len(sources[s].rows), len(targets[t].rows)))

    scored = {(s, t): score(s, t, sources[s].side) for s, t in sorted(_candidates(sources, targets, config))}
    if config.many:
        scored = rescore_further(scored, sources, _pool(targets, config.pool_max), config, score)
    return scored


def pair_probability(chain: float, evidence: float) -> float:
    """Probability that a target renders (part of) a source record, from the chain score
    (units) and the shared-fact evidence (nats): a logistic with the module's fitted
    weights."""
    z = SCORE_BIAS + SCORE_CHAIN * math.log(chain + CHAIN_FLOOR) + SCORE_EVIDENCE * min(evidence, EVIDENCE_CAP)
    return 1.0 / (1.0 + math.exp(-z))


def is_partial(score: PairScore, source_chars: int, target_chars: int,
               config: PairConfig = PairConfig()) -> bool:
    """Whether one text of a pair renders only part of the other, so that aligning them
    must leave the rest unaligned (``AlignConfig(partial=True)``). Usually the target
    renders part of the source record: the chain runs over less than ``partial_below`` of
    the source, and clearly less of it than of the target, or the target is too short to
    render the whole (under 0.6 of the source's characters) and the chain covers under half
    of the source. The same test the other way round finds a source that a part of its
    target renders (a telegram given as the source, the record as the target). Extents,
    not coverage: a free translation's chain is sparse but runs from end to end; and a weak
    chain over a short stretch of two texts of like length (a free verse translation) says
    nothing of partiality."""
    def part_of(mine: float, other: float, mine_chars: int, other_chars: int) -> bool:
        short = other_chars < 0.6 * mine_chars
        return mine < config.partial_below and (other - mine > 0.2 or (short and mine < 0.5))

    return part_of(score.source_extent, score.target_extent, source_chars, target_chars) or \
        part_of(score.target_extent, score.source_extent, target_chars, source_chars)


# --- steps ---------------------------------------------------------------------------------


def _embed(entries: list[Entry], encoder, pooled: bool) -> None:
    lengths = [np.array([len(t) for t in e.texts], dtype=np.float32) for e in entries]
    if pooled and getattr(encoder, "pooling", False):
        for e, n in zip(entries, lengths):  # one record at a time: pooled parts are large
            e.side = Side(np.ascontiguousarray(encoder.window_embeddings(e.texts, 1, seams=False)[1, 1:]), n)
        return
    vectors = encoder.encode([t for e in entries for t in e.texts])  # one call: the encoder batches
    at = 0
    for e, n in zip(entries, lengths):
        e.side = Side(vectors[at:at + len(n)], n)
        at += len(n)


def _pool(entries: list[Entry], limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th sentence vector of ``entries`` (at most ``limit``) and its record."""
    vectors = np.concatenate([e.side.vectors for e in entries])
    owner = np.concatenate([np.full(len(e.side.lengths), i) for i, e in enumerate(entries)])
    step = max(1, math.ceil(len(vectors) / limit))
    return vectors[::step], owner[::step]


def _fill_knn(sources: list[Entry], targets: list[Entry], config: PairConfig) -> None:
    for mine, other in ((sources, targets), (targets, sources)):
        pool, _ = _pool(other, config.pool_max)
        # one pass over all sentences: many small products are slow with threaded BLAS
        knn = knn_means(np.concatenate([e.side.vectors for e in mine]), pool, config.score.knn)
        at = 0
        for e in mine:
            e.side.knn = knn[at:at + len(e.side.lengths)]
            at += len(e.side.lengths)


def _candidates(sources: list[Entry], targets: list[Entry], config: PairConfig) -> set[tuple[int, int]]:
    k = config.candidates
    if len(sources) <= k or len(targets) <= k:
        return {(s, t) for s in range(len(sources)) for t in range(len(targets))}
    doc_s, doc_t = _doc_vectors(sources), _doc_vectors(targets)
    cos = doc_s @ doc_t.T
    votes = _votes(sources, targets, config) + _votes(targets, sources, config).T
    out: set[tuple[int, int]] = set()
    for matrix in (cos, votes):
        for s in range(len(sources)):
            out |= {(s, int(t)) for t in np.argsort(-matrix[s])[:k] if matrix[s, t] > 0 or matrix is cos}
        for t in range(len(targets)):
            out |= {(int(s), t) for s in np.argsort(-matrix[:, t])[:k] if matrix[s, t] > 0 or matrix is cos}
    return out


def _doc_vectors(entries: list[Entry]) -> np.ndarray:
    out = np.stack([(e.side.vectors * e.side.lengths[:, None]).sum(axis=0) for e in entries])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def _votes(mine: list[Entry], other: list[Entry], config: PairConfig) -> np.ndarray:
    """``(len(mine), len(other))``: share of each record's sentences (at most
    ``VOTERS`` of them, spread over it) whose nearest sentence in the other language's
    pool lies in each other record."""
    pool, owner = _pool(other, config.pool_max)
    voters = [np.unique(np.linspace(0, len(e.side.lengths) - 1, VOTERS).astype(int)) for e in mine]
    vectors = np.concatenate([e.side.vectors[v] for e, v in zip(mine, voters)])
    record = np.concatenate([np.full(len(v), i) for i, v in enumerate(voters)])
    weight = np.concatenate([np.full(len(v), 1.0 / len(v)) for v in voters])
    nearest = np.concatenate([owner[np.argmax(vectors[s:s + 2048] @ pool.T, axis=1)]
                              for s in range(0, len(vectors), 2048)])
    out = np.zeros((len(mine), len(other)), dtype=np.float32)
    np.add.at(out, (record, nearest), weight)
    return out


def pair_json(source: Entry, target: Entry, candidate: Candidate, config: PairConfig, *,
              tentative: bool = False) -> dict:
    """One scored pair as the output names it: ``{"source", "target", "score", "partial",
    "evidence"}``; ``evidence["tentative"]``: chosen in the leftover round (see
    :func:`pair_scored`), under the main threshold; ``evidence["further"]``: scored as a
    further rendering of a record already paired, with its first partner out."""
    chain = candidate.chain
    evidence = {
        "source_coverage": round(chain.source_coverage, 3),
        "target_coverage": round(chain.target_coverage, 3),
        "source_extent": round(chain.source_extent, 3),
        "target_extent": round(chain.target_extent, 3),
        "links": chain.links,
        "chain": round(chain.chain, 3),
        "mean_cosine": round(chain.mean_cosine, 3),
        "source_span": _file_span(source, chain.source_span),
        "target_span": _file_span(target, chain.target_span),
        "shared": candidate.shared,
        "same_date": (source.record.date == target.record.date) if source.record.date and target.record.date else None,
        "shared_weight": round(candidate.evidence, 2),
        "tentative": tentative,
        "further": candidate.further,
    }
    return {"source": source.describe(), "target": target.describe(), "score": round(candidate.probability, 4),
            "partial": is_partial(chain, source.side.chars, target.side.chars, config),
            "evidence": evidence}


def _file_span(entry: Entry, span: tuple[int, int] | None) -> list[int] | None:
    """Sentence span -> [start, end) character offsets in the file (TEI: extracted text)."""
    if span is None:
        return None
    first, last = entry.doc.sentences[entry.rows[span[0]]], entry.doc.sentences[entry.rows[span[1]]]
    return [entry.base + first.raw_start, entry.base + last.raw_end]


def _unpaired(entries: list[Entry], others: list[Entry], paired: set[int], scored: dict, side: int) -> list[dict]:
    """The records of one side (``side`` 0: sources) left unpaired, each with its best
    candidate if it had one."""
    best: dict[int, tuple[float, int]] = {}
    for st, c in scored.items():
        i, j = st[side], st[1 - side]
        if i not in paired and (i not in best or c.probability > best[i][0]):
            best[i] = (c.probability, j)
    out = []
    for i, e in enumerate(entries):
        if i in paired:
            continue
        item = e.describe()
        if i in best:
            item["best"] = {"ref": others[best[i][1]].describe()["ref"], "score": round(best[i][0], 4)}
        out.append(item)
    return out
