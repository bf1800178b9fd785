"""``aligner batch``: many bitexts into the store, resumable, on this machine's cores or
a Dask cluster; pairs found by name (``NAME_ru.txt``/``NAME_en.txt``, a manifest) or by
content (``--pair auto``: which record translates which)."""

from __future__ import annotations

import signal

import typer

from api.cli.common import (
    DEFAULT_DB,
    DEFAULT_PROJECT,
    Db,
    Encoder,
    LeftoverThreshold,
    MaxSide,
    Partial,
    PairThreshold,
    Project,
    Quiet,
    SetOption,
    StripMarkup,
    align_config,
    pair_config,
    split_with,
    user_errors,
)

INPUT_HELP = ("Folder of NAME_<src>.txt/NAME_<tgt>.txt pairs (searched recursively), or a "
              ".csv/.toml manifest. With --pair auto: source files or folders, then --with and "
              "the target files or folders (SRC... --with TGT...); without --with, a folder's "
              "*_<src>.* files are the sources and its *_<tgt>.* files the targets.")


def register(app: typer.Typer) -> None:
    app.command("batch", context_settings={"ignore_unknown_options": True})(batch_command)


@user_errors
def batch_command(
    inputs: list[str] = typer.Argument(..., metavar="FOLDER_OR_MANIFEST | SRC... --with TGT...",
                                       help=INPUT_HELP),
    db: Db = DEFAULT_DB,
    src_lang: str = typer.Option("ru", "--src-lang", help="Source language (folder mode, manifest default)."),
    tgt_lang: str = typer.Option("en", "--tgt-lang", help="Translation language (folder mode, manifest default)."),
    pair: str = typer.Option("name", "--pair", help="name: pairs by file name or manifest; auto: "
                             "find which record translates which (records of volumes too), "
                             "store that pairing for review, align the pairs."),
    executor: str = typer.Option("local", "--executor", help="local: a process pool here; dask: "
                                 "a Dask distributed cluster (needs the [dask] extra and --scheduler)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes (--executor local)."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="tcp://HOST:8786",
                                  help="The Dask scheduler's address (--executor dask)."),
    threads: int = typer.Option(None, "--threads", min=1, help="BLAS/encoder threads per task "
                                "(default: its share of its host's cores)."),
    project: Project = DEFAULT_PROJECT,
    encoder: Encoder = None,
    strip_markup: StripMarkup = True,
    partial: Partial = False,
    max_side: MaxSide = None,
    settings: SetOption = None,
    threshold: PairThreshold = None,
    leftover_threshold: LeftoverThreshold = None,
    no_flags: bool = typer.Option(False, "--no-flags", help="Skip the fidelity checks."),
    quiet: Quiet = False,
) -> None:
    """Align many bitexts into the store; a rerun skips pairs already done (resumable).

    Progress: a bar on a terminal, else one line per finished pair on stderr (a log).
    SIGINT/SIGTERM stop cleanly: what was stored is summarised, the rest is done by
    running the same command again. Examples:

      aligner batch texts/ --db x.db --workers 2 > log 2>&1

      aligner batch volume_ru.txt --with telegrams/ --pair auto --db x.db

      aligner batch texts/ --db x.db --executor dask --scheduler tcp://HOST:8786
    """
    from aligner.batch import find_pairs, format_summary, unpaired_files
    from aligner.batch.auto import leftover_lines, pair_and_store
    from aligner.batch.engine import StopFlag, run_tasks
    from aligner.batch.executors import make_executor
    from aligner.batch.tasks import PairTask
    from aligner.embed import get_encoder
    from aligner.errors import AlignerError
    from aligner.pipeline import ReadOptions
    from aligner.store.db import open_store, to_url

    config = align_config(settings, partial=partial, max_side=max_side)
    if pair not in ("name", "auto"):
        raise AlignerError(f"unknown --pair {pair!r}; use name or auto")
    if pair != "auto" and (threshold is not None or leftover_threshold is not None):
        raise AlignerError("--threshold and --leftover-threshold set the pairing of --pair auto; "
                           "pairs by name have no scores")
    sources, targets = split_with(inputs, required=False)
    auto = None
    if pair == "name":
        if targets or len(sources) != 1:
            raise AlignerError("pairs by name take one folder or manifest; for SRC... --with "
                               "TGT... add --pair auto")
        tasks = [PairTask.from_spec(s) for s in find_pairs(sources[0], src_lang, tgt_lang)]
        lone = unpaired_files(sources[0], src_lang, tgt_lang)
        if lone and not quiet:
            typer.echo(f"note: {len(lone)} file(s) without a partner are not aligned: "
                       f"{', '.join(str(p) for p in lone[:5])}{' …' if len(lone) > 5 else ''} "
                       "(--pair auto pairs files by content)", err=True)
    pairing = pair_config(threshold, leftover_threshold, strip_markup)
    _, sessions = open_store(db)  # after the inputs are checked: a typo makes no database
    enc = get_encoder(encoder)
    if pair == "auto":
        if not targets:
            sources, targets = _by_language_suffix(sources, src_lang, tgt_lang)
        auto = pair_and_store(sources, targets, src_lang, tgt_lang, enc, sessions, project=project,
                              config=config, pair_config=pairing)
        tasks = auto.tasks
        if not quiet:
            again = " (stored before: not paired again)" if auto.reused else ""
            tentative = f", {auto.tentative} tentative: check those first" if auto.tentative else ""
            typer.echo(f"pairing run {auto.run_id}{again}: {len(tasks)} pair(s) to align "
                       f"({sum(t.partial for t in tasks)} partial{tentative}); review it on the page "
                       f"(Pairing) or at /api/pairings/{auto.run_id}", err=True)
    stop = StopFlag()
    with stop.installed():  # a signal while the workers start is honoured too
        pool = make_executor(executor, workers=workers, encoder=enc.name, scheduler=scheduler,
                             threads=threads)
    if not quiet:
        typer.echo(pool.describe(), err=True)
    direct = db if to_url(db).get_backend_name() != "sqlite" else None
    with pool:
        report = run_tasks(tasks, sessions, pool, enc, project=project, config=config,
                           with_flags=not no_flags, options=ReadOptions(strip_markup=strip_markup),
                           db_url=direct, progress=None if quiet else "auto", stop=stop)
    if report.results:
        typer.echo(format_summary(report.results))
    typer.echo(report.closing_line())
    if auto is not None:  # the report on stdout names what the reviewer should check first
        typer.echo(f"pairing run {auto.run_id}: {len(tasks)} pair(s), {sum(t.partial for t in tasks)} partial, "
                   f"{auto.tentative} tentative (under the threshold: check those first on the page)")
        for line in leftover_lines(auto.result):
            typer.echo(line)
    if report.stopped_by:
        raise typer.Exit(128 + int(getattr(signal, report.stopped_by, signal.SIGTERM)))
    if any(r.status == "failed" for r in report.results):
        raise typer.Exit(1)


def _by_language_suffix(paths: list[str], src_lang: str, tgt_lang: str) -> tuple[list[str], list[str]]:
    """Files named ``*_<src_lang>.*`` and ``*_<tgt_lang>.*`` under ``paths``. Raises
    AlignerError if either side has none."""
    from pathlib import Path

    from aligner.errors import AlignerError
    from aligner.pairing import find_files

    files = find_files(paths)
    sides = tuple([str(f) for f in files if Path(f).stem.endswith(f"_{lang}")] for lang in (src_lang, tgt_lang))
    if not sides[0] or not sides[1]:
        raise AlignerError(f"--pair auto: give SRC... --with TGT..., or a folder of *_{src_lang}.* "
                           f"and *_{tgt_lang}.* files")
    return sides
