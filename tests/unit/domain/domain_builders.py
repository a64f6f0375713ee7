"""Builders and hypothesis strategies shared by the domain tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypedDict, Unpack

from hypothesis import strategies as st

from orderbridge.domain.carriers import CarrierCatalog
from orderbridge.domain.derive import derive_order_state
from orderbridge.domain.lifecycle import OrderState
from orderbridge.domain.models import (
    DistributorCode,
    DistributorLine,
    DistributorOrder,
    Invoice,
    Package,
    PurchaseOrder,
    PurchaseOrderItem,
)

NOW = datetime(2024, 5, 3, 8, 15, tzinfo=UTC)
CARRIERS = CarrierCatalog()


class LineDetails(TypedDict, total=False):
    """The optional fields of a ``DistributorLine``, for builders that take them as keywords."""

    sku: str | None
    mfg_part_number: str | None
    description: str | None
    cust_po_line: str | None
    order_number: str | None
    order_type: str | None
    unit_price: Decimal | None
    ship_date: datetime | None
    warehouse: str | None
    ship_method: str | None
    ship_method_description: str | None
    eta: date | None
    estimated_ship_date: date | None
    estimated_delivery_date: date | None
    reason: str | None
    packages: tuple[Package, ...]


def line(
    number: str | None = "1",
    code: DistributorCode = DistributorCode.ACCEPTED,
    ordered: int = 2,
    shipped: int = 0,
    **extra: Unpack[LineDetails],
) -> DistributorLine:
    """A TD SYNNEX line with sensible defaults."""
    values: LineDetails = {"mfg_part_number": "WVSF346", "sku": "3364043"}
    values.update(extra)
    return DistributorLine(
        line_number=number,
        code=code,
        quantity_ordered=ordered,
        quantity_shipped=shipped,
        **values,
    )


def shipped_line(
    number: str = "1",
    qty: int = 2,
    tracking: str = "508922220890",
    delivered: date | None = None,
    code: DistributorCode = DistributorCode.SHIPPED,
    **extra: Unpack[LineDetails],
) -> DistributorLine:
    """A fully shipped line with one FedEx Ground package."""
    package = Package(
        tracking_number=tracking,
        weight=Decimal("13.85"),
        quantity=qty,
        serials=("AK022023", "AK022024"),
        delivered_on=delivered,
    )
    values: LineDetails = {
        "order_number": "60045675",
        "ship_date": datetime(2024, 5, 2, 17, 35, 6),
        "warehouse": "3",
        "ship_method": "FG",
        "ship_method_description": "FedEx Ground",
        "packages": (package,),
    }
    values.update(extra)
    return line(number, code, qty, qty, **values)


def order(
    *lines: DistributorLine,
    code: DistributorCode = DistributorCode.ACCEPTED,
    po: str = "PO-1001",
    reason: str | None = None,
) -> DistributorOrder:
    """A TD SYNNEX order for PO-1001."""
    return DistributorOrder(po_number=po, code=code, reason=reason, lines=tuple(lines))


def invoice(
    number: str = "90001", day: date | None = date(2024, 5, 3), total: str | None = "790.00"
) -> Invoice:
    """One TD SYNNEX invoice."""
    return Invoice(
        number=number, invoice_date=day, total=Decimal(total) if total is not None else None
    )


def derive(
    dist: DistributorOrder,
    invoices: tuple[Invoice, ...] = (),
    *,
    items: tuple[PurchaseOrderItem, ...] = (),
    previous: OrderState | None = None,
    at: datetime = NOW,
    deliveries: dict[str, date] | None = None,
) -> OrderState:
    """derive_order_state with the test defaults."""
    return derive_order_state(
        dist,
        invoices,
        items=items,
        carriers=CARRIERS,
        previous=previous,
        observed_at=at,
        deliveries=deliveries,
    )


def purchase_order(*items: PurchaseOrderItem, memo: str = "") -> PurchaseOrder:
    """The Autotask PO PO-1001 with the given items."""
    return PurchaseOrder(
        id=501,
        po_number="PO-1001",
        status="Submitted",
        vendor_id=77,
        general_memo=memo,
        items=items,
    )


def item(item_id: int, *parts: str, memo: str = "") -> PurchaseOrderItem:
    """An Autotask PO item with part numbers."""
    return PurchaseOrderItem(
        id=item_id, order_id=501, quantity=5, part_numbers=frozenset(parts), memo=memo
    )


# --- hypothesis strategies -------------------------------------------------------------------

small_text = st.one_of(st.none(), st.text(max_size=12))
dates = st.one_of(st.none(), st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 12, 31)))
codes = st.sampled_from(list(DistributorCode))
ship_methods = st.one_of(
    st.none(), st.sampled_from(["FG", "FX", "HS", "NL", "UPX", "CPC1", "CPU", "zz", ""])
)
tracking_numbers = st.one_of(
    st.none(),
    st.sampled_from(["508922220890", "1Z999AA10123456784", "", " 123 456 ", "ABC123456789"]),
    st.text(max_size=20),
)

packages = st.builds(
    Package,
    tracking_number=tracking_numbers,
    weight=st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2)),
    quantity=st.one_of(st.none(), st.integers(-2, 20)),
    serials=st.lists(st.text(max_size=8), max_size=3).map(tuple),
    delivered_on=dates,
    refused_on=st.one_of(st.none(), dates),
)

distributor_lines = st.builds(
    DistributorLine,
    line_number=st.one_of(st.none(), st.sampled_from(["1", "2", "3", " 2 ", "x"]), small_text),
    code=codes,
    quantity_ordered=st.integers(-3, 50),
    quantity_shipped=st.integers(-3, 60),
    sku=small_text,
    mfg_part_number=small_text,
    cust_po_line=st.one_of(st.none(), st.sampled_from(["1", "2", "9999", "abc", "²"]), small_text),
    order_number=st.one_of(st.none(), st.sampled_from(["600", "601", "602"])),
    ship_date=st.one_of(
        st.none(),
        st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2025, 12, 31)),
        st.datetimes(
            min_value=datetime(2023, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
        ),
    ),
    warehouse=st.one_of(st.none(), st.sampled_from(["3", "7", ""])),
    ship_method=ship_methods,
    ship_method_description=small_text,
    eta=dates,
    estimated_ship_date=dates,
    estimated_delivery_date=dates,
    reason=small_text,
    packages=st.lists(packages, max_size=3).map(tuple),
)

distributor_orders = st.builds(
    DistributorOrder,
    po_number=st.just("PO-1001"),
    code=codes,
    reason=small_text,
    lines=st.lists(distributor_lines, max_size=6).map(tuple),
)

invoices = st.lists(
    st.builds(
        Invoice,
        number=st.sampled_from(["90001", "90002", "90003", " "]),
        invoice_date=dates,
        total=st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2)),
    ),
    max_size=3,
).map(tuple)

po_items = st.lists(
    st.builds(
        PurchaseOrderItem,
        id=st.integers(1, 40),
        order_id=st.just(501),
        quantity=st.integers(1, 10),
        part_numbers=st.frozensets(
            st.sampled_from(["WVSF346", "3364043", "abc", "X 1"]), max_size=2
        ),
    ),
    max_size=5,
    unique_by=lambda i: i.id,
).map(tuple)
