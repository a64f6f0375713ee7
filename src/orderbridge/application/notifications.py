"""Notifications inside the sync cycle: what to queue for each order, and the cycle's end.

``CycleNotices`` is handed to ``SyncService``. Before a cycle it learns whether this is the
tenant's first (the baseline: nothing is announced about what happened before orderbridge
watched, except errors). For each checked order it turns the plan's events and the watch alerts
into outbox entries, which the sync loop commits with the order's history. After the cycle it
queues the run-level notices (orders that failed, a refused credential, the first cycle's
summary) and delivers whatever is due. Nothing here may fail the cycle: errors while queueing
the cycle-level notices are swallowed after being counted, and delivery never raises.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio

from orderbridge.application.notification_sender import NotificationSender
from orderbridge.domain.digest import DigestMode
from orderbridge.domain.history import HistoryEntry, OrderOutcome, OrderReport, RunReport
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.models import PurchaseOrder
from orderbridge.domain.notices import (
    HISTORY_KINDS,
    EventKind,
    Notice,
    OrderFacts,
    facts_of,
    not_kept,
    notice_for,
)
from orderbridge.domain.notify_rules import PendingNotification, Rule, route
from orderbridge.domain.plan import Plan
from orderbridge.domain.watch import WatchThresholds, detect_watch_events
from orderbridge.ports import NotificationOutbox

__all__ = ["BASELINE_SETTING", "CycleNotices", "NotificationPolicy"]

BASELINE_SETTING = "notifications.watching_since"
_REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    """The configured rules and alert thresholds, and which channels exist."""

    rules: tuple[Rule, ...]
    channels: tuple[str, ...]
    thresholds: WatchThresholds = field(default_factory=WatchThresholds)
    # Channels that can carry a message about no order in particular (not ticket notes).
    summary_channels: tuple[str, ...] = ()


@dataclass
class CycleNotices:
    """The sync cycle's notification hooks for one tenant."""

    outbox: NotificationOutbox
    policy: NotificationPolicy
    clock: Callable[[], datetime]
    sender: NotificationSender | None = None
    tenant: str = "default"
    first_cycle: bool = False
    # False for a resync of named orders: it never ends the quiet first cycle.
    whole_cycle: bool = True
    # Why the last cycle's notices could not be queued or delivered (for the CLI to say).
    problems: list[str] = field(default_factory=list)
    # Alerts of unchanged orders, queued together after the cycle in one transaction.
    deferred: list[PendingNotification] = field(default_factory=list)

    async def before_cycle(self, *, dry_run: bool, whole: bool = True) -> None:
        """Learn whether this is the tenant's first cycle (nothing is queued on dry runs).

        ``whole`` is False when the cycle checks only named orders (``resync PO``).
        """
        self.whole_cycle = whole
        self.deferred = []
        if dry_run:
            return
        mark = await _thread(self.outbox.get_setting, self.tenant, BASELINE_SETTING)
        self.first_cycle = mark is None

    def for_order(
        self,
        po: PurchaseOrder,
        state: OrderState,
        previous: OrderState | None,
        recent: Sequence[HistoryEntry],
        plan: Plan,
    ) -> list[PendingNotification]:
        """The outbox entries for one checked order (its events and watch alerts)."""
        now = self.clock()
        notices = [notice_for(event) for event in plan.events]
        watch = detect_watch_events(
            state,
            previous,
            [*recent, *plan.history],
            now=now,
            thresholds=self.policy.thresholds,
        )
        notices.extend(notice_for(event) for event in watch)
        notices.extend(not_kept(plan))
        allowed = EventKind.routable() - HISTORY_KINDS if self.first_cycle else None
        facts = facts_of(po, str(state.status))
        return route(notices, facts, self.policy.rules, now=now, allowed=allowed)

    def defer(self, entries: Sequence[PendingNotification]) -> None:
        """Hold alerts of an unchanged order until the cycle ends (they have no history entry
        to commit with; a cycle that dies finds them again, by the same keys, next time)."""
        self.deferred.extend(entries)

    async def after_cycle(self, report: RunReport, reports: Sequence[OrderReport]) -> None:
        """Queue the cycle's own notices and deliver what is due; never raises."""
        if report.outcome == _REFUSED:  # the refusal is said once, for the run, not per order
            reports = [r for r in reports if r.error != report.error]
        entries = [*self.deferred, *self._failures(reports), *self._refusal(report)]
        self.deferred = []
        # The cycle is still "running" here unless it was refused, failed, ran out of budget or
        # was stopped: only a cycle that saw every order ends the quiet first cycle.
        baseline_done = self.first_cycle and self.whole_cycle and report.outcome == "running"
        if baseline_done:
            entries.extend(self._summary(reports))
        try:
            await _thread(self.outbox.enqueue_notifications, self.tenant, entries, self.clock())
            if baseline_done:
                stamp = self.clock().isoformat()
                await _thread(self.outbox.set_setting, self.tenant, BASELINE_SETTING, stamp)
                self.first_cycle = False
        except Exception as exc:  # a notification never fails the cycle it follows
            self.problems.append(f"notifications not queued: {exc}")
        if self.sender is not None and report.outcome != "interrupted":
            await self.deliver()

    async def after_batches(self, report: RunReport, reports: Sequence[OrderReport]) -> None:
        """A cycle that workers ran in batches is whole: end the quiet first cycle if it was one.

        Each batch queued its own orders' notices (``after_cycle`` of a part); what is left is
        the summary of the tenant's first whole cycle, exactly when a single process says it.
        """
        if report.outcome not in ("ok", "partial"):
            return
        try:
            if await _thread(self.outbox.get_setting, self.tenant, BASELINE_SETTING) is not None:
                return
            entries = self._summary(reports)
            await _thread(self.outbox.enqueue_notifications, self.tenant, entries, self.clock())
            stamp = self.clock().isoformat()
            await _thread(self.outbox.set_setting, self.tenant, BASELINE_SETTING, stamp)
        except Exception as exc:  # a notification never fails the cycle it follows
            self.problems.append(f"notifications not queued: {exc}")
            return
        await self.deliver()

    async def deliver(self) -> None:
        """Deliver what is due now; a store failure is left for the next pass."""
        if self.sender is None:
            return
        try:
            await self.sender.deliver_due()
        except Exception as exc:  # the store failed; the entries wait for the next pass
            self.problems.append(f"notifications not delivered: {exc}")

    async def deliver_forever(self, stop: anyio.Event, every_s: float) -> None:
        """Deliver due notifications every ``every_s`` seconds until ``stop`` is set.

        The daemon runs this beside its cycles, so digests, quiet-hour holds and retries go
        out on time between cycles.
        """
        while not stop.is_set():
            await self.deliver()
            with anyio.move_on_after(every_s):
                await stop.wait()

    def _failures(self, reports: Sequence[OrderReport]) -> list[PendingNotification]:
        notices = []
        for report in reports:
            if report.outcome is not OrderOutcome.FAILED or not report.error:
                continue
            cause = report.error.replace(report.po_number, "the PO")
            key = f"{report.po_number}:failed:{_digest(cause)}"
            notices.append(
                (
                    Notice(
                        EventKind.ERROR,
                        key,
                        report.po_number,
                        f"PO {report.po_number} cannot be tracked: {cause}",
                        (report.error,),
                        cause,
                    ),
                    OrderFacts(report.po_number, po_id=report.po_id, status=report.status),
                )
            )
        return [
            entry
            for notice, facts in notices
            for entry in route([notice], facts, self.policy.rules, now=self.clock())
        ]

    def _refusal(self, report: RunReport) -> list[PendingNotification]:
        if report.outcome != _REFUSED or not report.error:
            return []
        now = self.clock()
        # Once a day per cause: a password that stays expired is not news every hour.
        key = f"run:refused:{now.date().isoformat()}:{_digest(report.error)}"
        notice = Notice(
            EventKind.ERROR,
            key,
            "",
            "orderbridge cannot sync: a service refused the credentials",
            (report.error,),
            report.error,
        )
        entries = route([notice], OrderFacts(""), self.policy.rules, now=now)
        # A ticket note belongs to an order: a run-level error goes to the other channels only.
        return [e for e in entries if e.channel in self.policy.summary_channels]

    def _summary(self, reports: Sequence[OrderReport]) -> list[PendingNotification]:
        watched = [r for r in reports if r.outcome is not OrderOutcome.SKIPPED]
        attention = [r for r in watched if r.outcome is OrderOutcome.FAILED or _needs_person(r)]
        now = self.clock()
        lines = [f"{r.po_number}: {r.error or r.status}" for r in attention[:50]]
        if len(attention) > len(lines):
            lines.append(f"... and {len(attention) - len(lines)} more")
        notice = Notice(
            EventKind.SUMMARY,
            f"summary:first-cycle:{self.tenant}",
            "",
            f"orderbridge is now watching {len(watched)} orders, {len(attention)} need attention",
            tuple(lines),
        )
        return [
            PendingNotification(
                channel=name,
                notice=notice,
                facts=OrderFacts(""),
                rule=-1,
                digest=DigestMode.IMMEDIATE,
                due_at=now,
            )
            for name in self.policy.summary_channels
        ]


_ATTENTION = frozenset({"On hold", "Rejected", "Cancelled", "Not found"})


def _needs_person(report: OrderReport) -> bool:
    return report.status in _ATTENTION


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


async def _thread(func: Callable[..., Any], *args: object, **kwargs: object) -> Any:
    return await anyio.to_thread.run_sync(lambda: func(*args, **kwargs))
