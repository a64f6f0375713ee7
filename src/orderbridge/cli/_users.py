"""``orderbridge users`` and ``orderbridge tokens``: who may use the dashboard and the API.

Passwords are read from standard input (asked twice on a terminal; one line when piped), never
from the command line, where other users could read them in the process list.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    ConfigOption,
    console,
    errors,
    fail,
    opened_store,
    settings_or_exit,
    store_or_exit,
)

if TYPE_CHECKING:
    from orderbridge.application.accounts import Accounts

__all__ = ["tokens_app", "users_app"]

users_app = typer.Typer(help="Dashboard users: add, list, remove, change a password.")
tokens_app = typer.Typer(help="API tokens for scripts (Authorization: Bearer TOKEN).")


class Role(StrEnum):
    """Who may do what: admins change settings and resync, viewers read."""

    ADMIN = "admin"
    VIEWER = "viewer"


RoleOption = Annotated[Role, typer.Option("--role", help="admin or viewer.", case_sensitive=False)]


@contextmanager
def _accounts(config: ConfigOption, *, create: bool = False) -> Iterator[Accounts]:
    from orderbridge.application.accounts import AccountError
    from orderbridge.bootstrap import accounts

    settings = settings_or_exit(config, tenant=False)
    store_or_exit(settings, config, create=create)
    try:
        with opened_store(settings) as store:
            yield accounts(settings, store)
    except AccountError as exc:
        fail([str(exc)])


def _read_password() -> str:
    """The new password: asked twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            fail(["the two passwords differ; nothing was changed"])
        return first
    line = sys.stdin.readline()
    if not line:
        fail(["no password on standard input (pipe it in, e.g. from a password manager)"])
    return line.rstrip("\r\n")


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="The user name to sign in with.")],
    role: RoleOption = Role.VIEWER,
    config: ConfigOption = None,
) -> None:
    """Add a dashboard user; the password comes from standard input."""
    with _accounts(config, create=True) as service:
        service.add_user(name, role.value, _read_password())
    console.print(f"User {name} added ({role.value}).", highlight=False, markup=False)


@users_app.command("list")
def list_users(config: ConfigOption = None) -> None:
    """List dashboard users and their roles."""
    with _accounts(config) as service:
        users = service.users()
    if not users:
        console.print("No users yet: orderbridge users add NAME --role admin", highlight=False)
        return
    from ._render import titled_table

    table = titled_table("Dashboard users", ("User", "Role", "Added"), fold=False)
    for user in users:
        table.add_row(user.username, user.role, f"{user.created_at:%Y-%m-%d %H:%M} UTC")
    console.print(table)


@users_app.command("remove")
def remove_user(name: str, config: ConfigOption = None) -> None:
    """Remove a user (their sessions end at once)."""
    with _accounts(config) as service:
        service.remove_user(name)
    console.print(f"User {name} removed.", highlight=False, markup=False)


@users_app.command("passwd")
def change_password(name: str, config: ConfigOption = None) -> None:
    """Set a user's password from standard input (their sessions end)."""
    with _accounts(config) as service:
        service.change_password(name, _read_password())
    console.print(f"Password of {name} changed.", highlight=False, markup=False)


@tokens_app.command("create")
def create_token(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. prometheus.")],
    role: RoleOption = Role.VIEWER,
    config: ConfigOption = None,
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    with _accounts(config, create=True) as service:
        token = service.create_token(name, role.value)
    print(token)  # alone on stdout, so scripts can capture it
    errors.print(
        f"Token {name} ({role.value}) created. It is shown only now; send it as "
        "Authorization: Bearer TOKEN.",
        highlight=False,
        markup=False,
    )


@tokens_app.command("list")
def list_tokens(config: ConfigOption = None) -> None:
    """List API tokens (names and roles; the tokens themselves are not kept)."""
    with _accounts(config) as service:
        tokens = service.tokens()
    from ._render import titled_table

    table = titled_table("API tokens", ("Name", "Role", "Created", "Last used"), fold=False)
    for token in tokens:
        used = "never" if token.last_used_at is None else f"{token.last_used_at:%Y-%m-%d %H:%M}"
        table.add_row(token.name, token.role, f"{token.created_at:%Y-%m-%d %H:%M}", used)
    console.print(table)


@tokens_app.command("revoke")
def revoke_token(name: str, config: ConfigOption = None) -> None:
    """Revoke an API token."""
    with _accounts(config) as service:
        service.revoke_token(name)
    console.print(f"Token {name} revoked.", highlight=False, markup=False)
