"""``SqlStore``: the repository the sync loop, CLI and dashboard use (synchronous API).

Every public method runs in its own transaction and raises ``StoreError`` when the database
fails; datetimes must be timezone-aware and come back in UTC. Call it from a worker thread
(``anyio.to_thread.run_sync``) when inside an event loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from orderbridge.domain.history import HistoryEntry, OrderReport, RunReport
from orderbridge.domain.notify_rules import PendingNotification
from orderbridge.ports import FieldQuirk

from . import (
    _cache,
    _handoffs,
    _lookup,
    _migrate,
    _orders,
    _outbox,
    _quirks,
    _records_report,
    _runs,
    _runtime,
)
from ._accounts import SqlAccounts
from ._batches import RunBatchMethods
from ._budget import BudgetMethods
from ._engine import WRITE, create_store_engine, parse_url
from ._errors import shown_url, translate_errors
from ._notifications import OutboxMethods
from ._queries import SqlDashboardReads
from ._records import JsonObject, ResyncRequest, RunRecord, StoredOrder
from ._statements import insert_for, require_aware, table_of
from ._tables import DEFAULT_TENANT, TenantRow
from ._tenants import TenantMethods
from ._writers import WriterQueue

if TYPE_CHECKING:
    from orderbridge.ports import NotificationOutbox, OrderStore

__all__ = ["DEFAULT_CLOSED_STATUSES", "SqlStore"]

# Statuses after which an order no longer changes; archive_orders looks only at these.
DEFAULT_CLOSED_STATUSES = ("closed", "cancelled")
MAX_TENANT_LENGTH = 64
MAX_CACHE_KEY_LENGTH = 255


class SqlStore(OutboxMethods, BudgetMethods, TenantMethods, RunBatchMethods):
    """Orders, history, activity log, settings and leases in SQLite or PostgreSQL."""

    def __init__(self, url: str | URL) -> None:
        """Prepare an engine for ``url``; nothing connects until the first call."""
        self._url = parse_url(url)
        self._engine = create_store_engine(self._url)
        self._writer = self._engine.execution_options(**WRITE)
        self._writers = WriterQueue(self._url)
        self._known_tenants: set[str] = set()
        self._tenants_lock = Lock()

    @classmethod
    def open(cls, url: str | URL) -> SqlStore:
        """A store whose schema has been upgraded to the newest revision."""
        store = cls(url)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return shown_url(self._url)

    @property
    def engine(self) -> Engine:
        """The underlying engine (for health checks and components sharing the database)."""
        return self._engine

    def __repr__(self) -> str:
        """Show the redacted URL only."""
        return f"SqlStore({self.url!r})"

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Apply pending migrations (``alembic upgrade head``); safe to run on every start."""
        with translate_errors(self._url, "upgrading the database schema"):
            _migrate.upgrade(self._engine)

    def schema_version(self) -> str:
        """The schema revision the database is at (``base`` if never migrated)."""
        with translate_errors(self._url, "reading the schema version"), self._engine.connect() as c:
            return _migrate.current_revision(c)

    @staticmethod
    def head_version() -> str:
        """The newest schema revision this version of orderbridge ships."""
        return _migrate.head_revision()

    def close(self) -> None:
        """Close all pooled connections."""
        self._engine.dispose()

    def __enter__(self) -> SqlStore:
        """Use the store as a context manager that closes it."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close on leaving the block."""
        self.close()

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _read(self, action: str) -> Iterator[Session]:
        """A read-only transaction."""
        with (
            translate_errors(self._url, action),
            Session(self._engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _write(self, action: str, tenant: str | None = None) -> Iterator[Session]:
        """A write transaction (SQLite: BEGIN IMMEDIATE) that makes sure ``tenant`` exists.

        On SQLite the whole transaction holds this process's writer turn for the file, so
        concurrent writers here queue on it instead of timing out on SQLite's lock.
        """
        if tenant is not None:
            _check_tenant(tenant)
        with (
            self._writers.turn(action),
            translate_errors(self._url, action),
            Session(self._writer, expire_on_commit=False) as session,
        ):
            with session.begin():
                if tenant is not None and tenant not in self._known_tenants:
                    _ensure_tenant(session, tenant)
                yield session
            # Remember the tenant only once the transaction that created it has committed.
            if tenant is not None:
                with self._tenants_lock:
                    self._known_tenants.add(tenant)

    # -- orders and history -------------------------------------------------------------------

    def load_states(
        self, tenant: str = DEFAULT_TENANT, po_numbers: Iterable[str] = ()
    ) -> dict[str, StoredOrder]:
        """Stored state of the given POs (absent ones are missing from the result)."""
        with self._read("loading order states") as session:
            return _orders.load_states(session, tenant, po_numbers)

    def load_state(self, tenant: str, po_number: str) -> StoredOrder | None:
        """Stored state of one PO, or None."""
        return self.load_states(tenant, [po_number]).get(po_number)

    def save_order(
        self,
        tenant: str,
        po_number: str,
        *,
        po_id: int | None,
        status: str,
        state: JsonObject,
        fingerprint: str,
        history: Sequence[HistoryEntry],
        checked_at: datetime,
        written: Mapping[str, str] | None = None,
        notifications: Sequence[PendingNotification] = (),
    ) -> int:
        """Save state and new history in one transaction; return how many history rows were new.

        Call only after the Autotask write succeeded. History entries whose key is already
        stored for this PO are ignored, so replaying a run never duplicates history. The
        ``notifications`` that announce the history are queued in the same transaction
        (outbox), never twice per event key and channel.
        """
        require_aware(checked_at, "checked_at")
        for entry in history:
            require_aware(entry.at, "history entry time")
            if entry.po_number != po_number:
                raise ValueError(f"history entry for {entry.po_number!r} saved with {po_number!r}")
        with self._write(f"saving order {po_number}", tenant) as session:
            _orders.upsert_order(
                session,
                tenant,
                po_number,
                po_id=po_id,
                status=status,
                state=state,
                fingerprint=fingerprint,
                checked_at=checked_at,
                written=written,
            )
            new = _orders.insert_history(session, tenant, history, checked_at)
            _lookup.index_order(session, tenant, po_number, state)
            _records_report.keep_facts(session.connection(), tenant, po_number, state)
            # notifications (issue 11): the outbox rows commit with the history they announce
            _outbox.insert_notifications(session, tenant, notifications, checked_at)
            return new

    def remember_written(
        self,
        tenant: str,
        orders: Sequence[tuple[str, int | None, Mapping[str, str]]],
        checked_at: datetime,
    ) -> None:
        """Replace what is remembered of the writes to unchanged orders, in one transaction.

        ``orders`` are ``(po_number, po_id, written)``; the rows end up as ``save_order`` leaves
        them when it saves the same state with no history (unknown POs are ignored).
        """
        require_aware(checked_at, "checked_at")
        if not orders:
            return
        with self._write("remembering writes", tenant) as session:
            _orders.remember_written(session, tenant, orders, checked_at)

    def touch_checked(self, tenant: str, po_numbers: Iterable[str], checked_at: datetime) -> None:
        """Record that unchanged POs were checked at ``checked_at`` (unknown POs are ignored)."""
        require_aware(checked_at, "checked_at")
        with self._write("recording check times", tenant) as session:
            _orders.touch_checked(session, tenant, po_numbers, checked_at)

    def history(self, tenant: str, po_number: str, limit: int | None = None) -> list[HistoryEntry]:
        """A PO's history, oldest first; with ``limit``, only the newest ``limit`` entries."""
        with self._read(f"reading the history of {po_number}") as session:
            return _orders.history(session, tenant, po_number, limit)

    def recent_history(
        self, tenant: str, po_numbers: Iterable[str], per_order: int = 10
    ) -> dict[str, list[HistoryEntry]]:
        """The newest ``per_order`` entries of each PO, oldest first; every PO gets a list."""
        with self._read("reading recent history") as session:
            return _orders.recent_history(session, tenant, po_numbers, per_order)

    def orders(
        self,
        tenant: str = DEFAULT_TENANT,
        status: str | None = None,
        limit: int = 100,
        search: str | None = None,
        *,
        include_archived: bool = False,
    ) -> list[StoredOrder]:
        """Orders for the CLI and dashboard, most recently changed first.

        ``status`` matches case-insensitively; ``search`` is a substring of the PO number.
        """
        with self._read("listing orders") as session:
            return _orders.list_orders(
                session,
                tenant,
                status=status,
                limit=limit,
                search=search,
                include_archived=include_archived,
            )

    def archive_orders(
        self,
        tenant: str,
        closed_before: datetime,
        *,
        statuses: Iterable[str] = DEFAULT_CLOSED_STATUSES,
        now: datetime | None = None,
    ) -> int:
        """Archive orders in a closed status whose last change is before ``closed_before``.

        History is kept; archived orders drop out of ``orders()`` listings by default.
        """
        require_aware(closed_before, "closed_before")
        stamp = require_aware(now, "now") if now is not None else datetime.now(UTC)
        with self._write("archiving orders", tenant) as session:
            return _orders.archive_orders(
                session, tenant, closed_before=closed_before, statuses=statuses, now=stamp
            )

    # -- activity log -------------------------------------------------------------------------

    def start_run(
        self,
        tenant: str = DEFAULT_TENANT,
        started_at: datetime | None = None,
        trigger: str = "scheduled",
    ) -> int:
        """Open an activity-log entry in outcome ``running``; return its id."""
        started = (
            require_aware(started_at, "started_at") if started_at is not None else datetime.now(UTC)
        )
        with self._write("starting a run", tenant) as session:
            return _runs.start_run(session, tenant, started, trigger)

    def finish_run(self, run_id: int, report: RunReport) -> None:
        """Close a run with the report's counts, outcome, requests, error and finish time."""
        finished = report.finished_at or datetime.now(UTC)
        require_aware(finished, "finished_at")
        with self._write(f"finishing run {run_id}") as session:
            _runs.finish_run(session, run_id, report, finished)

    def record_order_report(self, run_id: int, report: OrderReport, at: datetime) -> None:
        """Record what run ``run_id`` did with one order (a later report replaces it)."""
        require_aware(at, "at")
        with self._write(f"recording {report.po_number} in run {run_id}") as session:
            _runs.record_order_report(session, run_id, report, at)

    def record_order_reports(
        self, run_id: int, reports: Sequence[OrderReport], at: datetime
    ) -> None:
        """Record what run ``run_id`` did with many orders, in one transaction.

        The same as calling ``record_order_report`` for each report in turn (a later report for
        the same PO replaces an earlier one, also within the batch), but all or nothing and with
        one commit. An empty batch does nothing.
        """
        require_aware(at, "at")
        if not reports:
            return
        with self._write(f"recording {len(reports)} orders in run {run_id}") as session:
            _runs.record_order_reports(session, run_id, reports, at)

    def runs(
        self,
        tenant: str = DEFAULT_TENANT,
        limit: int = 20,
        *,
        triggers: Sequence[str] | None = None,
    ) -> list[RunRecord]:
        """The newest runs (started by these triggers), newest first, without their orders."""
        with self._read("listing runs") as session:
            return _runs.list_runs(session, tenant, limit, triggers)

    def run(self, run_id: int, tenant: str | None = None) -> RunRecord | None:
        """One run with its per-order reports, or None (also when it is not ``tenant``'s)."""
        with self._read(f"reading run {run_id}") as session:
            return _runs.get_run(session, run_id, tenant)

    def order_reports(
        self, tenant: str, po_number: str, limit: int = 20
    ) -> list[tuple[datetime, OrderReport]]:
        """What the newest runs did with one order (newest first), with when each was recorded."""
        with self._read(f"reading the activity log of {po_number}") as session:
            return _runs.order_events(session, tenant, po_number, limit)

    def mark_interrupted_runs(
        self, tenant: str, at: datetime, *, started_before: datetime | None = None
    ) -> int:
        """Mark runs left ``running`` by a dead process as ``interrupted``; return how many.

        Call it while holding the runner lease, so a live run elsewhere is not touched.
        """
        require_aware(at, "at")
        if started_before is not None:
            require_aware(started_before, "started_before")
        with self._write("marking interrupted runs", tenant) as session:
            return _runs.mark_interrupted_runs(session, tenant, at, started_before)

    # -- fields a tenant does not keep ---------------------------------------------------------

    def field_quirks(self, tenant: str = DEFAULT_TENANT) -> list[FieldQuirk]:
        """The fields this tenant does not keep as written."""
        with self._read("reading field quirks") as session:
            return _quirks.field_quirks(session, tenant)

    def record_field_quirk(self, tenant: str, quirk: FieldQuirk) -> bool:
        """Remember a field the tenant does not keep; True when it is news."""
        require_aware(quirk.detected_at, "detected_at")
        with self._write(f"recording that {quirk.field} does not stick", tenant) as session:
            return _quirks.record_field_quirk(session, tenant, quirk)

    def clear_field_quirks(self, tenant: str = DEFAULT_TENANT) -> int:
        """Forget every recorded quirk of the tenant; returns how many there were."""
        with self._write("clearing field quirks", tenant) as session:
            return _quirks.clear_field_quirks(session, tenant)

    # -- upstream metadata kept between processes ---------------------------------------------

    def cached_upstream(self, tenant: str, key: str) -> tuple[str, datetime] | None:
        """The cached value under ``key`` and when it was stored, or None."""
        with self._read(f"reading cached {key}") as session:
            return _cache.cached_value(session, tenant, key)

    def cache_upstream(self, tenant: str, key: str, value: str, stored_at: datetime) -> None:
        """Keep ``value`` under ``key`` (never a credential)."""
        require_aware(stored_at, "stored_at")
        if len(key) > MAX_CACHE_KEY_LENGTH:
            raise ValueError(f"cache keys are at most {MAX_CACHE_KEY_LENGTH} characters")
        with self._write(f"caching {key}", tenant) as session:
            _cache.store_cached(session, tenant, key, value, stored_at)

    # -- resync requests handed to the daemon ---------------------------------------------------

    def request_resync(self, tenant: str, po_number: str, at: datetime) -> int:
        """Queue a resync of one order for the running daemon; returns the request's id."""
        require_aware(at, "at")
        with self._write(f"requesting a resync of {po_number}", tenant) as session:
            return _handoffs.request_resync(session, tenant, po_number, at)

    def claim_resync_requests(self, tenant: str, at: datetime) -> list[ResyncRequest]:
        """Claim every unclaimed resync request of the tenant, oldest first."""
        require_aware(at, "at")
        with self._write("claiming resync requests", tenant) as session:
            return _handoffs.claim_resync_requests(session, tenant, at)

    def finish_resync_request(self, request_id: int, run_id: int | None, at: datetime) -> None:
        """Answer a claimed request with the run that checked the order."""
        require_aware(at, "at")
        with self._write(f"answering resync request {request_id}") as session:
            _handoffs.finish_resync_request(session, request_id, run_id, at)

    def resync_request(self, request_id: int) -> ResyncRequest | None:
        """One resync request as it stands, or None."""
        with self._read(f"reading resync request {request_id}") as session:
            return _handoffs.get_resync_request(session, request_id)

    def withdraw_resync_request(self, request_id: int) -> bool:
        """Take back an unclaimed request; False when the daemon already claimed it."""
        with self._write(f"withdrawing resync request {request_id}") as session:
            return _handoffs.withdraw_resync_request(session, request_id)

    # -- runtime settings ---------------------------------------------------------------------

    def get_setting(self, tenant: str, key: str) -> str | None:
        """One runtime setting, or None."""
        with self._read(f"reading setting {key}") as session:
            return _runtime.get_setting(session, tenant, key)

    def set_setting(self, tenant: str, key: str, value: str) -> None:
        """Store a runtime setting (never a credential: such keys are rejected)."""
        _runtime.check_setting_key(key)
        with self._write(f"saving setting {key}", tenant) as session:
            _runtime.set_setting(session, tenant, key, value, datetime.now(UTC))

    def delete_setting(self, tenant: str, key: str) -> bool:
        """Remove a runtime setting; True if it existed."""
        with self._write(f"deleting setting {key}", tenant) as session:
            return _runtime.delete_setting(session, tenant, key)

    def settings(self, tenant: str = DEFAULT_TENANT) -> dict[str, str]:
        """All runtime settings of a tenant."""
        with self._read("reading settings") as session:
            return _runtime.settings(session, tenant)

    # -- the dashboard ------------------------------------------------------------------------

    def dashboard_reads(self) -> SqlDashboardReads:
        """The read models behind the dashboard, the JSON API and the CLI."""
        return SqlDashboardReads(self._read)

    def accounts(self) -> SqlAccounts:
        """Dashboard users, sessions, API tokens and failed sign-ins."""
        return SqlAccounts(self._read, self._write)

    # -- single-runner lease ------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        """Take lease ``name`` if it is free, expired or already ours (atomic)."""
        ttl = _ttl(ttl_s)
        require_aware(now, "now")
        with self._write(f"acquiring lease {name}") as session:
            return _runtime.acquire_lease(session, name, holder, ttl, now)

    def renew_lease(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        """Extend our unexpired lease; False means it was lost and must be re-acquired."""
        ttl = _ttl(ttl_s)
        require_aware(now, "now")
        with self._write(f"renewing lease {name}") as session:
            return _runtime.renew_lease(session, name, holder, ttl, now)

    def release_lease(self, name: str, holder: str) -> bool:
        """Give up lease ``name`` if we hold it; True if we did."""
        with self._write(f"releasing lease {name}") as session:
            return _runtime.release_lease(session, name, holder)

    def lease_holder(self, name: str) -> tuple[str, datetime] | None:
        """Who holds lease ``name`` and until when (UTC), or None (for refusal messages)."""
        with self._read(f"reading lease {name}") as session:
            return _runtime.lease_holder(session, name)

    def active_lease_holder(self, prefix: str, now: datetime) -> tuple[str, datetime] | None:
        """Who holds an unexpired lease named ``prefix...`` (e.g. any tenant's ``sync:``)."""
        require_aware(now, "now")
        with self._read(f"reading leases {prefix}*") as session:
            return _runtime.active_holder(session, prefix, now)


def _ttl(ttl_s: float) -> timedelta:
    """A positive lease duration."""
    if ttl_s <= 0:
        raise ValueError(f"lease ttl must be positive, got {ttl_s}")
    return timedelta(seconds=ttl_s)


def _check_tenant(tenant: str) -> None:
    """Tenant ids are short, non-empty names."""
    if not tenant or len(tenant) > MAX_TENANT_LENGTH:
        raise ValueError(f"tenant must be 1 to {MAX_TENANT_LENGTH} characters, got {tenant!r}")


def _ensure_tenant(session: Session, tenant: str) -> None:
    """Create the tenant row on first use (concurrent creators are fine)."""
    insert = insert_for(session, table_of(TenantRow)).values(
        id=tenant, created_at=datetime.now(UTC)
    )
    session.connection().execute(insert.on_conflict_do_nothing(index_elements=["id"]))


if TYPE_CHECKING:

    def _satisfies_the_port(store: SqlStore) -> OrderStore:
        """Type-checked proof that ``SqlStore`` implements the application's ``OrderStore``."""
        return store

    def _has_an_outbox(store: SqlStore) -> NotificationOutbox:
        """Type-checked proof that ``SqlStore`` implements the ``NotificationOutbox`` port."""
        return store
