"""The interfaces the application needs from the outside world, and the errors they may raise.

Adapters implement these protocols (structurally: no inheritance needed) and raise subclasses of
``UpstreamError`` so that the application can map every failure to a per-order outcome without
knowing which library or wire format produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from orderbridge.domain.history import HistoryEntry, OrderReport, RunReport
from orderbridge.domain.models import DistributorOrder, Invoice, PurchaseOrder
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import PendingNotification, Person, QueuedNotification

__all__ = [
    "BudgetExhausted",
    "DistributorGateway",
    "KnownOrder",
    "MonitoredScope",
    "NotificationChannel",
    "NotificationOutbox",
    "NotificationUndeliverable",
    "OrderStore",
    "PeopleDirectory",
    "PurchaseOrderGateway",
    "UpstreamAuthError",
    "UpstreamBadPayload",
    "UpstreamError",
    "UpstreamRateLimited",
    "UpstreamUnavailable",
]


class UpstreamError(Exception):
    """A call to TD SYNNEX or Autotask failed; the message says what to do about it."""

    service: str = "upstream"


class UpstreamAuthError(UpstreamError):
    """Credentials, permissions or network allow-listing were refused. Not worth retrying."""


class UpstreamRateLimited(UpstreamError):
    """The service asked us to slow down (hourly budget or concurrent-thread limit)."""

    retry_after: float | None = None


class BudgetExhausted(UpstreamRateLimited):
    """Our own request budget for the service is spent: nothing was sent.

    Stop the cycle and try again after ``free_at`` (timezone-aware UTC; ``retry_after`` is the
    same moment in seconds from when the error was raised). Every further call until then would
    be refused the same way.
    """

    free_at: datetime | None = None


class UpstreamUnavailable(UpstreamError):
    """A transient failure: 5xx, timeout, dropped connection, a service-side transient error."""


class UpstreamBadPayload(UpstreamError):
    """The answer could not be understood (malformed, hostile, oversized, wrong types)."""


@dataclass(frozen=True, slots=True)
class MonitoredScope:
    """Which Autotask purchase orders a cycle looks at."""

    vendor_ids: tuple[int, ...]
    status_labels: tuple[str, ...]
    submitted_since: datetime | None = None


class PurchaseOrderGateway(Protocol):
    """Autotask purchase orders: list the monitored ones (batched), read one, write changes."""

    async def monitored(self, scope: MonitoredScope) -> list[PurchaseOrder]:
        """Every PO in scope with its items, in a handful of batched requests."""
        ...

    async def get(self, po_id: int) -> PurchaseOrder | None:
        """One PO with its items, as it stands now."""
        ...

    async def update_purchase_order(self, po_id: int, changes: Mapping[str, Any]) -> None:
        """Write the given PO fields (domain names) and nothing else."""
        ...

    async def update_item(self, po_id: int, item_id: int, changes: Mapping[str, Any]) -> None:
        """Write the given item fields (domain names) and nothing else."""
        ...


class DistributorGateway(Protocol):
    """TD SYNNEX: order status by PO number, invoices by PO number."""

    async def get_order_status(self, po_number: str) -> DistributorOrder:
        """The distributor's view of one PO (``NOT_FOUND`` code when it does not know it)."""
        ...

    async def get_invoices(self, *, po_number: str) -> list[Invoice]:
        """Every invoice for the PO; empty when there is none yet."""
        ...


class KnownOrder(Protocol):
    """The last known state of one order as the store keeps it."""

    @property
    def state(self) -> dict[str, Any]:
        """The domain's serialised order state."""
        ...

    @property
    def fingerprint(self) -> str:
        """A digest of ``state``; equal fingerprints mean nothing changed."""
        ...

    @property
    def checked_at(self) -> datetime:
        """When the order was last checked (a cycle starts with the longest-unchecked)."""
        ...


class OrderStore(Protocol):
    """Last known state, status history and the activity log (synchronous; run in a thread)."""

    def start_run(self, tenant: str, started_at: datetime) -> int:
        """Open an activity-log record for a run and return its id."""
        ...

    def finish_run(self, run_id: int, report: RunReport) -> None:
        """Close the run's record with its counts and outcome."""
        ...

    def record_order_reports(
        self, run_id: int, reports: Sequence[OrderReport], at: datetime
    ) -> None:
        """Record what the run did with these orders, in one transaction."""
        ...

    def load_states(self, tenant: str, po_numbers: Iterable[str]) -> Mapping[str, KnownOrder]:
        """Last known states by PO number (only orders seen before)."""
        ...

    def recent_history(
        self, tenant: str, po_numbers: Iterable[str], per_order: int = 10
    ) -> Mapping[str, list[HistoryEntry]]:
        """The most recent history entries per PO number, oldest first."""
        ...

    def save_order(
        self,
        tenant: str,
        po_number: str,
        *,
        po_id: int,
        status: str,
        state: dict[str, Any],
        fingerprint: str,
        history: Sequence[HistoryEntry],
        checked_at: datetime,
        notifications: Sequence[PendingNotification] = (),
    ) -> int:
        """Commit the new state, history and its notifications in one transaction.

        Returns how many history rows were new.
        """
        ...

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that these orders were checked and found unchanged."""
        ...


# -- notifications (issue 11) --------------------------------------------------------------------


class NotificationUndeliverable(UpstreamError):
    """This message cannot be delivered as configured (no ticket to note, no address for a
    person, a URL that is not a channel); trying again will not help."""

    service = "notifications"


class NotificationOutbox(Protocol):
    """The store's notification outbox (synchronous; run in a thread)."""

    def enqueue_notifications(
        self, tenant: str, entries: Sequence[PendingNotification], at: datetime
    ) -> int:
        """Queue entries not queued before (per event key and channel); return how many."""
        ...

    def claim_notifications(
        self, tenant: str, now: datetime, *, claim_s: float, limit: int = 500
    ) -> list[QueuedNotification]:
        """Take due entries for sending, counting the attempt."""
        ...

    def mark_notifications_sent(
        self, ids: Sequence[int], at: datetime, recipients: Sequence[str]
    ) -> None:
        """Record that the entries reached ``recipients``."""
        ...

    def mark_notifications_failed(
        self, ids: Sequence[int], at: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed try; ``retry_at`` None gives the entries up as ``failed``."""
        ...

    def get_setting(self, tenant: str, key: str) -> str | None:
        """One runtime setting (the first cycle's baseline mark lives there)."""
        ...

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        """Store a runtime setting."""
        ...


class NotificationChannel(Protocol):
    """One configured destination. ``send`` raises ``UpstreamError`` subclasses on failure.

    ``UpstreamAuthError`` and ``UpstreamBadPayload`` are not worth retrying; the others are.
    """

    @property
    def name(self) -> str:
        """The channel's configured name."""
        ...

    @property
    def per_order(self) -> bool:
        """True when every message must be about one order (an Autotask ticket note)."""
        ...

    async def send(
        self, title: str, body: str, *, facts: OrderFacts | None, recipients: Sequence[str]
    ) -> list[str]:
        """Deliver one message; return who or what it reached (addresses, ticket ids)."""
        ...

    async def check(self) -> str:
        """Check the URL and that the destination is reachable; return what was checked."""
        ...


class PeopleDirectory(Protocol):
    """People Autotask knows about an order, as e-mail addresses (cached; within the budget)."""

    async def addresses(self, person: Person, facts: OrderFacts) -> list[str]:
        """The e-mail addresses of ``person`` for that order; empty when Autotask has none."""
        ...
