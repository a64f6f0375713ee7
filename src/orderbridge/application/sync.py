"""The sync loop: identify, check, compare, apply, record — for one tenant, one cycle.

Each purchase order is independent: a failure on one is recorded on that order and the cycle goes
on. An order's new state and history are committed only after its Autotask write succeeded, and
planning compares against what Autotask holds *now*, so a cycle that died half way is simply run
again: it converges, and nothing is written or recorded twice.

A cycle can be asked to stop (``run_once(stop=event)``): orders already being checked finish
their Autotask write and store commit, orders not yet started are reported skipped, and the run
is recorded ``interrupted``. Orders the status scope leaves out (``excludes``: finished orders
under the ``active`` scope) are dropped before any TD SYNNEX call and are not part of the run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio

from orderbridge.application.scope import SyncSetupError
from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.derive import derive_order_state
from orderbridge.domain.history import (
    HistoryEntry,
    OrderOutcome,
    OrderReport,
    RunReport,
)
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.models import DistributorCode, DistributorOrder, Invoice, PurchaseOrder
from orderbridge.domain.plan import Plan, PlanOptions, plan_updates
from orderbridge.ports import (
    DistributorGateway,
    KnownOrder,
    MonitoredScope,
    OrderStore,
    PurchaseOrderGateway,
    UpstreamAuthError,
    UpstreamError,
)

__all__ = ["STOPPED_BEFORE_CHECK", "OrderResult", "SyncService"]

STOPPED_BEFORE_CHECK = "stopped before this order was checked"
INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What one order's check produced (also what ``--dry-run`` prints)."""

    report: OrderReport
    plan: Plan | None = None
    state: OrderState | None = None


ProgressHook = Callable[[OrderResult], None]


def _nothing_excluded(known_status: str | None) -> bool:
    return False


@dataclass
class SyncService:
    """Runs sync cycles for one tenant against the given gateways and store."""

    purchase_orders: PurchaseOrderGateway
    distributor: DistributorGateway
    store: OrderStore
    scope: Callable[[], Awaitable[MonitoredScope]]
    clock: Callable[[], datetime]
    carriers: CarrierCatalog = field(default_factory=CarrierCatalog)
    plan_options: PlanOptions = field(default_factory=PlanOptions)
    concurrency: int = 8
    tenant: str = "default"
    request_counts: Callable[[], dict[str, int]] = dict
    excludes: Callable[[str | None], bool] = _nothing_excluded

    async def run_once(
        self,
        *,
        dry_run: bool = False,
        only: set[str] | None = None,
        on_total: Callable[[int], None] | None = None,
        on_order: ProgressHook | None = None,
        stop: anyio.Event | None = None,
    ) -> tuple[RunReport, list[OrderResult]]:
        """One cycle over every monitored PO (or only those PO numbers); returns the run report.

        ``only`` names orders explicitly, so the status scope's exclusions do not apply to them.
        """
        report = RunReport(started_at=self.clock())
        run_id = (
            None
            if dry_run
            else await self._store(self.store.start_run, self.tenant, report.started_at)
        )
        results: list[OrderResult] = []
        before = dict(self.request_counts())
        try:
            pos = await self.purchase_orders.monitored(await self.scope())
            pos, known = await self._in_scope(pos, only)
            report.monitored = len(pos)
            if on_total is not None:
                on_total(len(pos))
            results = await self._check_all(
                pos, known, dry_run=dry_run, run_id=run_id, on_order=on_order, stop=stop
            )
            if any(r.report.error == STOPPED_BEFORE_CHECK for r in results):
                report.outcome = INTERRUPTED
                report.error = "stopped on request before every order was checked"
        except (UpstreamAuthError, SyncSetupError) as exc:
            report.outcome = "refused"
            report.error = str(exc)
        except UpstreamError as exc:
            report.outcome = "failed"
            report.error = str(exc)
        except anyio.get_cancelled_exc_class():
            report.outcome = INTERRUPTED
            report.error = "stopped at once on request; orders being checked were abandoned"
            raise
        finally:
            self._tally(report, results, before)
            report.finished_at = self.clock()
            if run_id is not None:
                with anyio.CancelScope(shield=True):
                    await self._store(self.store.finish_run, run_id, report)
        return report, results

    def _tally(self, report: RunReport, results: list[OrderResult], before: dict[str, int]) -> None:
        for result in results:
            outcome = result.report.outcome
            if outcome is not OrderOutcome.SKIPPED:
                report.checked += 1
            if outcome is OrderOutcome.UPDATED:
                report.updated += 1
            elif outcome is OrderOutcome.UNCHANGED:
                report.unchanged += 1
            elif outcome is OrderOutcome.FAILED:
                report.failed += 1
            else:
                report.skipped += 1
            report.orders.append(result.report)
        after = self.request_counts()
        report.requests = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        if report.outcome == "running":
            report.outcome = "partial" if report.failed else "ok"

    async def _in_scope(
        self, pos: list[PurchaseOrder], only: set[str] | None
    ) -> tuple[list[PurchaseOrder], Mapping[str, KnownOrder]]:
        """The POs this cycle checks, and the last known state of each."""
        if only is not None:
            pos = [po for po in pos if po.po_number in only]
        numbers = [po.po_number for po in pos if po.po_number]
        known: Mapping[str, KnownOrder] = await self._store(
            self.store.load_states, self.tenant, numbers
        )
        if only is None:
            pos = [po for po in pos if not self.excludes(_known_status(known, po))]
        return pos, known

    async def _check_all(
        self,
        pos: Sequence[PurchaseOrder],
        known: Mapping[str, KnownOrder],
        *,
        dry_run: bool,
        run_id: int | None,
        on_order: ProgressHook | None,
        stop: anyio.Event | None,
    ) -> list[OrderResult]:
        numbers = [po.po_number for po in pos if po.po_number]
        history = await self._store(self.store.recent_history, self.tenant, numbers)
        results: list[OrderResult] = []
        limiter = anyio.CapacityLimiter(self.concurrency)
        distributor_refused: list[str] = []

        async def one(po: PurchaseOrder) -> None:
            async with limiter:
                if stop is not None and stop.is_set():
                    result = _stopped(po)
                else:
                    result = await self._check_one(
                        po,
                        known.get(po.po_number or ""),
                        history.get(po.po_number or "", []),
                        dry_run=dry_run,
                        distributor_refused=distributor_refused,
                    )
            results.append(result)
            if run_id is not None:
                await self._store(
                    self.store.record_order_report, run_id, result.report, self.clock()
                )
            if on_order is not None:
                on_order(result)

        async with anyio.create_task_group() as group:
            for po in pos:
                group.start_soon(one, po)
        unchanged = [
            r.report.po_number for r in results if r.report.outcome is OrderOutcome.UNCHANGED
        ]
        if unchanged and not dry_run:
            await self._store(self.store.touch_checked, self.tenant, unchanged, self.clock())
        return sorted(results, key=lambda r: r.report.po_number)

    async def _check_one(
        self,
        po: PurchaseOrder,
        known: KnownOrder | None,
        recent: list[HistoryEntry],
        *,
        dry_run: bool,
        distributor_refused: list[str],
    ) -> OrderResult:
        number = po.po_number
        if not number:
            return OrderResult(
                OrderReport(
                    po_number=f"(PO id {po.id})",
                    po_id=po.id,
                    outcome=OrderOutcome.SKIPPED,
                    error="the PO has no PO number to send to TD SYNNEX",
                )
            )
        if distributor_refused:
            return OrderResult(
                OrderReport(number, OrderOutcome.SKIPPED, po_id=po.id, error=distributor_refused[0])
            )
        previous = OrderState.from_json(known.state) if known is not None else None
        try:
            state = await self._observe(po, previous)
            plan = plan_updates(
                po, state, recent, previous, now=self.clock(), options=self.plan_options
            )
            if not dry_run:
                await self._apply(po, plan)
                if plan.history or known is None or known.fingerprint != state.fingerprint():
                    await self._store(
                        self.store.save_order,
                        self.tenant,
                        number,
                        po_id=po.id,
                        status=str(state.status),
                        state=state.to_json(),
                        fingerprint=state.fingerprint(),
                        history=plan.history,
                        checked_at=self.clock(),
                    )
        except UpstreamAuthError as exc:
            if exc.service == "tdsynnex":
                distributor_refused.append(f"not checked: {exc}")
            return OrderResult(
                OrderReport(number, OrderOutcome.FAILED, po_id=po.id, error=str(exc))
            )
        except UpstreamError as exc:
            return OrderResult(
                OrderReport(number, OrderOutcome.FAILED, po_id=po.id, error=str(exc))
            )
        changed = not plan.is_empty
        return OrderResult(
            OrderReport(
                number,
                OrderOutcome.UPDATED if changed else OrderOutcome.UNCHANGED,
                po_id=po.id,
                status=str(state.status),
                changes=tuple(describe_plan(plan)),
                warnings=tuple(plan.warnings) + tuple(order_number_warnings(po, state)),
            ),
            plan=plan,
            state=state,
        )

    async def _observe(self, po: PurchaseOrder, previous: OrderState | None) -> OrderState:
        """Ask TD SYNNEX about the PO; query invoices only when something invoiced is new.

        The invoice query costs a request per PO, so it runs when the order is invoiced and
        either no invoice is known yet or TD SYNNEX reports something new for the order (a later
        shipment may bring a second invoice). An unchanged invoiced order costs one call.
        """
        number = po.po_number or ""
        order = await self.distributor.get_order_status(number)
        known_invoices: Sequence[Invoice] = previous.invoices if previous is not None else ()
        state = self._derive(po, order, known_invoices, previous)
        newly_changed = previous is None or state.fingerprint() != previous.fingerprint()
        if _invoiced(order) and (not known_invoices or newly_changed):
            invoices = await self.distributor.get_invoices(po_number=number)
            state = self._derive(po, order, invoices, previous)
        return state

    def _derive(
        self,
        po: PurchaseOrder,
        order: DistributorOrder,
        invoices: Sequence[Invoice],
        previous: OrderState | None,
    ) -> OrderState:
        return derive_order_state(
            order,
            invoices,
            items=po.items,
            carriers=self.carriers,
            previous=previous,
            observed_at=self.clock(),
        )

    async def _apply(self, po: PurchaseOrder, plan: Plan) -> None:
        if plan.po_changes:
            await self.purchase_orders.update_purchase_order(po.id, plan.po_changes)
        for item_id, changes in sorted(plan.item_changes.items()):
            if changes:
                await self.purchase_orders.update_item(po.id, item_id, changes)

    @staticmethod
    async def _store(func: Callable[..., object], *args: object, **kwargs: object) -> Any:
        return await anyio.to_thread.run_sync(lambda: func(*args, **kwargs))


def _known_status(known: Mapping[str, KnownOrder], po: PurchaseOrder) -> str | None:
    found = known.get(po.po_number or "")
    status = None if found is None else found.state.get("status")
    return status if isinstance(status, str) else None


def _stopped(po: PurchaseOrder) -> OrderResult:
    number = po.po_number or f"(PO id {po.id})"
    return OrderResult(
        OrderReport(number, OrderOutcome.SKIPPED, po_id=po.id, error=STOPPED_BEFORE_CHECK)
    )


def _invoiced(order: DistributorOrder) -> bool:
    return order.code is DistributorCode.INVOICED or any(
        line.code is DistributorCode.INVOICED for line in order.lines
    )


def describe_plan(plan: Plan) -> list[str]:
    """Human-readable list of the fields a plan changes."""
    changes = [f"PO {name}" for name in sorted(plan.po_changes)]
    for item_id, fields in sorted(plan.item_changes.items()):
        changes.extend(f"item {item_id} {name}" for name in sorted(fields))
    return changes


def order_number_warnings(po: PurchaseOrder, state: OrderState) -> list[str]:
    """A recorded TD SYNNEX order number that TD SYNNEX does not report for this PO."""
    recorded = (po.external_po_number or "").strip()
    if not recorded or not state.order_numbers or recorded in state.order_numbers:
        return []
    return [
        f"externalPONumber holds TD SYNNEX order {recorded}, but TD SYNNEX reports "
        f"{', '.join(sorted(state.order_numbers))} for PO {po.po_number}; check the number mapping"
    ]
