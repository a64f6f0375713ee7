"""The sync loop: identify, check, compare, apply, record — for one tenant, one cycle.

Each purchase order is independent: a failure on one is recorded on that order and the cycle goes
on. An order's new state and history are committed only after its Autotask write succeeded, and
planning compares against what Autotask holds *now*, so a cycle that died half way is simply run
again: it converges, and nothing is written or recorded twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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

__all__ = ["OrderResult", "SyncService"]


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What one order's check produced (also what ``--dry-run`` prints)."""

    report: OrderReport
    plan: Plan | None = None
    state: OrderState | None = None


ProgressHook = Callable[[OrderResult], None]


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

    async def run_once(
        self,
        *,
        dry_run: bool = False,
        only: set[str] | None = None,
        on_total: Callable[[int], None] | None = None,
        on_order: ProgressHook | None = None,
    ) -> tuple[RunReport, list[OrderResult]]:
        """One cycle over every monitored PO (or only those PO numbers); returns the run report."""
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
            if only is not None:
                pos = [po for po in pos if po.po_number in only]
            report.monitored = len(pos)
            if on_total is not None:
                on_total(len(pos))
            results = await self._check_all(pos, dry_run=dry_run, run_id=run_id, on_order=on_order)
        except (UpstreamAuthError, SyncSetupError) as exc:
            report.outcome = "refused"
            report.error = str(exc)
        except UpstreamError as exc:
            report.outcome = "failed"
            report.error = str(exc)
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

    async def _check_all(
        self,
        pos: Sequence[PurchaseOrder],
        *,
        dry_run: bool,
        run_id: int | None,
        on_order: ProgressHook | None,
    ) -> list[OrderResult]:
        numbers = [po.po_number for po in pos if po.po_number]
        known = await self._store(self.store.load_states, self.tenant, numbers)
        history = await self._store(self.store.recent_history, self.tenant, numbers)
        results: list[OrderResult] = []
        limiter = anyio.CapacityLimiter(self.concurrency)
        distributor_refused: list[str] = []

        async def one(po: PurchaseOrder) -> None:
            async with limiter:
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
