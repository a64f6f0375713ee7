"""Paging strategies for Autotask queries, separate from the transport.

Autotask pages hold at most 500 rows and carry no total. Two strategies:

- ``id`` (default): re-query with ``id gt <highest id seen>`` until a short page. Robust: it
  needs no server-side page cache and does not depend on how long paging tokens live.
- ``next-url``: follow ``pageDetails.nextPageUrl``. A POSTed query's next page must be POSTed
  again with the *identical* body — a GET there answers 405 and clients that did so silently
  lost every row after the first 500.

Both take a ``post(target, body)`` callable (``target`` is a path under the zone base or an
absolute URL) that returns the decoded JSON answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from ._errors import BadPayload
from ._query import F, Filter

__all__ = ["PagingMode", "Post", "page_rows", "pages"]

PagingMode = Literal["id", "next-url"]
Post = Callable[[str, dict[str, Any]], Awaitable[Any]]


def page_rows(entity: str, payload: object) -> tuple[list[dict[str, Any]], str | None]:
    """The rows and the next-page URL of one query answer."""
    if not isinstance(payload, Mapping):
        raise BadPayload(f"{entity} query: expected a JSON object")
    items = payload.get("items")
    if not isinstance(items, list) or not all(isinstance(row, dict) for row in items):
        raise BadPayload(f"{entity} query: expected 'items' to be a list of objects")
    details = payload.get("pageDetails")
    next_url = details.get("nextPageUrl") if isinstance(details, Mapping) else None
    if next_url is not None and not isinstance(next_url, str):
        raise BadPayload(f"{entity} query: 'nextPageUrl' is not text: {next_url!r}")
    return items, next_url or None


def _has_page_details(payload: object) -> bool:
    return isinstance(payload, Mapping) and isinstance(payload.get("pageDetails"), Mapping)


def _body(
    filters: Sequence[Filter], include_fields: Sequence[str] | None, max_records: int
) -> dict[str, Any]:
    body: dict[str, Any] = {"MaxRecords": max_records}
    if include_fields:
        body["IncludeFields"] = list(include_fields)
    # Autotask wants at least one condition; 'exist id' is its documented "all rows"
    body["filter"] = [f.to_json() for f in filters] or [F("id").exist().to_json()]
    return body


def _highest_id(entity: str, rows: list[dict[str, Any]]) -> int:
    """The cursor for the next page. A row without a usable id is passed on for its PO to be
    reported; only a page with no usable id at all cannot be continued."""
    ids = [
        value
        for value in (row.get("id", row.get("Id")) for row in rows)
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    if not ids:
        raise BadPayload(f"{entity} query: rows without a numeric 'id' cannot be paged by id")
    return max(ids)


async def _by_id(
    post: Post,
    entity: str,
    filters: Sequence[Filter],
    include_fields: Sequence[str] | None,
    max_records: int,
) -> AsyncIterator[list[dict[str, Any]]]:
    if include_fields and not any(f.lower() == "id" for f in include_fields):
        include_fields = ["id", *include_fields]  # the cursor needs it (Autotask says so too)
    after: int | None = None
    while True:
        cursor = () if after is None else (F("id").gt(after),)
        payload = await post(
            f"{entity}/query", _body([*filters, *cursor], include_fields, max_records)
        )
        rows, next_url = page_rows(entity, payload)
        if rows:
            yield rows
        if len(rows) < max_records or (next_url is None and _has_page_details(payload)):
            return  # a full page whose pageDetails name no next page is the last one
        highest = _highest_id(entity, rows)
        if after is not None and highest <= after:
            raise BadPayload(f"{entity} query: id paging made no progress past id {after}")
        after = highest


async def _by_next_url(
    post: Post,
    entity: str,
    filters: Sequence[Filter],
    include_fields: Sequence[str] | None,
    max_records: int,
) -> AsyncIterator[list[dict[str, Any]]]:
    body = _body(filters, include_fields, max_records)
    target = f"{entity}/query"
    seen: set[str] = set()
    while True:
        rows, next_url = page_rows(entity, await post(target, body))
        if rows:
            yield rows
        if next_url is None or not rows:
            return
        if next_url in seen:
            raise BadPayload(f"{entity} query: nextPageUrl repeats itself: {next_url}")
        seen.add(next_url)
        target = next_url


def pages(
    mode: PagingMode,
    post: Post,
    entity: str,
    filters: Sequence[Filter],
    *,
    include_fields: Sequence[str] | None = None,
    max_records: int = 500,
) -> AsyncIterator[list[dict[str, Any]]]:
    """The pages of one (already legal) query, following ``mode``."""
    if not 1 <= max_records <= 500:
        raise ValueError("max_records must be between 1 and 500")
    strategy = _by_id if mode == "id" else _by_next_url
    return strategy(post, entity, filters, include_fields, max_records)
