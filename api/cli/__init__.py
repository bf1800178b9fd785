"""The command line (``aligner``): a thin layer that builds core objects and hands over.

It lives with the API because ``aligner serve`` runs the web server, and the core package
(``aligner/``) imports no web code. One module per area; each command turns every
:class:`aligner.errors.AlignerError` into one ``error: ...`` line and exit code 2.
"""

from __future__ import annotations

import sys

import typer

from api.cli import adapt, align, batch, pair, serve, store, users, words, workflow

app = typer.Typer(
    name="aligner",
    help="Align a translation to its source at sentence level, store it, review it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for _area in (align, store, workflow, adapt, batch, pair, serve, users, words):
    _area.register(app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
