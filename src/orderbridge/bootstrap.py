"""The composition root: settings in, a ready object graph out. Nothing else builds adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2

from orderbridge.adapters.autotask import (
    AutotaskClient,
    AutotaskCredentials,
    AutotaskPurchaseOrders,
)
from orderbridge.adapters.store import SqlStore
from orderbridge.adapters.tdsynnex import TdSynnexClient, TdSynnexEndpoints, endpoints_for
from orderbridge.application.scope import ScopeResolver
from orderbridge.application.sync import SyncService
from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.plan import PlanOptions
from orderbridge.settings import Settings

__all__ = ["SyncServices", "open_store", "plan_options", "sync_services", "utc_now"]


def utc_now() -> datetime:
    """The real clock, timezone-aware UTC."""
    return datetime.now(UTC)


def open_store(settings: Settings) -> SqlStore:
    """The configured store, migrated to the current schema."""
    return SqlStore.open(settings.store.url)


@dataclass
class SyncServices:
    """Everything a sync cycle needs, built from the settings."""

    settings: Settings
    store: SqlStore
    autotask: AutotaskClient
    tdsynnex: TdSynnexClient
    purchase_orders: AutotaskPurchaseOrders
    sync: SyncService

    def request_counts(self) -> dict[str, int]:
        """Requests sent so far per upstream (for the activity log)."""
        return {
            "autotask": sum(self.autotask.request_count.values()),
            "tdsynnex": sum(self.tdsynnex.request_count.values()),
        }


def plan_options(settings: Settings) -> PlanOptions:
    """The field mapping from ``[mapping]``."""
    m = settings.mapping
    return PlanOptions(
        write_general_memo=m.write_general_memo,
        write_shipping_date=m.write_shipping_date,
        write_invoice_numbers=m.write_invoice_numbers,
        write_additional_invoice_numbers=m.write_additional_invoice_numbers,
        write_item_eta=m.write_item_eta,
        write_item_memo=m.write_item_memo,
        history_lines_in_memo=m.history_lines_in_memo,
    )


def _tdsynnex_endpoints(settings: Settings) -> TdSynnexEndpoints:
    td = settings.tdsynnex
    if td.status_url is not None and td.invoice_url is not None:
        return TdSynnexEndpoints(status_url=str(td.status_url), invoice_url=str(td.invoice_url))
    return endpoints_for(region=td.region, environment=td.environment)


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if callable(getter) else ("" if value is None else str(value))


@asynccontextmanager
async def sync_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    store: SqlStore | None = None,
    autotask_transport: httpx2.AsyncBaseTransport | None = None,
    tdsynnex_transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncIterator[SyncServices]:
    """Build the sync object graph; closes the clients (and a store it opened) on exit."""
    at, td = settings.autotask, settings.tdsynnex
    owned_store = store is None
    the_store = store if store is not None else open_store(settings)
    autotask = AutotaskClient(
        credentials=AutotaskCredentials(
            username=at.username or "",
            secret=_secret(at.secret),
            integration_code=_secret(at.integration_code),
        ),
        base_url=None if at.base_url is None else str(at.base_url),
        zone_lookup_url=str(at.zone_lookup_url),
        timeout_s=at.timeout_s,
        transport=autotask_transport,
    )
    tdsynnex = TdSynnexClient(
        endpoints=_tdsynnex_endpoints(settings),
        customer_number=td.customer_number or "",
        user_id=td.user_id or "",
        password=_secret(td.password),
        timeout_s=td.timeout_s,
        transport=tdsynnex_transport,
    )
    purchase_orders = AutotaskPurchaseOrders(autotask, po_number_field=at.po_number_field)
    services: SyncServices
    sync = SyncService(
        purchase_orders=purchase_orders,
        distributor=tdsynnex,
        store=the_store,
        scope=ScopeResolver(
            directory=purchase_orders,
            status_labels=tuple(at.monitored_statuses),
            vendor_ids=tuple(at.vendor_company_ids),
            vendor_name=at.vendor_name,
        ),
        clock=clock,
        carriers=CarrierCatalog(settings.carriers.tracking_urls),
        plan_options=plan_options(settings),
        concurrency=settings.sync.concurrency,
        request_counts=lambda: services.request_counts(),
    )
    services = SyncServices(settings, the_store, autotask, tdsynnex, purchase_orders, sync)
    try:
        yield services
    finally:
        await autotask.aclose()
        await tdsynnex.aclose()
        if owned_store:
            the_store.close()
