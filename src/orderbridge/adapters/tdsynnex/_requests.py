"""Request documents for POStatus and the invoice query.

Built with ElementTree's serializer, so every value (including a password with ``<`` or ``&``)
is escaped. Values XML 1.0 cannot carry (control characters) raise ``InvalidRequest`` instead of
producing a document the server would call incomplete. The request text holds the password: it is
handed to the transport and never logged or quoted in errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.etree.ElementTree import Element, SubElement, tostring

from ._errors import InvalidRequest

__all__ = ["Credentials", "invoice_request", "order_status_request"]

_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_KEY_LENGTH = 100
# Stands for the PO number while the POStatus envelope is serialised (plain ASCII, escaped as is).
_PLACEHOLDER = "orderbridge-po-number-placeholder-7f3c9a"


@dataclass(frozen=True, slots=True)
class Credentials:
    """The account and login every request carries in its body."""

    customer_number: str
    user_id: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(customer_number={self.customer_number!r}, user_id={self.user_id!r})"


def order_status_request(
    credentials: Credentials, po_number: str, *, version: str = "2.7"
) -> bytes:
    """The POStatus request for one PO number."""
    key = _key(po_number, "PO number", po_number=po_number)
    envelope = _status_envelope(credentials, version)
    if envelope is None:  # a credential holds the placeholder: build the whole tree
        root, request = _envelope(credentials, "OrderStatusRequest", version)
        SubElement(request, "PONumber").text = key
        return _serialize(root)
    before, after = envelope
    return before + _escape_text(key).encode("utf-8") + after


@lru_cache(maxsize=16)
def _status_envelope(credentials: Credentials, version: str) -> tuple[bytes, bytes] | None:
    """The POStatus document around its PO number, serialised once per account and version.

    The PO number is the only part that changes from one order to the next; filling it into the
    bytes ElementTree wrote around a placeholder gives the same document as serialising the
    whole tree again, for a tenth of the CPU.
    """
    root, request = _envelope(credentials, "OrderStatusRequest", version)
    SubElement(request, "PONumber").text = _PLACEHOLDER
    document = _serialize(root)
    placeholder = _PLACEHOLDER.encode("ascii")
    if document.count(placeholder) != 1:
        return None
    before, _, after = document.partition(placeholder)
    return before, after


def _escape_text(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def invoice_request(
    credentials: Credentials,
    *,
    po_number: str | None = None,
    order_number: str | None = None,
    version: str = "2.2",
) -> bytes:
    """The invoice query for a PO number or (exclusive) a TD SYNNEX sales-order number."""
    if (po_number is None) == (order_number is None):
        raise InvalidRequest(
            "give exactly one of a PO number or a TD SYNNEX order number",
            po_number=po_number,
            order_number=order_number,
        )
    root, request = _envelope(credentials, "InvoiceRequest", version)
    if po_number is not None:
        SubElement(request, "PONumber").text = _key(po_number, "PO number", po_number=po_number)
    else:
        assert order_number is not None
        SubElement(request, "OrderNumber").text = _key(
            order_number, "order number", order_number=order_number
        )
    return _serialize(root)


def _envelope(credentials: Credentials, request_name: str, version: str) -> tuple[Element, Element]:
    root = Element("SynnexB2B", {"version": version} if version else {})
    credential = SubElement(root, "Credential")
    SubElement(credential, "UserID").text = _value(credentials.user_id, "user ID")
    SubElement(credential, "Password").text = _value(credentials.password, "password")
    request = SubElement(root, request_name)
    SubElement(request, "CustomerNumber").text = _value(
        credentials.customer_number, "customer number"
    )
    return root, request


def _serialize(root: Element) -> bytes:
    return bytes(tostring(root, encoding="utf-8", xml_declaration=True))


def _value(value: str, what: str) -> str:
    if not value or _NOT_XML_CHARS.search(value):
        # The value itself is not quoted: it may be the password.
        raise InvalidRequest(f"the configured {what} is empty or contains control characters")
    return value


def _key(
    value: str, what: str, *, po_number: str | None = None, order_number: str | None = None
) -> str:
    stripped = value.strip()
    if not stripped or len(stripped) > MAX_KEY_LENGTH or _NOT_XML_CHARS.search(stripped):
        raise InvalidRequest(
            f"the {what} is empty, longer than {MAX_KEY_LENGTH} characters or contains control "
            "characters",
            po_number=po_number,
            order_number=order_number,
        )
    return stripped
