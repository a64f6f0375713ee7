"""The dashboard's read models over a real SQLite store: search, filters, sort, pages, detail."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from orderbridge.adapters.store import SqlStore, _migrate
from orderbridge.application.queries import DashboardQueries
from orderbridge.application.runtime import RuntimeValues
from orderbridge.domain.lifecycle import OrderStatus
from orderbridge.domain.schedule import Frequency
from orderbridge.domain.scope import StatusScope

from .seed import NOW, order_state, save


def _pos(
    queries: DashboardQueries, search: str = "", status: str | None = None, sort: str = "updated"
) -> list[str]:
    return [i.po_number for i in queries.orders(search=search, status=status, sort=sort).items]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("1Z999AA10123456784", ["PO-1001"]),  # tracking number
        ("1z999aa1", ["PO-1001"]),  # any case, a prefix
        ("SO-77", ["PO-1002"]),  # TD SYNNEX order number
        ("x1c", ["PO-1001"]),  # manufacturer part number
        ("sku-x1c", ["PO-1001"]),  # TD SYNNEX SKU
        ("PO-1005", ["PO-1005"]),  # PO number
        ("nothing-like-this", []),
    ],
)
def test_search_finds_orders_by_each_number(
    queries: DashboardQueries, search: str, expected: list[str]
) -> None:
    assert _pos(queries, search=search) == expected


def test_status_filter_accepts_any_case_and_rejects_unknown_words(
    queries: DashboardQueries,
) -> None:
    assert _pos(queries, status="on hold") == ["PO-1002"]
    with pytest.raises(ValueError, match="is not an order status"):
        queries.orders(status="lost in space")


def test_needs_attention_means_flagged_status_late_or_stuck(queries: DashboardQueries) -> None:
    listing = queries.orders(attention=True, sort="po", descending=False)
    reasons = {item.po_number: item.attention for item in listing.items}
    assert set(reasons) == {"PO-1002", "PO-1003", "PO-1004"}
    assert reasons["PO-1002"] == ("on hold",)
    assert reasons["PO-1003"][0].startswith("late: expected")
    assert reasons["PO-1004"] == ("no change for 30 days",)


def test_backordered_orders_need_attention_only_after_a_week(
    any_store: SqlStore, queries: DashboardQueries
) -> None:
    save(any_store, order_state("PO-2001", OrderStatus.BACKORDERED))
    save(
        any_store,
        order_state("PO-2002", OrderStatus.BACKORDERED),
        checked_at=NOW - timedelta(days=8),
    )
    listing = queries.orders(attention=True, search="PO-200")
    assert [(i.po_number, i.attention) for i in listing.items] == [
        ("PO-2002", ("backordered for 8 days",))
    ]


def test_sort_and_pages(queries: DashboardQueries) -> None:
    first = queries.orders(sort="po", descending=False, per_page=4, page=1)
    second = queries.orders(sort="po", descending=False, per_page=4, page=2)
    assert (first.total, first.pages) == (6, 2)
    assert [i.po_number for i in first.items + second.items] == [f"PO-100{n}" for n in range(1, 7)]
    assert _pos(queries, sort="updated")[-1] == "PO-1004"  # changed longest ago comes last


def test_a_saved_order_replaces_its_search_terms(
    any_store: SqlStore, queries: DashboardQueries
) -> None:
    save(any_store, order_state("PO-1001", OrderStatus.DELIVERED, tracking="NEWTRACK"))
    assert _pos(queries, search="1Z999") == []
    assert _pos(queries, search="newtrack") == ["PO-1001"]


def test_order_detail_has_the_timeline_and_the_parsed_state(queries: DashboardQueries) -> None:
    detail = queries.order("PO-1001")
    assert detail is not None
    assert detail.state is not None
    assert [e.to_status for e in detail.history] == ["Received", "Shipped"]
    assert detail.state.shipments[0].tracking_number == "1Z999AA10123456784"
    assert queries.order("PO-404") is None


def test_overview_counts(queries: DashboardQueries) -> None:
    values = RuntimeValues(True, Frequency.parse("hourly"), StatusScope.parse("active"))
    overview = queries.overview(values)
    assert overview.by_status == {"Shipped": 2, "On hold": 1, "Processing": 2, "Delivered": 1}
    assert overview.attention == 3
    assert overview.next_run is not None
    assert overview.next_run >= NOW
    assert sum(n for _, _, n in overview.changes_by_day) == 3
    assert len(overview.runs_by_hour) == 24


def test_the_migration_fills_search_terms_for_orders_stored_before_it(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        _migrate.upgrade(store.engine, "0001")
        state = order_state("PO-OLD", OrderStatus.SHIPPED, tracking="OLDTRACK1")
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO order_state (tenant, po_number, status, state, fingerprint,"
                    " version, first_seen_at, updated_at, checked_at, archived)"
                    " VALUES ('default', 'PO-OLD', 'Shipped', :state, 'f', 1, :at, :at, :at, 0)"
                ),
                {"state": json.dumps(state.to_json()), "at": "2026-12-01 00:00:00"},
            )
        store.migrate()
        queries = DashboardQueries(store.dashboard_reads(), clock=lambda: NOW)
        assert _pos(queries, search="oldtrack") == ["PO-OLD"]
    finally:
        store.close()


@pytest.mark.postgres
def test_search_terms_compare_bytewise_whatever_the_database_locale(postgres_url: str) -> None:
    with SqlStore.open(postgres_url) as store, store.engine.connect() as connection:
        collation = connection.execute(
            text(
                "SELECT collation_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = 'order_lookup' AND column_name = 'term'"
            )
        ).scalar()
    assert collation == "C"
