"""Read models for the dashboard, the JSON API and the CLI: one query, several renderings.

``DashboardQueries`` turns what the store holds into what a person asks: a page of orders with
why each needs attention, one order's whole story, the activity log, the overview's counts and
charts, and the figures ``/metrics`` exports. It never talks to Autotask or TD SYNNEX.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from orderbridge.domain.history import HistoryEntry, OrderReport
from orderbridge.domain.lifecycle import OrderState, OrderStatus
from orderbridge.domain.notify_rules import QueuedNotification
from orderbridge.domain.records import AuditEntry
from orderbridge.domain.schedule import next_run
from orderbridge.ports import DashboardReads, FieldQuirk, OrderQuery, OrderRow, OrderTouch, RunRow

from .doctor import FIX_FIELD_QUIRKS
from .next_checks import NextChecks, OrderNextCheck
from .runtime import RuntimeValues

__all__ = [
    "ATTENTION_STATUSES",
    "SORTS",
    "DashboardQueries",
    "OrderDetail",
    "OrderList",
    "OrderListItem",
    "Overview",
    "RunList",
    "parse_status",
]

ATTENTION_STATUSES = (OrderStatus.NOT_FOUND, OrderStatus.REJECTED, OrderStatus.ON_HOLD)
FINISHED_STATUSES = (
    OrderStatus.DELIVERED,
    OrderStatus.CLOSED,
    OrderStatus.CANCELLED,
    OrderStatus.REJECTED,
)
SORTS = ("updated", "po", "status", "checked")
PER_PAGE = 50
MAX_PER_PAGE = 200
RUNS_PER_PAGE = 50
WRITES_PER_PAGE = 50


def parse_status(text: str | None) -> OrderStatus | None:
    """A status name in any case (``on hold``, ``On hold``); ``ValueError`` listing the names."""
    if text is None or not text.strip():
        return None
    wanted = " ".join(text.split()).lower()
    for status in OrderStatus:
        if status.value.lower() == wanted or status.name.lower() == wanted.replace(" ", "_"):
            return status
    names = ", ".join(s.value for s in OrderStatus)
    raise ValueError(f"{text!r} is not an order status; use one of {names}")


@dataclass(frozen=True, slots=True)
class OrderListItem:
    """One row of the orders list."""

    po_number: str
    status: str
    customer: str | None
    order_numbers: tuple[str, ...]
    eta: date | None
    updated_at: datetime
    checked_at: datetime
    attention: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderList:
    """A page of the orders list."""

    items: tuple[OrderListItem, ...]
    total: int
    page: int
    per_page: int
    search: str
    status: str | None
    attention: bool
    sort: str
    descending: bool

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """One order's whole story."""

    row: OrderRow
    state: OrderState | None
    history: tuple[HistoryEntry, ...]
    touches: tuple[OrderTouch, ...]
    attention: tuple[str, ...]
    writes: tuple[AuditEntry, ...] = ()  # a page of the audit trail's writes, newest first
    writes_total: int = 0
    writes_page: int = 1
    notifications: tuple[QueuedNotification, ...] = ()  # oldest first
    next_check: OrderNextCheck | None = None

    @property
    def writes_pages(self) -> int:
        """How many pages of writes there are (at least one)."""
        return max(1, -(-self.writes_total // WRITES_PER_PAGE))


@dataclass(frozen=True, slots=True)
class RunList:
    """A page of the activity log."""

    runs: tuple[RunRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class Overview:
    """The overview page: switch, schedule, counts, attention, budget and charts."""

    runtime: RuntimeValues
    last_run: RunRow | None
    next_run: datetime | None
    by_status: Mapping[str, int]
    attention: int
    attention_orders: tuple[OrderListItem, ...]  # the ten most recently changed of them
    autotask_requests_this_hour: int
    notifications: Mapping[str, int]
    changes_by_day: Sequence[tuple[str, str, int]]
    runs_by_hour: Sequence[tuple[datetime, int, int]]  # hour, runs, runs with failures
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    field_quirks: tuple[FieldQuirk, ...] = ()  # fields that do not stick (tenant-wide)
    field_quirk_fix: str = FIX_FIELD_QUIRKS


def _customer(state: Mapping[str, Any]) -> str | None:
    ship_to = state.get("ship_to")
    if isinstance(ship_to, dict):
        name = ship_to.get("name")
        return name if isinstance(name, str) and name else None
    return None


def _eta(state: Mapping[str, Any]) -> date | None:
    text = state.get("expected_delivery")
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


class DashboardQueries:
    """The read side of orderbridge for every entrypoint."""

    def __init__(
        self,
        reads: DashboardReads,
        *,
        clock: Callable[[], datetime],
        tenant: str = "default",
        stuck_days: int = 14,
        backordered_days: int = 7,
        next_checks: NextChecks | None = None,
    ) -> None:
        self._reads = reads
        self._next_checks = next_checks
        self._clock = clock
        self.tenant = tenant
        self._stuck = timedelta(days=stuck_days)
        self._backordered = timedelta(days=backordered_days)

    def _rules(self) -> OrderQuery:
        now = self._clock()
        return OrderQuery(
            attention_statuses=tuple(s.value for s in ATTENTION_STATUSES),
            finished_statuses=tuple(s.value for s in FINISHED_STATUSES),
            late_before=now.date().isoformat(),
            stuck_before=now - self._stuck,
            backordered_status=OrderStatus.BACKORDERED.value,
            backordered_before=now - self._backordered,
        )

    def attention_reasons(self, row: OrderRow) -> tuple[str, ...]:
        """Why an order needs attention, in words (empty when it does not)."""
        reasons: list[str] = []
        now = self._clock()
        if row.status in {s.value for s in ATTENTION_STATUSES}:
            reasons.append(row.status.lower())
        finished = row.status in {s.value for s in FINISHED_STATUSES}
        eta = _eta(row.state)
        if not finished and eta is not None and eta < now.date():
            reasons.append(f"late: expected {eta.isoformat()}")
        if not finished and row.updated_at < now - self._stuck:
            reasons.append(f"no change for {(now - row.updated_at).days} days")
        elif row.status == OrderStatus.BACKORDERED and row.updated_at < now - self._backordered:
            reasons.append(f"backordered for {(now - row.updated_at).days} days")
        return tuple(reasons)

    def _item(self, row: OrderRow) -> OrderListItem:
        return OrderListItem(
            po_number=row.po_number,
            status=row.status,
            customer=_customer(row.state),
            order_numbers=tuple(str(n) for n in row.state.get("order_numbers") or ()),
            eta=_eta(row.state),
            updated_at=row.updated_at,
            checked_at=row.checked_at,
            attention=self.attention_reasons(row),
        )

    def orders(
        self,
        *,
        search: str = "",
        status: str | None = None,
        attention: bool = False,
        sort: str = "updated",
        descending: bool = True,
        page: int = 1,
        per_page: int = PER_PAGE,
    ) -> OrderList:
        """A page of orders; ``ValueError`` (in words) for an unknown status or sort."""
        parsed = parse_status(status)
        if sort not in SORTS:
            raise ValueError(f"{sort!r} is not a sort order; use one of {', '.join(SORTS)}")
        size = max(1, min(per_page, MAX_PER_PAGE))
        query = OrderQuery(
            search=search.strip()[:255],
            status=None if parsed is None else parsed.value,
            attention=attention,
            sort=sort,
            descending=descending,
            page=max(1, page),
            per_page=size,
            **_rule_fields(self._rules()),
        )
        found = self._reads.order_page(self.tenant, query)
        return OrderList(
            items=tuple(self._item(r) for r in found.rows),
            total=found.total,
            page=query.page,
            per_page=size,
            search=query.search,
            status=query.status,
            attention=attention,
            sort=sort,
            descending=descending,
        )

    def order(self, po_number: str, writes_page: int = 1) -> OrderDetail | None:
        """One order with its timeline, writes, notifications and the runs that touched it."""
        row = self._reads.order(self.tenant, po_number)
        if row is None:
            return None
        page = max(1, writes_page)
        try:
            state: OrderState | None = OrderState.from_json(dict(row.state))
        except (KeyError, ValueError, TypeError):
            state = None  # shown from the raw row; the page says the state is unreadable
        return OrderDetail(
            row=row,
            state=state,
            history=tuple(self._reads.order_history(self.tenant, po_number)),
            touches=tuple(self._reads.order_touches(self.tenant, po_number, 50)),
            attention=self.attention_reasons(row),
            writes=tuple(
                self._reads.order_writes(
                    self.tenant, po_number, WRITES_PER_PAGE, (page - 1) * WRITES_PER_PAGE
                )
            ),
            writes_total=self._reads.order_write_count(self.tenant, po_number),
            writes_page=page,
            notifications=tuple(self._reads.order_notifications(self.tenant, po_number)),
            next_check=None
            if self._next_checks is None
            else self._next_checks.of(state, row.checked_at),
        )

    def runs(self, page: int = 1, per_page: int = RUNS_PER_PAGE) -> RunList:
        """A page of the activity log, newest first."""
        size = max(1, min(per_page, MAX_PER_PAGE))
        page = max(1, page)
        runs = self._reads.runs(self.tenant, size, (page - 1) * size)
        return RunList(tuple(runs), self._reads.run_count(self.tenant), page, size)

    def run(self, run_id: int) -> tuple[RunRow, list[OrderReport]] | None:
        """One run with every order it touched (failures first)."""
        return self._reads.run(self.tenant, run_id)

    def overview(self, runtime: RuntimeValues) -> Overview:
        """Everything the overview page shows."""
        now = self._clock()
        latest = self._reads.runs(self.tenant, 1)
        last = latest[0] if latest else None
        hour = now.replace(minute=0, second=0, microsecond=0)
        recent = self._reads.runs_since(self.tenant, now - timedelta(hours=24))
        due = None
        if runtime.enabled:
            due = next_run(
                runtime.frequency,
                now=now,
                last_started=None if last is None else last.started_at,
                last_finished=None if last is None else last.finished_at,
            )
        flagged = self.orders(attention=True, per_page=10)
        return Overview(
            runtime=runtime,
            last_run=last,
            next_run=due,
            by_status=self._reads.count_by_status(self.tenant),
            attention=flagged.total,
            attention_orders=flagged.items,
            autotask_requests_this_hour=sum(
                r.requests.get("autotask", 0) for r in recent if r.started_at >= hour
            ),
            notifications=self._reads.notification_outcomes(self.tenant),
            changes_by_day=self._reads.status_changes_by_day(
                self.tenant,
                (now - timedelta(days=13)).replace(hour=0, minute=0, second=0, microsecond=0),
                14,
            ),
            runs_by_hour=_runs_by_hour(recent, now),
            generated_at=now,
            field_quirks=tuple(self._reads.field_quirks(self.tenant)),
        )

    def metrics_inputs(self) -> tuple[dict[str, int], dict[str, int], list[RunRow], dict[str, int]]:
        """Orders by status, request totals, the last day's runs and notification outcomes."""
        now = self._clock()
        return (
            self._reads.count_by_status(self.tenant),
            self._reads.request_totals(self.tenant),
            self._reads.runs_since(self.tenant, now - timedelta(days=1)),
            self._reads.notification_outcomes(self.tenant),
        )

    def run_outcomes(self) -> dict[str, int]:
        """Runs per outcome over the activity log's newest 10,000 runs."""
        counts: dict[str, int] = {}
        for run in self._reads.runs(self.tenant, 10_000):
            counts[run.outcome] = counts.get(run.outcome, 0) + 1
        return counts

    def ping(self) -> None:
        """Raise when the store cannot be read (for ``/healthz``)."""
        self._reads.ping()


def _rule_fields(rules: OrderQuery) -> dict[str, Any]:
    return {
        "attention_statuses": rules.attention_statuses,
        "finished_statuses": rules.finished_statuses,
        "late_before": rules.late_before,
        "stuck_before": rules.stuck_before,
        "backordered_status": rules.backordered_status,
        "backordered_before": rules.backordered_before,
    }


def _runs_by_hour(runs: Sequence[RunRow], now: datetime) -> list[tuple[datetime, int, int]]:
    top = now.replace(minute=0, second=0, microsecond=0)
    hours = [top - timedelta(hours=h) for h in range(23, -1, -1)]
    counts = {h: [0, 0] for h in hours}
    for run in runs:
        slot = run.started_at.replace(minute=0, second=0, microsecond=0)
        if slot in counts:
            counts[slot][0] += 1
            counts[slot][1] += 1 if run.failed or run.outcome in {"failed", "refused"} else 0
    return [(h, counts[h][0], counts[h][1]) for h in hours]
