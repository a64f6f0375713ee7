"""``RecordsStore``: exports, the audit trail, archive/retention and backup/restore.

It works on an open ``SqlStore`` (same engine, same SQLite writer queue) and raises
``StoreError`` for every database failure, like the store itself.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from orderbridge.domain.delivery import Dimension, OrderFigures
from orderbridge.domain.records import AuditEntry, ExportKind, RetentionCutoffs

from . import _records_archive, _records_backup, _records_export, _records_report
from ._errors import StoreError, translate_errors
from ._records import audit_entry
from ._repo import SqlStore
from ._statements import ROWS_CHUNK, execute, insert_for, require_aware, table_of
from ._tables import DEFAULT_TENANT, AuditEntryRow

__all__ = ["RecordsStore", "RestoreRefused"]

AUDIT = table_of(AuditEntryRow)
RUNNER_LEASE = f"sync:{DEFAULT_TENANT}"  # the lease `orderbridge run` and `sync` hold
RUNNER_LEASES = "sync:"  # every tenant's runner lease starts so


class RestoreRefused(StoreError):
    """A restore would overwrite data or does not match this version; nothing was changed."""


class RecordsStore:
    """Records operations over an open ``SqlStore``."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    # -- exports ------------------------------------------------------------------------------

    def export_rows(
        self, kind: ExportKind, tenant: str, since: datetime | None = None
    ) -> Iterator[dict[str, object]]:
        """Stream one export's rows, oldest first, in constant memory."""
        if since is not None:
            require_aware(since, "since")
        with translate_errors(self._store._url, f"exporting {kind}"):
            yield from _records_export.export_rows(self._store.engine, kind, tenant, since)

    def delivery_figures(
        self,
        tenant: str,
        since: datetime | None = None,
        until: datetime | None = None,
        by: Sequence[Dimension] = tuple(Dimension),
    ) -> Iterator[OrderFigures]:
        """Each order first seen in the window: its report figures and groups (in no order)."""
        with translate_errors(self._store._url, "reading orders for the delivery report"):
            yield from _records_report.delivery_figures(
                self._store.engine, tenant, since, until, by
            )

    # -- audit trail --------------------------------------------------------------------------

    def record_audit(self, tenant: str, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries in one transaction (never updates or deletes one)."""
        if not entries:
            return
        rows = [_audit_row(tenant, entry) for entry in entries]
        with self._store._write("recording the audit trail", tenant) as session:
            for start in range(0, len(rows), ROWS_CHUNK):
                execute(
                    session, insert_for(session, AUDIT).values(rows[start : start + ROWS_CHUNK])
                )

    def audit(
        self,
        tenant: str,
        po_number: str | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """Audit entries, newest first (of one PO, since a moment, at most ``limit``)."""
        statement = select(AuditEntryRow).where(AuditEntryRow.tenant == tenant)
        if po_number is not None:
            statement = statement.where(AuditEntryRow.po_number == po_number)
        if since is not None:
            statement = statement.where(AuditEntryRow.at >= require_aware(since, "since"))
        statement = statement.order_by(AuditEntryRow.at.desc(), AuditEntryRow.id.desc())
        with self._store._read("reading the audit trail") as session:
            return [audit_entry(row) for row in session.scalars(statement.limit(limit))]

    # -- archive and retention ----------------------------------------------------------------

    def apply_retention(
        self, tenant: str, cutoffs: RetentionCutoffs, now: datetime, *, dry_run: bool
    ) -> _records_archive.RetentionCounts:
        """Archive finished orders and drop expired log rows (``dry_run``: only count)."""
        require_aware(now, "now")
        if dry_run:
            with self._store._read("planning the archive") as session:
                return _records_archive.apply_retention(session, tenant, cutoffs, now, dry_run=True)
        with self._store._write("archiving", tenant) as session:
            return _records_archive.apply_retention(session, tenant, cutoffs, now, dry_run=False)

    def unarchive(
        self, tenant: str, po_numbers: Iterable[str], reason: str, at: datetime
    ) -> list[str]:
        """Bring archived orders back with a history line each; return the PO numbers."""
        require_aware(at, "at")
        numbers = list(po_numbers)
        if not numbers:
            return []
        with self._store._write("un-archiving orders", tenant) as session:
            return _records_archive.unarchive(session, tenant, numbers, reason, at)

    # -- backup and restore -------------------------------------------------------------------

    def backup(self, target: Path, *, use_pg_dump: bool = True) -> str:
        """Write a consistent backup of the live store to ``target``; return its kind."""
        engine = self._store.engine
        url = self._store._url
        schema = self._store.schema_version()
        if not target.parent.is_dir():
            raise StoreError(f"cannot write the backup: the folder {target.parent} does not exist")
        with translate_errors(url, "backing up the store"), _file_errors(target, "writing"):
            if url.get_backend_name() == "sqlite":
                _records_backup.sqlite_backup(engine, target)
                return "sqlite"
            pg_dump = shutil.which("pg_dump") if use_pg_dump else None
            if pg_dump is not None:
                with engine.connect() as connection:
                    current = str(connection.scalar(text("SELECT current_schema()")))
                _records_backup.pg_dump_backup(url, current, target, pg_dump)
                return "pg_dump"
            _records_backup.logical_backup(engine, schema, target)
            return "logical"

    def restore(self, source: Path, *, force: bool = False) -> dict[str, int]:
        """Restore ``source`` into this store; refuse a non-empty store unless ``force``."""
        info = _records_backup.read_backup_info(source)
        here = self._store.schema_version()
        if info.schema != here:
            raise RestoreRefused(
                f"the backup is of schema {info.schema}, this store is at {here}: restore it "
                "with the orderbridge version that wrote it, then upgrade"
            )
        url = self._store._url
        holder = self._store.active_lease_holder(RUNNER_LEASES, datetime.now(UTC))
        if holder is not None:
            raise RestoreRefused(
                f"an orderbridge runner ({holder[0]}) is using this store: stop it first"
            )
        with self._store._write("restoring the store") as session:
            connection = session.connection()
            existing = _records_backup.store_row_count(connection)
            if existing and not force:
                raise RestoreRefused(
                    f"the store is not empty ({existing} rows of orders, history, runs, audit "
                    "or notifications): restore into an empty store, or add --force to replace "
                    "everything in it"
                )
            with translate_errors(url, "restoring the store"), _file_errors(source, "reading"):
                if info.kind != "pg_dump":
                    return _records_backup.restore_rows(connection, source, info.kind)
                if url.get_backend_name() != "postgresql":
                    raise RestoreRefused("a pg_dump backup restores into PostgreSQL only")
                tool = shutil.which("pg_restore")
                if tool is None:
                    raise RestoreRefused("restoring a pg_dump backup needs pg_restore on the PATH")
                return _records_backup.pg_restore_rows(connection, source, tool)


@contextmanager
def _file_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn a file or format problem into one ``StoreError`` line (no traceback)."""
    try:
        yield
    except (OSError, EOFError, sqlite3.Error) as exc:
        raise StoreError(f"{doing} the backup {path} failed: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the backup {path} is damaged or incomplete: {exc}") from exc


def _audit_row(tenant: str, entry: AuditEntry) -> dict[str, object]:
    require_aware(entry.at, "audit time")
    return {
        "tenant": tenant,
        "at": entry.at,
        "kind": str(entry.kind),
        "actor": entry.actor,
        "run_id": entry.run_id,
        "po_number": entry.po_number,
        "po_id": entry.po_id,
        "item_id": entry.item_id,
        "field": entry.field,
        "before": entry.before,
        "after": entry.after,
        "stuck": entry.stuck,
        "error": entry.error,
    }
