"""The ``OrderStatusResponse`` document for POStatus, cached per order until it changes."""

from __future__ import annotations

from datetime import datetime, tzinfo

from orderbridge.simulators.scenario import TdErrorStyle, TdState

from .codes import Variant, ship_method, warehouse
from .config import FIELD_VERSIONS
from .orders import OrderRecord
from .shipments import ItemRow, PackageView, StatusView, build_status
from .wire import WIRE_ZONE, XML_DECLARATION, XmlWriter, error_body

__all__ = ["render_not_found", "render_status"]

_SERVER_ERROR_DETAIL = "An unexpected error occurred while processing the request."


def _writer(
    record: OrderRecord, uppercase: bool, cap: tuple[int, ...] | None, zone: tzinfo
) -> XmlWriter:
    return XmlWriter(record.variants, uppercase=uppercase, version_cap=cap, zone=zone)


def _package(w: XmlWriter, pkg: PackageView) -> None:
    w.open("Package")
    w.el("TrackingNumber", pkg.tracking)
    w.el("Weight", f"{pkg.weight:.2f}")
    w.el("ShipItemQuantity", str(pkg.quantity))
    for serial in pkg.serials:
        w.el("SerialNo", serial)
    if w.allows("CarrierDeliveredDate", FIELD_VERSIONS):
        w.date_el("CarrierDeliveredDate", pkg.delivered)
    w.close("Package")


def _ship_fields(w: XmlWriter, row: ItemRow) -> None:
    if row.ship_datetime is not None:
        w.el("ShipDatetime", w.datetime(row.ship_datetime))
    else:
        w.el("ShipDatetime", None)
    place = warehouse(row.warehouse or "")
    w.el("ShipFromWarehouse", row.warehouse)
    if row.warehouse:
        w.el("ShipFromCity", place.city)
        w.el("ShipFromState", place.state)
        w.el("ShipFromZip", place.zip_code)
    w.el("ShipMethod", row.ship_method)
    w.el("ShipMethodDescription", ship_method(row.ship_method).description)


def _dates(w: XmlWriter, row: ItemRow, misspelt: bool) -> None:
    w.date_el("ETADate", row.eta)
    if w.allows("EstimatedShipDate", FIELD_VERSIONS):
        w.date_el("EstimatedShipDate", row.est_ship)
    if w.allows("EstimatedDeliveryDate", FIELD_VERSIONS):
        name = "EstimateDeliveryDate" if misspelt else "EstimatedDeliveryDate"
        w.date_el(name, row.est_delivery)


def _item(w: XmlWriter, record: OrderRecord, row: ItemRow) -> None:
    w.open("Item", lineNumber=str(row.line_number))
    w.el("Code", w.code(row.code))
    if row.reason is not None:
        w.el("Reason", row.reason)
    w.el("OrderNumber", row.order_number)
    w.el("OrderType", row.order_type)
    w.el("OrderQuantity", str(row.quantity))
    w.el("ShipQuantity", str(row.shipped))
    w.el("UnitPrice", w.money(row.line.unit_price))
    w.el("SKU", row.line.sku)
    w.el("MfgPN", row.line.mfg_pn)
    w.el("ProductName", row.line.description)
    _ship_fields(w, row)
    _dates(w, row, record.has(Variant.MISSPELT_DELIVERY_DATE))
    if row.internal_reference is not None:
        w.el("SynnexInternalReference", row.internal_reference)
    if not record.has(Variant.NO_CUST_PO_LINE_NO) and w.allows("CustPOLineNo", FIELD_VERSIONS):
        w.el("CustPOLineNo", str(row.line_number))
    if row.packages:
        w.open("Packages")
        for pkg in row.packages:
            _package(w, pkg)
        w.close("Packages")
    w.close("Item")


def _fragments(
    record: OrderRecord, uppercase: bool, cap: tuple[int, ...] | None, zone: tzinfo
) -> tuple[str, str]:
    """(header up to PODatetime, Items and the closing tags) for a known order."""
    key = (uppercase, cap, zone)
    cached = record.cache
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    view: StatusView = build_status(record)
    w = _writer(record, uppercase, cap, zone)
    w.parts.append(f"{XML_DECLARATION}<SynnexB2B>\n<OrderStatusResponse>\n")
    w.el("CustomerNumber", record.customer_number)
    w.el("PONumber", record.po_number)
    w.el("Code", w.code(view.code))
    if view.reason is not None:
        w.el("Reason", view.reason)
    if view.po_datetime is not None:
        w.el("PODatetime", w.datetime(view.po_datetime))
    head = w.text()
    w.parts.clear()
    rows = list(view.rows)
    if record.has(Variant.LINES_OUT_OF_ORDER):
        rows.sort(key=lambda r: r.line_number, reverse=True)
    w.parts.append("\n<Items>\n")
    for row in rows:
        _item(w, record, row)
    w.parts.append("</Items>\n</OrderStatusResponse>\n</SynnexB2B>\n")
    tail = w.text()
    record.cache = (key, head, tail)
    return head, tail


def render_not_found(
    customer_number: str, po_number: str, now: datetime, elapsed: str, *, code: str = "notFound"
) -> str:
    """The answer for a PO TD SYNNEX does not know: header only, no Items."""
    w = XmlWriter()
    w.parts.append(f"{XML_DECLARATION}<SynnexB2B>\n<OrderStatusResponse>\n")
    w.el("CustomerNumber", customer_number)
    w.el("PONumber", po_number)
    w.el("Code", code)
    w.el("ResponseDateTime", w.datetime(now))
    w.el("ResponseElapsedTime", elapsed)
    w.parts.append("\n</OrderStatusResponse>\n</SynnexB2B>\n")
    return w.text()


def render_status(
    record: OrderRecord,
    now: datetime,
    elapsed: str,
    *,
    uppercase: bool,
    cap: tuple[int, ...] | None,
    zone: tzinfo = WIRE_ZONE,
    error_style: TdErrorStyle = TdErrorStyle.LOWER,
) -> str:
    """The POStatus answer for ``record`` at ``now``."""
    state = record.state
    if state is TdState.SERVER_ERROR:
        return error_body("ServerError", _SERVER_ERROR_DETAIL, style=error_style)
    if state is TdState.NOT_FOUND:
        spaced = record.has(Variant.NOT_FOUND_SPACED)
        upper = uppercase or record.has(Variant.UPPERCASE_CODES)
        code = "NOT FOUND" if spaced else ("NOTFOUND" if upper else "notFound")
        return render_not_found(record.customer_number, record.po_number, now, elapsed, code=code)
    head, tail = _fragments(record, uppercase, cap, zone)
    stamp = XmlWriter(zone=zone).datetime(now)
    return (
        f"{head}<ResponseDateTime>{stamp}</ResponseDateTime>"
        f"<ResponseElapsedTime>{elapsed}</ResponseElapsedTime>{tail}"
    )
