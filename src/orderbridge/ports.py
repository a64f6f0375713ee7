"""The interfaces the application needs from the outside world, and the errors they may raise.

Adapters implement these protocols (structurally: no inheritance needed) and raise subclasses of
``UpstreamError`` so that the application can map every failure to a per-order outcome without
knowing which library or wire format produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from orderbridge.domain.history import HistoryEntry, OrderReport, RunOutcome, RunReport, RunTrigger
from orderbridge.domain.models import DistributorOrder, Invoice, PurchaseOrder

__all__ = [
    "BudgetExhausted",
    "CompanyRef",
    "DistributorGateway",
    "EntityAccess",
    "FieldQuirk",
    "MonitoredScope",
    "OrderStore",
    "PurchaseOrderGateway",
    "ResyncHandoffs",
    "ResyncRequest",
    "RunRecord",
    "StoreUnavailable",
    "StoredOrder",
    "ThresholdInfo",
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


# What the store and Autotask hand back about the setup and the activity log: plain values that
# the adapters build and the application (doctor, reports) reads.


@dataclass(frozen=True, slots=True)
class ThresholdInfo:
    """The Autotask database's hourly request budget and how much of it is used."""

    threshold: int
    timeframe_minutes: int
    current: int

    @property
    def used_fraction(self) -> float:
        """Share of the budget used in the current timeframe (0.0–1.0+)."""
        return self.current / self.threshold if self.threshold > 0 else 1.0


@dataclass(frozen=True, slots=True)
class EntityAccess:
    """What the API user may do with one entity (``userAccessFor*`` is None, Restricted or All)."""

    entity: str
    can_query: bool
    can_update: bool
    query_access: str
    update_access: str


@dataclass(frozen=True, slots=True)
class CompanyRef:
    """An Autotask company as the setup checks see it."""

    id: int
    name: str
    is_vendor: bool
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """The last known state of one PO as the store keeps it (state is the domain's JSON)."""

    tenant: str
    po_number: str
    po_id: int | None
    status: str
    state: dict[str, Any]
    fingerprint: str
    first_seen_at: datetime
    updated_at: datetime
    checked_at: datetime
    archived: bool
    # What orderbridge last wrote to this PO and its items: field key -> digest of the value.
    written: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FieldQuirk:
    """A field this tenant does not keep as written (recorded once, shown by the doctor)."""

    field: str
    record: str
    wanted: str
    found: str
    config_digest: str
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One sync run from the activity log; ``orders`` is filled only when one run is read."""

    id: int
    tenant: str
    started_at: datetime
    finished_at: datetime | None
    outcome: RunOutcome
    trigger: RunTrigger
    monitored: int
    checked: int
    updated: int
    unchanged: int
    failed: int
    skipped: int
    requests: dict[str, int]
    error: str | None
    orders: list[OrderReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish, once finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


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

    def load_states(self, tenant: str, po_numbers: Iterable[str]) -> Mapping[str, StoredOrder]:
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
        written: Mapping[str, str] | None = None,
    ) -> int:
        """Commit the new state and history in one transaction; returns new history rows.

        ``written`` (when given) replaces what is remembered of orderbridge's writes to the PO.
        """
        ...

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that these orders were checked and found unchanged."""
        ...

    def field_quirks(self, tenant: str) -> list[FieldQuirk]:
        """The fields this tenant does not keep as written."""
        ...

    def record_field_quirk(self, tenant: str, quirk: FieldQuirk) -> bool:
        """Remember a field the tenant does not keep (replacing an older record of it)."""
        ...

    def clear_field_quirks(self, tenant: str) -> int:
        """Forget every recorded quirk of the tenant (a resync tries the fields again)."""
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
