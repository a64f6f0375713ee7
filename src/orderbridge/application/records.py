"""Records: exports, archive and clean-up, scheduled backups — the application side.

Every operation reads and writes through the ``RecordKeeper`` port; nothing here knows SQL.
Exports stream: one row in, one line out, so their memory use does not grow with the row count.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

import anyio

from orderbridge.domain.records import (
    EXPORT_COLUMNS,
    ExportFormat,
    ExportKind,
    RetentionPolicy,
    cell_text,
    json_value,
)
from orderbridge.ports import RecordKeeper, RetentionOutcome

__all__ = [
    "BACKUP_NAME",
    "BackupSchedule",
    "ExportFormat",
    "Housekeeping",
    "archive_now",
    "export",
    "rotate_backups",
    "take_scheduled_backup",
    "write_csv",
    "write_jsonl",
]

_log = logging.getLogger(__name__)

UTF8_BOM = "\ufeff"
BACKUP_NAME = re.compile(r"^orderbridge-\d{8}T\d{6}Z\.backup$")


def write_csv(
    rows: Iterable[Mapping[str, object]], columns: tuple[str, ...], out: TextIO, *, bom: bool
) -> int:
    """Write a header and one line per row (Excel-safe cells); return the row count."""
    if bom:
        out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell_text(row.get(name)) for name in columns])
        count += 1
    return count


def write_jsonl(rows: Iterable[Mapping[str, object]], columns: tuple[str, ...], out: TextIO) -> int:
    """Write one JSON object per line, keys in column order; return the row count."""
    count = 0
    for row in rows:
        record = {name: json_value(row.get(name)) for name in columns}
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def export(
    keeper: RecordKeeper,
    kind: ExportKind,
    fmt: ExportFormat,
    out: TextIO,
    *,
    tenant: str = "default",
    since: datetime | None = None,
    bom: bool = False,
) -> int:
    """Stream one export to ``out``; return how many rows it held."""
    rows = keeper.export_rows(kind, tenant, since)
    columns = EXPORT_COLUMNS[kind]
    if fmt is ExportFormat.CSV:
        return write_csv(rows, columns, out, bom=bom)
    return write_jsonl(rows, columns, out)


def archive_now(
    keeper: RecordKeeper,
    policy: RetentionPolicy,
    now: datetime,
    *,
    tenant: str = "default",
    dry_run: bool = False,
) -> RetentionOutcome:
    """Apply the retention policy now (or, with ``dry_run``, say what it would do)."""
    return keeper.apply_retention(tenant, policy.cutoffs(now), now, dry_run=dry_run)


@dataclass(frozen=True, slots=True)
class BackupSchedule:
    """``[backup]``: where scheduled backups go, how many are kept, how often one is taken."""

    directory: Path
    keep: int = 7
    interval: timedelta = timedelta(hours=24)


def backup_name(now: datetime) -> str:
    """The file name of a scheduled backup taken at ``now`` (sorts by time)."""
    return f"orderbridge-{now:%Y%m%dT%H%M%S}Z.backup"


def _scheduled(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if BACKUP_NAME.match(p.name) and p.is_file())


def rotate_backups(directory: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled backups beyond ``keep``; return what was deleted."""
    found = _scheduled(directory)
    doomed = found[: max(len(found) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def take_scheduled_backup(
    keeper: RecordKeeper, schedule: BackupSchedule, now: datetime
) -> Path | None:
    """Take a backup if the newest in the directory is older than the interval; then rotate."""
    schedule.directory.mkdir(parents=True, exist_ok=True)
    found = _scheduled(schedule.directory)
    if found and found[-1].name > backup_name(now - schedule.interval):
        return None
    target = schedule.directory / backup_name(now)
    keeper.backup(target)
    rotate_backups(schedule.directory, schedule.keep)
    return target


class Housekeeping:
    """The daemon's records chores: the daily archive pass and scheduled backups."""

    def __init__(
        self,
        keeper: RecordKeeper,
        *,
        policy: RetentionPolicy,
        backups: BackupSchedule | None,
        clock: Callable[[], datetime],
        tenant: str = "default",
        poll_s: float = 60.0,
        archive_every: timedelta = timedelta(days=1),
    ) -> None:
        self._keeper = keeper
        self._policy = policy
        self._backups = backups
        self._clock = clock
        self._tenant = tenant
        self._poll_s = poll_s
        self._archive_every = archive_every
        self._last_archive: datetime | None = None

    async def run(self, stop: anyio.Event, started: anyio.Event) -> None:
        """Once the daemon holds the runner lease, do the chores when due until ``stop``."""
        await started.wait()
        while not stop.is_set():
            await self.tick()
            with anyio.move_on_after(self._poll_s):
                await stop.wait()

    async def tick(self) -> None:
        """Do whichever chores are due now; a failure is logged and tried again later."""
        now = self._clock()
        if self._last_archive is None or now - self._last_archive >= self._archive_every:
            try:
                outcome = await anyio.to_thread.run_sync(
                    lambda: archive_now(self._keeper, self._policy, now, tenant=self._tenant)
                )
                self._last_archive = now
                _log.info(
                    "archive: %d orders archived, %d runs and %d audit entries removed",
                    len(outcome.archived),
                    outcome.runs_removed,
                    outcome.audit_removed,
                )
            except Exception:  # the daemon must outlive a failed chore
                _log.exception("the archive pass failed; trying again at the next check")
        if self._backups is not None:
            schedule = self._backups
            try:
                taken = await anyio.to_thread.run_sync(
                    lambda: take_scheduled_backup(self._keeper, schedule, now)
                )
                if taken is not None:
                    _log.info("scheduled backup written to %s", taken)
            except Exception:
                _log.exception("the scheduled backup failed; trying again at the next check")
