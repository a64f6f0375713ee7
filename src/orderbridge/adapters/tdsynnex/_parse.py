"""POStatus answers (``SynnexB2B/OrderStatusResponse``) into ``DistributorOrder``.

Contract of ``parse_order_status``: it returns a ``DistributorOrder`` or raises a
``TdSynnexError``. Malformed, hostile or incomplete bodies raise ``BadPayload``; error elements
inside an otherwise good body (``errorMessage``/``errorDetail`` in any casing, ``BizError/detail``)
raise the error their text classifies as (``AuthFailed``, ``IpNotAllowed``, ``TransientError``,
or ``UnrecognisedError`` when no configured word list knows the text). Nothing else escapes.

Reading rules: element names match without regard to case or namespace; one ``Item``/``Package``
or many are the same; empty elements are absent; ``EstimateDeliveryDate`` (sic) is read like
``EstimatedDeliveryDate``; ``SN:`` prefixes on serial numbers are dropped; status codes are read
without regard to case (``NOT FOUND`` is ``notfound``); ``lineNumber`` is an attribute, with an
element of the same name as a fallback. Exact duplicate items (the same sales-order line reported
twice) are kept once. Value rules are in ``_values``.
"""

from __future__ import annotations

from datetime import UTC, date, tzinfo
from xml.etree.ElementTree import Element

from orderbridge.domain.models import DistributorCode, DistributorLine, DistributorOrder, Package

from ._errors import BadPayload, ErrorVocabulary, TdSynnexError, classify_error
from ._values import read_date, read_datetime, read_money, read_quantity
from ._xml import (
    DEFAULT_MAX_BODY_BYTES,
    ChildTexts,
    child,
    child_text,
    children,
    descendants,
    local_name,
    read_document,
)

__all__ = ["find_error", "parse_order_status"]

_ERROR_MESSAGE = ("errorMessage", "errorResponse")
_ERROR_DETAIL = ("errorDetail",)


def parse_order_status(
    body: bytes | str,
    *,
    po_number: str | None = None,
    source_tz: tzinfo = UTC,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    vocabulary: ErrorVocabulary | None = None,
) -> DistributorOrder:
    """Read a POStatus answer; ``po_number`` is the PO asked about (checked against the echo)."""
    root = read_document(body, max_bytes=max_bytes, po_number=po_number)
    error = find_error(root, vocabulary=vocabulary or ErrorVocabulary(), po_number=po_number)
    if error is not None:
        raise error
    response = _find_response(root, "OrderStatusResponse", po_number)
    echoed = child_text(response, "PONumber")
    if po_number and echoed and echoed.strip().casefold() != po_number.strip().casefold():
        raise BadPayload(
            f"TD SYNNEX answered about PO {echoed[:60]!r} instead of the PO asked about",
            po_number=po_number,
        )
    subject = po_number or echoed
    if not subject:
        raise BadPayload("the order status answer names no PO number")
    code = DistributorCode.parse(child_text(response, "Code"))
    # "Not found" means TD SYNNEX has nothing for this PO; stray items would contradict it.
    lines = () if code is DistributorCode.NOT_FOUND else _read_lines(response, subject, source_tz)
    if code is DistributorCode.UNKNOWN and not lines and child_text(response, "Code") is None:
        raise BadPayload(
            "the order status answer has neither a status code nor items", po_number=subject
        )
    return DistributorOrder(
        po_number=subject,
        code=code,
        reason=child_text(response, "Reason"),
        received_at=read_datetime(
            child_text(response, "PODatetime", "PODateTime"),
            field="PODatetime",
            po_number=subject,
            source_tz=source_tz,
        ),
        responded_at=read_datetime(
            child_text(response, "ResponseDateTime", "ResponseDatetime"),
            field="ResponseDateTime",
            po_number=subject,
            source_tz=source_tz,
        ),
        lines=lines,
    )


def find_error(
    root: Element,
    *,
    vocabulary: ErrorVocabulary,
    po_number: str | None = None,
    order_number: str | None = None,
    invoice_query: bool = False,
) -> TdSynnexError | None:
    """The typed error an answer reports in its body, or None when it reports none."""
    message = _first_text(root, _ERROR_MESSAGE)
    detail = _first_text(root, _ERROR_DETAIL)
    if message is None and detail is None:
        for biz in descendants(root, "BizError"):
            detail = child_text(biz, "detail", "message", "errorDetail") or _own_text(biz)
            message = child_text(biz, "code", "errorCode") or "BizError"
            break
    if message is None and detail is None:
        return None
    return classify_error(
        message,
        detail,
        vocabulary=vocabulary,
        po_number=po_number,
        order_number=order_number,
        invoice_query=invoice_query,
    )


def _first_text(root: Element, names: tuple[str, ...]) -> str | None:
    for element in descendants(root, *names):
        text = "".join(element.itertext()).strip()
        if text:
            return text
    return None


def _own_text(element: Element) -> str | None:
    text = "".join(element.itertext()).strip()
    return text or None


def _find_response(root: Element, name: str, po_number: str | None) -> Element:
    if local_name(root.tag) == name.lower():
        return root
    found = child(root, name) or next(descendants(root, name), None)
    if found is None:
        raise BadPayload(
            f"the answer has no {name} (root element is {local_name(root.tag)!r})",
            po_number=po_number,
        )
    return found


def _read_lines(
    response: Element, po_number: str, source_tz: tzinfo
) -> tuple[DistributorLine, ...]:
    items: list[Element] = []
    for container in children(response, "Items"):
        items.extend(children(container, "Item"))
    items.extend(children(response, "Item"))  # tolerate items without the Items wrapper
    lines: dict[DistributorLine, None] = {}
    for item in items:
        lines.setdefault(_read_line(item, po_number, source_tz), None)
    return tuple(lines)


def _read_line(item: Element, po_number: str, source_tz: tzinfo) -> DistributorLine:
    text = ChildTexts(item).get  # some twenty fields of one element: its children read once
    line_number = _attribute(item, "lineNumber") or text("lineNumber", "LineNo")
    where = f"item (line {line_number or '?'})"

    def quantity(name: str) -> int:
        value = read_quantity(text(name), field=f"{name} of {where}", po_number=po_number)
        return 0 if value is None else value

    def day(*names: str) -> date | None:
        return read_date(text(*names), field=f"{names[0]} of {where}", po_number=po_number)

    ordered, shipped = quantity("OrderQuantity"), quantity("ShipQuantity")
    if shipped > ordered > 0:
        raise BadPayload(
            f"TD SYNNEX's answer says ShipQuantity {shipped} but OrderQuantity {ordered} for "
            f"{where}; more shipped than ordered cannot be right, so nothing was written",
            po_number=po_number,
        )
    return DistributorLine(
        line_number=line_number,
        code=DistributorCode.parse(text("Code")),
        quantity_ordered=ordered,
        quantity_shipped=shipped,
        sku=text("SKU", "SynnexSKU"),
        mfg_part_number=text("MfgPN", "MfgPartNumber", "ManufacturerPartNumber"),
        description=text("ProductName", "ProductDescription"),
        cust_po_line=text("CustPOLineNo"),
        order_number=text("OrderNumber"),
        order_type=text("OrderType"),
        unit_price=read_money(
            text("UnitPrice"), field=f"UnitPrice of {where}", po_number=po_number
        ),
        ship_date=read_datetime(
            text("ShipDatetime", "ShipDate"),
            field=f"ShipDatetime of {where}",
            po_number=po_number,
            source_tz=source_tz,
        ),
        warehouse=text("ShipFromWarehouse"),
        ship_method=text("ShipMethod"),
        ship_method_description=text("ShipMethodDescription"),
        eta=day("ETADate", "ETA"),
        estimated_ship_date=day("EstimatedShipDate"),
        estimated_delivery_date=day("EstimatedDeliveryDate", "EstimateDeliveryDate"),
        reason=text("Reason"),
        packages=tuple(_read_package(p, po_number, where) for p in _packages(item)),
    )


def _packages(item: Element) -> list[Element]:
    found: list[Element] = []
    for container in children(item, "Packages"):
        found.extend(children(container, "Package"))
    found.extend(children(item, "Package"))
    return found


def _read_package(package: Element, po_number: str, where: str) -> Package:
    serials: dict[str, None] = {}
    for element in children(package, "SerialNo", "SerialNumber"):
        value = _own_text(element)
        if value and value[:3].upper() == "SN:":
            value = value[3:].strip()
        if value:
            serials.setdefault(value, None)
    return Package(
        tracking_number=child_text(package, "TrackingNumber", "TrackNumber"),
        weight=read_money(
            child_text(package, "Weight"), field=f"Weight of {where}", po_number=po_number
        ),
        quantity=read_quantity(
            child_text(package, "ShipItemQuantity"),
            field=f"ShipItemQuantity of {where}",
            po_number=po_number,
        ),
        serials=tuple(serials),
        delivered_on=read_date(
            child_text(package, "CarrierDeliveredDate"),
            field=f"CarrierDeliveredDate of {where}",
            po_number=po_number,
        ),
        refused_on=read_date(
            child_text(package, "RefusedDeliveryDate"),
            field=f"RefusedDeliveryDate of {where}",
            po_number=po_number,
        ),
    )


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if local_name(key) == name.lower() and value.strip():
            return value.strip()
    return None
