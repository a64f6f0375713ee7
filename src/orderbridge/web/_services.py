"""What the web app needs, built once per process from the settings and the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from orderbridge.application.accounts import Accounts
from orderbridge.application.doctor import Check
from orderbridge.application.queries import DashboardQueries
from orderbridge.application.runtime import RuntimeSettings
from orderbridge.application.sso import RoleRules
from orderbridge.bootstrap import (
    Store,
    accounts,
    dashboard_queries,
    oidc_client,
    runtime_settings,
    sso_role_rules,
    utc_now,
)
from orderbridge.ports import SingleSignOn
from orderbridge.settings import Settings

from ._actions import ResyncOutcome, resync_order, run_doctor

__all__ = ["WebServices"]


@dataclass
class WebServices:
    """The read models, accounts, runtime settings and the two actions the dashboard offers."""

    settings: Settings
    store: Store
    queries: DashboardQueries
    accounts: Accounts
    runtime: RuntimeSettings
    resync: Callable[[str], Awaitable[ResyncOutcome]]
    doctor: Callable[[], Awaitable[list[Check]]]
    clock: Callable[[], datetime]
    sso: SingleSignOn | None = None
    sso_rules: RoleRules = field(default_factory=RoleRules)

    @classmethod
    def build(
        cls, settings: Settings, store: Store, *, clock: Callable[[], datetime] = utc_now
    ) -> WebServices:
        """The production wiring over an opened (migrated) store."""

        async def resync(po_number: str) -> ResyncOutcome:
            return await resync_order(settings, store, po_number)

        async def doctor() -> list[Check]:
            return await run_doctor(settings)

        return cls(
            settings=settings,
            store=store,
            queries=dashboard_queries(settings, store, clock=clock),
            accounts=accounts(settings, store, clock=clock),
            runtime=runtime_settings(settings, store),
            resync=resync,
            doctor=doctor,
            clock=clock,
            sso=oidc_client(settings),
            sso_rules=sso_role_rules(settings),
        )
