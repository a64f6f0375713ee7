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

__all__ = [
    "AccountExists",
    "AccountStore",
    "BudgetExhausted",
    "DashboardReads",
    "DistributorGateway",
    "KnownOrder",
    "MonitoredScope",
    "OrderPage",
    "OrderQuery",
    "OrderRow",
    "OrderStore",
    "OrderTouch",
    "PurchaseOrderGateway",
    "RunRow",
    "TokenRecord",
    "UpstreamAuthError",
    "UpstreamBadPayload",
    "UpstreamError",
    "UpstreamRateLimited",
    "UpstreamUnavailable",
    "UserRecord",
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
    ) -> int:
        """Commit the new state and history in one transaction; returns new history rows."""
        ...

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that these orders were checked and found unchanged."""
        ...


# -- read models: what the dashboard, the JSON API and the CLI read (issue 12) -----------------


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """One page of the orders list: search, filters, sort and position.

    ``search`` is a prefix of a PO number, TD SYNNEX order number, tracking number or part
    number (any case). ``attention_statuses`` and ``late_before`` say what "needs attention"
    means: an order in one of those statuses, or one not in ``finished_statuses`` whose expected
    delivery is before ``late_before`` or that has not changed since ``stuck_before``, or one in
    ``backordered_status`` unchanged since ``backordered_before``.
    """

    search: str = ""
    status: str | None = None
    attention: bool = False
    sort: str = "updated"
    descending: bool = True
    page: int = 1
    per_page: int = 50
    attention_statuses: tuple[str, ...] = ()
    finished_statuses: tuple[str, ...] = ()
    late_before: str | None = None  # ISO date
    stuck_before: datetime | None = None  # unfinished and unchanged since then
    backordered_status: str | None = None  # in this status and unchanged since ...
    backordered_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One stored order as a listing shows it (``state`` is the domain's JSON)."""

    po_number: str
    po_id: int | None
    status: str
    state: Mapping[str, Any]
    first_seen_at: datetime
    updated_at: datetime
    checked_at: datetime
    archived: bool


@dataclass(frozen=True, slots=True)
class OrderPage:
    """A page of orders and how many match in all."""

    rows: tuple[OrderRow, ...]
    total: int


@dataclass(frozen=True, slots=True)
class OrderTouch:
    """What one run did with one order (the Autotask fields it wrote, warnings, the error)."""

    run_id: int
    at: datetime
    report: OrderReport


@dataclass(frozen=True, slots=True)
class RunRow:
    """One run from the activity log."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    monitored: int
    checked: int
    updated: int
    unchanged: int
    failed: int
    skipped: int
    requests: Mapping[str, int]
    error: str | None

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish, once finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class DashboardReads(Protocol):
    """Read-only queries over the store for the dashboard, the JSON API and the CLI."""

    def order_page(self, tenant: str, query: OrderQuery) -> OrderPage:
        """One page of orders matching ``query``, with the total count."""
        ...

    def order(self, tenant: str, po_number: str) -> OrderRow | None:
        """One stored order, archived or not."""
        ...

    def order_history(self, tenant: str, po_number: str) -> list[HistoryEntry]:
        """An order's whole status timeline, oldest first."""
        ...

    def order_touches(self, tenant: str, po_number: str, limit: int) -> list[OrderTouch]:
        """The newest runs that reported on this order (writes made, errors), newest first."""
        ...

    def count_by_status(self, tenant: str) -> dict[str, int]:
        """How many (unarchived) orders are in each status."""
        ...

    def runs(self, tenant: str, limit: int, offset: int = 0) -> list[RunRow]:
        """Runs, newest first."""
        ...

    def run(self, tenant: str, run_id: int) -> tuple[RunRow, list[OrderReport]] | None:
        """One run with every order it reported on."""
        ...

    def run_count(self, tenant: str) -> int:
        """How many runs the activity log holds."""
        ...

    def runs_since(self, tenant: str, since: datetime) -> list[RunRow]:
        """Every run started at or after ``since``, oldest first."""
        ...

    def status_changes_by_day(
        self, tenant: str, first_day: datetime, days: int
    ) -> list[tuple[str, str, int]]:
        """(ISO day, new status, count) of the history of ``days`` UTC days from ``first_day``."""
        ...

    def request_totals(self, tenant: str) -> dict[str, int]:
        """Requests, retries and faults summed over every finished run, by counter name."""
        ...

    def notification_outcomes(self, tenant: str) -> dict[str, int]:
        """How many notifications are in each status."""
        ...

    def ping(self) -> None:
        """Reach the database; raises when it cannot be read."""
        ...


# -- dashboard accounts: users, sessions, API tokens (issue 12) --------------------------------


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A dashboard user; ``password_hash`` is an argon2 hash, never the password."""

    id: int
    username: str
    role: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token's name and role (the token itself is never stored)."""

    id: int
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None


class AccountExists(ValueError):
    """A user or token with that name already exists."""


class AccountStore(Protocol):
    """Users, sessions, API tokens and failed sign-ins (synchronous; run in a worker thread).

    Sessions and tokens are looked up by the sha256 of their secret: the store never sees the
    secret itself.
    """

    def add_user(self, username: str, role: str, password_hash: str, now: datetime) -> None:
        """Create a user; ``AccountExists`` if the name is taken."""
        ...

    def users(self) -> list[UserRecord]:
        """Every user, by name."""
        ...

    def ensure_sso_user(self, username: str, role: str, now: datetime) -> UserRecord:
        """The user signing in through SSO, created (with no usable password) or given ``role``."""
        ...

    def user(self, username: str) -> UserRecord | None:
        """One user by name."""
        ...

    def remove_user(self, username: str) -> bool:
        """Delete a user and their sessions; True if they existed."""
        ...

    def set_password_hash(self, username: str, password_hash: str, now: datetime) -> bool:
        """Replace a user's hash and end their sessions; True if they exist."""
        ...

    def add_session(
        self, token_hash: str, user_id: int, csrf_token: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a new signed-in session."""
        ...

    def session(self, token_hash: str, now: datetime) -> tuple[UserRecord, str] | None:
        """The user and CSRF token of an unexpired session."""
        ...

    def remove_session(self, token_hash: str) -> None:
        """End a session (sign out)."""
        ...

    def add_token(self, name: str, role: str, token_hash: str, now: datetime) -> None:
        """Store an API token's hash; ``AccountExists`` if the name is taken."""
        ...

    def tokens(self) -> list[TokenRecord]:
        """Every API token, by name."""
        ...

    def token(self, token_hash: str, now: datetime) -> TokenRecord | None:
        """The token with this hash (and note that it was used)."""
        ...

    def remove_token(self, name: str) -> bool:
        """Revoke a token; True if it existed."""
        ...

    def add_login_failure(self, username: str, remote: str, at: datetime) -> None:
        """Record a failed sign-in (and forget those too old to matter)."""
        ...

    def login_failures(self, username: str, remote: str, since: datetime) -> tuple[int, int]:
        """Failed sign-ins since ``since``: for this user name, and from this address."""
        ...

    def clear_login_failures(self, username: str) -> None:
        """Forget a user name's failures after a successful sign-in."""
        ...
