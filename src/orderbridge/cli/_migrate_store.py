"""``orderbridge migrate-store``: copy the store into another database (SQLite to PostgreSQL).

Bad input (a missing source, a target URL of the wrong form, a non-empty target, a runner
still using the store) gets one clear line and exit code 2; a store failure exit code 1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orderbridge.ports import StoreUnavailable

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    console,
    existing_store_or_exit,
    fail,
)
from ._common import settings_or_exit as _settings


def migrate_store(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The database to copy the store into, e.g. "
            "postgresql+psycopg://orderbridge@db.example/orderbridge (migrated first; must be "
            "empty).",
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a target that is not empty.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Copy every order, history row, run, audit entry and setting into another database."""
    from pydantic import ValidationError

    from orderbridge.bootstrap import RestoreRefused, migrate_store
    from orderbridge.settings import StoreSettings

    settings = _settings(config, tenant=False)
    existing_store_or_exit(settings, config)
    try:
        StoreSettings(url=to)
    except ValidationError:
        fail(
            [
                f"--to: {to.split('@')[-1]!r} is not a store URL: use postgresql+psycopg://"
                "USER@HOST:PORT/DATABASE or sqlite:///PATH"
            ]
        )
    try:
        copied = migrate_store(settings, to, force=force)
    except RestoreRefused as exc:
        fail([f"migrate-store refused: {exc}"], EXIT_CONFIG)
    except StoreUnavailable as exc:
        fail([f"migrate-store failed: {exc}"], EXIT_ORDERS_FAILED)
    tables = ", ".join(f"{n:,} {table}" for table, n in sorted(copied.rows.items()))
    console.print(
        f"Copied {copied.total:,} rows ({tables or 'an empty store'}); every table checked.\n"
        "Point orderbridge at the new store: set [store] url to the --to URL in the configuration "
        "file, then start orderbridge again. The old store is unchanged.",
        highlight=False,
    )
