"""Matching request paths to API resources, case-insensitively, like the IIS-hosted original."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .entities import EntityCatalog
from .schema import EntitySpec

__all__ = ["Resource", "RouteMatch", "match_route"]


class Resource(StrEnum):
    """The kinds of resource the API serves."""

    VERSION = "VersionInformation"
    ZONE = "zoneInformation"
    THRESHOLD = "ThresholdInformation"
    GLOBAL_INFO = "EntityInformation"
    COLLECTION = "collection"
    RECORD = "record"
    QUERY = "query"
    COUNT = "count"
    NEXT = "next"
    INFO = "entityInformation"
    FIELDS = "fields"
    UDFS = "userDefinedFields"
    CHILDREN = "children"
    CHILD = "child"


_PLAIN = {
    "zoneinformation": Resource.ZONE,
    "thresholdinformation": Resource.THRESHOLD,
    "entityinformation": Resource.GLOBAL_INFO,
}
_TWO = {"query": Resource.QUERY, "entityinformation": Resource.INFO}
_THREE = {
    ("query", "count"): Resource.COUNT,
    ("query", "next"): Resource.NEXT,
    ("entityinformation", "fields"): Resource.FIELDS,
    ("entityinformation", "userdefinedfields"): Resource.UDFS,
}


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """What a path names: the resource kind, the entity and the ids in it."""

    resource: Resource
    entity: EntitySpec | None = None
    record_id: int | None = None
    parent: EntitySpec | None = None
    parent_id: int | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint name limits and counters are kept under."""
        if self.entity is not None:
            return self.entity.path
        return self.resource.value


def _entity_route(catalog: EntityCatalog, rest: list[str]) -> RouteMatch | None:
    entity = catalog.by_path(rest[0])
    if entity is None:
        return None
    low = [part.lower() for part in rest[1:]]
    if not low:
        return RouteMatch(Resource.COLLECTION, entity)
    if len(low) == 1:
        if low[0].isdigit():
            return RouteMatch(Resource.RECORD, entity, record_id=int(low[0]))
        kind = _TWO.get(low[0])
        return None if kind is None else RouteMatch(kind, entity)
    if len(low) == 2 and (kind := _THREE.get((low[0], low[1]))) is not None:
        return RouteMatch(kind, entity)
    if not low[0].isdigit() or len(low) > 4:
        return None
    child = catalog.child(entity, low[1])
    if child is None:
        return None
    parent_id = int(low[0])
    if len(low) == 2:
        return RouteMatch(Resource.CHILDREN, child, parent=entity, parent_id=parent_id)
    if low[2] == "entityinformation":
        return _child_metadata(child, low[3:], entity, parent_id)
    if len(low) > 3 or not low[2].isdigit():
        return None
    return RouteMatch(
        Resource.CHILD, child, record_id=int(low[2]), parent=entity, parent_id=parent_id
    )


def _child_metadata(
    child: EntitySpec, rest: list[str], parent: EntitySpec, parent_id: int
) -> RouteMatch | None:
    """``/{Parent}/{parentId}/{Child}/entityInformation[/fields|/userDefinedFields]``.

    The swagger lists these child paths beside the root ones; they describe the same entity, and
    the parent id is not checked (metadata does not depend on a record).
    """
    kind = Resource.INFO if not rest else _THREE.get(("entityinformation", rest[0]))
    if kind is None:
        return None
    return RouteMatch(kind, child, parent=parent, parent_id=parent_id)


def match_route(catalog: EntityCatalog, path: str) -> RouteMatch | None:
    """The resource a request path names, or None when no route matches."""
    parts = [part for part in path.split("/") if part]
    if not parts or parts[0].lower() != "atservicesrest":
        return None
    if len(parts) == 2 and parts[1].lower() == "versioninformation":
        return RouteMatch(Resource.VERSION)
    if len(parts) < 3 or parts[1].lower() != "v1.0":
        return None
    rest = parts[2:]
    if len(rest) == 1 and (plain := _PLAIN.get(rest[0].lower())) is not None:
        return RouteMatch(plain)
    return _entity_route(catalog, rest)
