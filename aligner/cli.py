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

# (evaluate: quality measurement)

# (db / export / serve: store and review)

# (batch / search / import: batch and concordance)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
