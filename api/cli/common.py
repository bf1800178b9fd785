"""What every command shares: the error contract, and one option per concept (``--db``,
``--encoder``, ``--project``, ``--strip-markup/--keep-markup``, ``--set NAME=VALUE``…).

Every :class:`aligner.errors.AlignerError` (and OSError, and a database error) becomes a
one-line ``error: ...`` message on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import os
import sys
from functools import wraps
from typing import Annotated

import typer

from aligner.align import SETTINGS, AlignConfig
from aligner.errors import AlignerError

_SETTING = {s.name: s for s in SETTINGS}


def user_errors(func):
    """Decorator: turn AlignerError (and OSError, database errors) into a clean one-line
    error and exit 2."""

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


# --- one option per concept ---------------------------------------------------------------

Db = Annotated[str, typer.Option(
    "--db", envvar="ALIGNER_DB", metavar="PATH_OR_URL",
    help="The store: a SQLite file or a SQLAlchemy URL (postgresql+psycopg://…). "
         "Environment: ALIGNER_DB.")]
Encoder = Annotated[str | None, typer.Option(
    "--encoder", envvar="ALIGNER_ENCODER", metavar="NAME",
    help="Encoder: use-m3 (default, offline, in the package) or a sentence-transformers "
         "model folder or cached name (e.g. LaBSE). Environment: ALIGNER_ENCODER.")]
Project = Annotated[str, typer.Option("--project", help="Project (in the store) to use.")]
StripMarkup = Annotated[bool, typer.Option(
    "--strip-markup/--keep-markup",
    help="Drop inline tags such as <h1>, <b>, <delimiter> (offsets into the raw text stay).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summary.")]
SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="NAME=VALUE",
    help="An aligner setting (repeatable), e.g. --set max_side=4. `aligner settings` "
         "lists them all with their ranges.")]
Partial = Annotated[bool, typer.Option("--partial", help=_SETTING["partial"].help)]
MaxSide = Annotated[int | None, typer.Option(
    "--max-side", min=int(_SETTING["max_side"].minimum), max=int(_SETTING["max_side"].maximum),
    help=_SETTING["max_side"].help + " Also sets max_total to this + 1.")]
PairThreshold = Annotated[float | None, typer.Option(
    "--threshold", min=0.0, max=1.0,
    help="Pairing: least score of a pair (below it a record stays unpaired; default 0.5).")]
LeftoverThreshold = Annotated[float | None, typer.Option(
    "--leftover-threshold", min=0.0, max=1.0,
    help="Pairing: least score of a tentative pair, two records both left unpaired, each the "
         "other's best remaining candidate (default 0.01; 1 turns this second round off).")]
DEFAULT_DB = "aligner.db"
DEFAULT_PROJECT = "default"


def pair_config(threshold: float | None, leftover_threshold: float | None, strip_markup: bool):
    """The pairing parameters of ``--threshold`` and ``--leftover-threshold`` (None: the
    default of :class:`aligner.pairing.PairConfig`, the leftover one at most ``threshold``).
    Raises AlignerError if the leftover round's threshold is above the first round's (it
    would do nothing; 1 turns it off)."""
    from aligner.errors import AlignerError
    from aligner.pairing import PairConfig

    threshold = PairConfig.threshold if threshold is None else threshold
    if leftover_threshold is None:  # a low --threshold alone lowers the leftover round's too
        leftover_threshold = min(PairConfig.leftover_threshold, threshold)
    if threshold < leftover_threshold < 1.0:
        raise AlignerError(f"--leftover-threshold {leftover_threshold} is above --threshold {threshold}: "
                           "the leftover round would pair nothing (use 1 to turn it off)")
    return PairConfig(threshold=threshold, leftover_threshold=leftover_threshold, strip_markup=strip_markup)


def align_config(assignments: list[str] | None, *, partial: bool = False,
                 max_side: int | None = None) -> AlignConfig:
    """The aligner's settings from ``--set`` items and the named options. Raises
    SettingError (one line) for an unknown setting or a bad value."""
    from aligner.settings import parse_assignments

    values = parse_assignments(AlignConfig, assignments or [])
    if partial:
        values["partial"] = True
    if max_side is not None:
        values.setdefault("max_side", max_side)
        values.setdefault("max_total", max_side + 1)
    return AlignConfig(**values)


def existing_store(db: str):
    """Sessions of a database that must already exist (commands that only read): a
    mistyped ``--db`` is an error, not a new empty database and a silent "no match"."""
    from aligner.store.cli_support import require_existing
    from aligner.store.db import open_store

    require_existing(db)
    return open_store(db)[1]


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """``fmt`` if allowed, else AlignerError naming the choices."""
    if fmt not in allowed:
        raise AlignerError(f"unknown --format {fmt!r}; use one of {', '.join(allowed)}")
    return fmt


def parse_options(items: list[str] | None) -> dict[str, str]:
    """``["keep_nulls=yes"]`` → ``{"keep_nulls": "yes"}`` (``--option``); the format checks
    names and values. AlignerError for an item without ``=``."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise AlignerError(f"--option {item!r}: write NAME=VALUE, e.g. keep_nulls=yes")
        out[name.strip()] = value.strip()
    return out


def split_with(paths: list[str], *, required: bool) -> tuple[list[str], list[str]]:
    """``SRC... --with TGT...`` (as ``aligner pair`` and ``aligner batch --pair auto`` take
    them; the command passes ``--with`` through as an argument) → (sources, targets).
    Raises AlignerError: ``--with`` missing (if ``required``) or empty, another unknown
    option, no source."""
    for p in paths:
        if p.startswith("--") and p != "--with" and not p.startswith("--with="):
            raise AlignerError(f"no such option: {p.split('=')[0]}")
    items = []
    for p in paths:  # --with=TGT is --with TGT
        items += ["--with", p[len("--with="):]] if p.startswith("--with=") else [p]
    if "--with" not in items:
        if required:
            raise AlignerError("give the targets after --with: SRC... --with TGT...")
        return items, []
    at = items.index("--with")
    sources, targets = items[:at], [p for p in items[at + 1:] if p != "--with"]
    if not sources:
        raise AlignerError("no source file or folder before --with")
    if not targets:
        raise AlignerError("no target file or folder after --with")
    return sources, targets
