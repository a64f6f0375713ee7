"""10,000 POs load, touch and summarise in a handful of queries (chunked IN lists)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.adapters.store._tables import OrderStateRow, StatusHistoryRow

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
COUNT = 10_000
# 10,000 / 900 per IN list = 12 data statements, plus BEGIN on SQLite.
MAX_STATEMENTS = 14


def _po(index: int) -> str:
    return f"PO-{index:05d}"


def _seed(store: SqlStore) -> None:
    """Insert 10,000 orders with two history rows each, in bulk (setup only)."""
    orders: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for index in range(COUNT):
        po = _po(index)
        orders.append(
            {
                "tenant": DEFAULT_TENANT,
                "po_number": po,
                "po_id": index,
                "status": "Processing",
                "state": {"i": index},
                "fingerprint": f"fp{index}",
                "version": 1,
                "first_seen_at": T0,
                "updated_at": T0,
                "checked_at": T0,
                "archived": False,
            }
        )
        for step in range(2):
            history.append(
                {
                    "tenant": DEFAULT_TENANT,
                    "po_number": po,
                    "at": T0 + timedelta(minutes=step),
                    "from_status": None,
                    "to_status": f"S{step}",
                    "source": "tdsynnex",
                    "summary": "seed",
                    "key": f"k{step}",
                    "recorded_at": T0,
                }
            )
    with store.engine.begin() as connection:
        connection.execute(insert(OrderStateRow), orders)
        connection.execute(insert(StatusHistoryRow), history)


@contextmanager
def _counting(store: SqlStore) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_ten_thousand_orders_in_a_handful_of_queries(store: SqlStore) -> None:
    _seed(store)
    wanted = [_po(index) for index in range(COUNT)]

    with _counting(store) as statements:
        states = store.load_states(DEFAULT_TENANT, wanted)
    assert len(states) == COUNT
    assert states[_po(4321)].state == {"i": 4321}
    assert len(statements) <= MAX_STATEMENTS

    later = T0 + timedelta(hours=1)
    with _counting(store) as statements:
        store.touch_checked(DEFAULT_TENANT, wanted, later)
    assert len(statements) <= MAX_STATEMENTS

    with _counting(store) as statements:
        recent = store.recent_history(DEFAULT_TENANT, wanted, per_order=1)
    assert len(recent) == COUNT
    assert [entry.key for entry in recent[_po(9999)]] == ["k1"]
    assert len(statements) <= MAX_STATEMENTS

    checked = {order.checked_at for order in store.load_states(DEFAULT_TENANT, wanted).values()}
    assert checked == {later}
