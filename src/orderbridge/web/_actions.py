"""The dashboard's two actions that reach upstream: resync one order, run the doctor.

Both go through the same code the CLI uses (``orderbridge resync`` and ``orderbridge doctor``):
``resync_order`` is the one place the dashboard starts a sync, so pointing it at another use
case (the guarded, leased cycle) is a change here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderbridge.adapters.store import SqlStore
from orderbridge.application.doctor import Check
from orderbridge.bootstrap import doctor_session, sync_services
from orderbridge.domain.history import OrderOutcome
from orderbridge.settings import Settings

__all__ = ["ResyncOutcome", "resync_order", "run_doctor"]


@dataclass(frozen=True, slots=True)
class ResyncOutcome:
    """What a resync did, in words (``ok`` False when it could not be done)."""

    ok: bool
    message: str


async def resync_order(settings: Settings, store: SqlStore, po_number: str) -> ResyncOutcome:
    """Check one order at TD SYNNEX now and apply what changed to its Autotask PO."""
    problems = settings.credential_problems()
    if problems:
        return ResyncOutcome(False, "cannot resync: " + "; ".join(problems))
    async with sync_services(settings, store=store) as services:
        report, results = await services.sync.run_once(only={po_number})
    if report.outcome in {"refused", "failed"}:
        return ResyncOutcome(False, f"the check stopped: {report.error}")
    if not results:
        return ResyncOutcome(False, f"PO {po_number} is not monitored in Autotask any more")
    result = results[0].report
    if result.outcome in (OrderOutcome.FAILED, OrderOutcome.SKIPPED):
        return ResyncOutcome(False, f"PO {po_number}: {result.error or result.outcome.value}")
    if result.outcome is OrderOutcome.UNCHANGED:
        return ResyncOutcome(True, f"PO {po_number} checked: nothing changed")
    changed = ", ".join(result.changes) or "state"
    return ResyncOutcome(True, f"PO {po_number} checked: updated {changed}")


async def run_doctor(settings: Settings) -> list[Check]:
    """Every doctor check, as ``orderbridge doctor`` runs them."""
    async with doctor_session(settings) as doctor:
        return await doctor.run(settings.credential_problems())
