"""Dashboard speed at scale: 100,000 orders and 1,000,000 history rows in SQLite.

Run ``uv run python bench/dashboard.py`` (the full size; building the database takes a few
minutes) or ``--quick`` (2,000 orders, 20,000 history rows) for a smoke run. It fills a SQLite
store through the real schema, serves the real dashboard on a loopback port, signs in, and times
the orders page (first page, searches, a status filter, "needs attention", a deep page), an
order page, the JSON twin of the first page and, for information, the overview. The figure is
the server time each answer reports in its ``Server-Timing`` header (median and 95th percentile
over the repeats); the client's wall time over loopback is shown beside it. Last line:
``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Connection, insert, select

from _common import print_table
from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.adapters.store._lookup import lookup_rows
from orderbridge.adapters.store._tables import (
    OrderEventRow,
    OrderLookupRow,
    OrderStateRow,
    StatusHistoryRow,
    SyncRunRow,
)
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus, Shipment
from orderbridge.domain.models import Address, Invoice
from orderbridge.settings import Settings
from orderbridge.web import DashboardServer, WebServices, create_app

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TARGET_MS = 200.0
# Measured and shown, but not one of the pages the 200 ms target is about.
INFORMATIONAL = "overview (no target)"
STATUSES = [s for s in OrderStatus if s is not OrderStatus.NEW]
PASSWORD = "bench password 1"  # noqa: S105 - a throwaway user in a throwaway database
BATCH = 5_000


def order_state(n: int, rng: random.Random) -> OrderState:
    """A realistic order: one to three lines, shipments with tracking, sometimes an invoice."""
    status = rng.choice(STATUSES)
    po = f"PO-{n:07d}"
    so = f"SO{40_000_000 + n}"
    lines = []
    for k in range(1, rng.randint(1, 3) + 1):
        shipped = status in {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.INVOICED}
        shipments = (
            (
                Shipment(
                    carrier="UPS",
                    service="UPS Ground",
                    tracking_number=f"1Z{n:09d}{k:02d}",
                    tracking_url=f"https://www.ups.com/track?tracknum=1Z{n:09d}{k:02d}",
                    ship_date=NOW - timedelta(days=rng.randint(1, 30)),
                    quantity=2,
                    order_number=so,
                    serials=(f"SN{n}{k}A", f"SN{n}{k}B"),
                ),
            )
            if shipped
            else ()
        )
        lines.append(
            LineState(
                key=str(k),
                status=status,
                position=k,
                line_number=str(k),
                mfg_part_number=f"MFG-{rng.randint(1, 5000):05d}",
                sku=f"{rng.randint(1_000_000, 9_999_999)}",
                description="Business laptop 14in, 16 GB, 512 GB SSD",
                quantity_ordered=2,
                quantity_shipped=2 if shipments else 0,
                eta=NOW.date() + timedelta(days=rng.randint(-10, 20)),
                shipments=shipments,
                order_numbers=(so,),
            )
        )
    invoices = (
        (Invoice(number=f"INV{n}", invoice_date=NOW.date(), order_number=so),)
        if status is OrderStatus.INVOICED
        else ()
    )
    return OrderState(
        po_number=po,
        status=status,
        first_seen=NOW - timedelta(days=rng.randint(1, 365)),
        order_numbers=(so,),
        lines=tuple(lines),
        invoices=invoices,
        expected_delivery=NOW.date() + timedelta(days=rng.randint(-10, 20)),
        ship_to=Address(name=f"Customer {n % 997}", city="Austin"),
    )


def _order_rows(
    n: int, rng: random.Random, history_per_order: int
) -> tuple[dict[str, Any], list[dict[str, str]], list[dict[str, Any]]]:
    """The order_state row of order ``n``, its search terms and its history rows."""
    state = order_state(n, rng)
    data = state.to_json()
    changed = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    row = {
        "tenant": DEFAULT_TENANT,
        "po_number": state.po_number,
        "po_id": 1_000_000 + n,
        "status": state.status.value,
        "state": data,
        "fingerprint": state.fingerprint(),
        "version": 1,
        "first_seen_at": state.first_seen,
        "updated_at": changed,
        "checked_at": NOW,
        "archived": False,
        "expected_delivery": state.expected_delivery,
    }
    history = [
        {
            "tenant": DEFAULT_TENANT,
            "po_number": state.po_number,
            "at": changed - timedelta(hours=h),
            "from_status": "Received",
            "to_status": rng.choice(STATUSES).value,
            "source": "tdsynnex",
            "summary": f"status change {h}",
            "key": f"{state.po_number}:{h}",
            "recorded_at": changed,
        }
        for h in range(history_per_order)
    ]
    return row, lookup_rows(DEFAULT_TENANT, state.po_number, data), history


def _fill_runs(connection: Connection, orders: int, runs: int, rng: random.Random) -> None:
    """Hourly runs, each reporting on 100 random orders."""
    for r in range(runs):
        at = NOW - timedelta(hours=runs - r)
        run_id = connection.scalar(
            insert(SyncRunRow)
            .values(
                tenant=DEFAULT_TENANT,
                started_at=at,
                finished_at=at + timedelta(seconds=30),
                outcome="ok",
                monitored=orders,
                checked=orders,
                updated=100,
                unchanged=orders - 100,
                failed=0,
                skipped=0,
                requests={"autotask": 120, "tdsynnex": orders},
            )
            .returning(SyncRunRow.id)
        )
        events = {
            po: {
                "run_id": run_id,
                "tenant": DEFAULT_TENANT,
                "po_number": po,
                "at": at,
                "outcome": "updated",
                "status": "Shipped",
                "changes": ["generalMemo", "shippingDate"],
                "warnings": [],
            }
            for po in (f"PO-{rng.randrange(orders):07d}" for _ in range(100))
        }
        connection.execute(insert(OrderEventRow), list(events.values()))


def fill(store: SqlStore, orders: int, history_per_order: int, runs: int) -> dict[str, float]:
    """Write orders, their search terms, history rows, runs and per-order events."""
    rng = random.Random(12)
    started = time.perf_counter()
    with store.engine.begin() as connection:
        for first in range(0, orders, BATCH):
            states: list[dict[str, Any]] = []
            terms: list[dict[str, str]] = []
            history: list[dict[str, Any]] = []
            for n in range(first, min(first + BATCH, orders)):
                row, order_terms, order_history = _order_rows(n, rng, history_per_order)
                states.append(row)
                terms.extend(order_terms)
                history.extend(order_history)
            connection.execute(insert(OrderStateRow), states)
            connection.execute(insert(OrderLookupRow), terms)
            connection.execute(insert(StatusHistoryRow), history)
        _fill_runs(connection, orders, runs, rng)
    fill_s = time.perf_counter() - started
    started = time.perf_counter()
    with store.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return {"fill_s": round(fill_s, 1), "analyze_s": round(time.perf_counter() - started, 1)}


def _sign_in(client: httpx2.Client) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form)
    assert token is not None
    data = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    if client.post("/login", data=data).status_code != 303:
        raise RuntimeError("could not sign in to the dashboard")


def measure(client: httpx2.Client, path: str, repeats: int) -> dict[str, Any]:
    """Median and p95 of the server time (and the client's wall time) for ``path``."""
    server, wall = [], []
    client.get(path)  # warm caches once
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {answer.status_code}")
        server.append(float(answer.headers["server-timing"].split("dur=")[1]))
    server.sort()
    return {
        "path": path,
        "server_median_ms": round(statistics.median(server), 1),
        "server_p95_ms": round(server[int(0.95 * (len(server) - 1))], 1),
        "wall_median_ms": round(statistics.median(wall), 1),
        "bytes": len(answer.content),
        "order_links": answer.text.count('href="/orders/PO-'),
    }


def run(
    database: Path, orders: int, history: int, repeats: int, *, quick: bool
) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Fill ``database`` (unless it is there already), serve it and time every page."""
    reuse = database.exists()
    with SqlStore.open(f"sqlite:///{database}") as store:
        timings = {"fill_s": 0.0, "analyze_s": 0.0}
        if not reuse:
            timings = fill(store, orders, history, runs=200 if quick else 2_000)
        services = WebServices.build(Settings(), store, clock=lambda: NOW)
        if store.accounts().user("bench") is None:
            services.accounts.add_user("bench", "viewer", PASSWORD)
        probe = order_state(orders // 2, random.Random(0))
        with store.engine.connect() as connection:
            tracking = connection.execute(
                select(OrderLookupRow.term)
                .where(OrderLookupRow.kind == "tracking")
                .order_by(OrderLookupRow.id)
                .limit(1)
                .offset(orders // 10)
            ).scalar_one()
        deep = max(1, orders // 100)
        paths = {
            "orders, first page": "/orders",
            "orders, search by tracking number": f"/orders?q={tracking}",
            "orders, search by PO prefix": "/orders?q=PO-00012",
            "orders, status filter": "/orders?status=On+hold",
            "orders, needs attention": "/orders?attention=1",
            f"orders, page {deep} by status": f"/orders?sort=status&page={deep}",
            "order page (10 history rows)": f"/orders/{probe.po_number}",
            "API: orders, first page": "/api/v1/orders",
            INFORMATIONAL: "/",
        }
        with (
            DashboardServer(create_app(services)) as server,
            httpx2.Client(base_url=server.url, timeout=60) as client,
        ):
            _sign_in(client)
            figures = {name: measure(client, path, repeats) for name, path in paths.items()}
    return figures, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 orders: a smoke run")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=10, help="history rows per order")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--database",
        type=Path,
        help="keep the filled SQLite file here and reuse it on the next run (it is large)",
    )
    args = parser.parse_args()
    orders = 2_000 if args.quick else args.orders
    repeats = 5 if args.quick else args.repeats
    with tempfile.TemporaryDirectory(prefix="ob-dashboard-") as where:
        database = args.database or Path(where) / "dashboard.db"
        figures, timings = run(database, orders, args.history, repeats, quick=args.quick)
        size_mb = database.stat().st_size / 1e6
    rows = [
        [
            name,
            f"{f['server_median_ms']:.1f}",
            f"{f['server_p95_ms']:.1f}",
            f"{f['wall_median_ms']:.1f}",
            "n/a" if name == INFORMATIONAL else "yes" if f["server_p95_ms"] < TARGET_MS else "NO",
        ]
        for name, f in figures.items()
    ]
    filled = f"filled in {timings['fill_s']} s" if timings["fill_s"] else "reused"
    print(
        f"{orders:,} orders, {orders * args.history:,} history rows; "
        f"database {size_mb:.0f} MB, {filled}"
    )
    print_table(["page", "server median ms", "server p95 ms", "wall median ms", "< 200 ms"], rows)
    result = {
        "orders": orders,
        "history_rows": orders * args.history,
        "database_mb": round(size_mb, 1),
        **timings,
        "pages": figures,
        "all_under_target": all(
            f["server_p95_ms"] < TARGET_MS for name, f in figures.items() if name != INFORMATIONAL
        ),
    }
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
