"""A typed builder for Autotask's query grammar, and the rules that keep a query legal.

Leaves are ``{"op", "field", "value"[, "udf": true]}``; groups are ``{"op": "and"|"or",
"items": [...]}`` and nest. The top-level filter list is AND-ed by Autotask. Example::

    filters = [F("vendorID").in_([29683612]), F("status").eq(2) | F("id").gt(100)]
    [f.to_json() for f in filters]

Limits enforced before anything is sent: at most ``max_or`` OR conditions per query (Autotask
answers "Queries are limited to 500 or fewer 'OR' conditions"), at most ``max_in`` values per
``in``/``notIn`` list. A long top-level ``in`` becomes several queries (their results are
disjoint); a long nested ``in`` becomes an OR of chunks, a long ``notIn`` an AND of chunks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ._errors import QueryTooLarge
from ._mapping import format_datetime

__all__ = [
    "MAX_IN_VALUES",
    "MAX_OR_CONDITIONS",
    "Condition",
    "F",
    "Filter",
    "Group",
    "count_or_conditions",
    "plan_queries",
]

MAX_IN_VALUES = 500
MAX_OR_CONDITIONS = 500

_VALUELESS = frozenset({"exist", "notExist"})
_LIST_OPS = frozenset({"in", "notIn"})


def _wire_value(value: object) -> Any:
    """A filter value as Autotask expects it: UTC ISO times, real booleans, plain numbers."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class Filter:
    """A node of an Autotask filter tree; combine nodes with ``&`` and ``|``."""

    def to_json(self) -> dict[str, Any]:
        """The node as Autotask query JSON."""
        raise NotImplementedError

    def __and__(self, other: Filter) -> Group:
        return Group("and", (self, other))

    def __or__(self, other: Filter) -> Group:
        return Group("or", (self, other))

    @staticmethod
    def all_of(*items: Filter) -> Group:
        """An ``and`` group."""
        return Group("and", tuple(items))

    @staticmethod
    def any_of(*items: Filter) -> Group:
        """An ``or`` group."""
        return Group("or", tuple(items))


@dataclass(frozen=True, slots=True)
class Condition(Filter):
    """One comparison on one field."""

    op: str
    field: str
    value: Any = None
    udf: bool = False

    def to_json(self) -> dict[str, Any]:
        """The leaf as Autotask query JSON (no ``value`` for exist/notExist)."""
        out: dict[str, Any] = {"op": self.op, "field": self.field}
        if self.op in _LIST_OPS:
            out["value"] = [_wire_value(v) for v in self.value]
        elif self.op not in _VALUELESS:
            out["value"] = _wire_value(self.value)
        if self.udf:
            out["udf"] = True
        return out


@dataclass(frozen=True, slots=True)
class Group(Filter):
    """An ``and``/``or`` group of nodes."""

    op: str
    items: tuple[Filter, ...]

    def __post_init__(self) -> None:
        if self.op not in ("and", "or"):
            raise ValueError(f"a filter group is 'and' or 'or', not {self.op!r}")
        if not self.items:
            raise ValueError("a filter group needs at least one item")

    def to_json(self) -> dict[str, Any]:
        """The group as Autotask query JSON."""
        return {"op": self.op, "items": [item.to_json() for item in self.items]}


class F:
    """A field to filter on: ``F("status").eq(2)``, ``F("MyUdf", udf=True).contains("x")``."""

    __slots__ = ("name", "udf")

    def __init__(self, name: str, *, udf: bool = False) -> None:
        self.name = name
        self.udf = udf

    def _leaf(self, op: str, value: Any = None) -> Condition:
        if op not in _VALUELESS and op not in _LIST_OPS and isinstance(value, list | tuple):
            raise ValueError(f"{op} on {self.name} takes one value; use in_/not_in for lists")
        return Condition(op, self.name, value, self.udf)

    def eq(self, value: Any) -> Condition:
        """Equal to ``value``."""
        return self._leaf("eq", value)

    def noteq(self, value: Any) -> Condition:
        """Not equal to ``value``."""
        return self._leaf("noteq", value)

    def gt(self, value: Any) -> Condition:
        """Greater than ``value``."""
        return self._leaf("gt", value)

    def gte(self, value: Any) -> Condition:
        """Greater than or equal to ``value``."""
        return self._leaf("gte", value)

    def lt(self, value: Any) -> Condition:
        """Less than ``value``."""
        return self._leaf("lt", value)

    def lte(self, value: Any) -> Condition:
        """Less than or equal to ``value``."""
        return self._leaf("lte", value)

    def begins_with(self, value: str) -> Condition:
        """Text starts with ``value``."""
        return self._leaf("beginsWith", value)

    def ends_with(self, value: str) -> Condition:
        """Text ends with ``value``."""
        return self._leaf("endsWith", value)

    def contains(self, value: str) -> Condition:
        """Text contains ``value``."""
        return self._leaf("contains", value)

    def exist(self) -> Condition:
        """The field has a value."""
        return self._leaf("exist")

    def not_exist(self) -> Condition:
        """The field is empty."""
        return self._leaf("notExist")

    def in_(self, values: Iterable[Any]) -> Condition:
        """One of ``values`` (duplicates dropped, order kept)."""
        return Condition("in", self.name, tuple(dict.fromkeys(values)), self.udf)

    def not_in(self, values: Iterable[Any]) -> Condition:
        """None of ``values``."""
        return Condition("notIn", self.name, tuple(dict.fromkeys(values)), self.udf)


def _chunks(values: Sequence[Any], size: int) -> list[tuple[Any, ...]]:
    return [tuple(values[i : i + size]) for i in range(0, len(values), size)]


def _split_nested(node: Filter, max_in: int) -> Filter:
    """Rewrite long lists inside a tree so no single list exceeds ``max_in`` values."""
    if isinstance(node, Group):
        return Group(node.op, tuple(_split_nested(item, max_in) for item in node.items))
    if isinstance(node, Condition) and node.op in _LIST_OPS and len(node.value) > max_in:
        parts = [Condition(node.op, node.field, c, node.udf) for c in _chunks(node.value, max_in)]
        return Group("or" if node.op == "in" else "and", tuple(parts))
    return node


def count_or_conditions(filters: Iterable[Filter]) -> int:
    """How many conditions sit under ``or`` groups (Autotask's 500 'OR' condition limit)."""

    def walk(node: Filter, under_or: bool) -> int:
        """Leaves below ``node`` that sit under some ``or`` group."""
        if isinstance(node, Group):
            inner = under_or or node.op == "or"
            return sum(walk(item, inner) for item in node.items)
        return 1 if under_or else 0

    return sum(walk(node, False) for node in filters)


def plan_queries(
    filters: Sequence[Filter],
    *,
    max_in: int = MAX_IN_VALUES,
    max_or: int = MAX_OR_CONDITIONS,
) -> list[tuple[Filter, ...]]:
    """Split one logical query into legal Autotask queries whose results, joined, are the answer.

    An empty list means the query cannot match anything (an empty top-level ``in``).
    """
    if max_in < 1:
        raise ValueError("max_in must be at least 1")
    variants: list[list[Filter]] = []
    for node in filters:
        if isinstance(node, Condition) and node.op == "in":
            if not node.value:
                return []  # an empty top-level 'in' matches nothing: send no query at all
            # a top-level 'in' is AND-ed with the rest, so each chunk is a query of its own
            variants.append(
                [Condition("in", node.field, c, node.udf) for c in _chunks(node.value, max_in)]
            )
        else:
            variants.append([_split_nested(node, max_in)])
    planned = [tuple(combo) for combo in itertools.product(*variants)]
    for query in planned:
        ors = count_or_conditions(query)
        if ors > max_or:
            raise QueryTooLarge(f"query has {ors} OR conditions; Autotask accepts at most {max_or}")
    return planned or [()]
