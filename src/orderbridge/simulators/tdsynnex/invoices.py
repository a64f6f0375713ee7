"""The invoices of an invoiced order: shipped cartons divided over one or more invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from orderbridge.simulators.scenario import TdState

from .numbering import invoice_number
from .orders import OrderRecord
from .shipments import ItemRow, PackageView, StatusView

__all__ = ["InvoiceLine", "InvoiceView", "build_invoices"]

_CENT = Decimal("0.01")
_TAX_RATE = Decimal("0.0825")
_FREIGHT_PER_BOX = Decimal("12.50")


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoiced item: a row's units that went out on this invoice's cartons."""

    row: ItemRow
    quantity: int
    serials: tuple[str, ...]

    @property
    def amount(self) -> Decimal:
        """Extended price of the line."""
        return (self.row.line.unit_price * self.quantity).quantize(_CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """One ``Invoice`` element's data."""

    number: str
    invoice_date: date
    ship_date: date
    ship_method: str
    lines: tuple[InvoiceLine, ...]
    packages: tuple[PackageView, ...]

    @property
    def order_numbers(self) -> frozenset[str]:
        """The TD SYNNEX sales orders billed on this invoice."""
        return frozenset(line.row.order_number for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        """Sum of the line amounts."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def sales_tax(self) -> Decimal:
        """Sales tax on the lines."""
        return (self.subtotal * _TAX_RATE).quantize(_CENT, ROUND_HALF_UP)

    @property
    def freight(self) -> Decimal:
        """Freight charged for the cartons."""
        return _FREIGHT_PER_BOX * len(self.packages)

    @property
    def total(self) -> Decimal:
        """What the reseller owes for this invoice."""
        return self.subtotal + self.sales_tax + self.freight

    @property
    def total_weight(self) -> Decimal:
        """Weight of every carton on the invoice."""
        return sum((p.weight for p in self.packages), Decimal("0.00"))


def _chunks(count: int, parts: int) -> list[range]:
    """Split ``range(count)`` into ``parts`` contiguous, nearly equal pieces."""
    size, extra = divmod(count, parts)
    out: list[range] = []
    start = 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        out.append(range(start, end))
        start = end
    return out


def build_invoices(record: OrderRecord, status: StatusView) -> list[InvoiceView]:
    """The invoices of an order; empty until it has been invoiced.

    Cartons are divided in order over ``invoices`` invoices; an order with fewer cartons than
    requested invoices gets one invoice per carton.
    """
    invoiced = record.reached(TdState.INVOICED)
    if invoiced is None:
        return []
    cartons = [(row, pkg) for row in status.rows for pkg in row.packages]
    if not cartons:
        return []
    parts = min(record.order.invoices, len(cartons))
    invoices: list[InvoiceView] = []
    for index, span in enumerate(_chunks(len(cartons), parts)):
        mine = [cartons[i] for i in span]
        lines: list[InvoiceLine] = []
        for row, pkg in mine:
            if lines and lines[-1].row is row:
                prev = lines[-1]
                lines[-1] = InvoiceLine(
                    row, prev.quantity + pkg.quantity, prev.serials + pkg.serials
                )
            else:
                lines.append(InvoiceLine(row, pkg.quantity, pkg.serials))
        packages = tuple(pkg for _, pkg in mine)
        invoices.append(
            InvoiceView(
                number=invoice_number(record.po_number, index),
                invoice_date=invoiced.date(),
                ship_date=max(p.shipped_at for p in packages).date(),
                ship_method=mine[0][0].ship_method,
                lines=tuple(lines),
                packages=packages,
            )
        )
    return invoices
