"""The composition root: settings in, a ready object graph out. Nothing else builds adapters.

Entrypoints use only the names in ``__all__``, one group per thing they start:

- every command: ``utc_now``, ``open_store``/``dry_run_store``/``sqlite_file`` (``Store``),
  ``migrate_store`` (``StoreCopy``), ``file_runtime_values``, ``next_checks`` (when orders are
  checked next), ``upstream_urls`` (for "service down" messages);
- sync, run, resync: ``sync_services`` yields ``SyncServices``, whose ``daemon()`` and
  ``housekeeping()`` are the daemon and its archive and backup chores;
- doctor: ``doctor_session``;
- the dashboard: ``dashboard_queries``, ``accounts``, ``runtime_settings``, ``oidc_client``,
  ``sso_role_rules``;
- records: ``RecordsStore``, ``RestoreRefused``, ``retention_policy``;
- tenants (ADR 48): ``enabled_tenants`` and ``settings_for_tenant`` (a worker serving several
  tenants asks for each one's settings); the ``tenants`` and ``keys`` commands use
  ``bootstrap_tenants``.

How one client or policy is built from the settings (``_autotask_client``, ``_retry_policy``...)
is private: tests of that translation import the private names.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import httpx2
import structlog
from sqlalchemy.engine import make_url

from orderbridge.adapters import RetryPolicy
from orderbridge.adapters.autotask import (
    AutotaskAccess,
    AutotaskBudget,
    AutotaskClient,
    AutotaskCredentials,
    AutotaskPurchaseOrders,
    MetadataCache,
    SharedBudgetStore,
)
from orderbridge.adapters.carriers import CarrierAccount, Tracker, build_tracker
from orderbridge.adapters.oidc import OidcClient
from orderbridge.adapters.passwords import Argon2Hasher
from orderbridge.adapters.store import (
    RecordsStore,
    RestoreRefused,
    SqlStore,
    StoreCopy,
    copy_store,
)
from orderbridge.adapters.tdsynnex import (
    IpNotAllowed,
    TdSynnexClient,
    TdSynnexEndpoints,
    UnrecognisedError,
    endpoints_for,
)
from orderbridge.application.accounts import Accounts
from orderbridge.application.audit import AuditedSettings
from orderbridge.application.carrier_tracking import CarrierRound
from orderbridge.application.cycle import GuardedSync, RunnerGuard
from orderbridge.application.daemon import Daemon
from orderbridge.application.doctor import (
    CarrierDoctor,
    Doctor,
    StoreChecks,
    UpstreamChecks,
    WorkerHealth,
    dashboard_link_check,
    workers_check,
)
from orderbridge.application.lease import RunnerLease
from orderbridge.application.next_checks import NextChecks
from orderbridge.application.queries import DashboardQueries
from orderbridge.application.records import BackupSchedule, Housekeeping
from orderbridge.application.runtime import RuntimeSettings, RuntimeValues, SettingsStore
from orderbridge.application.scope import ScopeResolver
from orderbridge.application.sso import RoleRules
from orderbridge.application.sync import SyncService
from orderbridge.bootstrap_notifications import cycle_notices
from orderbridge.bootstrap_tenants import enabled_tenant_names, settings_of
from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.history import RunReport
from orderbridge.domain.plan import PlanOptions
from orderbridge.domain.records import RetentionPolicy
from orderbridge.ports import UpstreamAuthError, UpstreamError
from orderbridge.settings import Settings

_log = logging.getLogger(__name__)

__all__ = [
    "RecordsStore",
    "RestoreRefused",
    "Store",
    "StoreCopy",
    "SyncServices",
    "accounts",
    "dashboard_queries",
    "doctor_session",
    "dry_run_store",
    "enabled_tenants",
    "file_runtime_values",
    "migrate_store",
    "next_checks",
    "oidc_client",
    "open_store",
    "retention_policy",
    "runtime_settings",
    "settings_for_tenant",
    "sqlite_file",
    "sso_role_rules",
    "sync_services",
    "upstream_urls",
    "utc_now",
]


# The store type bootstrap hands out, for entrypoints that hold one.
Store = SqlStore


def utc_now() -> datetime:
    """The real clock, timezone-aware UTC."""
    return datetime.now(UTC)


def open_store(settings: Settings) -> SqlStore:
    """The configured store, migrated to the current schema."""
    return SqlStore.open(settings.store.url)


def enabled_tenants(settings: Settings) -> list[str]:
    """The names of the tenants to serve: every enabled tenant kept in the store, or
    ``["default"]`` (the configuration file's tenant) when the store keeps none."""
    return enabled_tenant_names(settings)


def settings_for_tenant(settings: Settings, tenant: str) -> Settings:
    """The installation's ``settings`` with ``tenant``'s own sections from the store in place of
    the file's, its credentials decrypted; ``settings.tenant`` is ``tenant``.

    With no tenants in the store, ``"default"`` gives the file's settings. Raises
    ``ConfigError`` (lines to show as they are) for an unknown or disabled tenant, a missing or
    wrong key, and ``StoreUnavailable`` when the store cannot be read.
    """
    return settings_of(settings, tenant)


def sqlite_file(settings: Settings) -> Path | None:
    """The file a SQLite store lives in (None for PostgreSQL or an in-memory database)."""
    url = make_url(settings.store.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).absolute()


def migrate_store(settings: Settings, target_url: str, *, force: bool = False) -> StoreCopy:
    """Copy the configured store into the database at ``target_url`` (migrated first)."""
    with open_store(settings) as source, SqlStore.open(target_url) as target:
        return copy_store(source, target, force=force)


def dry_run_store(settings: Settings) -> SqlStore:
    """The store a dry run reads: the configured one, or an empty in-memory one when the SQLite
    file does not exist yet, so that a dry run leaves no file behind."""
    return SqlStore.open(_existing_store_url(settings))


def _existing_store_url(settings: Settings) -> str:
    """The store's URL, or an in-memory one when its SQLite file does not exist (none is made)."""
    path = sqlite_file(settings)
    return "sqlite://" if path is not None and not path.exists() else settings.store.url


@dataclass
class SyncServices:
    """Everything a sync cycle needs, built from the settings."""

    settings: Settings
    store: SqlStore
    autotask: AutotaskClient
    tdsynnex: TdSynnexClient
    purchase_orders: AutotaskPurchaseOrders
    sync: SyncService
    runtime: RuntimeSettings
    guarded: GuardedSync
    trackers: dict[str, Tracker] = field(default_factory=dict)  # configured carriers only

    def request_counts(self) -> dict[str, int]:
        """Requests, retries and faults by kind so far, per upstream (for the activity log)."""
        counts: dict[str, int] = {}
        for name, tracker in self.trackers.items():
            counts[name] = tracker.requests
            counts[f"{name} retries"] = sum(tracker.stats.retries.values())
        for name, stats in (
            ("autotask", self.autotask.stats.to_json()),
            ("tdsynnex", self.tdsynnex.stats.to_json()),
        ):
            counts[name] = int(stats["total_requests"])
            counts[f"{name} retries"] = sum(stats["retries"].values())
            for kind, n in stats["faults"].items():
                counts[f"{name} faults: {kind}"] = int(n)
        counts["autotask writes"] = self.autotask.writes
        notices = self.sync.notices  # notifications (issue 11): sent/failed in the activity log
        if notices is not None and notices.sender is not None:
            counts.update(notices.sender.tally.as_counts())
        return counts

    def daemon(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        poll_s: float = 5.0,
    ) -> Daemon:
        """The scheduling daemon over this graph."""

        async def cycle(stop: anyio.Event) -> RunReport:
            report, _ = await self.sync.run_once(stop=stop)
            return report

        return Daemon(
            cycle=cycle,
            runtime=self.runtime.current,
            runs=self.store,
            guard=self.guarded.guard,
            allowance=self.autotask.hourly_allowance,
            serve_requests=self.guarded.serve_resync_requests,
            clock=clock,
            sleep=sleep,
            tenant=self.settings.tenant,
            poll_s=poll_s,
        )

    def housekeeping(self, *, clock: Callable[[], datetime] = utc_now) -> Housekeeping:
        """The daemon's daily archive pass and scheduled backups over this graph's store."""
        return Housekeeping(
            RecordsStore(self.store),
            policy=retention_policy(self.settings),
            backups=_backup_schedule(self.settings),
            clock=clock,
            tenant=self.settings.tenant,
        )


def _plan_options(settings: Settings) -> PlanOptions:
    """The field mapping from ``[mapping]``."""
    m = settings.mapping
    return PlanOptions(
        write_general_memo=m.write_general_memo,
        write_shipping_date=m.write_shipping_date,
        write_invoice_numbers=m.write_invoice_numbers,
        write_additional_invoice_numbers=m.write_additional_invoice_numbers,
        write_freight=m.write_freight,
        write_item_eta=m.write_item_eta,
        write_item_memo=m.write_item_memo,
        history_lines_in_memo=m.history_lines_in_memo,
        distributor_zone=ZoneInfo(settings.tdsynnex.timezone),
        tenant_zone=ZoneInfo(settings.autotask.timezone),
    )


def _write_settings_digest(settings: Settings) -> str:
    """A digest of the settings that decide what is written and how it compares.

    A field found not to stick under one configuration is tried again under another.
    """
    decisive = {
        "mapping": settings.mapping.model_dump(mode="json"),
        "autotask_timezone": settings.autotask.timezone,
        "tdsynnex_timezone": settings.tdsynnex.timezone,
        "po_number_field": settings.autotask.po_number_field,
    }
    text = json.dumps(decisive, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _retry_policy(settings: Settings) -> RetryPolicy:
    """The one retry policy of both clients, from ``[retry]``."""
    r = settings.retry
    return RetryPolicy(
        attempts=r.attempts,
        initial_backoff_s=r.initial_backoff_s,
        max_backoff_s=r.max_backoff_s,
        total_timeout_s=r.total_timeout_s,
    )


def file_runtime_values(settings: Settings) -> RuntimeValues:
    """The runtime settings the configuration gives (the store's initial values)."""
    return RuntimeValues(
        enabled=settings.sync.enabled,
        frequency=settings.sync.schedule(),
        scope=settings.sync.status_scope(),
    )


def runtime_settings(
    settings: Settings, store: SqlStore, *, actor: str | None = None
) -> RuntimeSettings:
    """The live runtime settings kept in ``store``, seeded from the configuration.

    With ``actor`` (who is changing them: ``cli:USER``, a dashboard user or token name), every
    change is recorded in the audit trail (records, issue 13).
    """
    target: SettingsStore = store
    if actor is not None:
        target = AuditedSettings(store, RecordsStore(store), actor, utc_now)
    return RuntimeSettings(target, file_runtime_values(settings), tenant=settings.tenant)


def _runner_guard(
    settings: Settings, store: SqlStore, *, clock: Callable[[], datetime] = utc_now
) -> RunnerGuard:
    """The tenant's runner lease (``sync:TENANT``) with the configured lifetime."""
    lease = RunnerLease(store, tenant=settings.tenant, ttl_s=settings.sync.lease_ttl_s, clock=clock)
    return RunnerGuard(lease=lease, runs=store, clock=clock, tenant=settings.tenant)


def _tdsynnex_endpoints(settings: Settings) -> TdSynnexEndpoints:
    td = settings.tdsynnex
    if td.status_url is not None and td.invoice_url is not None:
        return TdSynnexEndpoints(status_url=str(td.status_url), invoice_url=str(td.invoice_url))
    return endpoints_for(region=td.region, environment=td.environment)


def upstream_urls(settings: Settings) -> dict[str, str]:
    """The URL each upstream is reached at first, by service name (for messages)."""
    at = settings.autotask
    return {
        "autotask": str(at.base_url if at.base_url is not None else at.zone_lookup_url),
        "tdsynnex": _tdsynnex_endpoints(settings).status_url,
    }


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if callable(getter) else ("" if value is None else str(value))


def _autotask_budget(settings: Settings, store: SqlStore | None = None) -> AutotaskBudget:
    """The share of the tenant's Autotask request threshold orderbridge may use.

    Counted in ``store`` (shared by every process using it) when ``[autotask] shared_budget``
    says so, or, left unset, when the store is PostgreSQL; else in this process's memory.
    """
    at = settings.autotask
    shared = at.shared_budget if at.shared_budget is not None else not settings.store.is_sqlite
    return AutotaskBudget(
        share=settings.sync.budget_share,
        max_requests_per_hour=at.max_requests_per_hour,
        threads_per_endpoint=at.threads_per_endpoint,
        threshold_poll_s=at.threshold_poll_s,
        store=SharedBudgetStore(store, slot_ttl=timedelta(seconds=at.timeout_s + 30))
        if shared and store is not None
        else None,
    )


def _autotask_client(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    budget: AutotaskBudget | None = None,
    metadata_cache: MetadataCache | None = None,
) -> AutotaskClient:
    """The Autotask client from ``[autotask]`` and ``[retry]``."""
    at = settings.autotask
    return AutotaskClient(
        credentials=AutotaskCredentials(
            username=at.username or "",
            secret=_secret(at.secret),
            integration_code=_secret(at.integration_code),
        ),
        base_url=None if at.base_url is None else str(at.base_url),
        zone_lookup_url=str(at.zone_lookup_url),
        timeout_s=at.timeout_s,
        transport=transport,
        paging="id" if at.paging == "id" else "next-url",
        retry=_retry_policy(settings),
        budget=budget if budget is not None else _autotask_budget(settings),
        error_texts=at.error_texts(),
        metadata_cache=metadata_cache,
    )


def _tdsynnex_client(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> TdSynnexClient:
    """The TD SYNNEX client from ``[tdsynnex]`` and ``[retry]``."""
    td = settings.tdsynnex
    return TdSynnexClient(
        endpoints=_tdsynnex_endpoints(settings),
        customer_number=td.customer_number or "",
        user_id=td.user_id or "",
        password=_secret(td.password),
        timeout_s=td.timeout_s,
        transport=transport,
        retry=_retry_policy(settings),
        source_tz=ZoneInfo(td.timezone),
        status_version=td.status_request_version,
        invoice_version=td.invoice_request_version,
        vocabulary=td.error_vocabulary(),
    )


def _carrier_trackers(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> dict[str, Tracker]:
    """A tracker for each carrier that is enabled and has credentials, by carrier name."""
    trackers: dict[str, Tracker] = {}
    for name, api in settings.carriers.apis().items():
        if not api.configured:
            continue
        account = CarrierAccount(
            name,
            client_id=getattr(api, "client_id", None) or "",
            client_secret=_secret(getattr(api, "client_secret", None)),
            api_key=_secret(getattr(api, "api_key", None)),
            base_url=None if api.base_url is None else str(api.base_url),
            per_hour=api.max_requests_per_hour,
            per_day=api.max_requests_per_day,
            timeout_s=api.timeout_s,
            retry=_retry_policy(settings),
        )
        tracker = build_tracker(account, clock=clock, transport=transport)
        trackers[tracker.carrier] = tracker
    return trackers


def _unconfigured_carriers(settings: Settings) -> list[str]:
    names = {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl": "DHL"}
    return [names[n] for n, api in settings.carriers.apis().items() if not api.configured]


@asynccontextmanager
async def sync_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    store: SqlStore | None = None,
    autotask_transport: httpx2.AsyncBaseTransport | None = None,
    tdsynnex_transport: httpx2.AsyncBaseTransport | None = None,
    cache_metadata: bool = True,
    log_context: bool = True,
) -> AsyncIterator[SyncServices]:
    """Build the sync object graph; closes the clients (and a store it opened) on exit.

    ``cache_metadata=False`` asks Autotask for its zone and metadata afresh (doctor does).
    ``log_context=False`` leaves naming the tenant in log lines to the caller (a graph kept
    across worker jobs, each of which runs in a task of its own, binds it per job).
    """
    # Every log line of this graph names its tenant (structlog's context, see orderbridge.logs).
    binding = (
        structlog.contextvars.bound_contextvars(tenant=settings.tenant)
        if log_context
        else contextlib.nullcontext()
    )
    with binding:
        async with _sync_services(
            settings,
            clock=clock,
            store=store,
            autotask_transport=autotask_transport,
            tdsynnex_transport=tdsynnex_transport,
            cache_metadata=cache_metadata,
        ) as services:
            yield services


@asynccontextmanager
async def _sync_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime],
    store: SqlStore | None,
    autotask_transport: httpx2.AsyncBaseTransport | None,
    tdsynnex_transport: httpx2.AsyncBaseTransport | None,
    cache_metadata: bool,
) -> AsyncIterator[SyncServices]:
    at = settings.autotask
    owned_store = store is None
    the_store = store if store is not None else open_store(settings)
    metadata = (
        MetadataCache(the_store, tenant=settings.tenant, ttl_s=at.metadata_cache_s, clock=clock)
        if cache_metadata and at.metadata_cache_s > 0
        else None
    )
    autotask = _autotask_client(
        settings,
        transport=autotask_transport,
        budget=_autotask_budget(settings, the_store),
        metadata_cache=metadata,
    )
    tdsynnex = _tdsynnex_client(settings, transport=tdsynnex_transport)
    trackers = _carrier_trackers(settings, clock=clock)
    purchase_orders = AutotaskPurchaseOrders(autotask, po_number_field=at.po_number_field)
    runtime = runtime_settings(settings, the_store)
    scope = ScopeResolver(
        directory=purchase_orders,
        status_labels=tuple(at.monitored_statuses),
        vendor_ids=tuple(at.vendor_company_ids),
        vendor_name=at.vendor_name,
        status_scope=runtime.scope,
        clock=clock,
        finished_labels=tuple(at.finished_statuses),
    )
    services: SyncServices
    sync = SyncService(
        purchase_orders=purchase_orders,
        distributor=tdsynnex,
        store=the_store,
        scope=scope,
        excludes=scope.excludes,
        clock=clock,
        carriers=CarrierCatalog(settings.carriers.tracking_urls),
        plan_options=_plan_options(settings),
        concurrency=settings.sync.concurrency,
        tenant=settings.tenant,
        request_counts=lambda: services.request_counts(),
        config_digest=_write_settings_digest(settings),
        invoices=settings.tdsynnex.invoices,
        notices=cycle_notices(settings.notifications, the_store, autotask, clock, settings.tenant),
        records=RecordsStore(the_store),  # audit trail and archive
        carrier_round=CarrierRound(list(trackers.values()), clock) if trackers else None,
        check_policy=settings.sync.check_policy() if settings.sync.adaptive else None,
    )
    guarded = GuardedSync(
        sync=sync,
        guard=_runner_guard(settings, the_store, clock=clock),
        store=the_store,
        clock=clock,
        tenant=settings.tenant,
    )
    services = SyncServices(
        settings, the_store, autotask, tdsynnex, purchase_orders, sync, runtime, guarded, trackers
    )
    try:
        yield services
    finally:
        await autotask.aclose()
        await tdsynnex.aclose()
        for tracker in trackers.values():
            await tracker.aclose()
        if owned_store:
            the_store.close()


def _worker_health(settings: Settings, store: SqlStore) -> WorkerHealth | None:
    """The job queue's state for doctor, on a PostgreSQL store where workers have run."""
    if make_url(settings.store.url).get_backend_name() != "postgresql":
        return None
    from orderbridge.adapters.jobqueue import queue_health

    tenant = settings.tenant
    try:
        found = queue_health(settings.store.url, tenant, settings.workers.stalled_after_s)
        pending = store.pending_run_batches(tenant) if found is not None else 0
    except Exception as exc:  # the store check reports an unreachable database
        _log.debug("no job queue figures: %s", exc)
        return None
    return None if found is None else WorkerHealth(*found, pending_batches=pending)


def _is_ip_refusal(exc: UpstreamAuthError) -> bool:
    """Whether TD SYNNEX refused this server's IP address rather than the credentials."""
    return isinstance(exc, IpNotAllowed)


def _is_unrecognised_text(exc: UpstreamError) -> bool:
    """Whether TD SYNNEX answered an error text no configured word list recognises."""
    return isinstance(exc, UnrecognisedError)


@asynccontextmanager
async def doctor_session(
    settings: Settings, *, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[Doctor]:
    """A ``Doctor`` wired to the configured upstreams and store (closed on exit)."""
    at = settings.autotask
    # Not SqlStore.open: doctor reports the schema as it finds it instead of upgrading it. A
    # SQLite file that does not exist yet is not created: doctor looks at an empty stand-in.
    store = SqlStore(_existing_store_url(settings))
    try:
        async with sync_services(
            settings, store=store, clock=clock, cache_metadata=False
        ) as services:
            upstream = UpstreamChecks(
                autotask=AutotaskAccess(services.autotask),
                distributor=services.tdsynnex,
                scope=services.sync.scope,
                vendor_ids=tuple(at.vendor_company_ids),
                vendor_name=at.vendor_name,
                base_url=None if at.base_url is None else str(at.base_url),
                is_ip_refusal=_is_ip_refusal,
                is_unrecognised_text=_is_unrecognised_text,
                invoices=settings.tdsynnex.invoices,
            )
            carriers = CarrierDoctor(
                trackers=services.trackers,
                unconfigured=_unconfigured_carriers(settings),
                overdue_after_days=settings.carriers.overdue_after_days,
            )
            checks = StoreChecks(
                store, clock, po_number_field=at.po_number_field, tenant=settings.tenant
            )
            link = dashboard_link_check(
                dashboard_enabled=settings.web.enabled,
                po_url_template=settings.web.autotask_po_url,
            )
            workers = workers_check(_worker_health(settings, store))
            hints = tuple(c for c in (workers, link) if c is not None)
            yield Doctor(upstream, checks, carriers, hints=hints)
    finally:
        store.close()


# -- the web dashboard (issue 12) ---------------------------------------------------------------


def dashboard_queries(
    settings: Settings, store: SqlStore, *, clock: Callable[[], datetime] = utc_now
) -> DashboardQueries:
    """The read models over ``store`` for the dashboard, the JSON API and the CLI."""
    return DashboardQueries(
        store.dashboard_reads(),
        clock=clock,
        tenant=settings.tenant,
        stuck_days=settings.web.stuck_after_days,
        backordered_days=settings.web.backordered_after_days,
        next_checks=next_checks(settings, store, clock=clock),
    )


def next_checks(
    settings: Settings, store: SqlStore, *, clock: Callable[[], datetime] = utc_now
) -> NextChecks:
    """When orders are next checked and why (``status``, the order page), read without writing."""
    return NextChecks(
        runs=store,
        runtime=runtime_settings(settings, store),
        policy=settings.sync.check_policy() if settings.sync.adaptive else None,
        clock=clock,
        tenant=settings.tenant,
    )


def accounts(
    settings: Settings, store: SqlStore, *, clock: Callable[[], datetime] = utc_now
) -> Accounts:
    """Dashboard users, sessions and API tokens kept in ``store``."""
    return Accounts(
        store.accounts(),
        Argon2Hasher(),
        clock=clock,
        session_ttl=timedelta(hours=settings.web.session_hours),
    )


def oidc_client(settings: Settings) -> OidcClient | None:
    """The single sign-on client from ``[web.oidc]``, or None when it is not configured."""
    oidc = settings.web.oidc
    if oidc.issuer is None:
        return None
    return OidcClient(
        issuer=str(oidc.issuer),
        client_id=oidc.client_id,
        client_secret=_secret(oidc.client_secret),
        scopes=list(oidc.scopes),
        timeout_s=oidc.timeout_s,
    )


def sso_role_rules(settings: Settings) -> RoleRules:
    """Which groups and e-mail domains earn which dashboard role."""
    oidc = settings.web.oidc
    return RoleRules(
        admin_groups=tuple(oidc.admin_groups),
        viewer_groups=tuple(oidc.viewer_groups),
        admin_domains=tuple(oidc.admin_domains),
        viewer_domains=tuple(oidc.viewer_domains),
        groups_claim=oidc.groups_claim,
    )


# -- records (issue 13): archive, backups, exports ----------------------------------------------


def retention_policy(settings: Settings) -> RetentionPolicy:
    """``[retention]`` as the domain's policy."""
    r = settings.retention
    return RetentionPolicy(
        archive_after_days=r.archive_after_days,
        activity_log_days=r.activity_log_days,
        audit_days=r.audit_days,
    )


def _backup_schedule(settings: Settings) -> BackupSchedule | None:
    """``[backup]`` as a schedule, or None when scheduled backups are off."""
    b = settings.backup
    if b.directory is None:
        return None
    return BackupSchedule(
        directory=b.directory, keep=b.keep, interval=timedelta(hours=b.interval_hours)
    )
