"""Pieces every command shares: loading the configuration, exit codes, the console.

Kept light on purpose: this module imports only typer, rich and the standard library at module
level. The configuration (pydantic) and everything behind it load inside the functions, so
``--help`` and ``version`` never pay for them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from orderbridge.bootstrap import Store
    from orderbridge.settings import Settings

EXIT_OK = 0
EXIT_ORDERS_FAILED = 1
EXIT_CONFIG = 2
_chosen: list[str | None] = [None]  # the --tenant of this command (see _app.with_tenant)
_served: list[str] = ["default"]  # the tenant the loaded settings serve


class _LazyConsole:
    """A rich ``Console`` made on first use: importing rich costs ``--help`` a tenth of a second."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole())
errors = cast("Console", _LazyConsole(stderr=True))

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML configuration file (default: $ORDERBRIDGE_CONFIG, else ./orderbridge.toml).",
        show_default=False,
    ),
]

TenantOption = Annotated[
    str | None,
    typer.Option(
        "--tenant",
        envvar="ORDERBRIDGE_TENANT",
        help=(
            "The tenant to serve (default: $ORDERBRIDGE_TENANT, else the only tenant; "
            "orderbridge tenants list shows them)."
        ),
        show_default=False,
    ),
]

NO_CONFIG_HINT = (
    "orderbridge init writes a configuration; orderbridge sandbox tries it against the simulators"
)


def fail(lines: list[str], code: int = EXIT_CONFIG) -> NoReturn:
    """Print problems to stderr, one per line, and exit."""
    for line in lines:
        errors.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def actor() -> str:
    """Who runs this command, for the audit trail of settings changes."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def po_error(po_number: str, error: str) -> str:
    """``PO X: error``, without saying ``PO X`` twice when the error already names it."""
    return error if error.startswith(f"PO {po_number}") else f"PO {po_number}: {error}"


def without_po(po_number: str, error: str) -> str:
    """The error without a leading ``PO X:`` (where the PO is already named beside it)."""
    return error.removeprefix(f"PO {po_number}: ")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 order``, ``2 orders`` (``nouns`` for an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def config_source(config: Path | None) -> str:
    """Where the configuration came from, in words (for messages that say where we looked)."""
    from orderbridge.settings import resolve_config_path

    path = resolve_config_path(config)
    if path is not None:
        return str(path)
    return (
        "no configuration file (no --config, no $ORDERBRIDGE_CONFIG, "
        f"no orderbridge.toml in {Path.cwd()})"
    )


def choose_tenant(name: str | None) -> None:
    """Remember the ``--tenant`` given to this command (None: not given)."""
    _chosen[0] = name.strip() if name is not None and name.strip() else None


def tenant() -> str:
    """The tenant this command serves (known once ``settings_or_exit`` has loaded settings)."""
    return _served[0]


def settings_or_exit(config: Path | None, *, tenant: bool = True) -> Settings:
    """Load the configuration for the tenant this command serves, or print one line per problem
    and exit with code 2.

    The tenant is ``--tenant``, else the only tenant kept in the store, else (a store keeping no
    tenants) the configuration file's own, ``default``. ``tenant=False`` is for commands that act
    on the whole installation (backups, dashboard accounts): they get the file's settings.
    """
    from orderbridge.settings import ConfigError, config_file_warnings, load_settings
    from orderbridge.settings import resolve_config_path as resolve

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail([f"configuration error: {line}" for line in exc.problems])
    for warning in config_file_warnings(resolve(config)):
        errors.print(f"warning: {warning}", markup=False, highlight=False)
    if tenant:
        settings = _tenant_settings_or_exit(settings)
    _served[0] = settings.tenant
    return settings


def _tenant_settings_or_exit(settings: Settings) -> Settings:
    """``settings`` for the chosen tenant; an unknown or disabled tenant or a key problem is one
    line and exit 2. A store that cannot be read is left to the command to report, unless a
    tenant was named (its settings are in that store)."""
    from orderbridge.settings import DEFAULT_TENANT, ConfigError

    chosen = _chosen[0]
    if chosen in (None, DEFAULT_TENANT) and settings.store.missing_sqlite_file:
        return settings  # no store yet, so no tenants: the file's own, as always
    from orderbridge.bootstrap_tenants import resolve_tenant
    from orderbridge.ports import StoreUnavailable

    try:
        return resolve_tenant(settings, chosen)
    except ConfigError as exc:
        fail([f"configuration error: {line}" for line in exc.problems])
    except StoreUnavailable as exc:
        if chosen not in (None, DEFAULT_TENANT):
            fail([f"store error: {exc}"])
        return settings


def credentials_or_exit(settings: Settings, config: Path | None) -> None:
    """Exit with code 2 and one line when a key needed to talk to the upstreams is missing."""
    problems = settings.credential_problems()
    missing = [line.split(":", 1)[0] for line in problems if "required to sync" in line]
    others = [line for line in problems if "required to sync" not in line]
    if others:
        fail([f"configuration error: {line}" for line in others])
    if missing:
        where = config_source(config)
        one = len(missing) == 1
        needed = (
            f"{', '.join(missing)} {'is' if one else 'are'} required to talk to Autotask "
            "and TD SYNNEX"
        )
        if where.startswith("no configuration file"):
            fail([f"configuration error: {needed}, and there is {where}; {NO_CONFIG_HINT}"])
        them = "it" if one else "them"
        fail([f"configuration error: {needed}; set {them} in {where} or the environment"])


def start_logging(settings: Settings, *, one_shot: bool = True) -> None:
    """Configure logging from ``[logging]``, masking every configured secret.

    A one-shot command (``sync --once``, ``resync``, ``doctor``) prints tables for a person, so
    its log lines are human text too (``format = "auto"`` never picks JSON there: JSON lines
    interleaved with a table read as neither), and per-request retry warnings are left out
    (at the default level): the command says once which service is down. ``orderbridge run``
    logs as configured.
    """
    import logging

    from orderbridge.logs import configure_logging

    fmt = settings.logging.format
    configure_logging(
        level=settings.logging.level,
        fmt="console" if one_shot and fmt == "auto" else fmt,
        secrets=settings.secret_values(),
    )
    if one_shot and logging.getLogger().level >= logging.WARNING:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_not_a_retry_warning)


def _not_a_retry_warning(record: object) -> bool:
    """Drop the adapters' per-request retry warnings (the command sums them up once)."""
    name, module = getattr(record, "name", ""), getattr(record, "module", "")
    return not (name.startswith("orderbridge.adapters") and module == "_retry")


def upstream_settings_or_exit(config: Path | None, *, one_shot: bool = True) -> Settings:
    """Settings for a command that talks to upstreams: credentials checked, logging set up."""
    settings = settings_or_exit(config)
    credentials_or_exit(settings, config)
    start_logging(settings, one_shot=one_shot)
    return settings


def store_file(settings: Settings) -> Path | None:
    """The SQLite file the configured store lives in (None for PostgreSQL or in-memory)."""
    from orderbridge.bootstrap import sqlite_file

    return sqlite_file(settings)


def store_origin(settings: Settings, config: Path | None) -> tuple[str, bool]:
    """Where ``store.url`` came from in words, and whether a configuration set it at all."""
    if os.environ.get("ORDERBRIDGE_STORE__URL") is not None:
        return "ORDERBRIDGE_STORE__URL", True
    where = config_source(config)
    if "store" in settings.model_fields_set and "url" in settings.store.model_fields_set:
        return f"store.url in {where}", True
    if where.startswith("no configuration file"):
        return f"the default store.url; {where}", False
    return f"the default store.url; {where} sets none", False


@contextmanager
def opened_store(settings: Settings, code: int = EXIT_CONFIG) -> Iterator[Store]:
    """The configured store, open for the block; a store error is one line and exit ``code``."""
    from orderbridge.bootstrap import open_store
    from orderbridge.ports import StoreUnavailable

    try:
        with open_store(settings) as store:
            yield store
    except StoreUnavailable as exc:
        fail([f"store error: {exc}"], code)


def existing_store_or_exit(settings: Settings, config: Path | None) -> None:
    """Exit with code 2 when the configured SQLite store does not exist: never create it here.

    Read-only commands must not leave an empty ``orderbridge.db`` behind when run in the wrong
    directory; they say where they looked.
    """
    path = store_file(settings)
    if path is None or path.is_file():
        return
    origin, _ = store_origin(settings, config)
    fail(
        [
            f"no store at {path} (from {origin}); orderbridge sync --once or orderbridge run "
            "creates it, or point --config at the right file"
        ]
    )


def store_or_exit(settings: Settings, config: Path | None, *, create: bool) -> bool:
    """Whether the store exists, or may be created now (``create``) because the configuration
    sets ``store.url``; exits with code 2 when it is missing and only the default points at it
    (run in the wrong directory, it would otherwise leave an empty store behind)."""
    path = store_file(settings)
    if path is None or path.is_file():
        return True
    _, named = store_origin(settings, config)
    if not named:
        existing_store_or_exit(settings, config)
    return create
