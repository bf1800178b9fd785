"""``aligner adapt``: learn from a project's confirmed beads (:mod:`aligner.store.adaptation`).

The fit is explicit; later alignments and re-alignments in the project use it."""

from __future__ import annotations

import typer

from api.cli.common import DEFAULT_DB, DEFAULT_PROJECT, Db, Encoder, Project, existing_store, user_errors


def register(app: typer.Typer) -> None:
    app.command("adapt")(adapt_command)


@user_errors
def adapt_command(db: Db = DEFAULT_DB, project: Project = DEFAULT_PROJECT,
                  encoder: Encoder = None) -> None:
    """Fit the aligner's bead scores on the confirmed beads of a project and keep them
    with the project: re-alignments and new alignments in it then use them (confirmed
    beads are never changed). Prints one line; nothing is stored below 30 confirmed beads.

    Example: aligner adapt --db aligner.db --project litvinov
    """
    from aligner.embed import get_encoder
    from aligner.store.adaptation import adapt_and_describe
    from aligner.store.service import project_id_by_name

    sessions = existing_store(db)
    with sessions() as session:
        pid = project_id_by_name(session, project)
        _, line = adapt_and_describe(session, pid, get_encoder(encoder))
    typer.echo(line)
