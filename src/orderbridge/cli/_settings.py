"""``orderbridge settings``: show, change and reset the runtime settings kept in the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from orderbridge.application.runtime import RUNTIME_KEYS, RuntimeSettings
from orderbridge.bootstrap import open_store, runtime_settings
from orderbridge.ports import StoreUnavailable

from ._common import ConfigOption, console, fail, settings_or_exit
from ._records import actor

app = typer.Typer(
    help="Show or change the runtime settings (on/off, frequency, scope) kept in the store.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def show(
    ctx: typer.Context,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Replace the stored values with the configuration's."),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Show the effective runtime settings and where each comes from (store or file)."""
    if ctx.invoked_subcommand is not None:
        if reset:
            fail(["--reset cannot be combined with a subcommand"])
        return
    try:
        with _runtime(config) as runtime:
            if reset:
                runtime.reset()
                console.print("Runtime settings reset to the configuration's values.")
            _print(runtime)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])


@app.command("set")
def set_value(
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(RUNTIME_KEYS)}.")],
    value: Annotated[str, typer.Argument(help="The new value, e.g. custom:15m or recent:60.")],
    config: ConfigOption = None,
) -> None:
    """Change one runtime setting; a running daemon applies it at its next cycle."""
    try:
        with _runtime(config) as runtime:
            try:
                runtime.set(key.strip().lower(), value)
            except ValueError as exc:
                fail([f"{key}: {exc}"])
            _print(runtime)
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"])


@contextmanager
def _runtime(config: ConfigOption) -> Iterator[RuntimeSettings]:
    settings = settings_or_exit(config)
    with open_store(settings) as store:
        yield runtime_settings(settings, store, actor=actor())


def _print(runtime: RuntimeSettings) -> None:
    entries = runtime.entries()
    table = Table(title="Runtime settings", title_justify="left")
    for column in ("Setting", "Value", "From", "Configuration says"):
        table.add_column(column)
    for entry in entries:
        differs = "" if entry.source == "file" else entry.file_value
        table.add_row(entry.key, entry.value, entry.source, differs)
    console.print(table)
    values = runtime.load()
    console.print(
        f"Schedule: {values.frequency.describe()}. Scope: {values.scope.describe()}. "
        f"Scheduled sync is {'on' if values.enabled else 'off'}.",
        highlight=False,
    )
    for entry in entries:
        if entry.note:
            console.print(f"warning: {entry.key}: {entry.note}", highlight=False)
    if any(entry.source == "store" for entry in entries):
        console.print(
            "Values from the store were changed at runtime and win over the configuration; "
            "orderbridge settings --reset restores the configuration's.",
            highlight=False,
        )
