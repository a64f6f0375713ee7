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
from datetime import UTC, datetime
from typing import Any

import anyio

from orderbridge.application.audit import AuditedWrites, AuditTrail, unarchive_in_scope
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
    BudgetExhausted,
    DistributorGateway,
    KnownOrder,
    MonitoredScope,
    OrderStore,
    PurchaseOrderGateway,
    UpstreamAuthError,
    UpstreamError,
)

__all__ = ["BUDGET_EXHAUSTED", "REFUSED", "STOPPED_BEFORE_CHECK", "OrderResult", "SyncService"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

STOPPED_BEFORE_CHECK = "stopped before this order was checked"
INTERRUPTED = "interrupted"
REFUSED = "refused"
BUDGET_EXHAUSTED = "budget exhausted"


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What one order's check produced (also what ``--dry-run`` prints)."""

    report: OrderReport
    plan: Plan | None = None
    state: OrderState | None = None


ProgressHook = Callable[[OrderResult], None]


def _nothing_excluded(known_status: str | None) -> bool:
    return False


REPORT_BATCH = 50  # activity-log lines written per store transaction


@dataclass
class _Halt:
    """Why the rest of a run must not start: a refused credential or a spent request budget.

    Said once, on the run; orders not yet started are skipped with a short pointer to it, so an
    expired password is one line in the activity log, not one per order.
    """

    outcome: str | None = None
    reason: str | None = None
    resume_at: datetime | None = None

    def stop(self, outcome: str, reason: str, resume_at: datetime | None = None) -> bool:
        """Record the first reason to stop; False when the run was already stopping."""
        if self.outcome is not None:
            return False
        self.outcome, self.reason, self.resume_at = outcome, reason, resume_at
        return True

    @property
    def skip_reason(self) -> str:
        """What an order that was not checked says about it."""
        if self.outcome == BUDGET_EXHAUSTED:
            return "not checked: the Autotask request budget ran out (the next run starts here)"
        return "not checked: the run stopped (see the run's error)"


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
    records: AuditTrail | None = None  # records (issue 13): audit trail and archive

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
        halt = _Halt()
        before = dict(self.request_counts())
        try:
            pos = await self.purchase_orders.monitored(await self.scope())
            pos, known = await self._in_scope(pos, only, dry_run=dry_run)
            report.monitored = len(pos)
            if on_total is not None:
                on_total(len(pos))
            results = await self._check_all(
                pos, known, halt, dry_run=dry_run, run_id=run_id, on_order=on_order, stop=stop
            )
            if any(r.report.error == STOPPED_BEFORE_CHECK for r in results):
                report.outcome = INTERRUPTED
                report.error = "stopped on request before every order was checked"
        except BudgetExhausted as exc:
            halt.stop(BUDGET_EXHAUSTED, str(exc), exc.free_at)
        except (UpstreamAuthError, SyncSetupError) as exc:
            halt.stop(REFUSED, str(exc))
        except UpstreamError as exc:
            report.outcome = "failed"
            report.error = str(exc)
        except anyio.get_cancelled_exc_class():
            report.outcome = INTERRUPTED
            report.error = "stopped at once on request; orders being checked were abandoned"
            raise
        finally:
            if halt.outcome is not None:
                report.outcome, report.error, report.resume_at = (
                    halt.outcome,
                    _halt_message(halt, results),
                    halt.resume_at,
                )
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
        self, pos: list[PurchaseOrder], only: set[str] | None, *, dry_run: bool
    ) -> tuple[list[PurchaseOrder], Mapping[str, KnownOrder]]:
        """The POs this cycle checks, and the last known state of each."""
        if only is not None:
            pos = [po for po in pos if po.po_number in only]
        numbers = [po.po_number for po in pos if po.po_number]
        known: Mapping[str, KnownOrder] = await self._store(
            self.store.load_states, self.tenant, numbers
        )
        if not dry_run:  # records (issue 13): an archived order whose PO is back comes back
            await unarchive_in_scope(
                self.records, self.tenant, pos, lambda n: _archived(known, n), self.clock()
            )
        if only is None:
            pos = [po for po in pos if not self.excludes(_known_status(known, po))]
        return pos, known

    async def _check_all(
        self,
        pos: Sequence[PurchaseOrder],
        known: Mapping[str, KnownOrder],
        halt: _Halt,
        *,
        dry_run: bool,
        run_id: int | None,
        on_order: ProgressHook | None,
        stop: anyio.Event | None,
    ) -> list[OrderResult]:
        numbers = [po.po_number for po in pos if po.po_number]
        history = await self._store(self.store.recent_history, self.tenant, numbers)
        results: list[OrderResult] = []
        pending: list[OrderReport] = []
        limiter = anyio.CapacityLimiter(self.concurrency)

        async def flush() -> None:
            batch, pending[:] = list(pending), []
            if run_id is not None and batch:
                with anyio.CancelScope(shield=True):
                    await self._store(self.store.record_order_reports, run_id, batch, self.clock())

        async def one(po: PurchaseOrder) -> None:
            async with limiter:
                if stop is not None and stop.is_set():
                    result = _skipped(po, STOPPED_BEFORE_CHECK)
                elif halt.outcome is not None:
                    result = _skipped(po, halt.skip_reason)
                else:
                    result = await self._check_one(
                        po,
                        known.get(po.po_number or ""),
                        history.get(po.po_number or "", []),
                        halt,
                        dry_run=dry_run,
                        run_id=run_id,
                    )
            results.append(result)
            pending.append(result.report)
            if len(pending) >= REPORT_BATCH:
                await flush()
            if on_order is not None:
                on_order(result)

        try:
            async with anyio.create_task_group() as group:
                for po in _longest_unchecked_first(pos, known):
                    group.start_soon(one, po)
        finally:
            await flush()
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
        halt: _Halt,
        *,
        dry_run: bool,
        run_id: int | None = None,
    ) -> OrderResult:
        number = po.po_number
        if po.unreadable is not None:
            return OrderResult(
                OrderReport(
                    number or "(PO with no readable id)",
                    OrderOutcome.FAILED,
                    po_id=po.id or None,
                    error=po.unreadable,
                )
            )
        if not number:
            return _skipped(po, "the PO has no PO number to send to TD SYNNEX")
        previous = OrderState.from_json(known.state) if known is not None else None
        try:
            state = await self._observe(po, previous)
            plan = plan_updates(
                po, state, recent, previous, now=self.clock(), options=self.plan_options
            )
            if not dry_run:
                await self._apply(po, plan, run_id)
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
        except BudgetExhausted as exc:
            halt.stop(BUDGET_EXHAUSTED, str(exc), exc.free_at)
            return _skipped(po, halt.skip_reason)
        except UpstreamAuthError as exc:
            # The first refusal is this order's error and the run's; later ones, from orders
            # already in flight, only point at it.
            if not halt.stop(REFUSED, str(exc)):
                return _skipped(po, halt.skip_reason)
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

    async def _apply(self, po: PurchaseOrder, plan: Plan, run_id: int | None) -> None:
        # records (issue 13): every field written is recorded in the audit trail
        writes = AuditedWrites(self.purchase_orders, self.records, self.tenant, run_id, self.clock)
        if plan.po_changes:
            await writes.purchase_order(po, plan.po_changes)
        for item_id, changes in sorted(plan.item_changes.items()):
            if changes:
                await writes.item(po, item_id, changes)

    @staticmethod
    async def _store(func: Callable[..., object], *args: object, **kwargs: object) -> Any:
        return await anyio.to_thread.run_sync(lambda: func(*args, **kwargs))


def _known_status(known: Mapping[str, KnownOrder], po: PurchaseOrder) -> str | None:
    found = known.get(po.po_number or "")
    status = None if found is None else found.state.get("status")
    return status if isinstance(status, str) else None


def _archived(known: Mapping[str, KnownOrder], po_number: str) -> bool:
    found = known.get(po_number)
    return found is not None and found.archived


def _skipped(po: PurchaseOrder, reason: str) -> OrderResult:
    number = po.po_number or f"(PO id {po.id})"
    return OrderResult(OrderReport(number, OrderOutcome.SKIPPED, po_id=po.id, error=reason))


def _longest_unchecked_first(
    pos: Sequence[PurchaseOrder], known: Mapping[str, KnownOrder]
) -> list[PurchaseOrder]:
    """Never-checked orders first, then by last check: a run cut short resumes where it stopped."""

    def key(po: PurchaseOrder) -> tuple[bool, datetime, int]:
        found = known.get(po.po_number or "")
        return (found is not None, _EPOCH if found is None else found.checked_at, po.id)

    return sorted(pos, key=key)


def _halt_message(halt: _Halt, results: Sequence[OrderResult]) -> str:
    skipped = [r.report.po_number for r in results if r.report.error == halt.skip_reason]
    if halt.outcome != BUDGET_EXHAUSTED:
        return halt.reason or ""
    left = f"; {len(skipped)} orders were left unchecked" if skipped else ""
    until = f" until {halt.resume_at:%Y-%m-%d %H:%M} UTC" if halt.resume_at else ""
    return f"budget exhausted{until}{left}: {halt.reason}"


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
