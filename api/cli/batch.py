"""``aligner batch``: many bitexts into the store, resumable."""

from __future__ import annotations

import sys

import typer

from api.cli.common import (
    DEFAULT_DB,
    DEFAULT_PROJECT,
    Db,
    Encoder,
    MaxSide,
    Partial,
    Project,
    Quiet,
    SetOption,
    StripMarkup,
    align_config,
    user_errors,
)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch_command)


@user_errors
def batch_command(
    source: str = typer.Argument(..., metavar="FOLDER_OR_MANIFEST",
                                 help="Folder of NAME_<src>.txt/NAME_<tgt>.txt pairs (searched recursively), or a .csv/.toml manifest."),
    db: Db = DEFAULT_DB,
    src_lang: str = typer.Option("ru", "--src-lang", help="Source language (folder mode, manifest default)."),
    tgt_lang: str = typer.Option("en", "--tgt-lang", help="Translation language (folder mode, manifest default)."),
    project: Project = DEFAULT_PROJECT,
    encoder: Encoder = None,
    strip_markup: StripMarkup = True,
    partial: Partial = False,
    max_side: MaxSide = None,
    settings: SetOption = None,
    no_flags: bool = typer.Option(False, "--no-flags", help="Skip the fidelity checks."),
    no_prefetch: bool = typer.Option(False, "--no-prefetch", help="Do not prepare the next pair in a worker thread."),
    quiet: Quiet = False,
) -> None:
    """Align many bitexts into the store; a rerun skips pairs already done (resumable)."""
    from aligner.batch import find_pairs, format_summary, run_batch, unpaired_files
    from aligner.embed import get_encoder
    from aligner.pipeline import ReadOptions
    from aligner.store.db import open_store

    config = align_config(settings, partial=partial, max_side=max_side)
    specs = find_pairs(source, src_lang, tgt_lang)
    lone = unpaired_files(source, src_lang, tgt_lang)
    if lone:
        typer.echo(f"note: {len(lone)} file(s) without a partner are not aligned: "
                   f"{', '.join(str(p) for p in lone[:5])}{' …' if len(lone) > 5 else ''} "
                   "(`aligner import` stores a text that has no translation)", err=True)
    _, sessions = open_store(db)
    results = run_batch(specs, sessions, get_encoder(encoder), project=project, config=config,
                        with_flags=not no_flags, prefetch=not no_prefetch,
                        options=ReadOptions(strip_markup=strip_markup),
                        show_progress=not quiet and sys.stderr.isatty())  # no bars in a log
    typer.echo(format_summary(results))
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)
