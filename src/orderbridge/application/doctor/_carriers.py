"""Doctor's carrier checks: which carriers are tracked, their credentials, overdue packages.

A carrier without credentials is simply not tracked; doctor says so (and names the carriers the
stored shipments go by), without calling it a fault. Each configured carrier gets one token
request (or, for DHL, one lookup of a made-up number). Overdue packages are read from the
store: shipped more than ``overdue_after_days`` ago and still not delivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio

from orderbridge.domain.lifecycle import OrderState, Shipment
from orderbridge.domain.package_tracking import FINAL_STATUSES
from orderbridge.domain.state_json import as_utc
from orderbridge.ports import CarrierTracker, UpstreamAuthError, UpstreamError

from ._findings import Check, Outcome, listed, not_checked
from ._ports import DoctorStore
from ._store import StoreEvidence

__all__ = ["CARRIER_CHECK_NAMES", "CarrierDoctor"]

CARRIER_CHECK_NAMES = ("carrier tracking", "overdue packages")


def _open(s: Shipment) -> bool:
    final = s.tracking is not None and s.tracking.status in FINAL_STATUSES
    return bool(s.tracking_number) and s.delivered_on is None and not final


@dataclass
class CarrierDoctor:
    """The configured trackers by carrier name, and the carriers left without credentials."""

    trackers: Mapping[str, CarrierTracker]
    unconfigured: Sequence[str] = ()
    overdue_after_days: int = 10
    _states: list[OrderState] = field(default_factory=list, init=False)

    async def checks(self, store: DoctorStore | None, *, tenant: str, now: datetime) -> list[Check]:
        """Tracked carriers, each configured carrier's credentials, then overdue packages."""
        if store is not None:
            try:
                evidence = await anyio.to_thread.run_sync(StoreEvidence.read, store, tenant)
                self._states = _readable([s.state for s in evidence.states.values()])
            except Exception:  # the store's own error type; order checks already said so
                self._states = []
        checks = [self._coverage()]
        for name in sorted(self.trackers):
            checks.append(await self._credentials(name, self.trackers[name]))
        if store is None:
            checks.append(not_checked(CARRIER_CHECK_NAMES[1], "the store is not ready"))
        else:
            checks.append(self._overdue(now))
        return checks

    def _coverage(self) -> Check:
        """Which carriers are tracked; a carrier left unconfigured is a choice, not a fault."""
        name = CARRIER_CHECK_NAMES[0]
        tracked = ", ".join(sorted(self.trackers)) or "none"
        detail = f"tracked with the carrier: {tracked}"
        if self.unconfigured:
            used = {(s.carrier or "").casefold() for st in self._states for s in st.shipments}
            waiting = [c for c in self.unconfigured if c.casefold() in used]
            detail += f"; not configured, so not tracked: {', '.join(self.unconfigured)}"
            if waiting:
                detail += (
                    f" (shipments go by {', '.join(waiting)}: their deliveries are known only "
                    "when TD SYNNEX reports them; docs/carriers.md says how to add credentials)"
                )
        return Check(name, Outcome.PASS, detail)

    async def _credentials(self, name: str, tracker: CarrierTracker) -> Check:
        check = f"carrier {name}"
        try:
            await tracker.check_credentials()
        except UpstreamAuthError as exc:
            return Check(
                check,
                Outcome.FAIL,
                str(exc),
                f"Check carriers.{name.casefold()} in the configuration against the carrier's "
                "developer portal (docs/carriers.md).",
            )
        except UpstreamError as exc:
            return Check(
                check,
                Outcome.WARN,
                f"could not reach {name}: {exc}",
                "Check the network and carriers.<name>.base_url; tracking resumes by itself.",
            )
        return Check(check, Outcome.PASS, "credentials accepted")

    def _overdue(self, now: datetime) -> Check:
        name = CARRIER_CHECK_NAMES[1]
        limit = timedelta(days=self.overdue_after_days)
        late = sorted(
            {
                st.po_number
                for st in self._states
                for s in st.shipments
                if _open(s)
                and s.ship_date is not None
                and as_utc(now) - as_utc(s.ship_date) > limit
            }
        )
        if not late:
            return Check(
                name,
                Outcome.PASS,
                f"no package shipped over {self.overdue_after_days} days ago is open",
            )
        return Check(
            name,
            Outcome.WARN,
            f"{len(late)} orders have packages shipped more than {self.overdue_after_days} days "
            f"ago and still not delivered: {listed(late)}",
            "Look the packages up on the carrier's site; ask TD SYNNEX to trace a lost one.",
        )


def _readable(views: Sequence[dict[str, object]]) -> list[OrderState]:
    """The states this version can read (others say nothing about packages)."""
    found = []
    for data in views:
        try:
            found.append(OrderState.from_json(dict(data)))
        except (KeyError, TypeError, ValueError):
            continue
    return found
