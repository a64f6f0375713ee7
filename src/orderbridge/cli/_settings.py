"""``orderbridge settings``: show, change and reset the runtime settings kept in the store.

Showing never creates a store: with no store yet it shows the configuration's values. Changing
creates the store only where a configuration names it (see ``store_or_exit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    ConfigOption,
    actor,
    console,
    fail,
    opened_store,
    settings_or_exit,
    store_or_exit,
)

if TYPE_CHECKING:
    from orderbridge.application.runtime import RuntimeEntry, RuntimeSettings, RuntimeValues
    from orderbridge.settings import Settings

app = typer.Typer(
    help="Show or change the runtime settings (on/off, frequency, scope) kept in the store.",
    invoke_without_command=True,
    no_args_is_help=False,
)

RUNTIME_KEY_NAMES = "enabled, frequency, daily_at, timezone, min_gap_s, scope"


@app.callback()
def show(
    ctx: typer.Context,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Replace the stored values with the configuration's."),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Show the effective runtime settings and where each comes from (store, file or default)."""
    if ctx.invoked_subcommand is not None:
        if reset:
            fail(["--reset cannot be combined with a subcommand"])
        return
    settings = settings_or_exit(config)
    if not store_or_exit(settings, config, create=reset):
        _print_file_only(settings)
        return
    with _runtime(settings) as runtime:
        if reset:
            runtime.reset()
            console.print("Runtime settings reset to the configuration's values.")
        _print(runtime, settings)


@app.command("set")
def set_value(
    key: Annotated[str, typer.Argument(help=f"One of: {RUNTIME_KEY_NAMES}.")],
    value: Annotated[str, typer.Argument(help="The new value, e.g. custom:15m or recent:60.")],
    config: ConfigOption = None,
) -> None:
    """Change one runtime setting; a running daemon applies it at its next cycle."""
    settings = settings_or_exit(config)
    store_or_exit(settings, config, create=True)
    with _runtime(settings) as runtime:
        try:
            runtime.set(key.strip().lower(), value)
        except ValueError as exc:
            fail([f"{key}: {exc}"])
        _print(runtime, settings)


@contextmanager
def _runtime(settings: Settings) -> Iterator[RuntimeSettings]:
    from orderbridge.bootstrap import runtime_settings

    with opened_store(settings) as store:
        yield runtime_settings(settings, store, actor=actor())


def _source(entry: RuntimeEntry, settings: Settings) -> str:
    """``store`` when changed at runtime, ``file`` when the configuration sets it, else default."""
    if entry.source != "file":
        return entry.source
    given = "sync" in settings.model_fields_set and entry.key in settings.sync.model_fields_set
    return "file" if given else "default"


def _table(entries: list[RuntimeEntry], settings: Settings) -> None:
    from ._render import titled_table

    table = titled_table(
        "Runtime settings", ("Setting", "Value", "From", "Configuration says"), fold=False
    )
    for entry in entries:
        differs = "" if entry.source == "file" else entry.file_value
        table.add_row(entry.key, entry.value, _source(entry, settings), differs)
    console.print(table)


def _summary(values: RuntimeValues) -> None:
    console.print(
        f"Schedule: {values.frequency.describe()}. Scope: {values.scope.describe()}. "
        f"Scheduled sync is {'on' if values.enabled else 'off'}.",
        highlight=False,
    )


def _print_file_only(settings: Settings) -> None:
    from orderbridge.application.runtime import RuntimeEntry
    from orderbridge.bootstrap import file_runtime_values

    from ._common import store_file

    values = file_runtime_values(settings)
    entries = [RuntimeEntry(k, v, "file", v, "") for k, v in values.texts().items()]
    _table(entries, settings)
    _summary(values)
    where = store_file(settings) or Path(settings.store.url)
    console.print(
        f"No store yet at {where}: these are the configuration's values "
        "(orderbridge sync --once or orderbridge run creates the store).",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def _print(runtime: RuntimeSettings, settings: Settings) -> None:
    entries = runtime.entries()
    _table(entries, settings)
    _summary(runtime.load())
    for entry in entries:
        if entry.note:
            console.print(f"warning: {entry.key}: {entry.note}", highlight=False)
    if any(entry.source == "store" for entry in entries):
        console.print(
            "Values from the store were changed at runtime and win over the configuration; "
            "orderbridge settings --reset restores the configuration's.",
            highlight=False,
        )
