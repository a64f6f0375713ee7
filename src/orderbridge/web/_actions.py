"""The dashboard's two actions that reach upstream: resync one order, run the doctor.

Both go through the same code the CLI uses (``orderbridge resync`` and ``orderbridge doctor``):
``resync_order`` runs the guarded cycle, so a resync from the dashboard takes the runner lease,
or hands the order to the daemon that holds it, and never writes beside another runner.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderbridge.application.doctor import Check
from orderbridge.application.lease import LeaseHeld
from orderbridge.bootstrap import Store, doctor_session, sync_services
from orderbridge.domain.history import OrderOutcome, RunOutcome
from orderbridge.settings import Settings

__all__ = ["ResyncOutcome", "resync_order", "run_doctor"]


@dataclass(frozen=True, slots=True)
class ResyncOutcome:
    """What a resync did, in words (``ok`` False when it could not be done)."""

    ok: bool
    message: str


async def resync_order(settings: Settings, store: Store, po_number: str) -> ResyncOutcome:
    """Check one order at TD SYNNEX now and apply what changed to its Autotask PO."""
    problems = settings.credential_problems()
    if problems:
        return ResyncOutcome(False, "cannot resync: " + "; ".join(problems))
    try:
        async with sync_services(settings, store=store) as services:
            done = await services.guarded.resync(po_number)
    except LeaseHeld as exc:
        return ResyncOutcome(False, f"{exc}; try again when it finishes")
    if done.outcome in (RunOutcome.REFUSED, RunOutcome.FAILED, RunOutcome.RUNNING):
        return ResyncOutcome(False, f"the check stopped: {done.error}")
    if done.order is None:
        return ResyncOutcome(False, f"PO {po_number} is not monitored in Autotask any more")
    result = done.order.report
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
