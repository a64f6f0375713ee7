"""In-memory records: one table per entity, records as sparse dicts keyed by field name.

Ids are handed out in ascending order and records are never deleted, so each table keeps its ids
in a plain list that is always sorted; id-range queries bisect it instead of scanning.

A ``Record`` remembers its rendered API JSON (see ``rendering``) and forgets it on every write,
whichever code path writes: the API, the business rules or the scenario loader.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any, Self

from .schema import EntitySpec

__all__ = ["Record", "RecordStore", "Table"]


class Record(dict[str, Any]):
    """A stored record: field values by name, plus its rendered JSON until the next write."""

    __slots__ = ("rendered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: bytes | None = None

    # Every mutating dict method drops the rendered JSON, so a page never serves a stale record.

    def __setitem__(self, key: str, value: Any) -> None:
        self.rendered = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.rendered = None
        super().__delitem__(key)

    # typeshed ties ``|=`` to the overloads of ``|``; one argument of any mapping is what it takes.
    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]
        self.rendered = None
        return super().__ior__(other)

    def clear(self) -> None:
        """Remove every field."""
        self.rendered = None
        super().clear()

    def pop(self, *args: Any) -> Any:
        """Remove a field and return its value (``dict.pop``)."""
        self.rendered = None
        return super().pop(*args)

    def popitem(self) -> tuple[str, Any]:
        """Remove the last field (``dict.popitem``)."""
        self.rendered = None
        return super().popitem()

    def setdefault(self, *args: Any) -> Any:
        """``dict.setdefault``."""
        self.rendered = None
        return super().setdefault(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``."""
        self.rendered = None
        super().update(*args, **kwargs)


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
