"""``aligner batch --pair auto``: inputs not paired by name. Pair the records
(:mod:`aligner.pairing`), keep the pairing in the store (every record's document, the
candidate pairs with scores and evidence, the pairs chosen: a reviewer confirms or changes
them on the page), and make one task per chosen pair for the engine
(:mod:`aligner.batch.engine`); partial pairs are aligned with ``partial=True``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from aligner.align import AlignConfig
from aligner.batch.tasks import PairTask
from aligner.embed import encoder_label
from aligner.pairing import Entry, PairConfig, load_sides, pair_json, pair_scored, score_candidates
from aligner.pipeline import ROLE_KINDS
from aligner.segment import normalise_lang
from aligner.types import RECONSTRUCTION_LABEL

CANDIDATES_KEPT = 5  # scored targets kept per source record for the reviewer


@dataclass
class AutoPairing:
    """A stored pairing: ``run_id``, the engine's ``tasks`` (one per chosen pair), and the
    pairing result as :func:`aligner.pairing.pair_entries` returns it (``pairs``,
    ``unpaired_source``, ``unpaired_target``) with ``skipped``, the folders' files that
    could not be used (:func:`aligner.pairing.load_entries`); ``reused``: the run was stored before
    (same records, encoder and parameters), so it was not paired again; ``tentative``: how many
    of the chosen pairs are tentative (leftover round), still proposed."""

    run_id: int
    tasks: list[PairTask]
    result: dict
    reused: bool = False
    tentative: int = 0


def pair_and_store(src_paths: Sequence[str | Path], tgt_paths: Sequence[str | Path], src_lang: str,
                   tgt_lang: str, encoder, sessions, *, project: str = "default",
                   config: AlignConfig | None = None,
                   pair_config: PairConfig = PairConfig()) -> AutoPairing:
    """Pair the records of ``src_paths`` with those of ``tgt_paths`` (files or folders)
    and store the pairing in project ``project``. ``config``: the aligner settings the
    pairs will be aligned with (kept with the run, for alignments made from the page).

    A run stored before with the same records, encoder and parameters is reused (with its
    reviewers' decisions): its chosen pairs become the tasks, nothing is paired again.

    Raises InputError (unusable input, nothing to pair), UnknownLanguageError.
    """
    from aligner.store.pairing import chosen_pairs, find_run, leftovers, pairing_view, save_pairing
    from aligner.store.service import get_or_create_project, import_document

    src_lang, tgt_lang = normalise_lang(src_lang), normalise_lang(tgt_lang)
    config = config or AlignConfig()
    skipped: list[dict] = []  # unusable files of the folders: reported, not fatal
    sources, targets = load_sides(src_paths, tgt_paths, src_lang, tgt_lang,
                                  strip_markup=pair_config.strip_markup, skipped=skipped)
    for entries, role in ((sources, "source"), (targets, "translation")):
        for e in entries:  # the provenance a batch by name gives: archival / translation
            if e.doc.provenance.kind == "other":
                e.doc.provenance = replace(e.doc.provenance, kind=ROLE_KINDS[role])
    described = ([e.describe() for e in sources], [e.describe() for e in targets])
    label = encoder_label(encoder)
    fingerprint = _fingerprint(sources, targets, label, pair_config, config)
    with sessions() as session:
        project_id = get_or_create_project(session, project)
        run_id = find_run(session, project_id, fingerprint)
        if run_id is not None:  # a rerun: the pairing (and any review of it) is kept
            tasks = [_task(sources[s], targets[t], partial, pair_id)
                     for s, t, partial, pair_id in chosen_pairs(session, run_id)]
            view = pairing_view(session, run_id)
            tentative = sum(c["status"] == "proposed" and bool(c["evidence"].get("tentative"))
                            for src in view["sources"] for c in src["candidates"])
            return AutoPairing(run_id, tasks, {"pairs": [], **leftovers(view), "skipped": skipped},
                               reused=True, tentative=tentative)
    scored = score_candidates(sources, targets, encoder, config=pair_config)
    result = pair_scored(sources, targets, scored, pair_config, encoder.name)
    with sessions() as session:
        for entries, records, role in ((sources, described[0], "source"),
                                       (targets, described[1], "translation")):
            for e, record in zip(entries, records):
                record["document_id"] = import_document(session, project_id, e.doc, role)
    chosen = _chosen(result, described)
    pairs = [{"s": s, "t": t,
              **_pair_fields(chosen.get((s, t)) or pair_json(sources[s], targets[t], c, pair_config)),
              "status": "proposed" if (s, t) in chosen else "candidate"}
             for (s, t), c in _kept(scored, chosen).items()]
    with sessions() as session:
        run_id, ids = save_pairing(
            session, project_id, src_lang=src_lang, tgt_lang=tgt_lang, encoder=label,
            params={**result["params"], "fingerprint": fingerprint}, settings=config.to_params(),
            sources=described[0], targets=described[1], pairs=pairs)
    tasks = [_task(sources[s], targets[t], chosen[s, t]["partial"], ids[s, t]) for s, t in sorted(chosen)]
    return AutoPairing(run_id, tasks, {**result, "skipped": skipped},
                       tentative=sum(p["evidence"]["tentative"] for p in result["pairs"]))


def _fingerprint(sources: list[Entry], targets: list[Entry], encoder: str, pair_config: PairConfig,
                 config: AlignConfig) -> str:
    """sha256 of what a pairing run depends on: every record (reference, content hash),
    the encoder, the pairing parameters and the aligner settings."""
    blob = json.dumps([[(e.describe()["ref"], e.doc.provenance.sha256) for e in side]
                       for side in (sources, targets)]
                      + [encoder, repr(pair_config), config.to_params()], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _chosen(result: dict, described: tuple[list[dict], list[dict]]) -> dict[tuple[int, int], dict]:
    """The pairs of ``result`` as ``{(source index, target index): pair}``."""
    index = [{r["ref"]: k for k, r in enumerate(side)} for side in described]
    return {(index[0][p["source"]["ref"]], index[1][p["target"]["ref"]]): p for p in result["pairs"]}


def _kept(scored: dict, chosen: dict) -> dict:
    """The chosen pairs, for each source record its best-scored other candidates, and for
    each target record its best candidate: the one a first run reports for an unpaired
    target (:func:`aligner.pairing.pair_scored`), which a rerun reads back from the store
    (:func:`aligner.store.pairing.leftovers`) though no source may rank it in its best."""
    kept = {st: scored[st] for st in chosen}
    by_source: dict[int, list] = {}
    best_source: dict[int, tuple[float, int]] = {}
    for (s, t), c in scored.items():
        by_source.setdefault(s, []).append((c.probability, t))
        if t not in best_source or c.probability > best_source[t][0]:  # the first best, as pair_scored
            best_source[t] = (c.probability, s)
    for s, cands in by_source.items():
        for _, t in sorted(cands, reverse=True)[:CANDIDATES_KEPT]:
            kept.setdefault((s, t), scored[s, t])
    for t, (_, s) in best_source.items():
        kept.setdefault((s, t), scored[s, t])
    return kept


def _pair_fields(pair: dict) -> dict:
    return {"score": pair["score"], "partial": pair["partial"], "evidence": pair["evidence"]}


def _task(source: Entry, target: Entry, partial: bool, pair_id: int) -> PairTask:
    src_ref, tgt_ref = source.describe()["ref"], target.describe()["ref"]
    name = f"{Path(src_ref).name} ↔ {Path(tgt_ref).name}"
    return PairTask(name, Path(src_ref), Path(tgt_ref), source.doc.lang, target.doc.lang, partial=partial,
                    pair_id=pair_id, src_doc=source.doc, tgt_doc=target.doc)


def labelled_ref(item: dict) -> str:
    """A record's reference (as :meth:`aligner.pairing.Entry.describe` gives it), with its
    provenance label if it is a test reconstruction: the label goes with the text wherever
    it is printed."""
    return f"{item['ref']} [{item['label']}]" if item.get("label") == RECONSTRUCTION_LABEL else item["ref"]


def leftover_lines(result: dict, limit: int = 20) -> list[str]:
    """What is left over, for the report: the folders' files that could not be used, and
    the records and target documents paired with nothing, each with its best candidate's
    score."""
    lines = [f"skipped {s['file']}: {s['reason']}" for s in result.get("skipped", [])]
    for key, what in (("unpaired_source", "source record(s)"), ("unpaired_target", "target document(s)")):
        items = result[key]
        lines.append(f"{len(items)} {what} not paired" + (":" if items else ""))
        for item in items[:limit]:
            best = item.get("best")
            lines.append(f"  {labelled_ref(item)}  {item['title'][:70]!r}"
                         + (f"  (best candidate {best['score']:.3f})" if best else ""))
        if len(items) > limit:
            lines.append(f"  … and {len(items) - limit} more")
    return lines
