"""Reading SynnexB2B request documents: size cap, hostile-XML refusal, required elements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

__all__ = [
    "INCOMPLETE_XML",
    "B2BRequest",
    "BodyTooLarge",
    "RequestRefused",
    "check_media_type",
    "parse_request",
    "read_capped",
]

INCOMPLETE_XML = "IncompleteXML01"
ACCEPTED_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})


class RequestRefused(Exception):
    """A request the service answers with a top-level ``errorMessage``/``errorDetail``."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(f"{message}: {detail}")
        self.message = message
        self.detail = detail


class BodyTooLarge(Exception):
    """The request body is larger than the configured cap."""


@dataclass(frozen=True, slots=True)
class B2BRequest:
    """The parts of a SynnexB2B request the simulator acts on."""

    kind: str
    version: str | None
    user_id: str
    password: str
    customer_number: str
    po_number: str | None
    order_number: str | None


async def read_capped(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, refusing to buffer more than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"request body is larger than {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def check_media_type(content_type: str | None) -> None:
    """Refuse bodies that are declared as something other than XML."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in ACCEPTED_MEDIA_TYPES:
        raise RequestRefused(
            INCOMPLETE_XML, f"Content-Type must be application/xml or text/xml, not {media!r}."
        )


def _text(parent: Element, path: str) -> str | None:
    node = parent.find(path)
    if node is None or node.text is None:
        return None
    text = node.text.strip()
    return text or None


def _require(parent: Element, path: str) -> str:
    value = _text(parent, path)
    if value is None:
        raise RequestRefused(INCOMPLETE_XML, f"Missing required element {path}.")
    return value


def _document(body: bytes) -> Element:
    if not body.strip():
        raise RequestRefused(INCOMPLETE_XML, "The request body is empty.")
    try:
        root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException:
        # Never expand or even read a DTD sent by a client.
        raise RequestRefused(
            INCOMPLETE_XML, "DOCTYPE and entity declarations are not accepted."
        ) from None
    except (ParseError, ValueError) as exc:
        raise RequestRefused(INCOMPLETE_XML, f"The request is not well-formed XML: {exc}") from None
    if root.tag != "SynnexB2B":
        raise RequestRefused(INCOMPLETE_XML, "The root element must be SynnexB2B.")
    return root


def parse_request(
    body: bytes, kinds: str | tuple[str, ...], *, needs_key: bool = True
) -> B2BRequest:
    """Read a SynnexB2B request whose body element is one of ``kinds``.

    Raises ``RequestRefused`` otherwise; an error names the first of ``kinds``.
    """
    wanted = (kinds,) if isinstance(kinds, str) else kinds
    root = _document(body)
    user_id = _require(root, "Credential/UserID")
    password = _require(root, "Credential/Password")
    found = [(name, node) for name in wanted if (node := root.find(name)) is not None]
    if not found:
        raise RequestRefused(INCOMPLETE_XML, f"Missing required element {wanted[0]}.")
    kind, inner = found[0]
    customer_number = _require(inner, "CustomerNumber")
    po_number = _text(inner, "PONumber")
    order_number = _text(inner, "OrderNumber")
    if needs_key and po_number is None and order_number is None:
        raise RequestRefused(INCOMPLETE_XML, f"Missing required element {kind}/PONumber.")
    return B2BRequest(
        kind=kind,
        version=root.get("version"),
        user_id=user_id,
        password=password,
        customer_number=customer_number,
        po_number=po_number,
        order_number=order_number,
    )
