"""Pieces every command shares: loading the configuration, exit codes, the console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from orderbridge.logs import configure_logging
from orderbridge.settings import (
    ConfigError,
    Settings,
    config_file_warnings,
    load_settings,
    resolve_config_path,
)

EXIT_OK = 0
EXIT_ORDERS_FAILED = 1
EXIT_CONFIG = 2

console = Console()
errors = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML configuration file (default: $ORDERBRIDGE_CONFIG, else ./orderbridge.toml).",
        dir_okay=False,
    ),
]


def fail(lines: list[str], code: int = EXIT_CONFIG) -> NoReturn:
    """Print problems to stderr, one per line, and exit."""
    for line in lines:
        errors.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit(config: Path | None) -> Settings:
    """Load the configuration, or print one line per problem and exit with code 2."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail([f"configuration error: {line}" for line in exc.problems])
    for warning in config_file_warnings(resolve_config_path(config)):
        errors.print(f"warning: {warning}", markup=False, highlight=False)
    return settings


def start_logging(settings: Settings) -> None:
    """Configure logging from ``[logging]``, masking every configured secret."""
    configure_logging(
        level=settings.logging.level,
        fmt=settings.logging.format,
        secrets=settings.secret_values(),
    )


def upstream_settings_or_exit(config: Path | None) -> Settings:
    """Settings for a command that talks to upstreams: credentials checked, logging set up."""
    settings = settings_or_exit(config)
    problems = settings.credential_problems()
    if problems:
        fail([f"configuration error: {line}" for line in problems])
    start_logging(settings)
    return settings
