"""Records benchmark: export, delivery report and archive over a large SQLite store.

Run ``uv run python bench/records.py`` (100,000 orders with 1,000,000 history rows) or
``--quick`` (a small store, for the smoke test). The store is seeded once; each measurement runs
in a fresh child process so its peak RSS is its own:

- export of every history row as CSV (target: constant memory, under 150 MB RSS);
- the delivery-performance report over every order and history row (target: under 5 s), read
  from the per-order facts the store keeps (filled after seeding as their migration fills them);
- the archive pass over 100,000 finished orders, and the dashboard's active listing before and
  after it.

Timings depend on the machine and are printed, never asserted. The last line is
``RESULT {json}`` for tools.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from _common import peak_rss_kb, print_table, run_child
from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.adapters.store._records_report import fill_facts
from orderbridge.adapters.store._tables import OrderStateRow, StatusHistoryRow
from orderbridge.application.delivery_report import build_delivery_report, render_text
from orderbridge.application.records import ExportFormat, archive_now, export
from orderbridge.domain.delivery import Dimension
from orderbridge.domain.records import ExportKind, RetentionPolicy
from orderbridge.ports import OrderQuery

T0 = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
HISTORY_PER_ORDER = 10
TARGET_REPORT_S = 5.0
TARGET_EXPORT_MB = 150
BATCH = 5_000
WAREHOUSES = ("Fremont", "Chino", "Tracy", "Southaven", "Swedesboro")
CARRIERS = ("UPS", "FedEx", "Estes")


def _state(index: int) -> dict[str, Any]:
    """A finished order's stored state: two lines, a shipment each, one invoice."""
    seen = T0 + timedelta(minutes=index)
    po = f"PO-{index:07d}"
    lines = [
        {
            "key": str(n),
            "status": "Delivered",
            "mfg_part_number": f"PART-{(index + n) % 500}",
            "quantity_ordered": 2,
            "quantity_shipped": 2,
            "eta": (seen + timedelta(days=5)).date().isoformat(),
            "shipments": [
                {
                    "carrier": CARRIERS[(index + n) % len(CARRIERS)],
                    "tracking_number": f"1Z{index:08d}{n}",
                    "warehouse": WAREHOUSES[index % len(WAREHOUSES)],
                    "ship_date": (seen + timedelta(days=3)).isoformat(),
                }
            ],
        }
        for n in (1, 2)
    ]
    return {
        "po_number": po,
        "status": "Closed",
        "first_seen": seen.isoformat(),
        "shipped_at": (seen + timedelta(days=3)).isoformat(),
        "delivered_on": (seen + timedelta(days=5 + index % 4)).date().isoformat(),
        "invoiced_at": (seen + timedelta(days=6)).isoformat(),
        "expected_delivery": (seen + timedelta(days=6)).date().isoformat(),
        "order_numbers": [f"SO{index}"],
        "lines": lines,
        "invoices": [
            {
                "number": f"INV{index}",
                "invoice_date": (seen + timedelta(days=6)).date().isoformat(),
                "total": "1234.56",
                "freight": "12.34",
            }
        ],
        "ship_to": {"name": f"Customer {index % 200}"},
    }


def _history(index: int) -> list[dict[str, Any]]:
    """Ten history rows: status steps, two ETA changes, tracking, delivery, invoice."""
    seen = T0 + timedelta(minutes=index)
    po = f"PO-{index:07d}"
    steps = [
        ("Submitted", f"{po}:status:0:None->Submitted"),
        ("Received", f"{po}:status:1:Submitted->Received"),
        ("Processing", f"{po}:status:2:Received->Processing"),
        ("Backordered", f"{po}:eta:1:{(seen + timedelta(days=4)).date()}"),
        ("Backordered", f"{po}:eta:1:{(seen + timedelta(days=5 + index % 3)).date()}"),
        ("Shipped", f"{po}:status:3:Processing->Shipped"),
        ("Shipped", f"{po}:tracking:1Z{index:08d}1"),
        ("Delivered", f"{po}:delivered:{(seen + timedelta(days=6)).date()}"),
        ("Invoiced", f"{po}:invoice:INV{index}"),
        ("Closed", f"{po}:status:4:Invoiced->Closed"),
    ]
    return [
        {
            "tenant": DEFAULT_TENANT,
            "po_number": po,
            "at": seen + timedelta(hours=12 * step),
            "from_status": None,
            "to_status": status,
            "source": "tdsynnex",
            "summary": f"=step {step} of {po}",  # exercises the formula neutraliser
            "key": key,
            "recorded_at": seen + timedelta(hours=12 * step),
        }
        for step, (status, key) in enumerate(steps[:HISTORY_PER_ORDER])
    ]


def seed(path: Path, orders: int) -> tuple[float, float]:
    """Bulk-insert the orders and their history, then fill their facts as their migration does.

    Returns the seconds each part took.
    """
    started = time.perf_counter()
    with SqlStore.open(f"sqlite:///{path}") as store, store.engine.begin() as connection:
        for start in range(0, orders, BATCH):
            span = range(start, min(start + BATCH, orders))
            connection.execute(
                insert(OrderStateRow),
                [
                    {
                        "tenant": DEFAULT_TENANT,
                        "po_number": f"PO-{i:07d}",
                        "po_id": i,
                        "status": "Closed",
                        "state": _state(i),
                        "fingerprint": f"fp{i}",
                        "version": 1,
                        "first_seen_at": T0 + timedelta(minutes=i),
                        "updated_at": T0 + timedelta(minutes=i),
                        "checked_at": T0 + timedelta(minutes=i),
                        "archived": False,
                    }
                    for i in span
                ],
            )
            connection.execute(insert(StatusHistoryRow), [r for i in span for r in _history(i)])
    seeded = time.perf_counter()
    with SqlStore(f"sqlite:///{path}") as store, store.engine.begin() as connection:
        fill_facts(connection)
    return seeded - started, time.perf_counter() - seeded


def measure(task: str, path: Path) -> dict[str, Any]:
    """Child side: run one task on the seeded store, report seconds, rows and peak RSS.

    Around the archive pass, the dashboard's active listing is timed too: archived orders must
    cost it nothing.
    """
    with SqlStore(f"sqlite:///{path}") as store:
        records = RecordsStore(store)
        extra: dict[str, float] = {}
        if task == "archive":
            extra["active_listing_ms_before"] = _active_listing_ms(store)
        started = time.perf_counter()
        if task == "export":
            with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
                rows = export(records, ExportKind.HISTORY, ExportFormat.CSV, sink, bom=True)
        elif task == "report":
            report = build_delivery_report(records, Dimension.WAREHOUSE)
            render_text(report, io.StringIO(), "bench")
            rows = report.total().orders
        else:
            now = T0 + timedelta(days=3650)
            rows = len(archive_now(records, RetentionPolicy(), now).archived)
        seconds = time.perf_counter() - started
        if task == "archive":
            extra["active_listing_ms_after"] = _active_listing_ms(store)
    return {
        "task": task,
        "seconds": round(seconds, 3),
        "rows": rows,
        "peak_rss_kb": peak_rss_kb(),
        **extra,
    }


def _active_listing_ms(store: SqlStore) -> float:
    """The dashboard's first page of active orders and their count (best of three)."""
    reads = store.dashboard_reads()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        reads.order_page(DEFAULT_TENANT, OrderQuery())
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000, 1)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Records benchmark (export, report, archive).")
    parser.add_argument("--quick", action="store_true", help="a small store, for a smoke test")
    parser.add_argument("--orders", type=int, default=100_000, help="orders to seed")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "DB"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> None:
    """Seed, measure each task in a fresh process, print the table and the RESULT line."""
    args = parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))), flush=True)
        return
    orders = 2_000 if args.quick else args.orders
    with tempfile.TemporaryDirectory(prefix="orderbridge-bench-") as folder:
        path = Path(folder) / "records.db"
        seeded_s, filled_s = seed(path, orders)
        results = {
            task: json.loads(run_child(__file__, "--child", task, str(path)))
            for task in ("export", "report", "archive")
        }
        size_mb = path.stat().st_size / 1_048_576
    print(
        f"Store: {orders:,} orders, {orders * HISTORY_PER_ORDER:,} history rows "
        f"(SQLite, {size_mb:,.0f} MB, seeded in {seeded_s:.1f} s; "
        f"per-order facts filled as their migration does in {filled_s:.1f} s)\n"
    )
    labels = {
        "export": f"Export history as CSV (target < {TARGET_EXPORT_MB} MB RSS)",
        "report": f"Delivery report by warehouse (target < {TARGET_REPORT_S:g} s)",
        "archive": "Archive pass over finished orders",
    }
    rows = [
        [
            labels[task],
            f"{r['rows']:,}",
            f"{r['seconds']:.2f} s",
            f"{r['peak_rss_kb'] / 1024:.0f} MB",
        ]
        for task, r in results.items()
    ]
    print_table(["Task", "Rows", "Time", "Peak RSS"], rows)
    archive = results["archive"]
    print(
        f"\nDashboard's active listing (first page and count): "
        f"{archive['active_listing_ms_before']:.1f} ms with every order active, "
        f"{archive['active_listing_ms_after']:.1f} ms once all are archived\n"
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "orders": orders,
                "history_rows": orders * HISTORY_PER_ORDER,
                "facts_fill_seconds": round(filled_s, 3),
                **results,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
