"""``orderbridge doctor``: the seed's common issues as checks that each say what to do.

Every check returns a ``Check``: a name, an outcome (pass, warn or fail), a detail saying what
was found, and ``fix``, one sentence telling the user what to do about it. The upstream checks
(``doctor_upstream``) make a small, fixed number of requests in total: zone, budget, two access
reads, the vendor lookup, one count, and one TD SYNNEX status call for a dummy PO number. The
per-order checks (``doctor_orders``) read only the store: the states and reports of recent runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from orderbridge.ports import DistributorGateway, MonitoredScope, UpstreamAuthError

from .doctor_carriers import CarrierDoctor
from .doctor_findings import Check, Outcome, has_failures
from .doctor_orders import order_checks, store_check
from .doctor_ports import AutotaskSetup, DoctorStore
from .doctor_upstream import UpstreamChecks

__all__ = ["Check", "Doctor", "Outcome", "configuration_check", "has_failures"]


def configuration_check(problems: Sequence[str]) -> Check:
    """The configuration loaded; whether every credential is present."""
    if problems:
        return Check(
            "configuration",
            Outcome.FAIL,
            "; ".join(problems),
            "Add the missing keys to the configuration file or the environment "
            "(orderbridge init writes a complete file).",
        )
    return Check("configuration", Outcome.PASS, "loaded; every credential is present")


def _never_ip(_exc: UpstreamAuthError) -> bool:
    return False


@dataclass
class Doctor:
    """Runs every check against the ports it is given, in a fixed order."""

    autotask: AutotaskSetup
    distributor: DistributorGateway
    store: DoctorStore
    scope: Callable[[], Awaitable[MonitoredScope]]
    clock: Callable[[], datetime]
    vendor_ids: Sequence[int] = ()
    vendor_name: str = "TD SYNNEX"
    po_number_field: str = "purchaseOrderNumber"
    base_url: str | None = None
    # Telling an IP allow-list refusal from bad credentials needs the adapter's error words.
    is_ip_refusal: Callable[[UpstreamAuthError], bool] = field(default=_never_ip)
    tenant: str = "default"
    carriers: CarrierDoctor | None = None  # None: carrier tracking is not part of this build

    def _upstream(self) -> UpstreamChecks:
        return UpstreamChecks(
            autotask=self.autotask,
            distributor=self.distributor,
            scope=self.scope,
            vendor_ids=tuple(self.vendor_ids),
            vendor_name=self.vendor_name,
            base_url=self.base_url,
            is_ip_refusal=self.is_ip_refusal,
        )

    async def run(self, config_problems: Sequence[str] = ()) -> list[Check]:
        """Every check: configuration, store, Autotask, TD SYNNEX, vendor, scope, orders, runs."""
        checks = [configuration_check(config_problems)]
        store_result, store_ready = await store_check(self.store, self.tenant, self.clock)
        checks.append(store_result)
        upstream = self._upstream()
        checks.extend(await upstream.autotask_checks())
        checks.append(await upstream.distributor_check())
        checks.extend(await upstream.scope_checks())
        checks.extend(
            await order_checks(
                self.store if store_ready else None,
                tenant=self.tenant,
                now=self.clock(),
                po_number_field=self.po_number_field,
            )
        )
        if self.carriers is not None:
            store = self.store if store_ready else None
            checks.extend(await self.carriers.checks(store, tenant=self.tenant, now=self.clock()))
        return checks

    async def connection_checks(self) -> list[Check]:
        """Both connections and the vendor company (what ``orderbridge init`` tests)."""
        upstream = self._upstream()
        checks = await upstream.autotask_checks()
        checks.append(await upstream.distributor_check())
        checks.append(await upstream.vendor_check())
        return checks
