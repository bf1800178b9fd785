"""``aligner user add/list/passwd/role/remove/token``: accounts of the review server.

The password is asked for on the terminal (twice) unless ``--password-stdin`` reads it
from standard input (for scripts: ``printf %s "$PW" | aligner user add anna --password-stdin``).
"""

from __future__ import annotations

import sys

import typer

from api.cli.common import DEFAULT_DB, Db, user_errors

user_app = typer.Typer(help="Accounts of the review server (admin, reviewer, viewer).",
                       no_args_is_help=True)
Role = typer.Option("reviewer", "--role", help="admin | reviewer | viewer")
PasswordStdin = typer.Option(False, "--password-stdin", help="Read the password from standard input.")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    user_app.command("add")(add_command)
    user_app.command("list")(list_command)
    user_app.command("passwd")(passwd_command)
    user_app.command("role")(role_command)
    user_app.command("remove")(remove_command)
    user_app.command("token")(token_command)


def _sessions(db: str, *, create: bool = False):
    from aligner.store.cli_support import open_existing
    from aligner.store.db import open_store

    if create:  # the first admin may be added before anything else: make the schema
        return open_store(db)
    return open_existing(db)


def _in_store(db: str, action, *, create: bool = False):
    """``action(session)`` on the store ``db``; its result."""
    engine, sessions = _sessions(db, create=create)
    try:
        with sessions() as session:
            return action(session)
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    from aligner.errors import AlignerError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise AlignerError("no password given")
    return password


@user_errors
def add_command(username: str = typer.Argument(..., help="Account name (letters, digits, . @ - _)."),
                role: str = Role, db: Db = DEFAULT_DB, password_stdin: bool = PasswordStdin) -> None:
    """Add an account (creates and migrates the store if needed)."""
    from aligner.store.accounts.service import add_user, check_role, check_username

    check_username(username), check_role(role)
    password = _password(password_stdin)
    made = _in_store(db, lambda s: add_user(s, username, password, role), create=True)
    typer.echo(f"added {made['role']} {made['username']}")


@user_errors
def list_command(db: Db = DEFAULT_DB) -> None:
    """List the accounts: name, role, API tokens, created."""
    from aligner.store.accounts.service import list_users

    users = _in_store(db, list_users)
    if not users:
        typer.echo("no accounts (the server runs in local mode on 127.0.0.1 only); add one with "
                   "`aligner user add NAME --role admin`")
    for u in users:
        typer.echo(f"{u['username']}\t{u['role']}\t{u['tokens']} token(s)\tcreated {u['created'][:19]}")


@user_errors
def passwd_command(username: str = typer.Argument(...), db: Db = DEFAULT_DB,
                   password_stdin: bool = PasswordStdin) -> None:
    """Set an account's password (signs it out of every page)."""
    from aligner.store.accounts.service import set_password

    password = _password(password_stdin)
    _in_store(db, lambda s: set_password(s, username, password))
    typer.echo(f"password of {username} changed")


@user_errors
def role_command(username: str = typer.Argument(...), role: str = typer.Argument(..., help="admin | reviewer | viewer"),
                 db: Db = DEFAULT_DB) -> None:
    """Change an account's role."""
    from aligner.store.accounts.service import set_role

    _in_store(db, lambda s: set_role(s, username, role))
    typer.echo(f"{username} is now a {role}")


@user_errors
def remove_command(username: str = typer.Argument(...), db: Db = DEFAULT_DB) -> None:
    """Remove an account, its page sessions and API tokens (its edits keep its name)."""
    from aligner.store.accounts.service import remove_user

    _in_store(db, lambda s: remove_user(s, username))
    typer.echo(f"removed {username}")


@user_errors
def token_command(username: str = typer.Argument(...), label: str = typer.Option("", "--label"),
                  db: Db = DEFAULT_DB) -> None:
    """Make an API token for scripts (printed once): send it as `Authorization: Bearer TOKEN`."""
    from aligner.store.accounts.service import create_token

    typer.echo(_in_store(db, lambda s: create_token(s, username, label)))
