"""Records commands: ``export``, ``backup``, ``restore``, ``archive``, ``unarchive``, ``audit``.

They read and write the store only (never the upstreams). Bad input gets one clear line on
stderr and exit code 2; a store failure exit code 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

# Option types and the store's error only (pure modules); the rest loads when a command runs.
from orderbridge.domain.records import ExportFormat, ExportKind
from orderbridge.ports import StoreUnavailable

from ._common import (
    EXIT_CONFIG,
    EXIT_ORDERS_FAILED,
    ConfigOption,
    actor,
    console,
    existing_store_or_exit,
    fail,
    opened_store,
    store_or_exit,
)
from ._common import settings_or_exit as _settings

if TYPE_CHECKING:
    from orderbridge.bootstrap import RecordsStore
    from orderbridge.settings import Settings

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only records from this date on (YYYY-MM-DD, UTC) or ISO time."),
]


def parse_moment(text: str, option: str) -> datetime:
    """A ``--since``/``--until`` value as an aware UTC datetime, or exit 2 with the reason."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail([f"{option}: {text!r} is not a date (use YYYY-MM-DD or 2026-01-31T12:00:00Z)"])
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def records_of(settings: Settings) -> Iterator[RecordsStore]:
    """The records over the configured store (store errors: one line, exit 1)."""
    from orderbridge.bootstrap import RecordsStore

    with opened_store(settings, EXIT_ORDERS_FAILED) as store:
        yield RecordsStore(store)


@contextmanager
def output_stream(output: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``output`` written in full or not at all (via a ``.partial`` file)."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".partial")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        fail([f"--output: cannot write {output}: {exc.strerror or exc}"])
    try:
        with handle:
            yield handle
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, output)


def export_command(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or jsonl.")] = ExportFormat.CSV,
    since: SinceOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of standard output.", dir_okay=False
        ),
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="Start a CSV with a UTF-8 byte-order mark (for Excel).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Export orders, history, runs, audit or notifications as CSV or JSON Lines (streamed)."""
    settings = _settings(config)
    existing_store_or_exit(settings, config)
    start = None if since is None else parse_moment(since, "--since")
    from orderbridge.application.records import export

    with records_of(settings) as records, output_stream(output) as out:
        try:
            count = export(records, kind, fmt, out, tenant=settings.tenant, since=start, bom=bom)
        except StoreUnavailable as exc:
            fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    if output is not None:
        console.print(f"Exported {count} {kind} rows to {output}.", highlight=False)


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.", dir_okay=False)],
    config: ConfigOption = None,
) -> None:
    """Take a consistent backup of the store, safe while the daemon runs."""
    settings = _settings(config, tenant=False)
    existing_store_or_exit(settings, config)
    if file.exists() and file.is_dir():
        fail([f"{file} is a directory: name the backup file"])
    with records_of(settings) as records:
        try:
            kind = records.backup(file)
        except StoreUnavailable as exc:
            fail([f"backup failed: {exc}"], EXIT_ORDERS_FAILED)
    size = file.stat().st_size
    console.print(f"Backup written to {file} ({kind}, {size:,} bytes).", highlight=False)


def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by orderbridge backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a store that is not empty.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Restore a backup into an empty store (checks the schema version first)."""
    from orderbridge.bootstrap import RestoreRefused

    settings = _settings(config, tenant=False)
    store_or_exit(settings, config, create=True)
    if not file.is_file():
        fail([f"{file}: no such backup file"])
    with records_of(settings) as records:
        try:
            counts = records.restore(file, force=force)
        except RestoreRefused as exc:
            fail([f"restore refused: {exc}"], EXIT_CONFIG)
        except StoreUnavailable as exc:
            fail([f"restore failed: {exc}"], EXIT_ORDERS_FAILED)
    restored = ", ".join(f"{n} {t}" for t, n in counts.items() if n) or "all tables"
    console.print(f"Restored {file}: {restored}.", highlight=False)


def archive(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would be archived and removed; change nothing."),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Archive finished orders and drop expired log rows, by the retention settings."""
    settings = _settings(config)
    existing_store_or_exit(settings, config)
    from orderbridge.application.records import archive_now
    from orderbridge.bootstrap import retention_policy, utc_now

    policy = retention_policy(settings)
    with records_of(settings) as records:
        try:
            outcome = archive_now(
                records, policy, utc_now(), tenant=settings.tenant, dry_run=dry_run
            )
        except StoreUnavailable as exc:
            fail([f"archive failed: {exc}"], EXIT_ORDERS_FAILED)
    verb = "Would archive" if dry_run else "Archived"
    console.print(
        f"{verb} {len(outcome.archived)} orders (closed, cancelled or not found, untouched for "
        f"{policy.archive_after_days} days); {'would remove' if dry_run else 'removed'} "
        f"{outcome.runs_removed} activity-log runs older than {policy.activity_log_days} days "
        f"and {outcome.audit_removed} audit entries.",
        highlight=False,
    )
    for number in outcome.archived[:50]:
        console.print(f"  {number}", highlight=False, markup=False)
    if len(outcome.archived) > 50:
        console.print(f"  ... and {len(outcome.archived) - 50} more", highlight=False)


def unarchive(
    po_number: Annotated[str, typer.Argument(help="The archived order's PO number.")],
    config: ConfigOption = None,
) -> None:
    """Bring one archived order back into the active list (with a history line)."""
    from orderbridge.bootstrap import utc_now

    settings = _settings(config)
    existing_store_or_exit(settings, config)
    with records_of(settings) as records:
        try:
            back = records.unarchive(
                settings.tenant, [po_number], f"brought back by hand ({actor()})", utc_now()
            )
        except StoreUnavailable as exc:
            fail([f"unarchive failed: {exc}"], EXIT_ORDERS_FAILED)
    if not back:
        fail([f"no archived order {po_number!r}"], EXIT_ORDERS_FAILED)
    console.print(f"Order {po_number} is active again.", highlight=False, markup=False)


def audit(
    po_number: Annotated[
        str | None, typer.Argument(help="Only this PO's entries (default: everything).")
    ] = None,
    since: SinceOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many entries.", min=1)] = 100,
    config: ConfigOption = None,
) -> None:
    """The audit trail: every Autotask write and settings change, newest first."""
    settings = _settings(config)
    existing_store_or_exit(settings, config)
    start = None if since is None else parse_moment(since, "--since")
    with records_of(settings) as records:
        try:
            entries = records.audit(settings.tenant, po_number, start, limit)
        except StoreUnavailable as exc:
            fail([f"store error: {exc}"], EXIT_ORDERS_FAILED)
    if not entries:
        console.print("No audit entries.", highlight=False)
        return
    from rich.text import Text

    from ._render import titled_table

    table = titled_table(
        "Audit trail (newest first)",
        ("When (UTC)", "What", "Where", "Field", "Before", "After", "Took", "Run/By"),
    )
    for e in entries:
        where = e.po_number or ""
        if e.item_id is not None:
            where += f" item {e.item_id}"
        took = "" if e.stuck is None else ("yes" if e.stuck else f"no: {e.error or ''}")
        by = e.actor or ("" if e.run_id is None else f"run {e.run_id}")
        # Text, not markup: values came from Autotask, TD SYNNEX or a user.
        cells = (f"{e.at:%Y-%m-%d %H:%M:%S}", str(e.kind), where, e.field)
        more = (_short(e.before), _short(e.after), took, by)
        table.add_row(*(Text(cell) for cell in (*cells, *more)))
    console.print(table)


def _short(value: str | None, limit: int = 60) -> str:
    if value is None:
        return "—"
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
