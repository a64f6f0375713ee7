"""The notification outbox: the queries behind ``SqlStore``'s notification methods.

Entries are inserted with ``ON CONFLICT DO NOTHING`` on (tenant, event key, channel), so a
replayed cycle never queues a second copy. A sender *claims* due entries by moving their
``next_attempt_at`` past the claim's end in one transaction; a sender that dies with a claim
leaves the entry to be taken again when the claim runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderbridge.domain.digest import DigestMode
from orderbridge.domain.notices import Notice, OrderFacts
from orderbridge.domain.notify_rules import (
    DeliveryStatus,
    PendingNotification,
    Person,
    QueuedNotification,
)

from ._statements import ROWS_CHUNK, execute, insert_for, table_of
from ._tables import NotificationRow

__all__ = [
    "claim_due",
    "counts_since",
    "insert_notifications",
    "mark_failed_attempt",
    "mark_sent",
    "order_notifications",
]

NOTIFICATION = table_of(NotificationRow)
_ERROR_LIMIT = 2_000


def _payload(entry: PendingNotification) -> dict[str, Any]:
    return {
        "notice": entry.notice.to_json(),
        "facts": entry.facts.to_json(),
        "people": [p.value for p in entry.people],
    }


def insert_notifications(
    session: Session, tenant: str, entries: Sequence[PendingNotification], at: datetime
) -> int:
    """Queue entries not queued before; return how many were new."""
    rows: list[dict[str, Any]] = [
        {
            "tenant": tenant,
            "po_number": entry.facts.po_number or None,
            "event_key": entry.event_key,
            "kind": entry.notice.kind.value,
            "channel": entry.channel,
            "rule": entry.rule,
            "digest": entry.digest.value,
            "payload": _payload(entry),
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "created_at": at,
            "next_attempt_at": entry.due_at,
            "recipients": [],
        }
        for entry in entries
    ]
    new = 0
    for start in range(0, len(rows), ROWS_CHUNK):
        insert = insert_for(session, NOTIFICATION).values(rows[start : start + ROWS_CHUNK])
        result = execute(
            session,
            insert.on_conflict_do_nothing(index_elements=["tenant", "event_key", "channel"]),
        )
        new += max(result.rowcount, 0)
    return new


def _queued(row: NotificationRow) -> QueuedNotification:
    payload = row.payload
    return QueuedNotification(
        id=row.id,
        tenant=row.tenant,
        channel=row.channel,
        notice=Notice.from_json(payload["notice"]),
        facts=OrderFacts.from_json(payload.get("facts") or {"po_number": row.po_number}),
        digest=DigestMode(row.digest),
        people=tuple(Person(p) for p in payload.get("people") or ()),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        finished_at=row.finished_at,
        recipients=tuple(row.recipients or ()),
        error=row.error,
    )


def claim_due(
    session: Session, tenant: str, now: datetime, claim: timedelta, limit: int
) -> list[QueuedNotification]:
    """Take up to ``limit`` due pending entries, oldest first, and count the attempt."""
    rows = list(
        session.scalars(
            select(NotificationRow)
            .where(
                NotificationRow.tenant == tenant,
                NotificationRow.status == DeliveryStatus.PENDING.value,
                NotificationRow.next_attempt_at <= now,
            )
            .order_by(NotificationRow.next_attempt_at, NotificationRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not rows:
        return []
    ids = [row.id for row in rows]
    execute(
        session,
        update(NOTIFICATION)
        .where(NOTIFICATION.c.id.in_(ids))
        .values(next_attempt_at=now + claim, attempts=NOTIFICATION.c.attempts + 1),
    )
    session.expire_all()
    claimed = session.scalars(
        select(NotificationRow).where(NotificationRow.id.in_(ids)).order_by(NotificationRow.id)
    )
    return [_queued(row) for row in claimed]


def mark_sent(
    session: Session, ids: Sequence[int], at: datetime, recipients: Sequence[str]
) -> None:
    """Record delivery to ``recipients``."""
    execute(
        session,
        update(NOTIFICATION)
        .where(NOTIFICATION.c.id.in_(list(ids)))
        .values(
            status=DeliveryStatus.SENT.value,
            finished_at=at,
            recipients=list(recipients),
            error=None,
        ),
    )


def mark_failed_attempt(
    session: Session, ids: Sequence[int], at: datetime, error: str, retry_at: datetime | None
) -> None:
    """Record a failed try: pending again at ``retry_at``, or ``failed`` when None."""
    values: dict[str, Any] = {"error": error[:_ERROR_LIMIT]}
    if retry_at is None:
        values.update(status=DeliveryStatus.FAILED.value, finished_at=at)
    else:
        values.update(next_attempt_at=retry_at)
    execute(session, update(NOTIFICATION).where(NOTIFICATION.c.id.in_(list(ids))).values(values))


def order_notifications(session: Session, tenant: str, po_number: str) -> list[QueuedNotification]:
    """Every notification about one PO, oldest first."""
    rows = session.scalars(
        select(NotificationRow)
        .where(NotificationRow.tenant == tenant, NotificationRow.po_number == po_number)
        .order_by(NotificationRow.created_at, NotificationRow.id)
    )
    return [_queued(row) for row in rows]


def counts_since(session: Session, tenant: str, since: datetime) -> dict[str, int]:
    """Entries sent and failed since ``since``, and how many are still pending now."""
    finished = session.execute(
        select(NotificationRow.status, func.count())
        .where(NotificationRow.tenant == tenant, NotificationRow.finished_at >= since)
        .group_by(NotificationRow.status)
    ).all()
    counts = {str(status): int(count) for status, count in finished}
    pending = session.scalar(
        select(func.count()).where(
            NotificationRow.tenant == tenant,
            NotificationRow.status == DeliveryStatus.PENDING.value,
        )
    )
    return {
        "sent": counts.get(DeliveryStatus.SENT.value, 0),
        "failed": counts.get(DeliveryStatus.FAILED.value, 0),
        "pending": int(pending or 0),
    }
