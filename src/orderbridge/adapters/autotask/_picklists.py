"""Entity field metadata (``entityInformation/fields``), cached, and picklist label resolution.

Picklist integers differ per tenant, so filters and writes always go label → value through this
cache, never through hard-coded numbers. Entity, field and label names compare case-insensitively
(older tenants answer in PascalCase). One fetch per entity per ``ttl_s`` — concurrent callers of a
cold cache wait for the same fetch instead of each firing one (metadata bursts trip Autotask's
thread limit). With ``refetch`` (metadata that may come from a cache kept between processes), a
label that is not found is looked for once more in freshly fetched metadata before it is an
error: a choice added since the cache was filled is then found.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio

from ._errors import BadPayload, UnknownPicklistLabel, ValidationFailed

__all__ = ["FieldInfo", "PicklistCache", "PicklistChoice"]

FetchFields = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class PicklistChoice:
    """One picklist entry."""

    value: int
    label: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What the adapter needs to know about one entity field."""

    name: str
    data_type: str
    is_picklist: bool
    choices: tuple[PicklistChoice, ...] = ()


def _choice(entity: str, field: str, raw: object) -> PicklistChoice | None:
    if not isinstance(raw, Mapping):
        raise BadPayload(f"{entity}.{field}: picklist entry is not an object: {raw!r}")
    label = raw.get("label")
    value = raw.get("value")
    if not isinstance(label, str):
        raise BadPayload(f"{entity}.{field}: picklist entry without a text label: {raw!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        return None  # a non-numeric value cannot be used in an integer filter; skip it
    active = raw.get("isActive", True)
    return PicklistChoice(number, label, active is not False)


def parse_fields(entity: str, payload: object) -> dict[str, FieldInfo]:
    """Field metadata by lower-case name from an ``entityInformation/fields`` answer."""
    fields = payload.get("fields") if isinstance(payload, Mapping) else None
    if not isinstance(fields, list):
        raise BadPayload(f"{entity}/entityInformation/fields: expected a 'fields' list")
    out: dict[str, FieldInfo] = {}
    for raw in fields:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise BadPayload(f"{entity}/entityInformation/fields: field without a name: {raw!r}")
        name: str = raw["name"]
        entries = raw.get("picklistValues") or []
        if not isinstance(entries, list):
            raise BadPayload(f"{entity}.{name}: 'picklistValues' is not a list")
        choices = tuple(c for c in (_choice(entity, name, e) for e in entries) if c is not None)
        out[name.lower()] = FieldInfo(
            name=name,
            data_type=str(raw.get("dataType") or ""),
            is_picklist=bool(raw.get("isPickList")) or bool(choices),
            choices=choices,
        )
    return out


class PicklistCache:
    """Per-entity field metadata with a time-to-live, and label ↔ value lookups."""

    def __init__(
        self,
        fetch: FetchFields,
        *,
        ttl_s: float = 12 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
        refetch: FetchFields | None = None,
    ) -> None:
        self._fetch = fetch
        self._refetch = refetch
        self._refetched: set[str] = set()
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, FieldInfo]]] = {}
        self._locks: dict[str, anyio.Lock] = {}

    def invalidate(self, entity: str | None = None) -> None:
        """Forget one entity's metadata, or all of it."""
        if entity is None:
            self._cache.clear()
        else:
            self._cache.pop(entity.lower(), None)

    async def fields(self, entity: str) -> dict[str, FieldInfo]:
        """The entity's fields by lower-case name, fetched at most once per TTL."""
        key = entity.lower()
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            cached = self._cache.get(key)
            if cached is not None and self._clock() - cached[0] < self._ttl_s:
                return cached[1]
            parsed = parse_fields(entity, await self._fetch(entity))
            self._cache[key] = (self._clock(), parsed)
            return parsed

    async def _fetch_again(self, entity: str) -> bool:
        """Replace possibly stale metadata by a fresh fetch, once per entity; whether it was."""
        key = entity.lower()
        if self._refetch is None or key in self._refetched:
            return False
        self._refetched.add(key)
        async with self._locks.setdefault(key, anyio.Lock()):
            parsed = parse_fields(entity, await self._refetch(entity))
            self._cache[key] = (self._clock(), parsed)
        return True

    async def field(self, entity: str, field: str) -> FieldInfo:
        """One field's metadata; an unknown field is an error naming the known ones."""
        fields = await self.fields(entity)
        info = fields.get(field.lower())
        if info is None:
            known = ", ".join(sorted(f.name for f in fields.values()))
            raise ValidationFailed(f"{entity} has no field {field!r}; fields are: {known}")
        return info

    async def values(self, entity: str, field: str) -> dict[str, int]:
        """``{label: value}`` for a picklist field; an active entry wins over an inactive twin."""
        info = await self.field(entity, field)
        ordered = sorted(info.choices, key=lambda c: c.is_active)
        return {choice.label: choice.value for choice in ordered}

    async def resolve(self, entity: str, field: str, label: str) -> int:
        """The integer behind ``label`` (case- and space-insensitive); active entries win."""
        info = await self.field(entity, field)
        wanted = " ".join(label.split()).casefold()
        matches = [c for c in info.choices if " ".join(c.label.split()).casefold() == wanted]
        if not matches and await self._fetch_again(entity):
            return await self.resolve(entity, field, label)
        if not matches:
            choices = tuple(c.label for c in info.choices if c.is_active)
            raise UnknownPicklistLabel(entity, info.name, label, choices)
        return sorted(matches, key=lambda c: not c.is_active)[0].value

    async def label_of(self, entity: str, field: str, value: int) -> str | None:
        """The label for ``value``, or ``None`` when the tenant's picklist lacks it."""
        info = await self.field(entity, field)
        return next((c.label for c in info.choices if c.value == value), None)
