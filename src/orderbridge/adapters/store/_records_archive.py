"""Archive and clean-up: finished orders leave the active list, old logs go by retention.

Archiving flags the order row in place (``archived``, ``archived_at``) and keeps its history, so
``status``, exports and reports still find it; ADR 0034 says why it is a flag and not a move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.records import ARCHIVABLE_STATUSES, RetentionCutoffs

from ._orders import insert_history
from ._records_report import refresh_facts
from ._statements import chunked, execute, table_of
from ._tables import AuditEntryRow, OrderStateRow, SyncRunRow

__all__ = ["RetentionCounts", "apply_retention", "unarchive"]

ORDER_STATE = table_of(OrderStateRow)
SYNC_RUN = table_of(SyncRunRow)
AUDIT = table_of(AuditEntryRow)


@dataclass(frozen=True, slots=True)
class RetentionCounts:
    """What a retention pass moved or removed (or would, on a dry run)."""

    archived: tuple[str, ...]
    runs_removed: int
    audit_removed: int


def _archivable(tenant: str, cutoffs: RetentionCutoffs) -> tuple[ColumnElement[bool], ...]:
    return (
        ORDER_STATE.c.tenant == tenant,
        ORDER_STATE.c.archived.is_(False),
        ORDER_STATE.c.status.in_(ARCHIVABLE_STATUSES),
        ORDER_STATE.c.updated_at < cutoffs.archive_before,
        ORDER_STATE.c.checked_at < cutoffs.archive_before,
    )


def apply_retention(
    session: Session, tenant: str, cutoffs: RetentionCutoffs, now: datetime, *, dry_run: bool
) -> RetentionCounts:
    """Archive finished orders and remove expired activity-log and audit rows."""
    conditions = _archivable(tenant, cutoffs)
    numbers = tuple(
        session.scalars(
            select(ORDER_STATE.c.po_number).where(*conditions).order_by(ORDER_STATE.c.po_number)
        )
    )
    old_runs = (SYNC_RUN.c.tenant == tenant, SYNC_RUN.c.started_at < cutoffs.activity_log_before)
    old_audit = (
        None
        if cutoffs.audit_before is None
        else (AUDIT.c.tenant == tenant, AUDIT.c.at < cutoffs.audit_before)
    )
    if dry_run:
        runs = session.scalar(select(func.count()).select_from(SYNC_RUN).where(*old_runs)) or 0
        audit = (
            0
            if old_audit is None
            else session.scalar(select(func.count()).select_from(AUDIT).where(*old_audit)) or 0
        )
        return RetentionCounts(numbers, runs, audit)
    if numbers:
        execute(
            session, update(ORDER_STATE).where(*conditions).values(archived=True, archived_at=now)
        )
    # order_event rows go with their run (ON DELETE CASCADE).
    runs = execute(session, delete(SYNC_RUN).where(*old_runs)).rowcount
    audit = 0 if old_audit is None else execute(session, delete(AUDIT).where(*old_audit)).rowcount
    return RetentionCounts(numbers, runs, audit)


def unarchive(
    session: Session, tenant: str, po_numbers: Iterable[str], reason: str, at: datetime
) -> list[str]:
    """Bring archived orders back, each with a history line giving ``reason``; return which."""
    back: list[str] = []
    for chunk in chunked(po_numbers):
        rows = session.execute(
            select(ORDER_STATE.c.po_number, ORDER_STATE.c.status).where(
                ORDER_STATE.c.tenant == tenant,
                ORDER_STATE.c.po_number.in_(chunk),
                ORDER_STATE.c.archived.is_(True),
            )
        ).all()
        if not rows:
            continue
        execute(
            session,
            update(ORDER_STATE)
            .where(
                ORDER_STATE.c.tenant == tenant,
                ORDER_STATE.c.po_number.in_([row[0] for row in rows]),
            )
            .values(archived=False, archived_at=None),
        )
        entries = [
            HistoryEntry(
                po_number=number,
                at=at,
                from_status=status,
                to_status=status,
                source=HistorySource.ORDERBRIDGE,
                summary=f"Un-archived: {reason}",
                key=f"unarchived:{at.isoformat()}",
            )
            for number, status in rows
        ]
        insert_history(session, tenant, entries, at)
        refresh_facts(session.connection(), tenant, [number for number, _status in rows])
        back.extend(number for number, _status in rows)
    return sorted(back)
