"""Safe XML reading for TD SYNNEX answers, and case-insensitive navigation of the result.

``read_document`` is the only way this adapter turns bytes into a tree. It refuses, with
``BadPayload`` and a message saying which rule tripped:

- bodies over ``max_bytes`` (checked before any parsing);
- HTML pages (proxies, login and maintenance pages answer with HTML, often with HTTP 200);
- bytes that are not valid in the declared encoding (UTF-8 unless the XML declaration says
  otherwise);
- any entity declaration (XXE, billion laughs) or external reference, via ``defusedxml``;
- documents nested deeper than ``max_depth`` (checked while parsing, so a deep bomb stops early);
- anything that is not well-formed XML, including truncated documents.

A ``<!DOCTYPE>`` without entities is tolerated. A UTF-8 body with no ``<!`` at all (the usual
answer) is read by the standard library's expat parser directly, without defusedxml, which
cannot meet anything it guards against there (ADR 0053). Element names are matched by local
name (any namespace dropped) without regard to case, because TD SYNNEX clients disagree on
casing.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import cast
from xml.etree.ElementTree import (
    Element,
    ParseError,
    XMLPullParser,  # noqa: TID251 (only in _parse_plain, behind its guard; ADR 0053)
)

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from ._errors import BadPayload

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_DEPTH",
    "ChildTexts",
    "child",
    "child_text",
    "children",
    "descendants",
    "local_name",
    "read_document",
]

DEFAULT_MAX_BODY_BYTES = 5_000_000
DEFAULT_MAX_DEPTH = 32
_FEED_CHUNK = 64 * 1024  # bytes fed to the fast path's parser between depth checks

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.I | re.S,
)


def read_document(
    body: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    po_number: str | None = None,
) -> Element:
    """Parse ``body`` into an element tree, or raise ``BadPayload`` saying why not."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if len(raw) > max_bytes:
        raise BadPayload(
            f"TD SYNNEX's answer is {len(raw):,} bytes, over the {max_bytes:,}-byte limit",
            po_number=po_number,
        )
    if not raw.strip():
        raise BadPayload("TD SYNNEX's answer body is empty", po_number=po_number)
    head = raw.lstrip(b"\xef\xbb\xbf")[:2048]
    if _HTML_START.match(head):
        raise BadPayload(
            "TD SYNNEX answered with an HTML page instead of XML (a proxy, login or maintenance "
            "page; check the endpoint URL and try again later)",
            po_number=po_number,
        )
    utf8 = _check_encoding(raw, po_number)
    if utf8 and b"<!" not in raw:
        return _parse_plain(raw, max_depth, po_number)
    return _parse_bounded(raw, max_depth, po_number)


def _check_encoding(raw: bytes, po_number: str | None) -> bool:
    """Refuse undecodable text; True when the body is known to be valid UTF-8."""
    declared = _DECLARED_ENCODING.match(raw[:1024])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise BadPayload(
            f"TD SYNNEX's answer declares an unknown text encoding {encoding!r}",
            po_number=po_number,
        ) from None
    if codec.name not in ("utf-8", "utf-8-sig"):
        return False  # expat checks other declared encodings itself
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadPayload(
            f"TD SYNNEX's answer is not valid UTF-8 (bad byte at offset {exc.start})",
            po_number=po_number,
        ) from None
    return True


def _parse_plain(raw: bytes, max_depth: int, po_number: str | None) -> Element:
    """The fast path for a UTF-8 body with no markup declaration at all (ADR 0053).

    Only ``<!`` starts a DOCTYPE, an ENTITY (or any other) declaration, a comment or a CDATA
    section; in valid UTF-8 those two bytes cannot hide inside another character. A body
    without them can declare no entity and reference nothing external, so expat (which then
    knows only the five predefined entities and character references) reads it safely
    without defusedxml's guards, which cost about twice the parse itself. Anything else takes
    ``_parse_bounded``. The depth limit is checked as the document is fed, chunk by chunk, so a
    deep bomb still stops early; errors read as ``_parse_bounded``'s.
    """
    try:
        return _root_within(_pulled(raw), max_depth, po_number)
    except (ParseError, UnicodeError, ValueError) as exc:
        raise BadPayload(
            f"TD SYNNEX's answer is not well-formed XML ({exc})", po_number=po_number
        ) from None


def _pulled(raw: bytes) -> Iterator[tuple[str, Element]]:
    """Start and end events of ``raw`` from expat, fed in chunks (``_parse_plain`` only)."""
    # XMLPullParser is expat through ElementTree's C accelerator; the guard in _parse_plain is
    # what makes it safe here, and this is the only place it is used.
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[start : start + _FEED_CHUNK])
        # Only start and end events were asked for: each comes with its element.
        yield from cast(Iterator[tuple[str, Element]], parser.read_events())
    parser.close()
    yield from cast(Iterator[tuple[str, Element]], parser.read_events())


def _root_within(
    events: Iterable[tuple[str, Element]], max_depth: int, po_number: str | None
) -> Element:
    """The document's root, read from its start and end events, refusing it past ``max_depth``.

    The depth is checked as the events come, so a deeply nested answer stops early.
    """
    depth = 0
    root: Element | None = None
    for event, element in events:
        if event == "start":
            depth += 1
            if root is None:
                root = element
            if depth > max_depth:
                raise BadPayload(
                    f"TD SYNNEX's answer is nested more than {max_depth} elements deep",
                    po_number=po_number,
                )
        else:
            depth -= 1
    if root is None:
        raise BadPayload("TD SYNNEX's answer contains no XML element", po_number=po_number)
    return root


def _parse_bounded(raw: bytes, max_depth: int, po_number: str | None) -> Element:
    try:
        events = safe_et.iterparse(
            io.BytesIO(raw), events=("start", "end"), forbid_dtd=False, forbid_entities=True
        )
        return _root_within(events, max_depth, po_number)
    except DefusedXmlException as exc:
        raise BadPayload(
            "TD SYNNEX's answer declares XML entities or external references, which are refused "
            f"for safety ({type(exc).__name__})",
            po_number=po_number,
        ) from None
    except (ParseError, UnicodeError, ValueError) as exc:
        raise BadPayload(
            f"TD SYNNEX's answer is not well-formed XML ({exc})", po_number=po_number
        ) from None


# Bounded caches: an answer has a few dozen distinct tag names but hundreds of lookups, and tags
# come from the remote side, so the number of entries kept must not grow with what it sends.
@lru_cache(maxsize=1024)
def _local_name_of(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


@lru_cache(maxsize=256)
def _wanted(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


def local_name(tag: object) -> str:
    """An element's name without namespace, lower-cased (comments and PIs give '')."""
    if not isinstance(tag, str):
        return ""
    return _local_name_of(tag)


def _named(items: Iterator[Element], names: tuple[str, ...]) -> Iterator[Element]:
    wanted = _wanted(names)
    for item in items:
        tag = item.tag
        if isinstance(tag, str) and _local_name_of(tag) in wanted:
            yield item


def children(element: Element, *names: str) -> list[Element]:
    """Direct children whose local name is any of ``names`` (case-insensitive), in order."""
    return list(_named(iter(element), names))


def child(element: Element, *names: str) -> Element | None:
    """The first direct child named any of ``names``, or None."""
    return next(_named(iter(element), names), None)


def child_text(element: Element, *names: str) -> str | None:
    """Stripped text of the first non-empty direct child named any of ``names``; None if empty."""
    for item in _named(iter(element), names):
        text = "".join(item.itertext()).strip()
        if text:
            return text
    return None


class ChildTexts:
    """``child_text`` for an element read many times: its children are scanned once.

    ``get(*names)`` answers exactly as ``child_text(element, *names)`` does: the text of the
    first non-empty direct child, in document order, named any of ``names``.
    """

    __slots__ = ("_first",)

    def __init__(self, element: Element) -> None:
        first: dict[str, tuple[int, str]] = {}
        for position, item in enumerate(element):
            tag = item.tag
            if not isinstance(tag, str):
                continue
            name = _local_name_of(tag)
            if name not in first and (text := "".join(item.itertext()).strip()):
                first[name] = (position, text)
        self._first = first

    def get(self, *names: str) -> str | None:
        """Stripped text of the first non-empty child named any of ``names``; None if none."""
        found = [hit for name in _wanted(names) if (hit := self._first.get(name)) is not None]
        return min(found)[1] if found else None


def descendants(element: Element, *names: str) -> Iterator[Element]:
    """Every element below (and including) ``element`` named any of ``names``."""
    return _named(element.iter(), names)
