"""``aligner align``, ``aligner segment``, ``aligner evaluate``, ``aligner settings``:
the aligner itself, on files."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from aligner.types import reconstruction_note
from api.cli.common import (
    DEFAULT_PROJECT,
    Encoder,
    MaxSide,
    Partial,
    Project,
    Quiet,
    SetOption,
    StripMarkup,
    align_config,
    check_format,
    user_errors,
)


def register(app: typer.Typer) -> None:
    app.command("align")(align_command)
    app.command("segment")(segment_command)
    app.command("evaluate")(evaluate_command)
    app.command("settings")(settings_command)


@user_errors
def align_command(
    src: str = typer.Argument(..., metavar="SRC", help="The original (source) text or TEI file."),
    tgt: str = typer.Argument(..., metavar="TGT", help="The translation (target) text or TEI file."),
    src_lang: str = typer.Option(..., "--src-lang", help="Source language code, e.g. ru."),
    tgt_lang: str = typer.Option(..., "--tgt-lang", help="Target language code, e.g. en."),
    presplit: bool = typer.Option(False, "--presplit", help="Inputs are one sentence per line, used as is."),
    encoder: Encoder = None,
    fmt: str = typer.Option("tsv", "--format", help="Output format (see `aligner export --help`)."),
    output: str = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    db: str = typer.Option(None, "--db", metavar="PATH_OR_URL",
                           help="Also store documents, sentences and beads in this store."),
    project: Project = DEFAULT_PROJECT,
    src_kind: str = typer.Option(None, "--src-kind", help="archival | reconstruction | translation | other (default: from the file name, else archival)."),
    tgt_kind: str = typer.Option(None, "--tgt-kind", help="Provenance kind of the translation (default: translation)."),
    encoding: str = typer.Option(None, "--encoding", help="Force the encoding of both inputs (default: detect)."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR clean-up (page furniture, broken lines)."),
    strip_markup: StripMarkup = True,
    partial: Partial = False,
    max_side: MaxSide = None,
    settings: SetOption = None,
    no_flags: bool = typer.Option(False, "--no-flags", help="Skip the fidelity checks (numbers, names, omissions, length, OCR)."),
    quiet: Quiet = False,
) -> None:
    """Align TGT (translation) to SRC (original) at sentence level.

    Example: aligner align corpora/litvinov-1938-08-07/ru.reconstructed.txt
    corpora/litvinov-1938-08-07/en.ocr.txt --src-lang ru --tgt-lang en --format json
    """
    from aligner.embed import get_encoder
    from aligner.export import FORMATS, write_export
    from aligner.pipeline import ReadOptions, align_pair, read_document, stored_adaptation, store_pair
    from aligner.progress import ProgressBar, reporting

    check_format(fmt, tuple(FORMATS))
    config = align_config(settings, partial=partial, max_side=max_side)
    options = ReadOptions(presplit=presplit, encoding=encoding, ocr=not no_ocr,
                          strip_markup=strip_markup)
    with ProgressBar(enabled=not quiet) as bar, reporting(bar.update):  # long texts take a while
        src_doc = read_document(src, src_lang, role="source", kind=src_kind, options=options)
        tgt_doc = read_document(tgt, tgt_lang, role="translation", kind=tgt_kind, options=options)
    for doc in (src_doc, tgt_doc):
        if doc.provenance.kind == "reconstruction" and not quiet:
            typer.echo(reconstruction_note(doc.provenance.file), err=True)
    sessions = None
    if db:  # open (and migrate) the store first: a bad --db must not cost an alignment
        from aligner.store.db import open_store

        _, sessions = open_store(db)
    enc = get_encoder(encoder)
    # The project's adaptation (`aligner adapt`), if it has one for this encoder.
    adaptation = stored_adaptation(sessions, project, enc.name) if sessions is not None else None
    with ProgressBar(enabled=not quiet) as bar:
        alignment = align_pair(src_doc, tgt_doc, enc, config, flags=not no_flags,
                               progress=bar.update, adaptation=adaptation)
    if sessions is not None:
        stored = store_pair(sessions, src_doc, tgt_doc, alignment, project=project)
        if not quiet:
            typer.echo(f"stored as alignment {stored.alignment_id} in {db}", err=True)
    write_export(output or sys.stdout, fmt, src_doc, tgt_doc, alignment)
    if not quiet:
        typer.echo(summary(src_doc, tgt_doc, alignment), err=True)


def summary(src_doc, tgt_doc, alignment) -> str:
    """``aligned N source / M target sentences into B beads (1-1: …); …`` for stderr."""
    from collections import Counter

    types = Counter(b.type for b in alignment.beads)
    listed = ", ".join(f"{t}: {n}" for t, n in sorted(types.items(), key=lambda kv: -kv[1]))
    low = sum("low-confidence" in b.flags for b in alignment.beads)
    return (
        f"aligned {len(src_doc.sentences)} source / {len(tgt_doc.sentences)} target sentences "
        f"into {len(alignment.beads)} beads ({listed}); {low} low-confidence, "
        f"{len(alignment.crossings)} crossing-link candidates"
    )


@user_errors
def segment_command(
    file: str = typer.Argument(..., help="Text or TEI XML file."),
    lang: str = typer.Option(..., "--lang", help="Language code, e.g. en, ru."),
    presplit: bool = typer.Option(False, "--presplit", help="One sentence per line, as is."),
    encoding: str = typer.Option(None, "--encoding", help="Override encoding detection."),
    no_ocr: bool = typer.Option(False, "--no-ocr", help="Skip OCR clean-up (page furniture)."),
    strip_markup: StripMarkup = True,
    fmt: str = typer.Option("text", "--format", help="text | json"),
    records: bool = typer.Option(False, "--records", help="Print the file's records (a volume "
                                 "split at its headings: reference, offsets, date, title) instead."),
) -> None:
    """Read, clean and split FILE into sentences; print one per line (or JSON)."""
    import json

    from aligner.pipeline import ReadOptions, read_document
    from aligner.progress import ProgressBar, reporting

    check_format(fmt, ("text", "json"))
    if records:
        from api.cli.pair import print_records

        return print_records(file, lang, fmt)
    with ProgressBar() as bar, reporting(bar.update):  # shown on a terminal only
        doc = read_document(file, lang, options=ReadOptions(
            presplit=presplit, encoding=encoding, ocr=not no_ocr, strip_markup=strip_markup))
    if doc.provenance.kind == "reconstruction":
        typer.echo(reconstruction_note(doc.provenance.file), err=True)
    if fmt == "json":
        rows = [{"index": s.index, "text": s.text, "raw_start": s.raw_start, "raw_end": s.raw_end,
                 "page": s.page, "paragraph": s.paragraph} for s in doc.sentences]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for s in doc.sentences:
            typer.echo(s.text)


class EvalFormat(str, Enum):
    """Output format of ``aligner evaluate``."""

    text = "text"
    json = "json"


@user_errors
def evaluate_command(
    test: Path = typer.Argument(..., metavar="TEST",
                                help="Test alignment: a bead file or a folder of per-document files."),
    gold: Path = typer.Argument(..., metavar="GOLD",
                                help="Gold alignment: a bead file or a folder (paired by file name)."),
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


@user_errors
def settings_command(
    fmt: str = typer.Option("text", "--format", help="text | markdown | json"),
) -> None:
    """List the aligner's settings: name, type, default, range, what each does.

    These are what --set NAME=VALUE accepts on `align`, `batch` and `serve`, and what the
    API's alignment jobs take (docs/settings.md has the same table)."""
    import json

    from aligner.align import SETTINGS, AlignConfig
    from aligner.settings import markdown_table

    check_format(fmt, ("text", "markdown", "json"))
    if fmt == "markdown":
        typer.echo(markdown_table(AlignConfig), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps([{"name": s.name, "type": s.type_name, "default": s.default,
                                "minimum": s.minimum, "maximum": s.maximum, "help": s.help}
                               for s in SETTINGS], indent=1))
    else:
        for s in SETTINGS:
            bounds = f" [{s.range_text}]" if s.range_text else ""
            typer.echo(f"{s.name} ({s.type_name}, default {s.default}){bounds}\n    {s.help}")
