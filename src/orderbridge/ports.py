"""The interfaces the application needs from the outside world, and the errors they may raise.

Adapters implement these protocols (structurally: no inheritance needed) and raise subclasses of
``UpstreamError`` so that the application can map every failure to a per-order outcome without
knowing which library or wire format produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from orderbridge.domain.delivery import HistorySummary
from orderbridge.domain.history import HistoryEntry, OrderReport, RunReport
from orderbridge.domain.models import DistributorOrder, Invoice, PurchaseOrder
from orderbridge.domain.records import AuditEntry, ExportKind, RetentionCutoffs

__all__ = [
    "BudgetExhausted",
    "DeliveryInputs",
    "DistributorGateway",
    "KnownOrder",
    "MonitoredScope",
    "OrderStore",
    "PurchaseOrderGateway",
    "RecordKeeper",
    "RetentionOutcome",
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

    @property
    def archived(self) -> bool:
        """Whether the order was archived (records, issue 13)."""
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
    ) -> int:
        """Commit the new state and history in one transaction; returns new history rows."""
        ...

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that these orders were checked and found unchanged."""
        ...


# -- records (issue 13) -------------------------------------------------------------------------


class RetentionOutcome(Protocol):
    """What a retention pass archived and removed."""

    @property
    def archived(self) -> tuple[str, ...]:
        """PO numbers archived (or that would be, on a dry run)."""
        ...

    @property
    def runs_removed(self) -> int:
        """Activity-log runs removed (with their per-order lines)."""
        ...

    @property
    def audit_removed(self) -> int:
        """Audit entries removed by ``retention.audit_days``."""
        ...


class RecordKeeper(Protocol):
    """Exports, the audit trail, archive and backups (synchronous; run in a worker thread)."""

    def export_rows(
        self, kind: ExportKind, tenant: str, since: datetime | None = None
    ) -> Iterator[dict[str, object]]:
        """Stream one export's rows, oldest first, in constant memory."""
        ...

    def record_audit(self, tenant: str, entries: Sequence[AuditEntry]) -> None:
        """Append audit entries (never updates or deletes one)."""
        ...

    def apply_retention(
        self, tenant: str, cutoffs: RetentionCutoffs, now: datetime, *, dry_run: bool
    ) -> RetentionOutcome:
        """Archive finished orders and drop expired log rows (``dry_run``: only count)."""
        ...

    def unarchive(
        self, tenant: str, po_numbers: Iterable[str], reason: str, at: datetime
    ) -> list[str]:
        """Bring archived orders back with a history line each; return the PO numbers."""
        ...

    def backup(self, target: Path, *, use_pg_dump: bool = True) -> str:
        """Write a consistent backup of the live store; return its kind."""
        ...


class DeliveryInputs(Protocol):
    """What the delivery report reads: each order's stored state and its history."""

    def delivery_inputs(
        self, tenant: str, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[tuple[str, dict[str, Any], HistorySummary]]:
        """(PO number, state, history summary) for orders first seen in the window."""
        ...
