"""The dashboard's read models over the store (``DashboardReads``): listings, search, counts.

Every query runs in its own read-only transaction. Orders are found through ``order_lookup``
(see ``_lookup``) so that search and the "late against ETA" filter stay index lookups at
100,000 orders; a page is fetched with LIMIT/OFFSET over an indexed sort column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text
from sqlalchemy.orm import Session

from orderbridge.domain.history import HistoryEntry, OrderReport
from orderbridge.domain.notify_rules import QueuedNotification
from orderbridge.domain.records import AuditEntry, AuditKind
from orderbridge.ports import FieldQuirk, OrderPage, OrderQuery, OrderRow, OrderTouch, RunRow

from . import _outbox, _quirks
from ._lookup import SEARCHABLE_KINDS
from ._records import audit_entry, entry_from_row, from_row, report_from_row, requests_of
from ._tables import (
    AuditEntryRow,
    NotificationRow,
    OrderEventRow,
    OrderLookupRow,
    OrderStateRow,
    StatusHistoryRow,
    SyncRunRow,
)

if TYPE_CHECKING:
    from orderbridge.ports import DashboardReads

__all__ = ["SqlDashboardReads"]

ReadSession = Callable[[str], AbstractContextManager[Session]]

# Each sort order matches one of order_state's listing indexes column for column.
_SORTS: dict[str, tuple[Any, ...]] = {
    "updated": (OrderStateRow.updated_at, OrderStateRow.po_number),
    "po": (OrderStateRow.po_number,),
    "status": (OrderStateRow.status, OrderStateRow.updated_at, OrderStateRow.po_number),
    "checked": (OrderStateRow.checked_at, OrderStateRow.po_number),
}
MAX_PER_PAGE = 500
LISTED_MATCHES = 500
# U+FFFF sorts after every character a term can hold, so [term, term + U+FFFF) is a prefix.
_PREFIX_END = "\uffff"


def _order_row(row: OrderStateRow) -> OrderRow:
    return from_row(OrderRow, row, state=dict(row.state))


def _run_row(row: SyncRunRow) -> RunRow:
    return from_row(RunRow, row, requests=requests_of(row))


def _matching_terms(tenant: str, search: str) -> Select[str]:
    term = " ".join(search.split()).lower()
    return (
        select(OrderLookupRow.po_number).where(
            OrderLookupRow.tenant == tenant,
            OrderLookupRow.term >= term,
            OrderLookupRow.term < term + _PREFIX_END,
            OrderLookupRow.kind.in_(SEARCHABLE_KINDS),
        )
        # No DISTINCT: it would steer SQLite to walk the unique index by PO instead of by term.
    )


def _attention(query: OrderQuery) -> ColumnElement[bool]:
    reasons: list[ColumnElement[bool]] = [OrderStateRow.status.in_(query.attention_statuses)]
    unfinished = OrderStateRow.status.not_in(query.finished_statuses)
    if query.late_before is not None:
        late = OrderStateRow.expected_delivery < date.fromisoformat(query.late_before)
        reasons.append(and_(unfinished, late))
    if query.stuck_before is not None:
        reasons.append(and_(unfinished, OrderStateRow.updated_at < query.stuck_before))
    if query.backordered_status is not None and query.backordered_before is not None:
        reasons.append(
            and_(
                OrderStateRow.status == query.backordered_status,
                OrderStateRow.updated_at < query.backordered_before,
            )
        )
    return or_(*reasons)


def _filters(
    tenant: str, query: OrderQuery, matches: Sequence[str] | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses; ``matches`` are the POs a search found when they were few enough to list."""
    where: list[ColumnElement[bool]] = [
        OrderStateRow.tenant == tenant,
        OrderStateRow.archived.is_(False),
    ]
    if query.status:
        where.append(OrderStateRow.status == query.status)
    if matches is not None:
        where.append(OrderStateRow.po_number.in_(matches))
    elif query.search.strip():
        where.append(OrderStateRow.po_number.in_(_matching_terms(tenant, query.search)))
    if query.attention:
        where.append(_attention(query))
    return where


def _few_matches(session: Session, tenant: str, search: str) -> list[str] | None:
    """The POs a search finds when there are at most ``LISTED_MATCHES``, else None.

    A short list lets the database look the orders up one by one; a long one (a broad prefix)
    is better left as a subquery, checked while walking the listing index.
    """
    if not search.strip():
        return None
    rows = session.scalars(_matching_terms(tenant, search).limit(4 * LISTED_MATCHES))
    found = list(dict.fromkeys(rows))  # one PO may match on several terms
    return found if len(found) <= LISTED_MATCHES else None


def _writes_to(tenant: str, po_number: str) -> Select[AuditEntryRow]:
    return select(AuditEntryRow).where(
        AuditEntryRow.tenant == tenant,
        AuditEntryRow.po_number == po_number,
        AuditEntryRow.kind == AuditKind.AUTOTASK_WRITE.value,
    )


class SqlDashboardReads:
    """``DashboardReads`` on the store's engine (built by ``SqlStore.dashboard_reads``)."""

    def __init__(self, read: ReadSession) -> None:
        self._read = read

    def order_page(self, tenant: str, query: OrderQuery) -> OrderPage:
        """One page of matching orders and the number that match.

        The page's ids come from the listing index alone (however deep the page); only the
        page's own rows are then read with their JSON state.
        """
        columns = _SORTS.get(query.sort, _SORTS["updated"])
        order = [c.desc() if query.descending else c.asc() for c in columns]
        per_page = max(1, min(query.per_page, MAX_PER_PAGE))
        offset = (max(query.page, 1) - 1) * per_page
        with self._read("listing orders") as session:
            where = _filters(tenant, query, _few_matches(session, tenant, query.search))
            total = session.scalar(select(func.count()).select_from(OrderStateRow).where(*where))
            ids = list(
                session.scalars(
                    select(OrderStateRow.id)
                    .where(*where)
                    .order_by(*order)
                    .limit(per_page)
                    .offset(offset)
                )
            )
            found = {
                row.id: row
                for row in session.scalars(select(OrderStateRow).where(OrderStateRow.id.in_(ids)))
            }
            rows = tuple(_order_row(found[i]) for i in ids if i in found)
            return OrderPage(rows=rows, total=int(total or 0))

    def order(self, tenant: str, po_number: str) -> OrderRow | None:
        """One stored order."""
        with self._read(f"reading order {po_number}") as session:
            row = session.scalar(
                select(OrderStateRow).where(
                    OrderStateRow.tenant == tenant, OrderStateRow.po_number == po_number
                )
            )
            return None if row is None else _order_row(row)

    def order_history(self, tenant: str, po_number: str) -> list[HistoryEntry]:
        """The whole timeline of one order, oldest first."""
        with self._read(f"reading the history of {po_number}") as session:
            rows = session.scalars(
                select(StatusHistoryRow)
                .where(StatusHistoryRow.tenant == tenant, StatusHistoryRow.po_number == po_number)
                .order_by(StatusHistoryRow.at, StatusHistoryRow.key)
            )
            return [entry_from_row(row) for row in rows]

    def order_touches(self, tenant: str, po_number: str, limit: int) -> list[OrderTouch]:
        """The newest runs that reported on this order, newest first."""
        with self._read(f"reading runs of {po_number}") as session:
            rows = session.scalars(
                select(OrderEventRow)
                .where(OrderEventRow.tenant == tenant, OrderEventRow.po_number == po_number)
                .order_by(OrderEventRow.at.desc(), OrderEventRow.id.desc())
                .limit(limit)
            )
            return [OrderTouch(row.run_id, row.at, report_from_row(row)) for row in rows]

    def count_by_status(self, tenant: str) -> dict[str, int]:
        """Unarchived orders per status."""
        with self._read("counting orders") as session:
            rows = session.execute(
                select(OrderStateRow.status, func.count())
                .where(OrderStateRow.tenant == tenant, OrderStateRow.archived.is_(False))
                .group_by(OrderStateRow.status)
            )
            return {str(status): int(count) for status, count in rows}

    def runs(self, tenant: str, limit: int, offset: int = 0) -> list[RunRow]:
        """Runs, newest first."""
        with self._read("listing runs") as session:
            rows = session.scalars(
                select(SyncRunRow)
                .where(SyncRunRow.tenant == tenant)
                .order_by(SyncRunRow.started_at.desc(), SyncRunRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_run_row(row) for row in rows]

    def run(self, tenant: str, run_id: int) -> tuple[RunRow, list[OrderReport]] | None:
        """One run and every order it reported on (failures first, then by PO number)."""
        with self._read(f"reading run {run_id}") as session:
            row = session.get(SyncRunRow, run_id)
            if row is None or row.tenant != tenant:
                return None
            events = session.scalars(
                select(OrderEventRow)
                .where(OrderEventRow.run_id == run_id)
                .order_by(OrderEventRow.po_number)
            )
            reports = sorted(
                (report_from_row(e) for e in events), key=lambda r: r.outcome != "failed"
            )
            return _run_row(row), reports

    def run_count(self, tenant: str) -> int:
        """How many runs are logged."""
        with self._read("counting runs") as session:
            count = session.scalar(
                select(func.count()).select_from(SyncRunRow).where(SyncRunRow.tenant == tenant)
            )
            return int(count or 0)

    def runs_since(self, tenant: str, since: datetime) -> list[RunRow]:
        """Runs started at or after ``since``, oldest first."""
        with self._read("reading recent runs") as session:
            rows = session.scalars(
                select(SyncRunRow)
                .where(SyncRunRow.tenant == tenant, SyncRunRow.started_at >= since)
                .order_by(SyncRunRow.started_at, SyncRunRow.id)
            )
            return [_run_row(row) for row in rows]

    def status_changes_by_day(
        self, tenant: str, first_day: datetime, days: int
    ) -> list[tuple[str, str, int]]:
        """(day, new status, count) per UTC day.

        One small query per day: each groups one day's slice of the (tenant, at, to_status)
        index, which is several times cheaper than grouping the whole range by a computed day.
        """
        counts: list[tuple[str, str, int]] = []
        with self._read("counting status changes") as session:
            for n in range(days):
                start = first_day + timedelta(days=n)
                rows = session.execute(
                    select(StatusHistoryRow.to_status, func.count())
                    .where(
                        StatusHistoryRow.tenant == tenant,
                        StatusHistoryRow.at >= start,
                        StatusHistoryRow.at < start + timedelta(days=1),
                    )
                    .group_by(StatusHistoryRow.to_status)
                )
                day = start.date().isoformat()
                counts.extend((day, str(status), int(count)) for status, count in rows)
        return counts

    def request_totals(self, tenant: str) -> dict[str, int]:
        """Request counters summed over every run."""
        totals: dict[str, int] = {}
        with self._read("summing requests") as session:
            for requests in session.scalars(
                select(SyncRunRow.requests).where(SyncRunRow.tenant == tenant)
            ):
                for name, count in (requests or {}).items():
                    totals[str(name)] = totals.get(str(name), 0) + int(count)
        return totals

    def notification_outcomes(self, tenant: str) -> dict[str, int]:
        """Notifications per status."""
        with self._read("counting notifications") as session:
            rows = session.execute(
                select(NotificationRow.status, func.count())
                .where(NotificationRow.tenant == tenant)
                .group_by(NotificationRow.status)
            )
            return {str(status): int(n) for status, n in rows}

    def order_writes(
        self, tenant: str, po_number: str, limit: int, offset: int = 0
    ) -> list[AuditEntry]:
        """One PO's Autotask writes from the audit trail, newest first (one index range)."""
        with self._read(f"reading the writes to {po_number}") as session:
            rows = session.scalars(
                _writes_to(tenant, po_number)
                .order_by(AuditEntryRow.at.desc(), AuditEntryRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [audit_entry(row) for row in rows]

    def order_write_count(self, tenant: str, po_number: str) -> int:
        """How many Autotask writes to one PO the audit trail holds."""
        with self._read(f"counting the writes to {po_number}") as session:
            count = session.scalar(
                _writes_to(tenant, po_number).with_only_columns(func.count()).order_by(None)
            )
            return int(count or 0)

    def order_notifications(self, tenant: str, po_number: str) -> list[QueuedNotification]:
        """Every notification about one PO, oldest first (as ``orderbridge status`` lists them)."""
        with self._read(f"reading the notifications about {po_number}") as session:
            return _outbox.order_notifications(session, tenant, po_number)

    def field_quirks(self, tenant: str) -> list[FieldQuirk]:
        """The fields this tenant does not keep as written, by field."""
        with self._read("reading the fields that do not stick") as session:
            return _quirks.field_quirks(session, tenant)

    def ping(self) -> None:
        """One trivial query."""
        with self._read("checking the database") as session:
            session.execute(text("SELECT 1"))


if TYPE_CHECKING:

    def _satisfies_the_port(reads: SqlDashboardReads) -> DashboardReads:
        """Type-checked proof that ``SqlDashboardReads`` implements ``DashboardReads``."""
        return reads
