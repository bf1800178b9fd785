"""Command-line interface: a thin layer that builds core objects and hands over.

Every :class:`aligner.errors.AlignerError` becomes a one-line ``error: ...`` message on
stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import os
import sys
from functools import wraps

import typer

from aligner.errors import AlignerError

app = typer.Typer(
    name="aligner",
    help="Align a translation to its source at sentence level, store it, review it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def user_errors(func):
    """Decorator: turn AlignerError (and OSError) into a clean one-line error and exit 2."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AlignerError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except BrokenPipeError:  # e.g. `aligner segment FILE | head`: the reader is done
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter exit quiet
            raise typer.Exit(0) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        except Exception as exc:  # database and driver errors carry long, technical texts
            from aligner.store.db import describe_database_error

            message = describe_database_error(exc)
            if message is None:
                raise
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _existing_store(db: str):
    """Sessions of a database that must already exist (commands that only read): a
    mistyped ``--db`` is an error, not a new empty database and a silent "no match"."""
    from aligner.store.cli_support import require_existing
    from aligner.store.db import open_store

    require_existing(db)
    return open_store(db)[1]


# --- commands are registered below, one section per area -------------------------------

# (align / segment: aligner core)


@app.command("align")
@user_errors
def align_command(
    src: str = typer.Argument(..., metavar="SRC", help="The original (source) text or TEI file."),
    tgt: str = typer.Argument(..., metavar="TGT", help="The translation (target) text or TEI file."),
    src_lang: str = typer.Option(..., "--src-lang", help="Source language code, e.g. ru."),
    tgt_lang: str = typer.Option(..., "--tgt-lang", help="Target language code, e.g. en."),
    presplit: bool = typer.Option(False, "--presplit", help="Inputs are one sentence per line, used as is."),
    model: str = typer.Option(None, "--model", help="Encoder: use-m3 (default, offline) or a sentence-transformers model name/folder."),
    fmt: str = typer.Option("tsv", "--format", help="tsv | json | tmx | vecalign"),
    output: str = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    db: str = typer.Option(None, "--db", help="Also store documents, sentences and beads in this database."),
    project: str = typer.Option("default", "--project", help="Project name in the database."),
    src_kind: str = typer.Option(None, "--src-kind", help="archival | reconstruction | translation | other (default: from the file name, else archival)."),
    tgt_kind: str = typer.Option("translation", "--tgt-kind", help="Provenance kind of the translation."),
    encoding: str = typer.Option(None, "--encoding", help="Force the encoding of both inputs (default: detect)."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR clean-up (page furniture, broken lines)."),
    strip_markup: bool = typer.Option(False, "--strip-markup", help="Drop inline tags such as <h1>, <b>."),
    max_side: int = typer.Option(None, "--max-side", min=1, max=8, help="Most sentences one side of a bead may join (default 6; a bead holds at most this + 1 in all)."),
    no_flags: bool = typer.Option(False, "--no-flags", help="Skip the fidelity checks (numbers, names, omissions, length, OCR)."),
    partial: bool = typer.Option(False, "--partial", help="TGT renders only part of SRC (an excerpt): leave weak beads as 1-0/0-1 instead of forcing them."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
) -> None:
    """Align TGT (translation) to SRC (original) at sentence level.

    Example: aligner align corpora/litvinov-1938-08-07/ru.reconstructed.txt
    corpora/litvinov-1938-08-07/en.ocr.txt --src-lang ru --tgt-lang en --format json
    """
    from aligner.align import AlignConfig, align_documents
    from aligner.document import prepare_document
    from aligner.embed import get_encoder
    from aligner.export import EXPORT_FORMATS, write_export
    from aligner.progress import ProgressBar

    if fmt not in EXPORT_FORMATS:
        raise AlignerError(f"unknown --format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    common = dict(presplit=presplit, encoding=encoding, ocr=not no_ocr, strip_markup=strip_markup)
    src_doc = prepare_document(src, src_lang, kind=src_kind or _source_kind(src), **common)
    tgt_doc = prepare_document(tgt, tgt_lang, kind=tgt_kind, **common)
    for doc in (src_doc, tgt_doc):
        if doc.provenance.kind == "reconstruction" and not quiet:
            typer.echo(f"note: {doc.provenance.file} is a {doc.provenance.label}", err=True)
    sessions = None
    if db:  # open (and migrate) the store first: a bad --db must not cost an alignment
        from aligner.store.db import open_store

        _, sessions = open_store(db)
    encoder = get_encoder(model)
    with ProgressBar(enabled=not quiet) as bar:
        config = AlignConfig() if max_side is None else AlignConfig(max_side=max_side, max_total=max_side + 1)
        alignment = align_documents(src_doc, tgt_doc, encoder, config.partial() if partial else config,
                                    bar.update)
    if not no_flags:
        from aligner.fidelity import flag_alignment

        flag_alignment(src_doc, tgt_doc, alignment)
    if sessions is not None:
        from aligner.store.service import get_or_create_project, import_document, store_alignment

        with sessions() as session:
            project_id = get_or_create_project(session, project)
            src_id = import_document(session, project_id, src_doc, "source")
            tgt_id = import_document(session, project_id, tgt_doc, "translation")
            alignment_id = store_alignment(session, src_id, tgt_id, alignment)
        if not quiet:
            typer.echo(f"stored as alignment {alignment_id} in {db}", err=True)
    write_export(output or sys.stdout, fmt, src_doc, tgt_doc, alignment)
    if not quiet:
        typer.echo(_summary(src_doc, tgt_doc, alignment), err=True)


def _source_kind(path: str) -> str:
    """Provenance kind of a source file: a reconstruction if named so, else archival."""
    from aligner.document import default_kind

    kind = default_kind(path)
    return "archival" if kind == "other" else kind


def _summary(src_doc, tgt_doc, alignment) -> str:
    from collections import Counter

    types = Counter(b.type for b in alignment.beads)
    listed = ", ".join(f"{t}: {n}" for t, n in sorted(types.items(), key=lambda kv: -kv[1]))
    low = sum("low-confidence" in b.flags for b in alignment.beads)
    return (
        f"aligned {len(src_doc.sentences)} source / {len(tgt_doc.sentences)} target sentences "
        f"into {len(alignment.beads)} beads ({listed}); {low} low-confidence, "
        f"{len(alignment.crossings)} crossing-link candidates"
    )


@app.command("segment")
@user_errors
def segment_command(
    file: str = typer.Argument(..., help="Text or TEI XML file."),
    lang: str = typer.Option(..., "--lang", help="Language code, e.g. en, ru."),
    presplit: bool = typer.Option(False, "--presplit", help="One sentence per line, as is."),
    encoding: str = typer.Option(None, "--encoding", help="Override encoding detection."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR clean-up (page furniture)."),
    strip_markup: bool = typer.Option(False, "--strip-markup", help="Drop <b>, <h1>… tags."),
    fmt: str = typer.Option("text", "--format", help="text | json"),
) -> None:
    """Read, clean and split FILE into sentences; print one per line (or JSON)."""
    import json

    from aligner.document import prepare_document

    if fmt not in ("text", "json"):
        raise AlignerError(f"unknown --format {fmt!r}; use text or json")
    doc = prepare_document(
        file, lang, presplit=presplit, encoding=encoding, ocr=not no_ocr,
        strip_markup=strip_markup,
    )  # fmt: skip
    if doc.provenance.kind == "reconstruction":
        typer.echo(f"note: {doc.provenance.file} is a {doc.provenance.label}", err=True)
    if fmt == "json":
        rows = [
            {"index": s.index, "text": s.text, "raw_start": s.raw_start, "raw_end": s.raw_end,
             "page": s.page, "paragraph": s.paragraph}
            for s in doc.sentences
        ]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for s in doc.sentences:
            typer.echo(s.text)


# (evaluate: quality measurement)

from enum import Enum  # noqa: E402  (kept in this section to avoid editing shared imports)
from pathlib import Path  # noqa: E402


class EvalFormat(str, Enum):
    """Output format of ``aligner evaluate``."""

    text = "text"
    json = "json"


@app.command("evaluate")
@user_errors
def evaluate_cmd(
    test: Path = typer.Argument(
        ..., metavar="TEST", help="Test alignment: a bead file or a folder of per-document files."
    ),
    gold: Path = typer.Argument(
        ..., metavar="GOLD", help="Gold alignment: a bead file or a folder (paired by file name)."
    ),
    fmt: EvalFormat = typer.Option(EvalFormat.text, "--format", help="Output format."),
) -> None:
    """Score TEST against GOLD: strict/lax P/R/F1 (Vecalign), exact match (aligner-eval), per type."""
    import json

    from aligner.evaluate import evaluate_paths, format_report

    report = evaluate_paths(test, gold)
    if fmt is EvalFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(format_report(report), nl=False)


# (db / export / serve: store and review)

db_app = typer.Typer(help="Manage the review database (SQLite file or SQLAlchemy URL).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@user_errors
def db_upgrade_cmd(
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    revision: str = typer.Option("head", "--revision", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database or migrate it to the newest schema (safe to repeat)."""
    from aligner.store.db import upgrade_database

    typer.echo(f"{db}: schema at revision {upgrade_database(db, revision)}")


@app.command("export")
@user_errors
def export_cmd(
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    alignment: int = typer.Option(..., "--alignment", help="Alignment id (see the review page)."),
    fmt: str = typer.Option("tmx", "--format", help="tmx | tsv | json | vecalign | tei"),
    output: str = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
) -> None:
    """Export a stored alignment, with each bead's review status."""
    from aligner.store.cli_support import run_export

    run_export(db, alignment, fmt, output, typer.echo)


@app.command("serve")
@user_errors
def serve_cmd(
    db: str = typer.Option("aligner.db", "--db", help="SQLite file (created and migrated if needed)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    no_import: bool = typer.Option(False, "--no-import", help="Do not import the bundled corpus into an empty database."),
    encoder: str = typer.Option(None, "--encoder", help="Encoder for alignment jobs (default use-m3, offline)."),
) -> None:
    """Serve the review page and the HTTP API (docs at /docs) until Ctrl+C.

    On first start (empty database) imports and aligns the bundled corpus.
    """
    from pathlib import Path as _Path

    from api.server import run_server  # web code stays out of aligner/: imported only here

    run_server(_Path(db), host, port, import_corpus=not no_import, encoder=encoder, echo=typer.echo)

# (batch / search / import: batch and concordance)


@app.command("batch")
@user_errors
def batch_cmd(
    source: str = typer.Argument(..., metavar="FOLDER_OR_MANIFEST",
                                 help="Folder of NAME_<src>.txt/NAME_<tgt>.txt pairs (searched recursively), or a .csv/.toml manifest."),
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    src_lang: str = typer.Option("ru", "--src-lang", help="Source language (folder mode, manifest default)."),
    tgt_lang: str = typer.Option("en", "--tgt-lang", help="Translation language (folder mode, manifest default)."),
    project: str = typer.Option("batch", "--project", help="Project the pairs are stored in."),
    encoder: str = typer.Option(None, "--encoder", help="Encoder (default use-m3, offline)."),
    no_flags: bool = typer.Option(False, "--no-flags", help="Skip the fidelity checks."),
    no_prefetch: bool = typer.Option(False, "--no-prefetch", help="Do not prepare the next pair in a worker thread."),
    keep_markup: bool = typer.Option(False, "--keep-markup", help="Keep inline tags (<h1>, <delimiter>…)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """Align many bitexts into the store; a rerun skips pairs already done (resumable)."""
    from aligner.batch import find_pairs, format_summary, run_batch, unpaired_files
    from aligner.embed import get_encoder
    from aligner.store.db import open_store

    specs = find_pairs(source, src_lang, tgt_lang)
    lone = unpaired_files(source, src_lang, tgt_lang)
    if lone:
        typer.echo(f"note: {len(lone)} file(s) without a partner are not aligned: "
                   f"{', '.join(str(p) for p in lone[:5])}{' …' if len(lone) > 5 else ''} "
                   "(`aligner import` stores a text that has no translation)", err=True)
    _, sessions = open_store(db)
    results = run_batch(specs, sessions, get_encoder(encoder), project=project,
                        with_flags=not no_flags, prefetch=not no_prefetch,
                        strip_markup=not keep_markup,
                        show_progress=not quiet and sys.stderr.isatty())  # no bars in a log
    typer.echo(format_summary(results))
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command("import")
@user_errors
def import_cmd(
    file: str = typer.Argument(..., help="Text file, or TEI XML (one document per <div type=\"document\">)."),
    lang: str = typer.Option(..., "--lang", help="Language code, e.g. en, ru."),
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    kind: str = typer.Option(None, "--kind", help="Provenance: archival | reconstruction | translation | other."),
    project: str = typer.Option("batch", "--project", help="Project to store the document(s) in."),
    strip_markup: bool = typer.Option(False, "--strip-markup", help="Drop <b>, <h1>… tags."),
) -> None:
    """Store a document without a translation (cleaned, segmented, searchable)."""
    from aligner.batch import import_file
    from aligner.store.db import open_store

    _, sessions = open_store(db)
    for doc_id, doc in import_file(file, lang, sessions, project=project, kind=kind,
                                   strip_markup=strip_markup):
        typer.echo(f"document {doc_id}: {doc.provenance.file} [{doc.lang}, "
                   f"{doc.provenance.label}] {len(doc.sentences)} sentences — {doc.title}")


@app.command("search")
@user_errors
def search_cmd(
    phrase: str = typer.Argument(..., help="Words to find, in any stored language."),
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="OCR-tolerant, case- and punctuation-insensitive."),
    lang: str = typer.Option(None, "--lang", help="Only search documents in this language."),
    fmt: str = typer.Option("text", "--format", help="text | json"),
    encoder: str = typer.Option(None, "--encoder", help="Encoder that marks the rendering (default use-m3)."),
    no_renderings: bool = typer.Option(False, "--no-renderings", help="Do not mark renderings (no encoder)."),
) -> None:
    """Phrase concordance: every sentence with PHRASE, its aligned sentences, grouped by rendering."""
    import json

    from aligner.concordance import as_json, format_text, mark_hit_renderings, search
    from aligner.embed import get_encoder

    if fmt not in ("text", "json"):
        raise AlignerError(f"unknown --format {fmt!r}; use text or json")
    sessions = _existing_store(db)
    with sessions() as session:
        hits = search(session, phrase, fuzzy=fuzzy, lang=lang)
    if any(h.aligned for h in hits) and not no_renderings:  # load the encoder only if needed
        mark_hit_renderings(phrase, hits, get_encoder(encoder), fuzzy=fuzzy)
    if fmt == "json":
        typer.echo(json.dumps(as_json(phrase, hits, fuzzy=fuzzy), ensure_ascii=False, indent=1))
    else:
        typer.echo(format_text(phrase, hits, fuzzy=fuzzy))



@app.command("report")
@user_errors
def report_cmd(
    alignment: int = typer.Option(..., "--alignment", help="Alignment id (see the review page)."),
    db: str = typer.Option("aligner.db", "--db", help="SQLite file or SQLAlchemy URL."),
    fmt: str = typer.Option("text", "--format", help="text | json"),
) -> None:
    """Fidelity report: every bead with mismatching numbers or dates, names on one side
    only or spelled two ways, omissions/additions, odd length, OCR-suspect words."""
    import json

    from aligner.store.fidelity import fidelity_report, format_report
    from aligner.store.service import get_alignment

    if fmt not in ("text", "json"):
        raise AlignerError(f"unknown --format {fmt!r}; use text or json")
    sessions = _existing_store(db)
    with sessions() as session:
        meta = get_alignment(session, alignment)
        report = fidelity_report(session, alignment)
    if fmt == "json":
        typer.echo(json.dumps({"alignment_id": alignment, "version": meta["version"],
                               "source": meta["src_provenance"], "target": meta["tgt_provenance"],
                               "beads": report}, ensure_ascii=False, indent=1))
    else:
        typer.echo(f"alignment {alignment} (version {meta['version']}): "
                   f"{meta['src_title']} [{meta['src_lang']}, {meta['src_provenance']['label']}] ↔ "
                   f"{meta['tgt_title']} [{meta['tgt_lang']}, {meta['tgt_provenance']['label']}]")
        typer.echo(format_report(report, src_label=meta["src_lang"], tgt_label=meta["tgt_lang"]),
                   nl=False)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
