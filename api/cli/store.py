"""Commands over the store: ``db upgrade``, ``db backup``, ``import``, ``export``, ``search``,
``report``."""

from __future__ import annotations

import typer

from aligner.export import FORMATS
from api.cli.common import (
    DEFAULT_DB,
    DEFAULT_PROJECT,
    Db,
    Encoder,
    Project,
    StripMarkup,
    check_format,
    existing_store,
    parse_options,
    user_errors,
)

db_app = typer.Typer(help="Manage the store (SQLite file or SQLAlchemy URL).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    db_app.command("upgrade")(db_upgrade_command)
    db_app.command("backup")(db_backup_command)
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("search")(search_command)
    app.command("report")(report_command)


@user_errors
def db_upgrade_command(
    db: Db = DEFAULT_DB,
    revision: str = typer.Option("head", "--revision", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database or migrate it to the newest schema (safe to repeat)."""
    from aligner.store.db import upgrade_database

    typer.echo(f"{db}: schema at revision {upgrade_database(db, revision)}")


@user_errors
def db_backup_command(
    output: str = typer.Argument(..., help="The copy to write (a new SQLite file)."),
    db: Db = DEFAULT_DB,
) -> None:
    """A consistent copy of a live store, safe while the server edits.

    SQLite: the online backup API. PostgreSQL: runs pg_dump --format=custom (or, when
    pg_dump is not on PATH, says the command to run)."""
    from aligner.store.backup import backup

    typer.echo(backup(db, output))


@user_errors
def import_command(
    file: str = typer.Argument(..., help="Text file, or TEI XML (one document per <div type=\"document\">)."),
    lang: str = typer.Option(..., "--lang", help="Language code, e.g. en, ru."),
    db: Db = DEFAULT_DB,
    kind: str = typer.Option(None, "--kind", help="Provenance: archival | reconstruction | translation | other."),
    project: Project = DEFAULT_PROJECT,
    strip_markup: StripMarkup = True,
) -> None:
    """Store a document without a translation (cleaned, segmented, searchable)."""
    from aligner.errors import InputError
    from aligner.pipeline import ReadOptions, read_documents, store_documents
    from aligner.sniff import AlignmentNotTextError
    from aligner.store.db import open_store

    try:
        docs = read_documents(file, lang, kind=kind, options=ReadOptions(strip_markup=strip_markup))
    except AlignmentNotTextError as exc:  # say which command takes it
        raise InputError(f"{exc.name}: {exc.what}, not a document: use "
                         f"`aligner import-alignment {file}`") from None
    _, sessions = open_store(db)
    for doc_id, doc in zip(store_documents(sessions, docs, project=project), docs):
        typer.echo(f"document {doc_id}: {doc.provenance.file} [{doc.lang}, "
                   f"{doc.provenance.label}] {len(doc.sentences)} sentences — {doc.title}")


@user_errors
def export_command(
    db: Db = DEFAULT_DB,
    alignment: int = typer.Option(..., "--alignment", help="Alignment id (see the review page)."),
    fmt: str = typer.Option("tmx", "--format", help="One of: " + ", ".join(FORMATS)),
    output: str = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    option: list[str] = typer.Option(None, "--option", metavar="NAME=VALUE",
                                     help="A format option (repeatable), e.g. --option "
                                          "keep_nulls=yes; `aligner formats` lists them."),
) -> None:
    """Export a stored alignment (TMX, XLIFF, TEI, JSON, TSV, Vecalign, InterText).

    Each bead's review status and reviewer, the notes, the corrected texts and the
    alignment's settings go with it."""
    from aligner.store.cli_support import run_export

    run_export(db, alignment, fmt, output, typer.echo, options=parse_options(option))


CSV_CHUNK = 1000  # hits read from the store at a time by `aligner search --format csv`


@user_errors
def search_command(
    phrase: str = typer.Argument(..., help="Words to find, in any stored language."),
    db: Db = DEFAULT_DB,
    fuzzy: bool = typer.Option(False, "--fuzzy", help="OCR-tolerant, case- and punctuation-insensitive."),
    lang: str = typer.Option(None, "--lang", help="Only search documents in this language."),
    fmt: str = typer.Option("text", "--format", help="text | json | csv (csv: every hit, with ids)"),
    offset: int = typer.Option(0, "--offset", min=0, max=2**31 - 1, help="First hit to show (text, json)."),
    limit: int = typer.Option(50, "--limit", min=1, max=2**31 - 1, help="Hits to show (text, json)."),
    encoder: Encoder = None,
    no_renderings: bool = typer.Option(False, "--no-renderings", help="Do not mark renderings (no word links, no encoder)."),
) -> None:
    """Phrase concordance: every sentence with PHRASE and its rendering, grouped.

    Word forms count («понимании» finds «понимание»); says how many hits there are."""
    import json

    from aligner.concordance import as_json, format_text
    from aligner.concordance.export import csv_lines
    from aligner.store.concordance import find_matches, hit_chunks, search_page
    from aligner.store.concordance_links import mark_hit_renderings_by_links
    from aligner.embed import get_encoder

    def mark(hits):  # load the encoder only if some hit has an aligned text
        if any(h.aligned for h in hits) and not no_renderings:
            mark_hit_renderings_by_links(session, phrase, hits, get_encoder(encoder), fuzzy=fuzzy)
        return hits

    check_format(fmt, ("text", "json", "csv"))
    sessions = existing_store(db)
    with sessions() as session:
        if fmt == "csv":  # every hit, a chunk at a time (the matching query runs once)
            matches = find_matches(session, phrase, fuzzy=fuzzy, lang=lang)
            chunks = hit_chunks(session, matches, size=CSV_CHUNK) if matches.ids else iter([[]])
            for k, hits in enumerate(chunks):
                for line in csv_lines(mark(hits), header=k == 0):
                    typer.echo(line, nl=False)
            return
        page = search_page(session, phrase, fuzzy=fuzzy, lang=lang, offset=offset, limit=limit)
        hits = mark(page.hits)
    if fmt == "json":
        typer.echo(json.dumps(as_json(phrase, hits, fuzzy=fuzzy, total=page.total, offset=offset,
                                      limit=limit, complete=page.complete),
                              ensure_ascii=False, indent=1))
    else:
        typer.echo(format_text(phrase, hits, fuzzy=fuzzy, total=page.total, offset=offset,
                               complete=page.complete))


@user_errors
def report_command(
    alignment: int = typer.Option(..., "--alignment", help="Alignment id (see the review page)."),
    db: Db = DEFAULT_DB,
    fmt: str = typer.Option("text", "--format", help="text | json"),
) -> None:
    """Fidelity report of a stored alignment: the flagged beads with their evidence.

    Numbers or dates that differ, names on one side only or spelled two ways,
    omissions/additions, odd length ratios, OCR-suspect words with a suggested reading."""
    import json

    from aligner.store.fidelity import fidelity_report, format_report
    from aligner.store.service import get_alignment

    check_format(fmt, ("text", "json"))
    sessions = existing_store(db)
    with sessions() as session:
        meta = get_alignment(session, alignment)
        report = fidelity_report(session, alignment)
    if fmt == "json":
        typer.echo(json.dumps({"alignment_id": alignment, "version": meta["version"],
                               "source": meta["src_provenance"], "target": meta["tgt_provenance"],
                               "settings": meta["params"], "beads": report},
                              ensure_ascii=False, indent=1))
    else:
        typer.echo(f"alignment {alignment} (version {meta['version']}): "
                   f"{meta['src_title']} [{meta['src_lang']}, {meta['src_provenance']['label']}] ↔ "
                   f"{meta['tgt_title']} [{meta['tgt_lang']}, {meta['tgt_provenance']['label']}]")
        typer.echo(format_report(report, src_label=meta["src_lang"], tgt_label=meta["tgt_lang"]),
                   nl=False)
