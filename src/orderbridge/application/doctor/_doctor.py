"""``orderbridge doctor``: the seed's common issues as checks that each say what to do.

Every check returns a ``Check``: a name, an outcome (pass, warn or fail), a detail saying what
was found, and ``fix``, one sentence telling the user what to do about it. The upstream checks
(``UpstreamChecks``) make a small, fixed number of requests in total: zone, budget, two access
reads, the vendor lookup, one count, and one TD SYNNEX status call for a dummy PO number. The
store checks (``StoreChecks``) read only the store: the states and reports of recent runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._findings import Check, Outcome
from ._store import StoreChecks
from ._upstream import UpstreamChecks

__all__ = ["Doctor", "configuration_check"]


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


@dataclass(frozen=True)
class Doctor:
    """Runs every check, in a fixed order."""

    upstream: UpstreamChecks
    store: StoreChecks

    async def run(self, config_problems: Sequence[str] = ()) -> list[Check]:
        """Every check: configuration, store, Autotask, TD SYNNEX, vendor, scope, orders, runs."""
        checks = [configuration_check(config_problems)]
        store, store_ready = await self.store.store_check()
        checks.append(store)
        autotask = await self.upstream.autotask_checks()
        checks.extend(autotask.checks)
        checks.append(await self.upstream.distributor_check())
        checks.append(await self.upstream.invoice_check())
        checks.extend(await self.upstream.scope_checks(autotask.blocked))
        checks.extend(await self.store.order_checks(store_ready=store_ready))
        return checks

    async def connection_checks(self) -> list[Check]:
        """Both connections and the vendor company (what ``orderbridge init`` tests)."""
        autotask = await self.upstream.autotask_checks()
        distributor = await self.upstream.distributor_check()
        return [*autotask.checks, distributor, await self.upstream.vendor_check(autotask.blocked)]
