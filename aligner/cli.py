"""Command-line interface: a thin layer that builds core objects and hands over.

Every :class:`aligner.errors.AlignerError` becomes a one-line ``error: ...`` message on
stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

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
        except OSError as exc:
            typer.echo(f"error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


# --- commands are registered below, one section per area -------------------------------

# (align / segment: aligner core)


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
    test: Path = typer.Argument(..., metavar="TEST", help="Test alignment: a bead file or a folder of per-document files."),
    gold: Path = typer.Argument(..., metavar="GOLD", help="Gold alignment: a bead file or a folder (paired by file name)."),
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
    from aligner.batch import find_pairs, format_summary, run_batch
    from aligner.embed import get_encoder
    from aligner.store.db import open_store

    specs = find_pairs(source, src_lang, tgt_lang)
    _, sessions = open_store(db)
    results = run_batch(specs, sessions, get_encoder(encoder), project=project,
                        with_flags=not no_flags, prefetch=not no_prefetch,
                        strip_markup=not keep_markup, show_progress=not quiet)
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

    from aligner.concordance import as_json, format_text, search
    from aligner.embed import get_encoder
    from aligner.store.db import open_store

    if fmt not in ("text", "json"):
        raise AlignerError(f"unknown --format {fmt!r}; use text or json")
    _, sessions = open_store(db)
    with sessions() as session:
        hits = search(session, phrase, fuzzy=fuzzy, lang=lang,
                      encoder=None if no_renderings else get_encoder(encoder))
    if fmt == "json":
        typer.echo(json.dumps(as_json(phrase, hits, fuzzy=fuzzy), ensure_ascii=False, indent=1))
    else:
        typer.echo(format_text(phrase, hits, fuzzy=fuzzy))



def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
