"""Records as API JSON, and answers assembled from each record's cached JSON.

A full query page is 500 records of about 30 fields; rendering them afresh for every request
cost most of the simulator's time. Each record therefore keeps its own encoded JSON (see
``Record``) until it is written, and a page body is those pieces joined. Pages that ask for
``IncludeFields`` are rendered per request, which is cheap for the few fields they name.

The bytes are exactly what ``JSONResponse`` would produce for the same dict, so clients see no
difference. Callers hold the database lock, as they do for any read of the records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.responses import Response

from .schema import EntitySpec
from .store import Record
from .values import format_time

__all__ = [
    "JsonBody",
    "item_body",
    "items_body",
    "items_json",
    "page_body",
    "record_json",
    "render_record",
]

# The settings of starlette's JSONResponse, so cached pieces and whole answers match byte for byte.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class JsonBody:
    """An answer already encoded as JSON."""

    content: bytes

    def response(self) -> Response:
        """The answer as an HTTP 200 JSON response."""
        return Response(self.content, media_type="application/json")


def _encode(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def render_record(
    spec: EntitySpec, record: Record, include: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A record as API JSON: every field (null when unset), or only ``include`` when given."""
    rendered: dict[str, Any] = dict.fromkeys(spec.names if include is None else include)
    # Records are sparse, so walking the set fields beats looking up every name.
    for name, value in record.items():
        if name in rendered:
            rendered[name] = format_time(value) if isinstance(value, datetime) else value
    return rendered


def record_json(spec: EntitySpec, record: Record) -> bytes:
    """A record's full API JSON, encoded once and reused until the record is written."""
    cached = record.rendered
    if cached is None:
        cached = _encode(render_record(spec, record))
        record.rendered = cached
    return cached


def items_json(
    spec: EntitySpec, records: list[Record], include: tuple[str, ...] | None = None
) -> list[bytes]:
    """The records' JSON, to be joined by commas: full ones cached, ``include`` ones afresh."""
    if include is not None:
        # Few fields a record: one encoder call for the whole list, without its brackets.
        return [_encode([render_record(spec, record, include) for record in records])[1:-1]]
    return [record_json(spec, record) for record in records]


def _joined(head: bytes, pieces: list[bytes], tail: bytes) -> bytes:
    """``head``, the pieces separated by commas, then ``tail``, copied only once."""
    parts = [head]
    for piece in pieces:
        parts += (piece, b",")
    if pieces:
        parts.pop()
    parts.append(tail)
    return b"".join(parts)


def page_body(items: list[bytes], details: dict[str, Any]) -> JsonBody:
    """A query page from its items' JSON: ``{"items": [...], "pageDetails": {...}}``."""
    return JsonBody(_joined(b'{"items":[', items, b'],"pageDetails":' + _encode(details) + b"}"))


def items_body(spec: EntitySpec, records: list[Record]) -> JsonBody:
    """Full records as ``{"items": [...]}``."""
    return JsonBody(_joined(b'{"items":[', items_json(spec, records), b"]}"))


def item_body(spec: EntitySpec, record: Record | None) -> JsonBody:
    """One full record, or null, as ``{"item": ...}``."""
    item = b"null" if record is None else record_json(spec, record)
    return JsonBody(b'{"item":' + item + b"}")
