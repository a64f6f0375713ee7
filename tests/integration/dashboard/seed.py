"""Orders with realistic states for the dashboard tests, saved through the real store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from orderbridge.adapters.store import DEFAULT_TENANT, SqlStore
from orderbridge.domain.history import HistoryEntry, HistorySource
from orderbridge.domain.lifecycle import LineState, OrderState, OrderStatus, Shipment
from orderbridge.domain.models import Address

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)>"


def order_state(
    po_number: str,
    status: OrderStatus,
    *,
    tracking: str | None = None,
    order_number: str = "SO-1",
    part: str = "PART-1",
    description: str = "Laptop 14in",
    ship_method: str = "FedEx Ground",
    eta: date | None = None,
    customer: str = "Contoso Ltd",
) -> OrderState:
    """One order with one line (shipped when a tracking number is given)."""
    shipments: tuple[Shipment, ...] = ()
    if tracking is not None:
        shipments = (
            Shipment(
                carrier="FedEx",
                service=ship_method,
                tracking_number=tracking,
                tracking_url=f"https://www.fedex.com/fedextrack/?trknbr={tracking}",
                ship_date=NOW - timedelta(days=1),
                quantity=2,
                order_number=order_number,
                serials=("SN-A", "SN-B"),
            ),
        )
    line = LineState(
        key="1",
        status=status,
        position=1,
        line_number="1",
        mfg_part_number=part,
        sku=f"SKU-{part}",
        description=description,
        quantity_ordered=3,
        quantity_shipped=2 if tracking else 0,
        quantity_backordered=1 if status is OrderStatus.BACKORDERED else 0,
        eta=eta,
        shipments=shipments,
        order_numbers=(order_number,),
    )
    return OrderState(
        po_number=po_number,
        status=status,
        first_seen=NOW - timedelta(days=5),
        order_numbers=(order_number,),
        lines=(line,),
        expected_delivery=eta,
        ship_to=Address(name=customer, city="Seattle"),
    )


def save(
    store: SqlStore,
    state: OrderState,
    *,
    checked_at: datetime = NOW,
    history: tuple[tuple[str | None, str, str], ...] = (),
) -> None:
    """Save an order the way a sync run does, with history entries (from, to, summary)."""
    entries = [
        HistoryEntry(
            po_number=state.po_number,
            at=checked_at - timedelta(hours=len(history) - i),
            from_status=before,
            to_status=after,
            source=HistorySource.TDSYNNEX,
            summary=summary,
            key=f"{state.po_number}:{i}",
        )
        for i, (before, after, summary) in enumerate(history)
    ]
    store.save_order(
        DEFAULT_TENANT,
        state.po_number,
        po_id=abs(hash(state.po_number)) % 100_000,
        status=state.status.value,
        state=state.to_json(),
        fingerprint=state.fingerprint(),
        history=entries,
        checked_at=checked_at,
    )


def seed_orders(store: SqlStore) -> None:
    """A small, varied set of orders: shipped, on hold, late, stuck, hostile text."""
    save(
        store,
        order_state("PO-1001", OrderStatus.SHIPPED, tracking="1Z999AA10123456784", part="X1C"),
        history=((None, "Received", "accepted"), ("Received", "Shipped", "shipped by FedEx")),
    )
    save(store, order_state("PO-1002", OrderStatus.ON_HOLD, order_number="SO-77"))
    save(
        store,
        order_state("PO-1003", OrderStatus.PROCESSING, eta=NOW.date() - timedelta(days=3)),
    )
    save(
        store,
        order_state("PO-1004", OrderStatus.PROCESSING),
        checked_at=NOW - timedelta(days=30),
    )
    save(store, order_state("PO-1005", OrderStatus.DELIVERED, tracking="777123"))
    save(
        store,
        order_state(
            "PO-1006",
            OrderStatus.SHIPPED,
            tracking="HOSTILE1",
            description=HOSTILE,
            ship_method=HOSTILE,
            customer=HOSTILE,
        ),
        history=((None, "Shipped", HOSTILE),),
    )
