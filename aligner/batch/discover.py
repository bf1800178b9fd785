"""Finding the pairs of a batch: a folder (``NAME_ru.txt`` ↔ ``NAME_en.txt``, searched
recursively, as in the bilinguator collection) or a manifest (CSV or TOML) naming each pair."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.read import display_name
from aligner.types import PROVENANCE_KINDS


class ManifestError(InputError):
    """A manifest that cannot be used (missing column, unknown kind, unreadable)."""


@dataclass(frozen=True)
class PairSpec:
    """One bitext to align: two files, their languages and provenance kinds.

    ``kind`` is the source's provenance kind, ``tgt_kind`` the translation's
    (:data:`aligner.types.PROVENANCE_KINDS`; None = guess from the file name, so a file
    called ``*reconstruct*`` is labelled a reconstruction). ``name`` labels the pair in
    progress bars and the summary. The batch engine's task,
    :class:`aligner.batch.tasks.PairTask`, is a PairSpec with what the engine needs besides.
    """

    name: str
    source: Path
    translation: Path
    src_lang: str
    tgt_lang: str
    kind: str | None = None
    tgt_kind: str | None = None
    title: str | None = None


def discover_pairs(folder: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[PairSpec]:
    """Pairs ``NAME_<src_lang>.txt`` / ``NAME_<tgt_lang>.txt`` in ``folder`` and below.

    Both files must sit in the same directory. Sorted by path. Raises InputError if the
    folder does not exist or holds no pair.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    pairs = []
    for src in sorted(root.rglob(f"*_{src_lang}.txt")):
        stem = src.name[: -len(f"_{src_lang}.txt")]
        tgt = src.with_name(f"{stem}_{tgt_lang}.txt")
        if tgt.is_file():
            rel = src.parent.relative_to(root)
            name = stem if str(rel) in (".", stem) else f"{rel}/{stem}"
            pairs.append(PairSpec(display_name(name), src, tgt, src_lang, tgt_lang))
    if not pairs:
        raise InputError(f"{root}: no NAME_{src_lang}.txt / NAME_{tgt_lang}.txt pairs found")
    return pairs


def unpaired_files(folder: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[Path]:
    """Files ``NAME_<src_lang>.txt`` or ``NAME_<tgt_lang>.txt`` under ``folder`` whose partner
    is missing (:func:`discover_pairs` leaves them out), sorted; [] if ``folder`` is a file."""
    root = Path(folder)
    if not root.is_dir():
        return []
    out = []
    for lang, other in ((src_lang, tgt_lang), (tgt_lang, src_lang)):
        for path in root.rglob(f"*_{lang}.txt"):
            if not path.with_name(path.name[: -len(f"_{lang}.txt")] + f"_{other}.txt").is_file():
                out.append(path)
    return sorted(out)


def _check_kind(kind: str | None, where: str) -> str | None:
    kind = (kind or "").strip() or None
    if kind is not None and kind not in PROVENANCE_KINDS:
        raise ManifestError(f"{where}: unknown provenance kind {kind!r} "
                            f"(use one of {', '.join(PROVENANCE_KINDS)})")
    return kind


def _spec_from_record(record: dict, base: Path, where: str, src_lang: str, tgt_lang: str
                      ) -> PairSpec:
    missing = [c for c in ("source", "translation") if not str(record.get(c) or "").strip()]
    if missing:
        raise ManifestError(f"{where}: missing {', '.join(missing)}")
    source = base / str(record["source"]).strip()
    translation = base / str(record["translation"]).strip()
    name = str(record.get("name") or "").strip() or Path(str(record["source"])).stem
    return PairSpec(
        name=name, source=source, translation=translation,
        src_lang=str(record.get("src_lang") or src_lang).strip(),
        tgt_lang=str(record.get("tgt_lang") or tgt_lang).strip(),
        kind=_check_kind(record.get("kind") or record.get("src_kind"), where),
        tgt_kind=_check_kind(record.get("tgt_kind"), where),
        title=(str(record.get("title")).strip() or None) if record.get("title") else None,
    )


def read_manifest(path: str | Path, src_lang: str = "ru", tgt_lang: str = "en") -> list[PairSpec]:
    """Pairs listed in a CSV or TOML manifest; relative paths are relative to the manifest.

    CSV: a header row with at least ``source,translation``; optional ``src_lang``,
    ``tgt_lang``, ``kind`` (source provenance kind), ``tgt_kind``, ``title``, ``name``.
    TOML: ``[[pair]]`` tables with the same keys (top-level ``src_lang``/``tgt_lang``
    give defaults). Missing languages default to ``src_lang``/``tgt_lang``.
    Raises ManifestError for a missing column, an unknown kind or unreadable content.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such manifest file")
    base = path.parent
    if path.suffix.lower() == ".toml":
        try:
            import tomllib
        except ImportError:  # pragma: no cover - Python 3.10
            raise ManifestError(f"{path.name}: TOML manifests need Python 3.11+; use CSV") from None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ManifestError(f"{path.name}: not valid TOML ({exc})") from None
        records = data.get("pair") or data.get("pairs") or []
        if not isinstance(records, list) or not records:
            raise ManifestError(f"{path.name}: no [[pair]] tables")
        src_lang = data.get("src_lang", src_lang)
        tgt_lang = data.get("tgt_lang", tgt_lang)
        return [_spec_from_record(r, base, f"{path.name} pair {i + 1}", src_lang, tgt_lang)
                for i, r in enumerate(records)]
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"source", "translation"} <= set(reader.fieldnames):
                raise ManifestError(f"{path.name}: the CSV header needs columns source,translation")
            specs = [_spec_from_record(r, base, f"{path.name} line {i + 2}", src_lang, tgt_lang)
                     for i, r in enumerate(reader)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"{path.name}: unreadable CSV ({exc})") from None
    if not specs:
        raise ManifestError(f"{path.name}: no pairs listed")
    return specs


def find_pairs(folder_or_manifest: str | Path, src_lang: str = "ru", tgt_lang: str = "en"
               ) -> list[PairSpec]:
    """:func:`discover_pairs` for a folder, :func:`read_manifest` for a file."""
    p = Path(folder_or_manifest)
    if not p.exists():
        raise InputError(f"{p}: no such folder or manifest")
    if p.is_dir():
        return discover_pairs(p, src_lang, tgt_lang)
    if p.suffix.lower() in (".csv", ".toml"):
        return read_manifest(p, src_lang, tgt_lang)
    raise InputError(f"{p}: give a folder, or a manifest ending in .csv or .toml")
