"""Hostile and broken TD SYNNEX answers, built in the shapes attackers and broken proxies send."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

__all__ = [
    "HUGE_BODY_BYTES",
    "billion_laughs",
    "deeply_nested",
    "external_entity",
    "html_error_page",
    "huge_body_chunks",
    "invalid_utf8",
    "truncated",
]

HUGE_BODY_BYTES = 50 * 1024 * 1024
_CHUNK = b"<Pad>" + b"x" * (1024 * 1024 - 11) + b"</Pad>"  # one shared 1 MiB chunk


def _status(po_number: str, inner: str = "") -> str:
    return (
        "<SynnexB2B><OrderStatusResponse><CustomerNumber>123456</CustomerNumber>"
        f"<PONumber>{po_number}</PONumber><Code>shipped</Code>{inner}"
        "</OrderStatusResponse></SynnexB2B>"
    )


def external_entity(po_number: str, secret_file: Path) -> bytes:
    """XXE: an external entity that would pull a local file into the order's reason."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE SynnexB2B [<!ENTITY leak SYSTEM "{secret_file.as_uri()}">]>\n'
        + _status(po_number, "<Reason>&leak;</Reason>")
    ).encode()


def billion_laughs(po_number: str) -> bytes:
    """Nine levels of entities, each ten of the one before: a gigabyte once expanded."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE SynnexB2B ['
        + "".join(entities)
        + "]>\n"
        + _status(po_number, "<Reason>&lol9;</Reason>")
    ).encode()


def deeply_nested(po_number: str, depth: int = 100_000) -> bytes:
    """A well-formed answer whose reason is buried ``depth`` elements deep."""
    return _status(po_number, "<Reason>" + "<a>" * depth + "</a>" * depth + "</Reason>").encode()


def invalid_utf8(po_number: str) -> bytes:
    """An answer that declares UTF-8 but carries bytes that are not UTF-8."""
    body = '<?xml version="1.0" encoding="UTF-8"?>' + _status(po_number, "<Reason>@</Reason>")
    return body.encode().replace(b"@", b"caf\xe9 \xff\xfe")


def html_error_page() -> bytes:
    """What a proxy or a maintenance window answers, with HTTP 200."""
    return (
        b"<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>"
        b"<body><h1>We'll be back soon</h1><p>The service is down for maintenance.</p>"
        b"</body></html>"
    )


def truncated(po_number: str) -> bytes:
    """A good answer cut off half way, as a dropped connection behind a proxy leaves it."""
    whole = _status(po_number, "<Items><Item lineNumber='1'><Code>shipped</Code></Item></Items>")
    return whole.encode()[: len(whole) // 2]


def huge_body_chunks(po_number: str) -> Callable[[], AsyncIterator[bytes]]:
    """A 50 MiB answer, produced one shared chunk at a time so the server holds no copy."""
    head = f"<SynnexB2B><OrderStatusResponse><PONumber>{po_number}</PONumber>".encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        for _ in range(HUGE_BODY_BYTES // len(_CHUNK)):
            yield _CHUNK

    return chunks
