"""Query, count and next-page handling, including the POST-versus-GET paging rule."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from .config import AutotaskSimConfig
from .database import AutotaskDatabase
from .errors import ApiError, MethodNotAllowed
from .metadata import base_url, query_param
from .paging import Cursor, CursorRegistry, canonical_query
from .query import ParsedQuery, count_matches, parse_query, run_page
from .rendering import JsonBody, items_json, page_body
from .schema import EntitySpec

__all__ = ["QueryService", "parse_json"]


def parse_json(raw: bytes | str) -> Any:
    """Decode a JSON body or ``search`` value with a Json.NET-style message on failure."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        raise ApiError("The request is invalid: the body is empty.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(
            f"Unexpected character encountered while parsing value: {text[exc.pos : exc.pos + 1]}. "
            f"Path '', line {exc.lineno}, position {exc.colno}."
        ) from None


class QueryService:
    """Answers ``query``, ``query/count`` and ``query/next`` for every entity."""

    def __init__(
        self, db: AutotaskDatabase, config: AutotaskSimConfig, cursors: CursorRegistry
    ) -> None:
        self.db = db
        self.config = config
        self.cursors = cursors

    def _parse(self, entity: EntitySpec, data: Any) -> ParsedQuery:
        return parse_query(
            entity,
            data,
            page_limit=self.config.page_size_limit,
            max_or=self.config.max_or_conditions,
        )

    async def _model(self, request: Request) -> Any:
        if request.method == "POST":
            return parse_json(await request.body())
        search = query_param(request, "search")
        if search is None:
            raise ApiError("The request is invalid: the 'search' parameter is required.")
        return parse_json(search)

    async def query(self, request: Request, entity: EntitySpec) -> JsonBody:
        """The first page of a query (GET ``search=`` or POST body)."""
        data = await self._model(request)
        parsed = self._parse(entity, data)
        cursor = Cursor(entity.path, request.method, canonical_query(data), None, None)
        return self._page(request, entity, parsed, cursor, None)

    async def count(self, request: Request, entity: EntitySpec) -> dict[str, Any]:
        """``{"queryCount": n}``."""
        parsed = self._parse(entity, await self._model(request))
        with self.db.lock:
            return {"queryCount": count_matches(self.db.table(entity.path), parsed)}

    async def next_page(self, request: Request, entity: EntitySpec) -> JsonBody:
        """A following page; a POST-started query must be re-POSTed with the identical body."""
        token = query_param(request, "paging") or ""
        cursor = self.cursors.find(token)
        if cursor is None or cursor.entity != entity.path:
            raise ApiError("The paging token is invalid or has expired. Run the query again.")
        if request.method == "GET" and cursor.method == "POST":
            raise MethodNotAllowed("GET")
        if request.method == "POST":
            body = parse_json(await request.body())
            if canonical_query(body) != cursor.query:
                raise ApiError(
                    "The request body does not match the query this page belongs to. Send the "
                    "original query body unchanged."
                )
        parsed = self._parse(entity, json.loads(cursor.query))
        return self._page(request, entity, parsed, cursor, token)

    def _url(self, request: Request, entity: EntitySpec, token: str | None) -> str | None:
        if token is None:
            return None
        return f"{base_url(request)}/ATServicesRest/V1.0/{entity.path}/query/next?paging={token}"

    def _page(
        self,
        request: Request,
        entity: EntitySpec,
        parsed: ParsedQuery,
        cursor: Cursor,
        token: str | None,
    ) -> JsonBody:
        with self.db.lock:
            page = run_page(self.db.table(entity.path), parsed, cursor.after_id)
            items = items_json(entity, page.records, parsed.include)
            last_id = page.records[-1]["id"] if page.records else None
        next_token = None
        if page.has_more:
            if token is None:  # page one gets a token only now, for the next page's prev link
                token = self.cursors.issue(cursor)
            next_token = self.cursors.issue(
                Cursor(entity.path, cursor.method, cursor.query, last_id, token)
            )
        details = {
            "count": len(page.records),
            "requestCount": parsed.max_records,
            "prevPageUrl": self._url(request, entity, cursor.prev_token),
            "nextPageUrl": self._url(request, entity, next_token),
        }
        return page_body(items, details)
