"""Invoice-query answers (``SynnexB2B/InvoiceResponse``) into domain ``Invoice`` values.

Contract of ``parse_invoices``: it returns a list (possibly empty) or raises a ``TdSynnexError``.
``ErrorCode``/``ErrorReason`` that read as "not found" give an empty list, since a PO that is not
invoiced yet is normal, unless they also read as a refused login or IP address; other error
codes, and the error shapes of ``parse_order_status``, raise
the matching typed error. Hostile or malformed bodies raise ``BadPayload``, as does an
``Invoice`` without an ``InvoiceNumber``.

Reading rules: one or many ``Invoice`` elements; amounts from ``Summary`` (falling back to the
invoice element itself); ``Tracking/TrackNumber`` repeated and/or comma-separated; the ship-to
address from ``ShipTo``. The misspelt ``ManuafacturerPartNumber`` belongs to invoice items, which
the domain does not model yet.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element

from orderbridge.domain.models import Address, Invoice

from ._errors import BadPayload, ErrorVocabulary, classify_error
from ._parse import find_error
from ._values import read_date, read_money, split_tracking
from ._xml import DEFAULT_MAX_BODY_BYTES, child, child_text, children, descendants, read_document

__all__ = ["parse_invoices"]

# An ErrorCode element that says "no error" (UNCONFIRMED whether TD SYNNEX ever sends one).
_SUCCESS_CODES = frozenset({"0", "00", "000", "ok", "success", "none"})


def parse_invoices(
    body: bytes | str,
    *,
    po_number: str | None = None,
    order_number: str | None = None,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    vocabulary: ErrorVocabulary | None = None,
) -> list[Invoice]:
    """Read an invoice-query answer for the PO (or TD SYNNEX order) that was asked about."""
    words = vocabulary or ErrorVocabulary()
    root = read_document(body, max_bytes=max_bytes, po_number=po_number)
    ids = {"po_number": po_number, "order_number": order_number}
    code = _first(root, "ErrorCode")
    reason = _first(root, "ErrorReason")
    if code is not None and code.lower() in _SUCCESS_CODES and reason is None:
        code = None
    if code is not None or reason is not None:
        # A refused login or IP must never read as "no invoices", even when its text says
        # "not found" (a user that is not found, say).
        refused = words.matches(words.auth + words.ip_not_allowed, code, reason)
        if not refused and words.matches(words.not_found, code, reason):
            return []
        raise classify_error(code, reason, vocabulary=words, **ids)
    error = find_error(root, vocabulary=words, **ids)
    if error is not None:
        raise error
    response = root if root.tag.rsplit("}", 1)[-1].lower() == "invoiceresponse" else None
    response = (
        response
        or child(root, "InvoiceResponse")
        or next(descendants(root, "InvoiceResponse"), None)
    )
    if response is None:
        raise BadPayload("the answer has no InvoiceResponse", **ids)
    invoices = children(response, "Invoice")
    for container in children(response, "Invoices"):
        invoices.extend(children(container, "Invoice"))
    subject = po_number or order_number
    return [_read_invoice(element, index, subject, ids) for index, element in enumerate(invoices)]


def _first(root: Element, name: str) -> str | None:
    for element in descendants(root, name):
        text = "".join(element.itertext()).strip()
        if text:
            return text
    return None


def _read_invoice(
    element: Element, index: int, subject: str | None, ids: dict[str, str | None]
) -> Invoice:
    number = child_text(element, "InvoiceNumber", "InvoiceNo")
    if number is None:
        raise BadPayload(f"invoice #{index + 1} in the answer has no InvoiceNumber", **ids)
    summary = child(element, "Summary")

    def amount(*names: str) -> Decimal | None:
        text = (child_text(summary, *names) if summary is not None else None) or child_text(
            element, *names
        )
        return read_money(text, field=f"{names[0]} of invoice {number}", po_number=subject)

    tracking_texts: list[str] = []
    for tracking in children(element, "Tracking"):
        tracking_texts.extend(_texts(children(tracking, "TrackNumber", "TrackingNumber")))
    tracking_texts.extend(_texts(children(element, "TrackNumber", "TrackingNumber")))
    return Invoice(
        number=number,
        invoice_date=read_date(
            child_text(element, "InvoiceDate"),
            field=f"InvoiceDate of invoice {number}",
            po_number=subject,
        ),
        total=amount("TotalInvoiceAmount", "InvoiceTotal", "TotalAmount"),
        freight=amount("Freight"),
        tax=amount("SalesTax", "Tax"),
        order_number=child_text(element, "OrderNumber", "SynnexOrderNumber", "SONumber"),
        tracking_numbers=split_tracking(tracking_texts),
        ship_to=_address(child(element, "ShipTo")),
    )


def _texts(elements: list[Element]) -> list[str]:
    return [text for e in elements if (text := "".join(e.itertext()).strip())]


def _address(element: Element | None) -> Address | None:
    if element is None:
        return None
    names = [
        n for n in (child_text(element, "AddressName1"), child_text(element, "AddressName2")) if n
    ]
    address = Address(
        name=", ".join(names) or None,
        line1=child_text(element, "AddressLine1"),
        line2=child_text(element, "AddressLine2"),
        city=child_text(element, "City"),
        state=child_text(element, "State"),
        postal_code=child_text(element, "ZipCode", "PostalCode"),
        country=child_text(element, "Country"),
    )
    return None if address == Address() else address
