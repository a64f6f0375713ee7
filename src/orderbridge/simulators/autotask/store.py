"""In-memory records: one table per entity, records as sparse dicts keyed by field name.

Ids are handed out in ascending order and records are never deleted, so each table keeps its ids
in a plain list that is always sorted; id-range queries bisect it instead of scanning.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from .schema import EntitySpec
from .values import to_json_value

__all__ = ["Record", "RecordStore", "Table", "render_record"]

Record = dict[str, Any]


class Table:
    """The records of one entity, plus an index by parent id for child entities."""

    def __init__(self, spec: EntitySpec, first_id: int = 1) -> None:
        self.spec = spec
        self.records: dict[int, Record] = {}
        self.ids: list[int] = []
        self.next_id = first_id
        self.by_parent: dict[int, list[int]] = {}

    def insert(self, record: Record) -> int:
        """Store a new record (without ``id``); returns the id given to it."""
        record_id = self.next_id
        self.next_id += 1
        record["id"] = record_id
        self.records[record_id] = record
        self.ids.append(record_id)
        if self.spec.parent_field:
            parent = record.get(self.spec.parent_field)
            if isinstance(parent, int):
                self.by_parent.setdefault(parent, []).append(record_id)
        return record_id

    def get(self, record_id: int) -> Record | None:
        """One record by id, or None."""
        return self.records.get(record_id)

    def children_of(self, parent_id: int) -> list[Record]:
        """The records whose parent field is ``parent_id``, in id order."""
        return [self.records[i] for i in self.by_parent.get(parent_id, ())]

    def ids_between(self, low: int | None, high: int | None) -> list[int]:
        """Ids in the inclusive range [low, high] (either end open when None), ascending."""
        start = 0 if low is None else bisect_left(self.ids, low)
        stop = len(self.ids) if high is None else bisect_right(self.ids, high)
        return self.ids[start:stop]

    def __iter__(self) -> Iterator[Record]:
        return (self.records[i] for i in self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class RecordStore:
    """All tables of one simulated Autotask database."""

    def __init__(self, specs: list[EntitySpec]) -> None:
        self.tables: dict[str, Table] = {spec.path: Table(spec) for spec in specs}
        # receipts per item: quantity received so far (Autotask keeps this on the receiving rows)
        self.received: dict[int, int] = {}

    def table(self, path: str) -> Table:
        """The table of one entity by URL name (exact spelling)."""
        return self.tables[path]


def render_record(
    spec: EntitySpec, record: Record, include: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A record as API JSON: every field (null when unset), or only ``include`` when given."""
    names = include if include is not None else tuple(f.name for f in spec.fields)
    return {name: to_json_value(record.get(name)) for name in names}
