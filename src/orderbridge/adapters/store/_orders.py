"""Last-known order state and status history: the queries behind ``SqlStore``'s order methods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from orderbridge.domain.history import HistoryEntry

from ._records import JsonObject, StoredOrder, entry_from_row, order_from_row
from ._statements import ROWS_CHUNK, chunked, execute, execute_many, insert_for, table_of
from ._tables import OrderStateRow, StatusHistoryRow

__all__ = [
    "archive_orders",
    "history",
    "insert_history",
    "list_orders",
    "load_states",
    "recent_history",
    "remember_written",
    "touch_checked",
    "upsert_order",
]

ORDER_STATE = table_of(OrderStateRow)
STATUS_HISTORY = table_of(StatusHistoryRow)


def load_states(session: Session, tenant: str, po_numbers: Iterable[str]) -> dict[str, StoredOrder]:
    """Stored state for the given POs, one query per chunk of PO numbers."""
    found: dict[str, StoredOrder] = {}
    for chunk in chunked(po_numbers):
        rows = session.scalars(
            select(OrderStateRow).where(
                OrderStateRow.tenant == tenant, OrderStateRow.po_number.in_(chunk)
            )
        )
        found.update((row.po_number, order_from_row(row)) for row in rows)
    return found


def upsert_order(
    session: Session,
    tenant: str,
    po_number: str,
    *,
    po_id: int | None,
    status: str,
    state: JsonObject,
    fingerprint: str,
    checked_at: datetime,
    written: Mapping[str, str] | None = None,
) -> None:
    """Insert or replace the last known state; saving an archived order brings it back."""
    insert = insert_for(session, ORDER_STATE).values(
        tenant=tenant,
        po_number=po_number,
        po_id=po_id,
        status=status,
        state=state,
        fingerprint=fingerprint,
        version=1,
        first_seen_at=checked_at,
        updated_at=checked_at,
        checked_at=checked_at,
        archived=False,
        archived_at=None,
        written=dict(written or {}),
    )
    new = insert.excluded
    execute(
        session,
        insert.on_conflict_do_update(
            index_elements=[ORDER_STATE.c.tenant, ORDER_STATE.c.po_number],
            set_={
                "po_id": new.po_id,
                "status": new.status,
                "state": new.state,
                "fingerprint": new.fingerprint,
                "updated_at": new.updated_at,
                "checked_at": new.checked_at,
                "archived": False,
                "archived_at": None,
                "version": ORDER_STATE.c.version + 1,
                **({} if written is None else {"written": new.written}),
            },
        ),
    )


def remember_written(
    session: Session,
    tenant: str,
    orders: Sequence[tuple[str, int | None, Mapping[str, str]]],
    checked_at: datetime,
) -> int:
    """Replace what is remembered of the writes to stored orders whose state is unchanged.

    ``orders`` are ``(po_number, po_id, written)``. Every other column is set as
    ``upsert_order`` sets it when the same state is saved again, so the row ends up the same as
    after a full save; only the state, its fingerprint and the order's history are not sent.
    One executemany statement; returns how many rows changed.
    """
    if not orders:
        return 0
    table = ORDER_STATE
    statement = (
        update(table)
        .where(table.c.tenant == bindparam("b_tenant"), table.c.po_number == bindparam("b_po"))
        .values(
            po_id=bindparam("b_po_id"),
            written=bindparam("b_written", type_=table.c.written.type),
            updated_at=bindparam("b_at", type_=table.c.updated_at.type),
            checked_at=bindparam("b_at", type_=table.c.checked_at.type),
            archived=False,
            archived_at=None,
            version=table.c.version + 1,
        )
    )
    rows = [
        {"b_tenant": tenant, "b_po": po, "b_po_id": po_id, "b_written": dict(w), "b_at": checked_at}
        for po, po_id, w in orders
    ]
    return execute_many(session, statement, rows)


def insert_history(
    session: Session, tenant: str, entries: Sequence[HistoryEntry], recorded_at: datetime
) -> int:
    """Append history rows, silently skipping keys already stored; return how many were new."""
    rows = [
        {
            "tenant": tenant,
            "po_number": entry.po_number,
            "at": entry.at,
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "source": str(entry.source),
            "summary": entry.summary,
            "key": entry.key,
            "recorded_at": recorded_at,
        }
        for entry in entries
    ]
    added = 0
    for start in range(0, len(rows), ROWS_CHUNK):
        insert = insert_for(session, STATUS_HISTORY).values(rows[start : start + ROWS_CHUNK])
        # Only the dedup key is ignored; any other constraint still fails the transaction.
        statement = insert.on_conflict_do_nothing(
            index_elements=[
                STATUS_HISTORY.c.tenant,
                STATUS_HISTORY.c.po_number,
                STATUS_HISTORY.c.key,
            ]
        )
        added += execute(session, statement).rowcount
    return added


def touch_checked(
    session: Session, tenant: str, po_numbers: Iterable[str], checked_at: datetime
) -> int:
    """Set the last-checked time of stored POs; return how many rows changed."""
    touched = 0
    for chunk in chunked(po_numbers):
        statement = (
            update(ORDER_STATE)
            .where(ORDER_STATE.c.tenant == tenant, ORDER_STATE.c.po_number.in_(chunk))
            .values(checked_at=checked_at)
        )
        touched += execute(session, statement).rowcount
    return touched


# Ties in time are broken by the entry's key, exactly as the memo orders history: the newest N
# chosen here must be the newest N the memo shows, or a re-run would rewrite the memo.
_NEWEST_FIRST = (StatusHistoryRow.at.desc(), StatusHistoryRow.key.desc())


def history(session: Session, tenant: str, po_number: str, limit: int | None) -> list[HistoryEntry]:
    """History of one PO, oldest first; with a limit, the newest ``limit`` entries."""
    where = (StatusHistoryRow.tenant == tenant, StatusHistoryRow.po_number == po_number)
    if limit is None:
        rows = session.scalars(
            select(StatusHistoryRow)
            .where(*where)
            .order_by(StatusHistoryRow.at, StatusHistoryRow.id)
        )
        return [entry_from_row(row) for row in rows]
    newest = session.scalars(
        select(StatusHistoryRow).where(*where).order_by(*_NEWEST_FIRST).limit(limit)
    )
    return [entry_from_row(row) for row in reversed(list(newest))]


def recent_history(
    session: Session, tenant: str, po_numbers: Iterable[str], per_order: int
) -> dict[str, list[HistoryEntry]]:
    """The newest ``per_order`` entries of each PO (oldest first), one query per chunk."""
    result: dict[str, list[HistoryEntry]] = {}
    for chunk in chunked(po_numbers):
        for po_number in chunk:
            result[po_number] = []
        rank = (
            func.row_number()
            .over(
                partition_by=StatusHistoryRow.po_number,
                order_by=_NEWEST_FIRST,
            )
            .label("rank")
        )
        ranked = (
            select(StatusHistoryRow.id, rank)
            .where(StatusHistoryRow.tenant == tenant, StatusHistoryRow.po_number.in_(chunk))
            .subquery()
        )
        rows = session.scalars(
            select(StatusHistoryRow)
            .join(ranked, ranked.c.id == StatusHistoryRow.id)
            .where(ranked.c.rank <= per_order)
            .order_by(StatusHistoryRow.po_number, StatusHistoryRow.at, StatusHistoryRow.id)
        )
        for row in rows:
            result[row.po_number].append(entry_from_row(row))
    return result


def list_orders(
    session: Session,
    tenant: str,
    *,
    status: str | None,
    limit: int,
    search: str | None,
    include_archived: bool,
) -> list[StoredOrder]:
    """Orders for listings, most recently changed first."""
    statement = select(OrderStateRow).where(OrderStateRow.tenant == tenant)
    if status is not None:
        statement = statement.where(func.lower(OrderStateRow.status) == status.lower())
    if search:
        statement = statement.where(OrderStateRow.po_number.icontains(search, autoescape=True))
    if not include_archived:
        statement = statement.where(OrderStateRow.archived.is_(False))
    statement = statement.order_by(OrderStateRow.updated_at.desc(), OrderStateRow.po_number).limit(
        limit
    )
    return [order_from_row(row) for row in session.scalars(statement)]


def archive_orders(
    session: Session,
    tenant: str,
    *,
    closed_before: datetime,
    statuses: Iterable[str],
    now: datetime,
) -> int:
    """Mark orders in a closing status, unchanged since ``closed_before``, as archived."""
    lowered = sorted({status.lower() for status in statuses})
    statement = (
        update(ORDER_STATE)
        .where(
            ORDER_STATE.c.tenant == tenant,
            ORDER_STATE.c.archived.is_(False),
            func.lower(ORDER_STATE.c.status).in_(lowered),
            ORDER_STATE.c.updated_at < closed_before,
        )
        .values(archived=True, archived_at=now)
    )
    return execute(session, statement).rowcount
