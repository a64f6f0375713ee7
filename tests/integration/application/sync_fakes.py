"""In-memory fakes of the sync ports: a dict of POs that applies writes, a scripted distributor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from orderbridge.domain.models import (
    DistributorCode,
    DistributorLine,
    DistributorOrder,
    Invoice,
    Package,
    PurchaseOrder,
    PurchaseOrderItem,
)
from orderbridge.ports import MonitoredScope, UpstreamError

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
VENDOR = 7


class FakeUpstreamError(UpstreamError):
    """A failure the way an adapter would raise it."""

    def __init__(self, message: str, service: str) -> None:
        super().__init__(message)
        self.service = service


@dataclass
class FakePurchaseOrders:
    """Autotask POs in a dict; writes change them, ``fail_writes`` makes a PO's writes fail."""

    orders: dict[int, PurchaseOrder] = field(default_factory=dict)
    writes: int = 0
    fail_writes: dict[int, Exception] = field(default_factory=dict)
    fail_listing: Exception | None = None

    def add(self, po: PurchaseOrder) -> None:
        """Store a PO."""
        self.orders[po.id] = po

    async def monitored(self, scope: MonitoredScope) -> list[PurchaseOrder]:
        """POs of the scope's vendors in its statuses."""
        if self.fail_listing is not None:
            raise self.fail_listing
        return [
            po
            for po in self.orders.values()
            if po.vendor_id in scope.vendor_ids and po.status in scope.status_labels
        ]

    async def among(self, scope: MonitoredScope, po_ids: Sequence[int]) -> list[PurchaseOrder]:
        """Those of these POs still in scope."""
        wanted = set(po_ids)
        return [po for po in await self.monitored(scope) if po.id in wanted]

    async def get(self, po_id: int) -> PurchaseOrder | None:
        """One PO."""
        return self.orders.get(po_id)

    async def update_purchase_order(self, po_id: int, changes: Mapping[str, Any]) -> None:
        """Apply PO field changes."""
        self._maybe_fail(po_id)
        self.orders[po_id] = replace(self.orders[po_id], **changes)
        self.writes += 1

    async def update_item(self, po_id: int, item_id: int, changes: Mapping[str, Any]) -> None:
        """Apply item field changes."""
        self._maybe_fail(po_id)
        po = self.orders[po_id]
        items = tuple(replace(i, **changes) if i.id == item_id else i for i in po.items)
        self.orders[po_id] = replace(po, items=items)
        self.writes += 1

    def _maybe_fail(self, po_id: int) -> None:
        error = self.fail_writes.pop(po_id, None)
        if error is not None:
            raise error


@dataclass
class ScriptedDistributor:
    """TD SYNNEX answers by PO number; an exception in ``orders`` is raised instead."""

    orders: dict[str, DistributorOrder | Exception] = field(default_factory=dict)
    invoices: dict[str, list[Invoice]] = field(default_factory=dict)
    status_calls: list[str] = field(default_factory=list)
    invoice_calls: list[str] = field(default_factory=list)

    async def get_order_status(self, po_number: str) -> DistributorOrder:
        """The scripted answer (``notFound`` when there is none)."""
        self.status_calls.append(po_number)
        answer = self.orders.get(po_number)
        if isinstance(answer, Exception):
            raise answer
        return answer or DistributorOrder(po_number, DistributorCode.NOT_FOUND)

    async def get_invoices(self, *, po_number: str) -> list[Invoice]:
        """The scripted invoices."""
        self.invoice_calls.append(po_number)
        return list(self.invoices.get(po_number, []))


def purchase_order(
    po_id: int, number: str | None, *, memo: str = "", **extra: Any
) -> PurchaseOrder:
    """A submitted TD SYNNEX PO with one item for part WVSF346."""
    item = PurchaseOrderItem(
        id=po_id * 10, order_id=po_id, quantity=2, part_numbers=frozenset({"WVSF346"})
    )
    values: dict[str, Any] = {"status": "Submitted", "vendor_id": VENDOR, "items": (item,)}
    values.update(extra)
    return PurchaseOrder(id=po_id, po_number=number, general_memo=memo, **values)


def accepted(number: str, order_number: str = "60045675") -> DistributorOrder:
    """TD SYNNEX has the order but nothing has shipped."""
    line = DistributorLine(
        "1",
        DistributorCode.ACCEPTED,
        2,
        0,
        sku="3364043",
        mfg_part_number="WVSF346",
        order_number=order_number,
    )
    return DistributorOrder(number, DistributorCode.ACCEPTED, lines=(line,))


def shipped(number: str, *, invoiced: bool = False, extra_line: bool = False) -> DistributorOrder:
    """Every unit shipped in one FedEx carton (optionally invoiced, optionally an unknown line)."""
    code = DistributorCode.INVOICED if invoiced else DistributorCode.SHIPPED
    package = Package("508922220890", Decimal("3.5"), 2, ("SN1", "SN2"))
    line = DistributorLine(
        "1",
        code,
        2,
        2,
        sku="3364043",
        mfg_part_number="WVSF346",
        order_number="60045675",
        ship_date=datetime(2026, 5, 2, 17, 0),
        ship_method="FG",
        ship_method_description="FedEx Ground",
        packages=(package,),
    )
    lines = [line]
    if extra_line:
        lines.append(DistributorLine("9", code, 1, 1, sku="999", mfg_part_number="NOT-ORDERED"))
    return DistributorOrder(number, code, lines=tuple(lines))


def invoice(number: str = "41234567") -> Invoice:
    """One invoice."""
    return Invoice(number, NOW.date(), Decimal("812.50"), order_number="60045675")
