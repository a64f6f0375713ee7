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
from orderbridge.domain.package_tracking import TrackingReply

__all__ = [
    "BudgetExhausted",
    "CarrierTracker",
    "DistributorGateway",
    "KnownOrder",
    "MonitoredScope",
    "OrderStore",
    "PurchaseOrderGateway",
    "ResyncHandoffs",
    "ResyncRequest",
    "StoreUnavailable",
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


class StoreUnavailable(Exception):
    """The store (SQLite file or PostgreSQL) could not be read or written; the message says why."""


@dataclass(frozen=True, slots=True)
class ResyncRequest:
    """A resync of one order handed to the running daemon, and how far it got."""

    id: int
    po_number: str
    requested_at: datetime
    claimed_at: datetime | None = None
    finished_at: datetime | None = None
    run_id: int | None = None


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

    def start_run(self, tenant: str, started_at: datetime, trigger: str) -> int:
        """Open an activity-log record for a run (started by ``trigger``) and return its id."""
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
    ) -> int:
        """Commit the new state and history in one transaction; returns new history rows."""
        ...

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that these orders were checked and found unchanged."""
        ...


class ResyncHandoffs(Protocol):
    """Resync requests between a command and the running daemon (synchronous; run in a thread)."""

    def request_resync(self, tenant: str, po_number: str, at: datetime) -> int:
        """Queue a resync of one order for the daemon; returns the request's id."""
        ...

    def claim_resync_requests(self, tenant: str, at: datetime) -> list[ResyncRequest]:
        """Claim every unclaimed request (the daemon runs them)."""
        ...

    def finish_resync_request(self, request_id: int, run_id: int | None, at: datetime) -> None:
        """Answer a claimed request with the run that checked the order."""
        ...

    def resync_request(self, request_id: int) -> ResyncRequest | None:
        """One request as it stands."""
        ...

    def withdraw_resync_request(self, request_id: int) -> bool:
        """Take back an unclaimed request; False when the daemon already claimed it."""
        ...


class CarrierTracker(Protocol):
    """One parcel carrier's tracking API (UPS, FedEx, USPS, DHL), in the domain's words.

    ``track`` sends at most ``batch_size`` numbers per request and returns one reply per number
    it was given: the package's tracking, or a ``TrackingProblem`` when the carrier does not know
    the number (unknown, not yet scanned, or another carrier's). A failure of the whole request
    raises an ``UpstreamError`` subclass: ``UpstreamAuthError`` (credentials refused),
    ``UpstreamRateLimited`` (429, with ``retry_after``), ``UpstreamUnavailable``,
    ``UpstreamBadPayload``.
    """

    @property
    def carrier(self) -> str:
        """The carrier's name as the domain spells it (``UPS``, ``FedEx``, ``USPS``, ``DHL``)."""
        ...

    @property
    def batch_size(self) -> int:
        """Tracking numbers one request may carry."""
        ...

    def allowance(self) -> int:
        """Requests this tracker may send now without passing the carrier's rate limit."""
        ...

    async def track(self, tracking_numbers: Sequence[str]) -> Mapping[str, TrackingReply]:
        """The carrier's answer for each number, keyed by the number as given."""
        ...

    async def check_credentials(self) -> None:
        """Obtain a token (or make one cheap call) to prove the credentials are accepted."""
        ...
