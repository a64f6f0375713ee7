"""The interfaces the application needs from the outside world, and the errors they may raise.

Adapters implement these protocols (structurally: no inheritance needed) and raise subclasses of
``UpstreamError`` so that the application can map every failure to a per-order outcome without
knowing which library or wire format produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from orderbridge.domain.delivery import Dimension, OrderFigures
from orderbridge.domain.history import HistoryEntry, OrderReport, RunOutcome, RunReport, RunTrigger
from orderbridge.domain.models import DistributorOrder, Invoice, PurchaseOrder
from orderbridge.domain.notices import OrderFacts
from orderbridge.domain.notify_rules import PendingNotification, Person, QueuedNotification
from orderbridge.domain.package_tracking import TrackingReply
from orderbridge.domain.records import AuditEntry, ExportKind, RetentionCutoffs

__all__ = [
    "AccountExists",
    "AccountStore",
    "BudgetExhausted",
    "CarrierTracker",
    "CompanyRef",
    "DashboardReads",
    "DeliveryInputs",
    "DistributorGateway",
    "EntityAccess",
    "FieldQuirk",
    "MonitoredScope",
    "NotificationChannel",
    "NotificationOutbox",
    "NotificationUndeliverable",
    "OidcLogin",
    "OrderPage",
    "OrderQuery",
    "OrderRow",
    "OrderStore",
    "OrderTouch",
    "PeopleDirectory",
    "PurchaseOrderGateway",
    "RecordKeeper",
    "ResyncHandoffs",
    "ResyncRequest",
    "RetentionOutcome",
    "RunRecord",
    "RunRow",
    "SingleSignOn",
    "SingleSignOnError",
    "StoreUnavailable",
    "StoredOrder",
    "ThresholdInfo",
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

    async def among(self, scope: MonitoredScope, po_ids: Sequence[int]) -> list[PurchaseOrder]:
        """Those of these POs still in scope, with their items, as they stand now (batched)."""
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
        notifications: Sequence[PendingNotification] = (),
    ) -> int:
        """Commit the new state, history and its notifications in one transaction.

        Returns how many history rows were new. ``written`` (when given) replaces what is
        remembered of orderbridge's writes to the PO.
        """
        ...

    def remember_written(
        self,
        tenant: str,
        orders: Sequence[tuple[str, int | None, Mapping[str, str]]],
        checked_at: datetime,
    ) -> None:
        """For orders whose state did not change: replace what is remembered of the writes.

        ``orders`` are ``(po_number, po_id, written)``, all in one transaction. Each row ends up
        as ``save_order`` would leave it for the same state with no history.
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


# -- single sign-on for the dashboard (issue 12) --------------------------------------------------


class SingleSignOnError(Exception):
    """Single sign-on failed; the message says where, without quoting the client secret."""


@dataclass(frozen=True, slots=True)
class OidcLogin:
    """What must come back with the callback: state, nonce and the PKCE verifier."""

    state: str
    nonce: str
    verifier: str


class SingleSignOn(Protocol):
    """An OpenID Connect provider (authorization code flow with PKCE); ``[web.oidc]``.

    Both methods raise ``SingleSignOnError`` when the provider cannot be reached or its answer
    does not verify.
    """

    async def authorization_url(self, redirect_uri: str) -> tuple[str, OidcLogin]:
        """Where to send the browser, and what to keep until it comes back."""
        ...

    async def claims(self, code: str, login: OidcLogin, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code and return the ID token's verified claims."""
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

    def order_writes(
        self, tenant: str, po_number: str, limit: int, offset: int = 0
    ) -> list[AuditEntry]:
        """The audit trail's Autotask writes to one PO and its items, newest first."""
        ...

    def order_write_count(self, tenant: str, po_number: str) -> int:
        """How many Autotask writes to one PO the audit trail holds."""
        ...

    def order_notifications(self, tenant: str, po_number: str) -> list[QueuedNotification]:
        """Every notification about one PO (sent, failed or pending), oldest first."""
        ...

    def field_quirks(self, tenant: str) -> list[FieldQuirk]:
        """The fields this tenant does not keep as written."""
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
    """What the delivery report reads: each order's figures, kept per order by the store."""

    def delivery_figures(
        self, tenant: str, since: datetime | None, until: datetime | None, by: Sequence[Dimension]
    ) -> Iterator[OrderFigures]:
        """The figures of every order first seen in the window, with the groups of ``by``."""
        ...
