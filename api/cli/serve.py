"""``aligner serve``: the review page and the HTTP API."""

from __future__ import annotations

import typer

from api.cli.common import DEFAULT_DB, Db, Encoder, SetOption, align_config, user_errors


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


@user_errors
def serve_command(
    db: Db = DEFAULT_DB,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    no_import: bool = typer.Option(False, "--no-import", help="Do not import the bundled corpus into an empty database."),
    encoder: Encoder = None,
    settings: SetOption = None,
    auth: str = typer.Option(None, "--auth", help="local (no accounts: everyone on this machine is "
                             "admin; only on 127.0.0.1) or accounts (sign in). Default: local on "
                             "127.0.0.1 while the store has no account, else accounts."),
) -> None:
    """Serve the review page and the HTTP API (docs at /docs) until Ctrl+C.

    On first start (empty database) imports and aligns the bundled corpus. --set gives the
    aligner settings of alignment jobs that do not choose their own. Listening on any
    address but 127.0.0.1 needs accounts (`aligner user add NAME --role admin`).
    """
    from api.server import run_server

    run_server(db, host, port, import_corpus=not no_import, encoder=encoder,
               align_config=align_config(settings), auth=auth, echo=typer.echo)
