"""``SqlStore``'s notification outbox methods (a mixin; the queries live in ``_outbox``).

Entries for an order's changes are queued by ``SqlStore.save_order`` in the transaction that
records the changes; ``enqueue_notifications`` queues the rest (watch alerts of an unchanged
order, a cycle's summary, run-level errors). Delivery is claim, send, then mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from orderbridge.domain.notify_rules import PendingNotification, QueuedNotification

from . import _outbox
from ._statements import require_aware

__all__ = ["OutboxMethods"]


class OutboxMethods:
    """Queue, claim and settle notifications; mixed into ``SqlStore``."""

    def _read(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def _write(self, action: str, tenant: str | None = None) -> AbstractContextManager[Session]:
        raise NotImplementedError  # pragma: no cover - provided by SqlStore

    def enqueue_notifications(
        self, tenant: str, entries: Sequence[PendingNotification], at: datetime
    ) -> int:
        """Queue entries not queued before (per event key and channel); return how many."""
        require_aware(at, "at")
        for entry in entries:
            require_aware(entry.due_at, "due_at")
        if not entries:
            return 0
        with self._write(f"queueing {len(entries)} notifications", tenant) as session:
            return _outbox.insert_notifications(session, tenant, entries, at)

    def claim_notifications(
        self, tenant: str, now: datetime, *, claim_s: float, limit: int = 500
    ) -> list[QueuedNotification]:
        """Take due entries for sending; others see them again only after ``claim_s``."""
        require_aware(now, "now")
        with self._write("claiming notifications", tenant) as session:
            return _outbox.claim_due(session, tenant, now, timedelta(seconds=claim_s), limit)

    def mark_notifications_sent(
        self, ids: Sequence[int], at: datetime, recipients: Sequence[str]
    ) -> None:
        """Record that the entries reached ``recipients``."""
        require_aware(at, "at")
        with self._write(f"recording {len(ids)} notifications sent") as session:
            _outbox.mark_sent(session, ids, at, recipients)

    def mark_notifications_failed(
        self, ids: Sequence[int], at: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed try; ``retry_at`` None gives the entries up as ``failed``."""
        require_aware(at, "at")
        with self._write(f"recording {len(ids)} notifications not sent") as session:
            _outbox.mark_failed_attempt(session, ids, at, error, retry_at)

    def order_notifications(self, tenant: str, po_number: str) -> list[QueuedNotification]:
        """Every notification about one PO, oldest first (who was told what, and when)."""
        with self._read(f"reading notifications of {po_number}") as session:
            return _outbox.order_notifications(session, tenant, po_number)

    def notification_counts(self, tenant: str, since: datetime) -> dict[str, int]:
        """Sent and failed since ``since``; pending now."""
        require_aware(since, "since")
        with self._read("counting notifications") as session:
            return _outbox.counts_since(session, tenant, since)
