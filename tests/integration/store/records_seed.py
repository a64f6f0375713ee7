"""Seed data for the records tests: orders with real domain state, history, runs, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from orderbridge.adapters.store import DEFAULT_TENANT, RecordsStore, SqlStore
from orderbridge.domain.history import (
    HistoryEntry,
    HistorySource,
    OrderOutcome,
    OrderReport,
    RunOutcome,
    RunReport,
)
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus, Shipment
from orderbridge.domain.models import Invoice
from orderbridge.domain.records import AuditEntry, AuditKind

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def order_state(po: str, status: OrderStatus, *, at: datetime = T0) -> OrderState:
    """A realistic state: one line shipped by UPS, one invoice with freight."""
    shipment = Shipment(
        carrier="UPS",
        tracking_number=f"1Z{po}",
        ship_date=at + timedelta(days=2),
        warehouse="Fremont",
        order_number=f"SO-{po}",
    )
    line = LineState(
        key="1",
        status=status,
        mfg_part_number="=cmd|' /C calc'!A0",
        quantity_ordered=2,
        quantity_shipped=2,
        shipments=(shipment,),
    )
    invoice = Invoice(
        number=f"INV-{po}",
        invoice_date=date(2026, 3, 5),
        total=Decimal("1234.50"),
        freight=Decimal("12.25"),
    )
    return OrderState(
        po_number=po,
        status=status,
        first_seen=at,
        shipped_at=at + timedelta(days=2),
        delivered_on=date(2026, 3, 6),
        order_numbers=(f"SO-{po}",),
        lines=(line,),
        invoices=(invoice,),
        expected_delivery=date(2026, 3, 5),
    )


def save(
    store: SqlStore,
    po: str,
    status: OrderStatus,
    *,
    at: datetime = T0,
    summary: str = "Processing -> Shipped",
) -> None:
    """Save an order with one history entry, as the sync loop would."""
    state = order_state(po, status, at=at)
    entry = HistoryEntry(
        po_number=po,
        at=at,
        from_status="Processing",
        to_status=str(status),
        source=HistorySource.TDSYNNEX,
        summary=summary,
        key=f"{po}:status:0:None->{status}",
    )
    store.save_order(
        DEFAULT_TENANT,
        po,
        po_id=abs(hash(po)) % 100_000,
        status=str(status),
        state=state.to_json(),
        fingerprint=state.fingerprint(),
        history=[entry],
        checked_at=at,
    )


def add_history(store: SqlStore, po: str, entries: list[HistoryEntry], at: datetime) -> None:
    """Save more history for a stored order, its state as it was."""
    stored = store.load_state(DEFAULT_TENANT, po)
    assert stored is not None
    store.save_order(
        DEFAULT_TENANT,
        po,
        po_id=stored.po_id,
        status=stored.status,
        state=stored.state,
        fingerprint=stored.fingerprint,
        history=entries,
        checked_at=at,
    )


def run(store: SqlStore, at: datetime, po: str = "PO-1") -> int:
    """One finished run with one per-order line."""
    run_id = store.start_run(DEFAULT_TENANT, at)
    report = RunReport(started_at=at, finished_at=at + timedelta(seconds=5), outcome=RunOutcome.OK)
    report.monitored = report.checked = report.updated = 1
    report.requests = {"autotask": 3, "tdsynnex": 1}
    store.record_order_reports(run_id, [OrderReport(po, OrderOutcome.UPDATED)], at)
    store.finish_run(run_id, report)
    return run_id


def audit(records: RecordsStore, at: datetime, po: str = "PO-1", run_id: int | None = 1) -> None:
    """One Autotask write in the audit trail."""
    records.record_audit(
        DEFAULT_TENANT,
        [
            AuditEntry(
                at=at,
                kind=AuditKind.AUTOTASK_WRITE,
                field="shipping_date",
                before=None,
                after="2026-03-03T00:00:00+00:00",
                po_number=po,
                po_id=42,
                run_id=run_id,
                stuck=True,
            )
        ],
    )
