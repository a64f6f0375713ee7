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

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

import anyio

from orderbridge.application.audit import AuditedWrites, AuditTrail, unarchive_in_scope
from orderbridge.application.carrier_tracking import CarrierPass, CarrierRound
from orderbridge.application.ledger import RunLedger
from orderbridge.application.notifications import CycleNotices
from orderbridge.application.scope import SyncSetupError
from orderbridge.domain.batches import split_batches
from orderbridge.domain.carrier_facts import NO_FACTS, CarrierFacts, apply_carrier_facts
from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.check_schedule import CheckPolicy
from orderbridge.domain.derive import derive_order_state
from orderbridge.domain.history import (
    OrderOutcome,
    OrderReport,
    RunOutcome,
    RunReport,
    RunTrigger,
)
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.models import DistributorCode, DistributorOrder, Invoice, PurchaseOrder
from orderbridge.domain.plan import Plan, PlanOptions, items_writable, plan_updates
from orderbridge.ports import (
    BudgetExhausted,
    DistributorGateway,
    MonitoredScope,
    OrderStore,
    PurchaseOrderGateway,
    UpstreamAuthError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnavailable,
)

__all__ = ["NotChecked", "OrderResult", "ProgressHook", "RunPart", "RunStop", "SyncService"]


class NotChecked(StrEnum):
    """Why an order of the run was not checked (its activity-log line says so)."""

    STOPPED = "stopped before this order was checked"
    BUDGET = "not checked: the Autotask request budget ran out (the next run starts here)"
    RUN_STOPPED = "not checked: the run stopped (see the run's error)"
    NO_PO_NUMBER = "the PO has no PO number to send to TD SYNNEX"


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What one order's check produced (also what ``--dry-run`` prints)."""

    report: OrderReport
    plan: Plan | None = None
    state: OrderState | None = None
    not_checked: NotChecked | None = None
    purchase_order: PurchaseOrder | None = None  # as read before the plan (the old values)
    failure: UpstreamError | None = None  # why the check failed, when an upstream failed it


@dataclass(frozen=True, slots=True)
class RunStop:
    """Why the rest of a run must not start: a refused credential or a spent request budget.

    Said once, on the run; orders not yet started are skipped with a short pointer to it, so an
    expired password is one line in the activity log, not one per order. ``failed`` is the
    order whose check met the refusal (its own error), if an order did.
    """

    outcome: RunOutcome
    reason: str
    resume_at: datetime | None = None
    failed: OrderResult | None = None

    @property
    def skip(self) -> NotChecked:
        """What an order that was not checked says about it."""
        if self.outcome is RunOutcome.BUDGET_EXHAUSTED:
            return NotChecked.BUDGET
        return NotChecked.RUN_STOPPED

    @classmethod
    def from_error(cls, exc: UpstreamError | SyncSetupError) -> RunStop | None:
        """The stop an upstream error calls for, or None when it fails only its order."""
        if isinstance(exc, BudgetExhausted):
            return cls(RunOutcome.BUDGET_EXHAUSTED, str(exc), exc.free_at)
        if isinstance(exc, UpstreamAuthError | SyncSetupError):
            return cls(RunOutcome.REFUSED, str(exc))
        return None

    def message(self, not_checked: int) -> str:
        """The run's error line."""
        if self.outcome is not RunOutcome.BUDGET_EXHAUSTED:
            return self.reason
        left = f"; {not_checked} orders were left unchecked" if not_checked else ""
        until = f" until {self.resume_at:%Y-%m-%d %H:%M} UTC" if self.resume_at else ""
        return f"budget exhausted{until}{left}: {self.reason}"


ProgressHook = Callable[[OrderResult], None]


@dataclass(frozen=True, slots=True)
class RunPart:
    """One batch of a cycle that workers run: its run, its orders, and the orders done already.

    ``reported`` names the orders the run has an activity-log line for (a batch run again after
    its worker died): they are not checked twice.
    """

    run_id: int
    po_ids: tuple[int, ...]
    reported: frozenset[str] = frozenset()


@dataclass
class InvoiceLookups:
    """The run's use of TD SYNNEX's invoice query, which lives on a service of its own.

    Invoices are optional: any invoice-side error is a warning on that order, and a refusal
    (the invoice host not enabled for the account, or this server's IP not on its allow-list)
    is said once for the run and stops invoice lookups for the rest of it. Status, shipments and
    ETAs are written either way.
    """

    enabled: bool = True
    refused: str | None = None

    def run_warning(self) -> str | None:
        """The run-level line for a refusal, if there was one."""
        if self.refused is None:
            return None
        return (
            f"TD SYNNEX refused the invoice query ({self.refused}); invoices were not read this "
            "run, everything else was synced. Ask TD SYNNEX to enable the invoice service for "
            "your account and allow this server's IP on it, or set [tdsynnex] invoices = false"
        )


class OrderLocks:
    """One check of an order at a time in this process (a cycle and a handed-over resync)."""

    def __init__(self) -> None:
        self._locks: dict[str, anyio.Lock] = {}

    @asynccontextmanager
    async def hold(self, po_number: str) -> AsyncIterator[None]:
        """Wait for the order's other check, if any, then check it."""
        lock = self._locks.setdefault(po_number, anyio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked() and lock.statistics().tasks_waiting == 0:
                self._locks.pop(po_number, None)


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
    # A digest of the settings that decide what is written: a field quirk recorded under other
    # settings is tried again (see ``orderbridge.domain.writes``).
    config_digest: str = ""
    invoices: bool = True  # ``[tdsynnex] invoices``: look invoices up at all
    notices: CycleNotices | None = None  # notifications: queued with the changes they tell of
    records: AuditTrail | None = None  # the audit trail of writes, and the archive
    carrier_round: CarrierRound | None = None  # None: no carrier is tracked
    # ``[sync] adaptive``: a scheduled cycle checks only the orders whose check has come (None:
    # every order, every cycle). ``only`` (a resync) always checks the orders it names.
    check_policy: CheckPolicy | None = None
    _checking: OrderLocks = field(default_factory=lambda: OrderLocks(), init=False, repr=False)

    async def run_once(
        self,
        *,
        dry_run: bool = False,
        only: set[str] | None = None,
        on_total: Callable[[int], None] | None = None,
        on_order: ProgressHook | None = None,
        stop: anyio.Event | None = None,
        trigger: RunTrigger | None = None,
        part: RunPart | None = None,
    ) -> tuple[RunReport, list[OrderResult]]:
        """One cycle over every monitored PO (or only those PO numbers); returns the run report.

        ``only`` names orders explicitly, so the status scope's exclusions do not apply to them.
        ``part`` checks one batch of a cycle that ``plan_batches`` opened (a worker's job): its
        orders are read again from Autotask, its lines go into that run, and the run is left
        open for the other batches (the report returned is this batch's share).
        Callers that write hold the runner lease (see ``orderbridge.application.cycle``).
        """
        if trigger is None:
            trigger = RunTrigger.SCHEDULED if only is None else RunTrigger.RESYNC
        report = RunReport(started_at=self.clock(), trigger=trigger)
        ledger = RunLedger(self.store, tenant=self.tenant, clock=self.clock, dry_run=dry_run)
        lookups = InvoiceLookups(enabled=self.invoices)
        if part is None:
            await ledger.open(report)
        else:
            ledger.attach(report, part.run_id)
        if trigger is RunTrigger.RESYNC:
            await ledger.forget_quirks()  # a resync tries every field again
        results: list[OrderResult] = []
        halted: list[RunStop] = []
        before = dict(self.request_counts())
        try:
            whole = only is None and part is None
            if self.notices is not None:
                await self.notices.before_cycle(dry_run=dry_run, whole=whole)
            pos = await self._in_scope(await self._identify(part), ledger, only)
            if not dry_run:  # an archived order whose PO is back in scope comes back
                await unarchive_in_scope(
                    self.records, self.tenant, pos, ledger.archived, self.clock()
                )
            if part is None:  # a batch's orders are counted by the cycle's planner
                report.monitored = len(pos)
            await self._ask_carriers(pos, ledger, force=only is not None)
            if whole and self.check_policy is not None:  # per-order check schedules
                pos = ledger.due(pos, self.check_policy, report.started_at)
            if on_total is not None:
                on_total(len(pos))
            results = await self._check_all(
                pos, ledger, halted, lookups, on_order=on_order, stop=stop
            )
            await self._note_quirks(results, ledger, report)
            if any(r.not_checked is NotChecked.STOPPED for r in results):
                report.outcome = RunOutcome.INTERRUPTED
                report.error = "stopped on request before every order was checked"
        except (UpstreamError, SyncSetupError) as exc:
            run_stop = RunStop.from_error(exc)
            if run_stop is None:
                report.outcome, report.error = RunOutcome.FAILED, str(exc)
            else:
                halted.append(run_stop)
        except anyio.get_cancelled_exc_class():
            report.outcome = RunOutcome.INTERRUPTED
            report.error = "stopped at once on request; orders being checked were abandoned"
            raise
        finally:
            if halted:
                first = halted[0]
                skipped = sum(1 for r in results if r.not_checked is first.skip)
                report.outcome, report.error = first.outcome, first.message(skipped)
                report.resume_at = first.resume_at
            if self.notices is not None and not dry_run:  # before the tally: see after_cycle
                with anyio.CancelScope(shield=True):
                    await self.notices.after_cycle(report, [r.report for r in results])
            self._tally(report, results, before)
            refusal = lookups.run_warning()
            if refusal is not None:
                report.warnings.append(refusal)
            report.finished_at = self.clock()
            await ledger.close(report, finish=part is None)
        return report, results

    async def plan_batches(self, batch_size: int) -> tuple[RunReport, list[list[int]]]:
        """Open a scheduled cycle and cut the orders it checks into batches (for workers).

        The orders are found as ``run_once`` finds them (scope, exclusions, per-order check
        schedules) and ordered the same way, never-checked and most overdue first. The run is
        left open for the batches, unless finding the orders failed (then it is closed here
        and no batch is returned). The report's counts are the planner's share of the run.
        """
        report = RunReport(started_at=self.clock(), trigger=RunTrigger.SCHEDULED)
        ledger = RunLedger(self.store, tenant=self.tenant, clock=self.clock, dry_run=False)
        before = dict(self.request_counts())
        await ledger.open(report)
        batches: list[list[int]] = []
        try:
            pos = await self._in_scope(await self._identify(None), ledger, None)
            report.monitored = len(pos)
            if self.check_policy is not None:
                # Carrier news makes an order due, as in a single-process cycle; each batch asks
                # the carriers again for its own orders (their answers are not handed over).
                await self._ask_carriers(pos, ledger, force=False)
                pos = ledger.due(pos, self.check_policy, report.started_at)
            ordered = [po.id for po in ledger.longest_unchecked_first(pos)]
            batches = split_batches(ordered, batch_size)
        except (UpstreamError, SyncSetupError) as exc:
            run_stop = RunStop.from_error(exc)
            report.outcome = RunOutcome.FAILED if run_stop is None else run_stop.outcome
            report.error = str(exc) if run_stop is None else run_stop.message(0)
            report.resume_at = None if run_stop is None else run_stop.resume_at
        after = self.request_counts()
        report.requests = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        if report.outcome is not RunOutcome.RUNNING:
            report.finished_at = self.clock()
            await ledger.close(report)
        return report, batches

    async def _identify(self, part: RunPart | None) -> list[PurchaseOrder]:
        """The POs in scope now: all of them, or those of one batch (read again, batched)."""
        scope = await self.scope()
        if part is None:
            return await self.purchase_orders.monitored(scope)
        found = await self.purchase_orders.among(scope, part.po_ids)
        return [po for po in found if (po.po_number or "") not in part.reported]

    async def _note_quirks(
        self, results: Sequence[OrderResult], ledger: RunLedger, report: RunReport
    ) -> None:
        """Say once per run, and remember, each field this tenant turned out not to keep."""
        found = [n for r in results if r.plan is not None for n in r.plan.not_sticking]
        news = await ledger.record_quirks(found, self.config_digest)
        report.warnings.extend(n.describe() for n in news)

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
        if report.outcome is RunOutcome.RUNNING:
            report.outcome = RunOutcome.PARTIAL if report.failed else RunOutcome.OK

    async def _in_scope(
        self, pos: list[PurchaseOrder], ledger: RunLedger, only: set[str] | None
    ) -> list[PurchaseOrder]:
        """The POs this cycle checks (the ledger then knows the last state of each)."""
        if only is not None:
            pos = [po for po in pos if po.po_number in only]
        await ledger.load(
            [po.po_number for po in pos if po.po_number], config_digest=self.config_digest
        )
        if only is None:
            pos = [po for po in pos if not self.excludes(ledger.known_status(po.po_number))]
        return pos

    async def _ask_carriers(
        self, pos: Sequence[PurchaseOrder], ledger: RunLedger, *, force: bool
    ) -> None:
        """Track the due packages of these orders with their carriers, batched, before checking."""
        if self.carrier_round is None:
            return
        ledger.carriers = self.carrier_round.start(force=force)
        known = (ledger.previous(po.po_number) for po in pos if po.po_number)
        await ledger.carriers.prefetch([s for s in known if s is not None])

    async def _check_all(
        self,
        pos: Sequence[PurchaseOrder],
        ledger: RunLedger,
        halted: list[RunStop],
        lookups: InvoiceLookups,
        *,
        on_order: ProgressHook | None,
        stop: anyio.Event | None,
    ) -> list[OrderResult]:
        await ledger.load_history([po.po_number for po in pos if po.po_number])
        results: list[OrderResult] = []
        limiter = anyio.CapacityLimiter(self.concurrency)

        async def one(po: PurchaseOrder) -> None:
            async with limiter:
                if stop is not None and stop.is_set():
                    result = _not_checked(po, NotChecked.STOPPED)
                elif halted:
                    result = _not_checked(po, halted[0].skip)
                else:
                    checked = await self._check_one(po, ledger, lookups)
                    result = (
                        checked if isinstance(checked, OrderResult) else _halt(halted, checked, po)
                    )
            results.append(result)
            await ledger.record(result.report)
            if on_order is not None:
                on_order(result)

        try:
            async with anyio.create_task_group() as group:
                for po in ledger.longest_unchecked_first(pos):
                    group.start_soon(one, po)
        finally:
            await ledger.flush()
        return sorted(results, key=lambda r: r.report.po_number)

    async def _check_one(
        self, po: PurchaseOrder, ledger: RunLedger, lookups: InvoiceLookups
    ) -> OrderResult | RunStop:
        """Check, plan, apply and commit one order; a ``RunStop`` when the run must stop."""
        if po.unreadable is not None:
            return _failed(po, po.po_number or "(PO with no readable id)", po.unreadable)
        number = po.po_number or ""
        if not number:
            return _not_checked(po, NotChecked.NO_PO_NUMBER)
        observed: tuple[str, ...] = ()  # warnings a failure later in the check keeps
        try:
            async with self._checking.hold(number):
                previous = ledger.previous(number)
                state = await self._observe(po, previous, lookups, ledger.carriers)
                observed = state.warnings
                plan = self._plan(po, state, previous, ledger)
                if not ledger.dry_run:
                    plan = await self._apply(po, state, plan, ledger)
                    outbox = (
                        []
                        if self.notices is None
                        else self.notices.for_order(
                            po, state, previous, ledger.recent_history(number), plan
                        )
                    )
                    saved = await ledger.commit_order(
                        po, state, plan.history, plan.written, kept=plan.kept, notifications=outbox
                    )
                    if outbox and not saved and self.notices is not None:
                        self.notices.defer(outbox)  # alerts of an unchanged order
        except UpstreamError as exc:
            run_stop = RunStop.from_error(exc)
            failed = _failed(po, number, str(exc), observed)
            if run_stop is None:
                return replace(failed, failure=exc)
            if run_stop.outcome is RunOutcome.REFUSED:
                # The first refusal is this order's error and the run's.
                return replace(run_stop, failed=failed)
            return run_stop
        return _checked(po, number, state, plan)

    def _plan(
        self, po: PurchaseOrder, state: OrderState, previous: OrderState | None, ledger: RunLedger
    ) -> Plan:
        """What Autotask needs for the order's state, against what the PO holds now."""
        return plan_updates(
            po,
            state,
            ledger.recent_history(po.po_number or ""),
            previous,
            now=self.clock(),
            options=self.plan_options,
            written=ledger.written(po.po_number or ""),
            stuck=ledger.stuck,
        )

    async def _observe(
        self,
        po: PurchaseOrder,
        previous: OrderState | None,
        lookups: InvoiceLookups,
        carriers: CarrierPass,
    ) -> OrderState:
        """Ask TD SYNNEX about the PO; query invoices only when something invoiced is new.

        The invoice query costs a request per PO, so it runs when the order is invoiced and
        either no invoice is known yet, TD SYNNEX reports something new for the order (a later
        shipment may bring a second invoice) or the last lookup failed. An unchanged invoiced
        order costs one call. An invoice-side failure is a warning kept on the state (see
        ``InvoiceLookups``), so the next check asks again.
        """
        number = po.po_number or ""
        order = await self.distributor.get_order_status(number)
        known_invoices: Sequence[Invoice] = previous.invoices if previous is not None else ()
        facts = carriers.facts
        state = self._derive(po, order, known_invoices, previous, facts)
        if (more := await carriers.for_order(state)) is not facts:
            facts = more
            state = self._derive(po, order, known_invoices, previous, facts)
        newly_changed = previous is None or state.fingerprint() != previous.fingerprint()
        wanted = _invoiced(order) and (
            not known_invoices or newly_changed or (previous is not None and previous.invoices_owed)
        )
        if not wanted or not lookups.enabled:
            return state
        refused = "TD SYNNEX refused the invoice query (see the run)"
        if lookups.refused is not None:
            return state.owing_invoices(refused)
        try:
            invoices = await self.distributor.get_invoices(po_number=number)
        except UpstreamAuthError as exc:
            lookups.refused = lookups.refused or str(exc)
            return state.owing_invoices(refused)
        except UpstreamError as exc:
            return state.owing_invoices(str(exc))
        return self._derive(po, order, invoices, previous, facts)

    def _derive(
        self,
        po: PurchaseOrder,
        order: DistributorOrder,
        invoices: Sequence[Invoice],
        previous: OrderState | None,
        facts: CarrierFacts = NO_FACTS,
    ) -> OrderState:
        state = derive_order_state(
            order,
            invoices,
            items=po.items,
            carriers=self.carriers,
            previous=previous,
            observed_at=self.clock(),
            deliveries=facts.deliveries(),
        )
        return apply_carrier_facts(state, previous, facts)

    async def _apply(
        self, po: PurchaseOrder, state: OrderState, plan: Plan, ledger: RunLedger
    ) -> Plan:
        """Write the plan, each field into the audit trail; the plan as written is returned.

        (See ``_items_refused`` for a PO that was received or cancelled meanwhile.)
        """
        writes = self._writes(ledger)
        if plan.po_changes:
            await writes.purchase_order(po, plan.po_changes)
        try:
            for item_id, changes in sorted(plan.item_changes.items()):
                if changes:
                    await writes.item(po, item_id, changes)
        except UpstreamError as exc:
            return await self._items_refused(po, state, plan, ledger, exc)
        return plan

    def _writes(self, ledger: RunLedger) -> AuditedWrites:
        return AuditedWrites(
            self.purchase_orders, self.records, self.tenant, ledger.run_id, self.clock
        )

    async def _items_refused(
        self,
        po: PurchaseOrder,
        state: OrderState,
        plan: Plan,
        ledger: RunLedger,
        exc: UpstreamError,
    ) -> Plan:
        """An item write failed: if someone received or cancelled the PO meanwhile, that is fine.

        Autotask refuses item updates unless the PO is New, Submitted or Received Partial. When
        the PO changed status between our read and our write, re-read it once, write what is
        still wanted of the PO itself, and carry on without the items: not a failure.

        A write that met no decision (Autotask unavailable, a timeout, a thread or hourly limit
        after every retry) fails the order as it is: nothing was refused, and another read would
        only add load to a service that just asked for less.
        """
        if RunStop.from_error(exc) is not None or isinstance(
            exc, UpstreamUnavailable | UpstreamRateLimited
        ):
            raise exc
        fresh = await self.purchase_orders.get(po.id)
        if fresh is None or items_writable(fresh, self.plan_options):
            raise exc
        again = self._plan(fresh, state, ledger.previous(po.po_number or ""), ledger)
        if again.po_changes:
            await self._writes(ledger).purchase_order(fresh, again.po_changes)
        warning = (
            f"the PO became {fresh.status} while orderbridge wrote it; its items are no longer "
            "written (Autotask locks them)"
        )
        return replace(
            plan,
            item_changes={},
            po_changes={**plan.po_changes, **again.po_changes},
            warnings=[*plan.warnings, warning],
        )


def _not_checked(po: PurchaseOrder, why: NotChecked) -> OrderResult:
    number = po.po_number or f"(PO id {po.id})"
    report = OrderReport(number, OrderOutcome.SKIPPED, po_id=po.id, error=str(why))
    return OrderResult(report, not_checked=why)


def _failed(
    po: PurchaseOrder, number: str, error: str, warnings: tuple[str, ...] = ()
) -> OrderResult:
    """The order's check failed; ``warnings`` are what it found before (an invoice not read)."""
    report = OrderReport(
        number, OrderOutcome.FAILED, po_id=po.id or None, error=error, warnings=warnings
    )
    return OrderResult(report)


def _checked(po: PurchaseOrder, number: str, state: OrderState, plan: Plan) -> OrderResult:
    return OrderResult(
        OrderReport(
            number,
            OrderOutcome.UNCHANGED if plan.is_empty else OrderOutcome.UPDATED,
            po_id=po.id,
            status=str(state.status),
            changes=tuple(describe_plan(plan)),
            warnings=tuple(plan.warnings) + tuple(order_number_warnings(po, state)),
        ),
        plan=plan,
        state=state,
        purchase_order=po,
    )


def _halt(halted: list[RunStop], run_stop: RunStop, po: PurchaseOrder) -> OrderResult:
    """Record the run's first stop; this order fails with it, or points at the first one."""
    first = not halted
    if first:
        halted.append(run_stop)
    if first and run_stop.failed is not None:
        return run_stop.failed
    return _not_checked(po, halted[0].skip)


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
