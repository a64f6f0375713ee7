"""The ``InvoiceResponse`` document for the invoice query."""

from __future__ import annotations

from .codes import Variant, ship_method
from .invoices import InvoiceLine, InvoiceView
from .numbering import digest
from .orders import OrderRecord
from .wire import XML_DECLARATION, XmlWriter

__all__ = ["render_invoice_error", "render_invoices"]

_ZERO = "0.00"


# The reseller's own address, printed as ship-to and bill-to on every invoice.
_ADDRESS = (
    ("AddressName2", "Receiving"),
    ("AddressLine1", "100 Main Street"),
    ("AddressLine2", "Suite 200"),
    ("City", "Springfield"),
    ("State", "IL"),
    ("ZipCode", "62701"),
    ("Country", "US"),
)


def _address(w: XmlWriter, element: str, name: str) -> None:
    w.open(element)
    w.el("AddressName1", name)
    for field, value in _ADDRESS:
        w.el(field, value)
    w.close(element)


def _tracking(w: XmlWriter, invoice: InvoiceView, repeated: bool) -> None:
    numbers = [p.tracking for p in invoice.packages]
    w.open("Tracking")
    if repeated:
        for number in numbers:
            w.el("TrackNumber", number)
    else:
        w.el("TrackNumber", ",".join(numbers))
    w.close("Tracking")


def _line(w: XmlWriter, line: InvoiceLine, prefix: str) -> None:
    row = line.row
    w.open("Item", lineNumber=str(row.line_number))
    w.el("ShipQuantity", str(line.quantity))
    w.el("UnitPrice", w.money(row.line.unit_price))
    w.el("SKU", row.line.sku)
    w.el("SynnexPartNumber", row.line.sku)
    w.el("ManuafacturerPartNumber", row.line.mfg_pn)  # sic: TD SYNNEX's spelling
    w.el("VendorNumber", str(1000 + digest("vendor", row.line.description.split()[0]) % 9000))
    w.el("VendorName", row.line.description.split()[0].upper())
    w.el("UPCCode", f"{digest('upc', row.line.mfg_pn) % 10**12:012d}")
    w.el("ProductDescription", row.line.description)
    w.el("CustPOLineNo", str(row.line_number))
    for serial in line.serials:
        w.el("SerialNo", f"{prefix}{serial}")
    w.close("Item")


def _summary(w: XmlWriter, invoice: InvoiceView) -> None:
    w.open("Summary")
    w.el("TotalInvoiceAmount", w.money(invoice.total))
    w.el("SalesTax", w.money(invoice.sales_tax))
    w.el("Freight", w.money(invoice.freight))
    for name in ("MinOrderFee", "ProcessingFee", "BoxCharge", "RecyclingFee"):
        w.el(name, _ZERO)
    w.el("AllowanceOrCharge", "C")
    w.el("ExpenseTotal", w.money(invoice.freight))
    w.el("Rebate", _ZERO)
    w.el("TotalWeight", f"{invoice.total_weight:.2f}")
    w.el("BoxCount", str(len(invoice.packages)))
    w.el("Shipping", w.money(invoice.freight))
    w.close("Summary")


def _invoice(w: XmlWriter, record: OrderRecord, invoice: InvoiceView, ship_to: str) -> None:
    w.open("Invoice")
    w.el("CustomerPONumber", record.po_number)
    w.el("InvoiceNumber", invoice.number)
    w.el("InvoiceDate", w.date(invoice.invoice_date))
    w.el("OrderType", "SO")
    w.el("ApprovalNumber", None, keep_empty=True)
    _address(w, "ShipTo", ship_to)
    _address(w, "BillTo", ship_to)
    w.el("Discount", _ZERO)
    w.el("DiscountDays", "0")
    w.el("PaymentTermDays", "30")
    w.el("PaymentTermDesc", "NET 30")
    w.el("ShipMethodCode", invoice.ship_method)
    w.el("ShipMethodDesc", ship_method(invoice.ship_method).description)
    w.el("ShipDate", w.date(invoice.ship_date))
    w.el("Comments", None, keep_empty=True)
    w.el("InternalReferenceNumber", invoice.number)
    _tracking(w, invoice, record.has(Variant.REPEATED_TRACK_NUMBERS))
    prefix = "SN:" if record.has(Variant.SN_PREFIXED_SERIALS) else ""
    w.open("Items")
    for line in invoice.lines:
        _line(w, line, prefix)
    w.close("Items")
    _summary(w, invoice)
    w.close("Invoice")


def render_invoices(
    record: OrderRecord, invoices: list[InvoiceView], *, ship_to: str, customer_number: str
) -> str:
    """An ``InvoiceResponse`` with one ``Invoice`` per invoice."""
    w = XmlWriter(record.variants)
    w.parts.append(f"{XML_DECLARATION}<SynnexB2B>\n<InvoiceResponse>\n")
    w.el("CustomerNumber", customer_number)
    w.el("CustomerPONumber", record.po_number)
    w.parts.append("\n")
    for invoice in invoices:
        _invoice(w, record, invoice, ship_to)
    w.parts.append("</InvoiceResponse>\n</SynnexB2B>\n")
    return w.text()


def render_invoice_error(
    customer_number: str, po_number: str | None, code: str, reason: str
) -> str:
    """An ``InvoiceResponse`` carrying ``ErrorCode`` and ``ErrorReason`` instead of invoices."""
    w = XmlWriter()
    w.parts.append(f"{XML_DECLARATION}<SynnexB2B>\n<InvoiceResponse>\n")
    w.el("CustomerNumber", customer_number)
    if po_number is not None:
        w.el("CustomerPONumber", po_number)
    w.el("ErrorCode", code)
    w.el("ErrorReason", reason)
    w.parts.append("\n</InvoiceResponse>\n</SynnexB2B>\n")
    return w.text()
