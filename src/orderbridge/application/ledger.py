"""What a sync run knows before it starts and records as it goes: one small class, one owner.

In the spirit of singer-sdk's state handling, everything a run reads from and writes to the store
about its orders lives here, so the loop itself speaks only of checking and planning:

- before: the last known state of each order and its recent history (one batched read each),
  and the fields this tenant does not keep as written;
- during: an order whose check changed something is committed (new state and history in one
  transaction, after its Autotask write succeeded); the activity-log lines are written in
  batches of ``REPORT_BATCH``, and so are the remembered writes of orders whose state did not
  change (earlier writes read back as written, or a new Autotask digest: no state to save);
- after: the orders found unchanged are marked checked (one statement) and the run is closed.

A dry run keeps the same shape and writes nothing: no run record, no state, no activity log.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

import anyio

from orderbridge.application.carrier_tracking import CarrierPass
from orderbridge.domain.check_schedule import (
    AUTOTASK_SEEN,
    CheckPolicy,
    CheckReason,
    NextCheck,
    autotask_digest,
    next_check,
)
from orderbridge.domain.history import HistoryEntry, OrderOutcome, OrderReport, RunReport
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.notify_rules import PendingNotification
from orderbridge.domain.writes import NotSticking
from orderbridge.ports import FieldQuirk, OrderStore, StoredOrder

__all__ = ["REPORT_BATCH", "RunLedger"]

REPORT_BATCH = 50  # activity-log lines written per store transaction
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


async def _in_thread(func: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(func)


class RunLedger:
    """The store side of one run: last known states in, order records and the run record out."""

    def __init__(
        self,
        store: OrderStore,
        *,
        tenant: str,
        clock: Callable[[], datetime],
        dry_run: bool,
    ) -> None:
        self._store = store
        self._tenant = tenant
        self._clock = clock
        self._dry_run = dry_run
        self._run_id: int | None = None
        self._known: Mapping[str, StoredOrder] = {}
        self.stuck: frozenset[str] = frozenset()
        self._history: Mapping[str, list[HistoryEntry]] = {}
        self._pending: list[OrderReport] = []
        self._unchanged: list[str] = []
        # Unchanged orders whose remembered writes changed: (PO number, PO id, written).
        self._remember: list[tuple[str, int | None, Mapping[str, str]]] = []
        self._fresh = False  # a resync: what was written before does not count
        self._next: dict[str, datetime] = {}  # the due orders' next checks (most overdue first)
        # The carriers' answers for this run's packages (none until the sync asks them).
        self.carriers = CarrierPass(None, force=False)

    @property
    def run_id(self) -> int | None:
        """The activity-log record of the run, once opened (never for a dry run)."""
        return self._run_id

    @property
    def dry_run(self) -> bool:
        """Whether this run writes nothing."""
        return self._dry_run

    async def open(self, report: RunReport) -> None:
        """Open the run's activity-log record (not for a dry run)."""
        if not self._dry_run:
            store, tenant, started = self._store, self._tenant, report.started_at
            trigger = str(report.trigger)
            self._run_id = await _in_thread(lambda: store.start_run(tenant, started, trigger))
            report.run_id = self._run_id

    def attach(self, report: RunReport, run_id: int) -> None:
        """Record into a run opened elsewhere (one batch of a worker-run cycle)."""
        if not self._dry_run:
            self._run_id = report.run_id = run_id

    async def load(self, po_numbers: Sequence[str], *, config_digest: str = "") -> None:
        """Read the last known state of these orders, and the tenant's field quirks.

        A quirk recorded under another configuration no longer counts: the fields are tried
        again after the configuration changed.
        """
        store, tenant = self._store, self._tenant
        self._known = await _in_thread(lambda: store.load_states(tenant, po_numbers))
        quirks = await _in_thread(lambda: store.field_quirks(tenant))
        self.stuck = frozenset(q.field for q in quirks if q.config_digest == config_digest)

    async def forget_quirks(self) -> None:
        """Try every field again (a resync): forget the tenant's quirks and this run's writes."""
        self._fresh = True
        if not self._dry_run:
            store, tenant = self._store, self._tenant
            await _in_thread(lambda: store.clear_field_quirks(tenant))

    async def record_quirks(
        self, found: Sequence[NotSticking], config_digest: str
    ) -> list[NotSticking]:
        """Record fields found not to stick; returns those not recorded before (to say once)."""
        news: list[NotSticking] = []
        seen = set(self.stuck)
        for item in found:
            if item.field in seen or self._dry_run:
                continue
            seen.add(item.field)
            quirk = FieldQuirk(
                item.field,
                f"{item.po_number} ({item.record})",
                item.wanted,
                item.found,
                config_digest,
                self._clock(),
            )
            if await _in_thread(partial(self._store.record_field_quirk, self._tenant, quirk)):
                news.append(item)
        return news

    def written(self, po_number: str) -> Mapping[str, str]:
        """What orderbridge last wrote to the PO and its items (field key -> value digest)."""
        found = self._known.get(po_number)
        return {} if found is None or self._fresh else found.written

    async def load_history(self, po_numbers: Sequence[str]) -> None:
        """Read the recent history of the orders the run will check."""
        store, tenant = self._store, self._tenant
        self._history = await _in_thread(lambda: store.recent_history(tenant, po_numbers))

    def known_status(self, po_number: str | None) -> str | None:
        """The headline status the order had when last checked, if it was."""
        found = self._known.get(po_number or "")
        status = None if found is None else found.state.get("status")
        return status if isinstance(status, str) else None

    def archived(self, po_number: str) -> bool:
        """Whether the order was archived when the run read it."""
        found = self._known.get(po_number)
        return found is not None and found.archived

    def previous(self, po_number: str) -> OrderState | None:
        """The order's last known state, or None on first sight."""
        found = self._known.get(po_number)
        return None if found is None else OrderState.from_json(found.state)

    def recent_history(self, po_number: str) -> list[HistoryEntry]:
        """The order's most recent recorded changes, oldest first."""
        return self._history.get(po_number, [])

    def longest_unchecked_first(self, pos: Sequence[PurchaseOrder]) -> list[PurchaseOrder]:
        """Never-checked orders first, then the most overdue (or longest unchecked) first.

        A cut-short run resumes there.
        """

        def key(po: PurchaseOrder) -> tuple[bool, datetime, int]:
            number = po.po_number or ""
            found = self._known.get(number)
            when = _EPOCH if found is None else self._next.get(number, found.checked_at)
            return (found is not None, when, po.id)

        return sorted(pos, key=key)

    def next_check(self, po: PurchaseOrder, policy: CheckPolicy) -> NextCheck:
        """When the order is next checked and why, from its stored state and last check."""
        number = po.po_number or ""
        found = self._known.get(number)
        if found is None:
            return next_check(None, None, policy=policy)
        if found.written.get(AUTOTASK_SEEN) != autotask_digest(po):
            return NextCheck(found.checked_at, CheckReason.AUTOTASK_CHANGED)
        state = self.previous(number)
        if state is not None and any(
            self.carriers.facts.get(s.tracking_number) for s in state.shipments
        ):
            return NextCheck(found.checked_at, CheckReason.CARRIER_NEWS)
        return next_check(state, found.checked_at, policy=policy)

    def due(
        self, pos: Sequence[PurchaseOrder], policy: CheckPolicy, now: datetime
    ) -> list[PurchaseOrder]:
        """The orders whose check has come (per-order check schedules); the rest wait."""
        wanted: list[PurchaseOrder] = []
        for po in pos:
            check = self.next_check(po, policy)
            if check.due(now, policy) and check.at is not None:
                self._next[po.po_number or ""] = check.at
                wanted.append(po)
        return wanted

    async def commit_order(
        self,
        po: PurchaseOrder,
        state: OrderState,
        history: Sequence[HistoryEntry],
        written: Mapping[str, str],
        *,
        kept: Collection[str] = (),
        notifications: Sequence[PendingNotification] = (),
    ) -> bool:
        """Commit the order's new state, history, writes and the notifications they call for.

        Nothing happens for a dry run or when nothing is new (False: the caller keeps any
        notifications for later); otherwise one transaction, so a notification is queued
        exactly when the change it tells of is recorded.
        """
        number = po.po_number or ""
        known = self._known.get(number)
        if self._dry_run:
            return False
        before = known.written if known is not None else {}
        new_writes = bool(written)
        seen = autotask_digest(po)
        if before.get(AUTOTASK_SEEN) != seen:  # remembered: an Autotask edit makes it due
            written = {**written, AUTOTASK_SEEN: seen}
        unchanged = known is not None and known.fingerprint == state.fingerprint()
        if not history and not written and not kept and unchanged:
            return False
        remembered = {k: v for k, v in before.items() if k not in kept} | dict(written)
        if unchanged and not history and not new_writes and not notifications:
            # Only forgotten writes or a new Autotask digest: batched with the activity log.
            # Losing it to a crash costs nothing (the next check finds the same again).
            self._remember.append((number, po.id, remembered))
            return True
        store, tenant, now = self._store, self._tenant, self._clock()
        await _in_thread(
            lambda: store.save_order(
                tenant,
                number,
                po_id=po.id,
                status=str(state.status),
                state=state.to_json(),
                fingerprint=state.fingerprint(),
                history=history,
                checked_at=now,
                written=remembered,
                notifications=notifications,
            )
        )
        return True

    async def record(self, report: OrderReport) -> None:
        """Add an order's activity-log line; written in batches."""
        self._pending.append(report)
        if report.outcome is OrderOutcome.UNCHANGED:
            self._unchanged.append(report.po_number)
        if len(self._pending) >= REPORT_BATCH:
            await self.flush()

    async def flush(self) -> None:
        """Write the activity-log lines and remembered writes not yet written (shielded)."""
        batch, self._pending = self._pending, []
        remember, self._remember = self._remember, []
        store, tenant, run_id, now = self._store, self._tenant, self._run_id, self._clock()
        with anyio.CancelScope(shield=True):
            if remember:
                await _in_thread(lambda: store.remember_written(tenant, remember, now))
            if run_id is not None and batch:
                await _in_thread(lambda: store.record_order_reports(run_id, batch, now))

    async def close(self, report: RunReport, *, finish: bool = True) -> None:
        """Mark unchanged orders checked and close the run's record (shielded).

        ``finish=False`` (one batch of a worker-run cycle) leaves the run's record open.
        """
        await self.flush()
        if self._run_id is None:
            return
        store, tenant, run_id, now = self._store, self._tenant, self._run_id, self._clock()
        unchanged, self._unchanged = self._unchanged, []
        with anyio.CancelScope(shield=True):
            if unchanged:
                await _in_thread(lambda: store.touch_checked(tenant, unchanged, now))
            if finish:
                await _in_thread(lambda: store.finish_run(run_id, report))
