"""The REST API: one dispatcher that matches a route, checks the verb and auth, and answers."""

from __future__ import annotations

import itertools
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .auth import check_credentials
from .config import AutotaskSimConfig
from .database import AutotaskDatabase
from .errors import ApiError, MethodNotAllowed, RouteNotFound
from .limits import HourlyCounter
from .metadata import (
    entity_fields,
    entity_info,
    global_entity_info,
    threshold_information,
    user_defined_fields,
    version_information,
    zone_information,
)
from .paging import CursorRegistry
from .querying import QueryService, parse_json
from .rendering import JsonBody, item_body, items_body
from .routing import Resource, RouteMatch, match_route
from .schema import EntitySpec
from .store import Record

__all__ = ["AutotaskApi", "unexpected_error"]

log = logging.getLogger(__name__)
_error_ids = itertools.count(54634)

_METHODS: dict[Resource, tuple[str, ...]] = {
    Resource.QUERY: ("GET", "POST"),
    Resource.COUNT: ("GET", "POST"),
    Resource.NEXT: ("GET", "POST"),
    Resource.CHILDREN: ("GET", "POST", "PATCH", "PUT"),
    Resource.COLLECTION: ("POST", "PATCH", "PUT"),
}


def unexpected_error() -> JSONResponse:
    """Autotask's catch-all 500, never a traceback."""
    error_id = next(_error_ids)
    return JSONResponse(
        {
            "errors": [
                "An unexpected error has occurred. Please contact Autotask Support. "
                f"Error ID: {error_id}."
            ],
            "errorId": error_id,
        },
        status_code=500,
    )


class AutotaskApi:
    """Routes every ``/ATServicesRest/...`` request."""

    def __init__(
        self,
        db: AutotaskDatabase,
        config: AutotaskSimConfig,
        counter: HourlyCounter,
        cursors: CursorRegistry,
    ) -> None:
        self.db = db
        self.config = config
        self.counter = counter
        self.queries = QueryService(db, config, cursors)

    async def handle(self, request: Request) -> Response:
        """Answer one request, turning every failure into Autotask's error shapes."""
        try:
            answer = await self._answer(request)
            if isinstance(answer, JsonBody):
                return answer.response()
            return JSONResponse(answer)
        except (ApiError, MethodNotAllowed, RouteNotFound) as exc:
            return exc.response()
        except Exception:
            log.exception("unexpected error in the Autotask simulator")
            return unexpected_error()

    async def _answer(self, request: Request) -> dict[str, Any] | JsonBody:
        match = match_route(self.db.catalog, request.url.path)
        if match is None:
            raise RouteNotFound(str(request.url))
        method = request.method
        allowed = _METHODS.get(match.resource, ("GET",))
        if method not in allowed:
            raise MethodNotAllowed(method)
        if match.resource is Resource.ZONE:
            return zone_information(request, self.config)
        if match.resource is Resource.VERSION:
            return version_information(self.config)
        check_credentials(request.headers, self.config)
        if match.resource is Resource.THRESHOLD:
            return threshold_information(self.counter)
        if match.resource is Resource.GLOBAL_INFO:
            return global_entity_info(self.db.catalog)
        assert match.entity is not None  # every remaining route names an entity
        return await self._entity(request, match, match.entity)

    async def _entity(
        self, request: Request, match: RouteMatch, entity: EntitySpec
    ) -> dict[str, Any] | JsonBody:
        resource = match.resource
        if resource is Resource.INFO:
            return entity_info(entity)
        if resource is Resource.FIELDS:
            return entity_fields(entity)
        if resource is Resource.UDFS:
            return user_defined_fields(entity)
        if resource is Resource.QUERY:
            return await self.queries.query(request, entity)
        if resource is Resource.COUNT:
            return await self.queries.count(request, entity)
        if resource is Resource.NEXT:
            return await self.queries.next_page(request, entity)
        if resource in (Resource.RECORD, Resource.CHILD):
            return self._one(match, entity)
        if resource is Resource.CHILDREN and request.method == "GET":
            return self._children(match, entity)
        return await self._write(request, match, entity)

    def _one(self, match: RouteMatch, entity: EntitySpec) -> JsonBody:
        assert match.record_id is not None
        with self.db.lock:
            record = self.db.get(entity, match.record_id)
            parent_id = match.parent_id
            if parent_id is not None and not _belongs(entity, record, parent_id):
                record = None
            return item_body(entity, record)

    def _children(self, match: RouteMatch, entity: EntitySpec) -> JsonBody:
        assert match.parent_id is not None
        with self.db.lock:
            records = self.db.table(entity.path).children_of(match.parent_id)
            return items_body(entity, records)

    async def _write(
        self, request: Request, match: RouteMatch, entity: EntitySpec
    ) -> dict[str, Any]:
        method = request.method
        child = match.resource is Resource.CHILDREN
        if (not child and not entity.root_writes) or (method == "POST" and not entity.can_create):
            raise MethodNotAllowed(method)
        if method in ("PATCH", "PUT") and not entity.can_update:
            raise MethodNotAllowed(method)
        body = parse_json(await request.body())
        parent, parent_id = match.parent, match.parent_id
        if child and parent is not None and parent_id is not None:
            self._require_parent(entity, parent, parent_id)
        if method == "POST":
            return {"itemId": self.db.create(entity, body, match.parent_id)}
        item_id = self.db.update(entity, body, replace=method == "PUT", parent_id=match.parent_id)
        return {"itemId": item_id}

    def _require_parent(self, entity: EntitySpec, parent: EntitySpec, parent_id: int) -> None:
        if self.db.get(parent, parent_id) is None:
            raise ApiError(
                f"Value does not reference an existing entity for {entity.parent_field}."
            )


def _belongs(entity: EntitySpec, record: Record | None, parent_id: int) -> bool:
    return record is not None and record.get(entity.parent_field) == parent_id
