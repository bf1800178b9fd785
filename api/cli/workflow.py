"""``aligner import-alignment`` (an alignment made by another tool, stored for review) and
``aligner formats`` (the export and import formats with their options)."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.common import DEFAULT_DB, DEFAULT_PROJECT, Db, Project, user_errors


def register(app: typer.Typer) -> None:
    app.command("import-alignment")(import_alignment_command)
    app.command("formats")(formats_command)


def _file(path: str | None) -> tuple[str, bytes] | None:
    if path is None:
        return None
    from aligner.imports import IMPORT_MAX_BYTES
    from aligner.read import read_bytes

    p = Path(path)
    return p.name, read_bytes(p, IMPORT_MAX_BYTES, size_hint=False)


@user_errors
def import_alignment_command(
    file: str = typer.Argument(..., help="The alignment: .tmx, InterText linkGrp .xml (or a zip "
                                         "with its documents), .align, or .tsv."),
    source: str = typer.Option(None, "--source", help="Source document / sentence file "
                                                      "(InterText fromDoc; Vecalign source lines)."),
    target: str = typer.Option(None, "--target", help="Target document / sentence file."),
    fmt: str = typer.Option(None, "--format", help="tmx | intertext | vecalign | tsv "
                                                   "(default: from the file)."),
    src_lang: str = typer.Option(None, "--src-lang", help="Source language, if the file does not say."),
    tgt_lang: str = typer.Option(None, "--tgt-lang", help="Target language, if the file does not say."),
    cost: bool = typer.Option(False, "--cost", help="Vecalign: the third field is a cost "
                                                    "(score = 1 - cost)."),
    db: Db = DEFAULT_DB,
    project: Project = DEFAULT_PROJECT,
) -> None:
    """Store an alignment made elsewhere for review (TMX, InterText, Vecalign, LF Aligner).

    Vecalign/Bertalign `.align` files take their two sentence files; LF Aligner / hunalign
    TSV too. Its provenance is kept, and the statuses and notes it carries.

    Example: aligner import-alignment novel.en-ru.tmx --db aligner.db
    """
    from aligner.errors import InputError
    from aligner.imports import MissingLanguageError, read_import, store_import
    from aligner.store.db import open_store
    from aligner.types import reconstruction_note

    files = {role: f for role, f in (("alignment", _file(file)), ("source", _file(source)),
                                     ("target", _file(target))) if f is not None}
    try:
        imported = read_import(fmt, files, src_lang=src_lang, tgt_lang=tgt_lang, cost=cost)
    except MissingLanguageError as exc:  # said with this command's option
        raise InputError(exc.asking(f"e.g. --{exc.flag}-lang {exc.example}")) from None
    _, sessions = open_store(db)
    aid = store_import(sessions, imported, project=project, via="cli")
    for doc in (imported.src, imported.tgt):
        if doc.provenance.kind == "reconstruction":
            typer.echo(reconstruction_note(doc.provenance.file), err=True)
    beads = imported.alignment.beads
    reviewed = sum(b.status != "unreviewed" for b in beads)
    typer.echo(f"imported {imported.provenance['format']} {Path(file).name} as alignment {aid}: "
               f"{len(imported.src.sentences)} {imported.src.lang} / {len(imported.tgt.sentences)} "
               f"{imported.tgt.lang} sentences, {len(beads)} beads ({reviewed} reviewed, "
               f"{sum(len(b.notes) for b in beads)} notes)")


@user_errors
def formats_command() -> None:
    """List the export formats (with their --option NAME=yes|no) and the import formats."""
    from aligner.export import FORMATS
    from aligner.imports import IMPORT_FORMATS

    typer.echo("export (aligner export --format NAME [--option NAME=yes]):")
    for f in FORMATS.values():
        typer.echo(f"  {f.name:<10} {f.label}")
        for o in f.options:
            typer.echo(f"  {'':<10}   --option {o.name}=yes  {o.help}")
    typer.echo("import (aligner import-alignment FILE --format NAME):")
    for f in IMPORT_FORMATS.values():
        extra = " + --source/--target" if f.files else ""
        typer.echo(f"  {f.name:<10} {f.label}{extra}")
