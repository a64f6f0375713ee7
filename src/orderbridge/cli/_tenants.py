"""``orderbridge tenants`` and ``orderbridge keys``: tenants kept in the store, and their key.

A tenant is one Autotask database with its TD SYNNEX account(s), carriers and notifications
(ADR 48). ``tenants add NAME --config FILE`` imports the tenant sections of FILE into the store,
credentials encrypted (ADR 49); the store and the key are the installation's, from its own
configuration (``--installation-config``, else ``$ORDERBRIDGE_CONFIG``, else
``./orderbridge.toml``). Every other subcommand reads the installation's configuration through
``--config`` as every command does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import (
    ConfigOption,
    console,
    errors,
    existing_store_or_exit,
    fail,
    settings_or_exit,
    store_or_exit,
)

if TYPE_CHECKING:
    from orderbridge.settings import Settings

__all__ = ["keys_app", "tenants_app"]

tenants_app = typer.Typer(
    help="Tenants kept in the store: add, list, show, disable, enable, remove."
)
keys_app = typer.Typer(help="The key that encrypts tenants' credentials: create, rotate.")

NameArgument = Annotated[str, typer.Argument(help="The tenant's name.", show_default=False)]


@contextmanager
def _user_errors() -> Iterator[None]:
    """Configuration, key and store problems as one line each, exit 2."""
    from orderbridge.ports import StoreUnavailable
    from orderbridge.settings import ConfigError

    try:
        yield
    except ConfigError as exc:
        fail([f"configuration error: {line}" for line in exc.problems])
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])


def _installation(config: Path | None, *, create: bool = False) -> Settings:
    """The installation's settings; the store must exist unless ``create`` (and named)."""
    settings = settings_or_exit(config, tenant=False)
    if create:
        store_or_exit(settings, config, create=True)
    else:
        existing_store_or_exit(settings, config)
    return settings


@tenants_app.command("add")
def add(
    name: NameArgument,
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            "-c",
            help="The tenant's TOML file: its [autotask], [tdsynnex], [carriers], "
            "[notifications], [sync] and [mapping] sections are imported.",
            show_default=False,
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the settings of an existing tenant.")
    ] = False,
    installation: Annotated[
        Path | None,
        typer.Option(
            "--installation-config",
            help="The installation's configuration (store, key); default: $ORDERBRIDGE_CONFIG, "
            "else ./orderbridge.toml.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a tenant's connection settings into the store (credentials encrypted)."""
    from orderbridge.bootstrap_tenants import add_tenant

    settings = _installation(installation, create=True)
    with _user_errors():
        saved, ignored = add_tenant(settings, name, config, replace=replace)
    if not saved:
        fail([f"tenant {name} already exists; add --replace to replace its settings"])
    if ignored:
        shown = ", ".join(f"[{section}]" for section in ignored)
        errors.print(
            f"note: {shown} of {config} left out: the installation's configuration sets those",
            markup=False,
            highlight=False,
        )
    verb = "replaced" if replace else "added"
    console.print(
        f"Tenant {name} {verb}; its credentials are encrypted in the store. "
        f"Commands serve it with --tenant {name}.",
        markup=False,
        highlight=False,
    )


@tenants_app.command("list")
def list_tenants(config: ConfigOption = None) -> None:
    """List the tenants, whether each is enabled, and whether the key opens its credentials."""
    from orderbridge.bootstrap_tenants import tenant_summaries

    settings = _installation(config)
    with _user_errors():
        summaries = tenant_summaries(settings)
    if not summaries:
        console.print(
            "No tenants in the store: this installation serves its configuration file "
            "(tenant default). orderbridge tenants add NAME --config FILE adds one.",
            markup=False,
            highlight=False,
        )
        return
    from ._render import titled_table

    table = titled_table(
        "Tenants", ("Tenant", "Enabled", "Key", "Credentials", "Updated"), fold=False
    )
    for t in summaries:
        table.add_row(
            t.name,
            "yes" if t.enabled else "no",
            t.key_id,
            "readable" if t.readable else "NOT readable with the configured key",
            f"{t.updated_at:%Y-%m-%d %H:%M} UTC",
        )
    console.print(table)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


@tenants_app.command("show")
def show(name: NameArgument, config: ConfigOption = None) -> None:
    """Show one tenant's settings (credentials masked)."""
    import tomli_w

    from orderbridge.bootstrap_tenants import tenant_summaries

    settings = _installation(config)
    with _user_errors():
        [t] = tenant_summaries(settings, name)
    readable = "readable" if t.readable else "NOT readable with the configured key"
    console.print(
        f"Tenant {t.name}: {'enabled' if t.enabled else 'disabled'}; credentials encrypted "
        f"with key {t.key_id} ({readable}); added {t.created_at:%Y-%m-%d %H:%M} UTC, "
        f"updated {t.updated_at:%Y-%m-%d %H:%M} UTC",
        markup=False,
        highlight=False,
    )
    console.print(tomli_w.dumps(_without_none(t.sections)), markup=False, highlight=False)


def _switch(name: str, config: Path | None, *, enabled: bool) -> None:
    from orderbridge.bootstrap_tenants import set_tenant_enabled

    settings = _installation(config)
    with _user_errors():
        set_tenant_enabled(settings, name, enabled)
    state = "enabled" if enabled else "disabled: no command or worker serves it until enabled"
    console.print(f"Tenant {name} {state}.", markup=False, highlight=False)


@tenants_app.command("disable")
def disable(name: NameArgument, config: ConfigOption = None) -> None:
    """Stop serving a tenant (its settings and records stay)."""
    _switch(name, config, enabled=False)


@tenants_app.command("enable")
def enable(name: NameArgument, config: ConfigOption = None) -> None:
    """Serve a disabled tenant again."""
    _switch(name, config, enabled=True)


@tenants_app.command("remove")
def remove(
    name: NameArgument,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: forget the tenant's settings.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Forget a tenant's settings and credentials; its orders and history stay in the store."""
    from orderbridge.bootstrap_tenants import remove_tenant

    settings = _installation(config)
    if not yes:
        fail(
            [
                f"this forgets tenant {name}'s connection settings and credentials; its orders, "
                f"history, runs and audit trail stay in the store (adding {name} again brings "
                "them back); run again with --yes"
            ]
        )
    with _user_errors():
        remove_tenant(settings, name)
    console.print(
        f"Tenant {name} removed; its records stay in the store.", markup=False, highlight=False
    )


@keys_app.command("create")
def create(config: ConfigOption = None) -> None:
    """Write a new key file at [store] secret_key_file (readable by its owner only)."""
    from orderbridge.bootstrap_tenants import create_key_file

    settings = settings_or_exit(config, tenant=False)
    with _user_errors():
        path = create_key_file(settings)
    import os

    if os.environ.get("ORDERBRIDGE_SECRET_KEY", "").strip():
        errors.print(
            "note: ORDERBRIDGE_SECRET_KEY is set, and is used instead of this file while it is",
            markup=False,
            highlight=False,
        )
    console.print(
        f"Key written to {path} (mode 600). Keep a copy somewhere safe and apart from the "
        "store's backups: without it the credentials in the store cannot be read.",
        markup=False,
        highlight=False,
    )


@keys_app.command("rotate")
def rotate(config: ConfigOption = None) -> None:
    """Re-encrypt every tenant's credentials under a new key (one transaction)."""
    from orderbridge.bootstrap_tenants import rotate_keys

    settings = _installation(config)
    with _user_errors():
        done = rotate_keys(settings)
    if done.key_file is not None:
        where = f"the new key replaced the old one in {done.key_file}; back it up again"
    else:
        where = (
            f"under the first key of {done.source}; remove the old keys from it once every "
            "process has restarted with the new list"
        )
    console.print(
        f"Re-encrypted the credentials of {done.tenants} tenant(s) with key {done.key_id}: "
        f"{where}.",
        markup=False,
        highlight=False,
    )
