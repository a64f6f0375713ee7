"""One simulated Autotask database: its tables plus create/update with references and rules."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from orderbridge.simulators._common import SimClock

from .config import AutotaskSimConfig
from .entities import EntityCatalog, build_catalog
from .errors import ApiError
from .purchasing import rules_for
from .schema import EntitySpec
from .store import Record, RecordStore, Table
from .writes import body_fields, body_id, check_required

__all__ = ["AutotaskDatabase"]


class AutotaskDatabase:
    """Records of every entity and the write paths the API and the admin API share."""

    def __init__(self, config: AutotaskSimConfig, clock: SimClock) -> None:
        self.config = config
        self.clock = clock
        self.catalog: EntityCatalog = build_catalog(config)
        self.lock = threading.RLock()
        self.store = RecordStore(self.catalog.specs)
        self.seed()

    def seed(self) -> None:
        """Drop every record and create the seed data (the default inventory location)."""
        with self.lock:
            self.store = RecordStore(self.catalog.specs)
            self.table("InventoryLocations").insert(
                Record(
                    locationName=self.config.inventory_location_name,
                    isActive=True,
                    isDefault=True,
                )
            )

    def table(self, path: str) -> Table:
        """The table of one entity by its URL name."""
        return self.store.table(path)

    def now(self) -> datetime:
        """The simulated time."""
        return self.clock.now()

    def get(self, entity: EntitySpec, record_id: int) -> Record | None:
        """One record, or None."""
        return self.table(entity.path).get(record_id)

    def check_references(self, entity: EntitySpec, values: dict[str, Any]) -> None:
        """Every reference field names an existing record of the referenced entity."""
        errors = []
        for name, value in values.items():
            spec = entity.field_named(name)
            if spec is None or not spec.reference or value is None:
                continue
            target = self.catalog.by_name(spec.reference)
            if self.table(target.path).get(value) is None:
                errors.append(f"Value does not reference an existing entity for {spec.name}.")
        if errors:
            raise ApiError(*errors)

    def _parent_value(self, entity: EntitySpec, values: dict[str, Any], parent_id: int) -> None:
        given = values.get(entity.parent_field)
        if given is not None and given != parent_id:
            raise ApiError(
                f"The {entity.parent_field} in the body ({given}) does not match the parent "
                f"id in the URL ({parent_id})."
            )
        values[entity.parent_field] = parent_id

    def create(self, entity: EntitySpec, body: Any, parent_id: int | None = None) -> int:
        """Validate and store a new record; returns its id."""
        values = body_fields(entity, body)
        with self.lock:
            if parent_id is not None:
                self._parent_value(entity, values, parent_id)
            record = Record({k: v for k, v in values.items() if v is not None})
            check_required(entity, record)
            self.check_references(entity, record)
            rules = rules_for(entity.path)
            rules.before_create(self, record)
            record_id = self.table(entity.path).insert(record)
            rules.after_create(self, record)
            return record_id

    def _merged(
        self, entity: EntitySpec, old: Record, values: dict[str, Any], replace: bool
    ) -> Record:
        create_only = self.config.create_only_fields.get(entity.path, frozenset())
        for name in create_only:
            if name in values and values[name] != old.get(name):
                raise ApiError(f"The field {name} cannot be changed once the record exists.")
        if replace:
            # PUT: omitted writable fields become null, read-only and create-only ones stay.
            kept = {
                f.name: old[f.name]
                for f in entity.fields
                if (f.read_only or f.name in create_only) and f.name in old
            }
            merged = {**kept, **values}
        else:
            merged = {**old, **values}
        return Record({k: v for k, v in merged.items() if v is not None})

    def update(
        self, entity: EntitySpec, body: Any, *, replace: bool, parent_id: int | None = None
    ) -> int:
        """PATCH (``replace=False``) or PUT (``replace=True``) the record named in the body."""
        record_id = body_id(body)
        values = self.config.write_quirks.apply(entity.path, body_fields(entity, body))
        with self.lock:
            table = self.table(entity.path)
            old = table.get(record_id)
            if old is None or (parent_id is not None and old.get(entity.parent_field) != parent_id):
                raise ApiError(
                    f"No matching records found for id {record_id}. The logged in Resource may "
                    "not have the required permissions to update the data."
                )
            new = self._merged(entity, old, values, replace)
            check_required(entity, new)
            self.check_references(entity, {k: v for k, v in values.items() if v is not None})
            rules = rules_for(entity.path)
            rules.before_update(self, old, new)
            previous = Record(old)
            old.clear()
            old.update(new)
            rules.after_update(self, previous, old)
            return record_id
