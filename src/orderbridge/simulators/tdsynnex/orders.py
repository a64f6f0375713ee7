"""Order records and their lifecycle: facts accumulate as an order walks its path."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from orderbridge.simulators.scenario import ScenarioOrder, TdState

from .codes import Variant
from .numbering import rejected_order_number, sales_order_number

__all__ = ["OrderBook", "OrderRecord", "replay_times"]


@dataclass(slots=True, eq=False)
class OrderRecord:
    """One simulated TD SYNNEX order: its scenario spec, path, position and fact times."""

    order: ScenarioOrder
    customer_number: str
    path: tuple[TdState, ...]
    step: int
    times: list[datetime | None]
    variants: frozenset[str]
    received: datetime
    # (render key, header text, Items text), dropped whenever the order changes.
    cache: tuple[object, str, str] | None = None

    @property
    def po_number(self) -> str:
        """The reseller PO number (the lookup key)."""
        return self.order.po_number

    @property
    def state(self) -> TdState:
        """The state the order is in now."""
        return self.path[self.step]

    def reached(self, state: TdState) -> datetime | None:
        """When the order first reached ``state``, or None if it has not."""
        for index in range(self.step + 1):
            if self.path[index] is state:
                return self.times[index]
        return None

    def has(self, variant: Variant) -> bool:
        """Whether the scenario asked for this payload variant."""
        return variant.value in self.variants

    def order_numbers(self) -> list[str]:
        """Every TD SYNNEX order number this PO maps to."""
        if self.state is TdState.REJECTED:
            return [rejected_order_number(self.po_number)]
        split = self.order.split_line is not None
        return [sales_order_number(self.po_number, i) for i in range(2 if split else 1)]

    def move_to(self, index: int, now: datetime) -> None:
        """Move forward to path position ``index``, stamping every step passed with ``now``."""
        for passed in range(self.step + 1, index + 1):
            self.times[passed] = now
        self.step = index
        self.cache = None

    def summary(self) -> dict[str, object]:
        """The record as admin-API JSON."""
        return {
            "po_number": self.po_number,
            "customer_number": self.customer_number,
            "state": self.state.value,
            "step": self.step,
            "path": [s.value for s in self.path],
            "order_numbers": self.order_numbers(),
            "variants": sorted(self.variants),
            "received": self.received.isoformat(),
            "facts": {
                self.path[i].value: t.isoformat()
                for i, t in enumerate(self.times[: self.step + 1])
                if t is not None
            },
        }


def replay_times(
    order: ScenarioOrder, step: int, now: datetime
) -> tuple[datetime, list[datetime | None]]:
    """When the PO was received, and times for its path up to ``step``, spread over the past.

    The PO arrives ``submitted_days_ago`` days back and the current step lands half an hour
    ago, so estimated dates of open orders still lie ahead. A pinned clock gives fixed dates.
    """
    now = now.replace(microsecond=0)
    span = max(timedelta(days=order.autotask.submitted_days_ago), timedelta(hours=step + 1))
    received = now - span
    end = now - timedelta(minutes=30)
    times: list[datetime | None] = [None] * len(order.lifecycle())
    for index in range(step + 1):
        at = end if step == 0 else received + (end - received) * index / step
        times[index] = at.replace(microsecond=0)
    return received, times


class OrderBook:
    """Every simulated order, by PO number, with an index by TD SYNNEX order number."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, OrderRecord] = {}
        self._by_order_number: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[OrderRecord]:
        return iter(list(self._orders.values()))

    def get(self, po_number: str) -> OrderRecord | None:
        """The record for ``po_number``, if any."""
        return self._orders.get(po_number)

    def require(self, po_number: str) -> OrderRecord:
        """The record for ``po_number``; ``KeyError`` naming the PO when unknown."""
        record = self._orders.get(po_number)
        if record is None:
            raise KeyError(f"no simulated order with PO number {po_number!r}")
        return record

    def po_for_order_number(self, order_number: str) -> str | None:
        """The PO a TD SYNNEX order number belongs to."""
        return self._by_order_number.get(order_number)

    def clear(self) -> None:
        """Forget every order."""
        with self._lock:
            self._orders.clear()
            self._by_order_number.clear()

    def add(self, order: ScenarioOrder, customer_number: str, now: datetime) -> OrderRecord:
        """Create the record for ``order`` in its scenario state, replaying its path."""
        path = tuple(order.lifecycle())
        step = path.index(order.state)
        received, times = replay_times(order, step, now)
        record = OrderRecord(
            order=order,
            customer_number=customer_number,
            path=path,
            step=step,
            times=times,
            variants=frozenset(order.variants),
            received=received,
        )
        with self._lock:
            old = self._orders.get(order.po_number)
            if old is not None:
                self._unindex(old)
            self._orders[order.po_number] = record
            if order.state is not TdState.NOT_FOUND:
                for number in record.order_numbers():
                    self._by_order_number[number] = order.po_number
        return record

    def _unindex(self, record: OrderRecord) -> None:
        for number in record.order_numbers():
            if self._by_order_number.get(number) == record.po_number:
                del self._by_order_number[number]

    def advance(self, po_number: str, to: TdState | None, now: datetime) -> TdState:
        """Move one step along the path, or jump forward to ``to``; the last step stays put."""
        with self._lock:
            record = self.require(po_number)
            if to is None:
                target = min(record.step + 1, len(record.path) - 1)
            elif to is record.state:
                target = record.step
            else:
                later = record.path[record.step + 1 :]
                if to not in later:
                    raise ValueError(
                        f"{to.value!r} is not ahead of {record.state.value!r} on the path of "
                        f"{po_number} ({' > '.join(s.value for s in record.path)})"
                    )
                target = record.step + 1 + later.index(to)
            if target != record.step:
                self._unindex(record)
                record.move_to(target, now)
                if record.state is not TdState.NOT_FOUND:
                    for number in record.order_numbers():
                        self._by_order_number[number] = po_number
            return record.state

    def advance_all(self, now: datetime) -> int:
        """Every order one step; returns how many moved."""
        moved = 0
        for record in self:
            before = record.step
            self.advance(record.po_number, None, now)
            moved += record.step != before
        return moved
