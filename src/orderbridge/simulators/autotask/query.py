"""The query grammar: parse a QueryModel against an entity and evaluate it over a table.

Field names, operator names and QueryModel keys are matched case-insensitively; string
comparisons are case-insensitive too, like the SQL Server collation behind Autotask. A null field
value never satisfies a comparison (SQL semantics); only ``notExist`` matches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .schema import DataType, EntitySpec, FieldSpec
from .store import Record, Table
from .values import coerce

__all__ = ["OPERATORS", "PageResult", "ParsedQuery", "count_matches", "parse_query", "run_page"]

Predicate = Callable[[Record], bool]

OPERATORS = (
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginsWith",
    "endsWith",
    "contains",
    "exist",
    "notExist",
    "in",
    "notIn",
)
_OPS = {op.lower(): op for op in (*OPERATORS, "and", "or")}


@dataclass
class ParsedQuery:
    """A validated query: page size, projected fields, predicate and an id window."""

    max_records: int
    include: tuple[str, ...] | None
    predicate: Predicate
    id_low: int | None = None
    id_high: int | None = None
    id_in: frozenset[int] | None = None


@dataclass
class PageResult:
    """One page of matching records and whether more follow."""

    records: list[Record]
    has_more: bool


class _Context:
    """Per-parse bookkeeping for the OR and UDF limits."""

    def __init__(self, spec: EntitySpec, max_or: int) -> None:
        self.spec = spec
        self.max_or = max_or
        self.or_conditions = 0
        self.udf_leaves = 0


def _keys_lower(node: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in node.items()}


def _field(ctx: _Context, name: Any) -> FieldSpec:
    spec = ctx.spec.field_named(str(name)) if isinstance(name, str) else None
    if spec is None:
        raise ApiError(f"Unable to find {name} in the {ctx.spec.name} Entity.")
    return spec


def _lowered(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _record_value(spec: FieldSpec) -> Callable[[Record], Any]:
    name = spec.name
    if spec.data_type is DataType.STRING:
        return lambda r: _lowered(r.get(name))
    return lambda r: r.get(name)


def _comparison(op: str, get: Callable[[Record], Any], value: Any) -> Predicate:
    if op == "eq":
        return lambda r: (v := get(r)) is not None and v == value
    if op == "noteq":
        return lambda r: (v := get(r)) is not None and v != value
    if op == "gt":
        return lambda r: (v := get(r)) is not None and v > value
    if op == "gte":
        return lambda r: (v := get(r)) is not None and v >= value
    if op == "lt":
        return lambda r: (v := get(r)) is not None and v < value
    return lambda r: (v := get(r)) is not None and v <= value


def _text_match(op: str, spec: FieldSpec, value: Any) -> Predicate:
    name = spec.name
    needle = str(value).lower()

    def text(r: Record) -> str | None:
        v = r.get(name)
        return None if v is None else str(v).lower()

    if op == "beginsWith":
        return lambda r: (t := text(r)) is not None and t.startswith(needle)
    if op == "endsWith":
        return lambda r: (t := text(r)) is not None and t.endswith(needle)
    return lambda r: (t := text(r)) is not None and needle in t


def _leaf(ctx: _Context, node: dict[str, Any], op: str) -> Predicate:
    udf = node.get("udf", False)
    if not isinstance(udf, bool):
        raise ApiError("Invalid query syntax. The 'udf' property must be true or false.")
    if udf:
        return _udf_leaf(ctx, node)
    spec = _field(ctx, node.get("field"))
    name = spec.name
    if op == "exist":
        return lambda r: r.get(name) is not None
    if op == "notExist":
        return lambda r: r.get(name) is None
    if "value" not in node or node["value"] is None:
        raise ApiError(f"Invalid query syntax. Operator '{op}' on {spec.name} needs a value.")
    raw = node["value"]
    if op in ("in", "notIn"):
        if not isinstance(raw, list):
            raise ApiError(f"Invalid query syntax. Operator '{op}' needs an array value.")
        values = frozenset(_lowered(coerce(spec, v)) for v in raw if v is not None)
        get = _record_value(spec)
        if op == "in":
            return lambda r: (v := get(r)) is not None and v in values
        return lambda r: (v := get(r)) is not None and v not in values
    if op in ("beginsWith", "endsWith", "contains"):
        return _text_match(op, spec, raw if isinstance(raw, str) else coerce(spec, raw))
    return _comparison(op, _record_value(spec), _lowered(coerce(spec, raw)))


def _udf_leaf(ctx: _Context, node: dict[str, Any]) -> Predicate:
    if not ctx.spec.has_udfs:
        raise ApiError(f"User-defined fields are not supported for the {ctx.spec.name} Entity.")
    ctx.udf_leaves += 1
    if ctx.udf_leaves > 1:
        raise ApiError(
            "Invalid query syntax. Only one user-defined field may be queried at a time."
        )
    # No user-defined field definitions exist in the simulated tenant.
    raise ApiError(f"Unable to find {node.get('field')} in the {ctx.spec.name} Entity.")


def _node(ctx: _Context, node: Any) -> Predicate:
    if not isinstance(node, dict):
        raise ApiError("Invalid query syntax. A filter item must be an object.")
    node = _keys_lower(node)
    raw_op = node.get("op")
    op = _OPS.get(raw_op.lower()) if isinstance(raw_op, str) else None
    if op is None:
        raise ApiError(f"Invalid query syntax. '{raw_op}' is not a valid operator.")
    if op not in ("and", "or"):
        return _leaf(ctx, node, op)
    items = node.get("items")
    if not isinstance(items, list) or not items:
        raise ApiError(f"Invalid query syntax. An '{op}' group needs a non-empty 'items' array.")
    children = [_node(ctx, child) for child in items]
    if op == "or":
        ctx.or_conditions += len(children)
        return lambda r: any(p(r) for p in children)
    return _all_of(children)


def _all_of(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 1:
        return predicates[0]

    def every(r: Record) -> bool:
        return all(p(r) for p in predicates)

    return every


def _id_window(query: ParsedQuery, filters: list[Any]) -> None:
    """Narrow the candidate ids from top-level (AND-ed) conditions on ``id``."""
    for node in filters:
        node = _keys_lower(node)
        if str(node.get("field", "")).lower() != "id" or node.get("udf"):
            continue
        op = str(node.get("op", "")).lower()
        raw = node.get("value")
        if op == "in" and isinstance(raw, list):
            ids = frozenset(int(v) for v in raw if isinstance(v, int | str) and str(v).isdigit())
            query.id_in = ids if query.id_in is None else query.id_in & ids
            continue
        if not isinstance(raw, int) or isinstance(raw, bool):
            continue
        low = {"eq": raw, "gt": raw + 1, "gte": raw}.get(op)
        high = {"eq": raw, "lt": raw - 1, "lte": raw}.get(op)
        if low is not None:
            query.id_low = low if query.id_low is None else max(query.id_low, low)
        if high is not None:
            query.id_high = high if query.id_high is None else min(query.id_high, high)


def _max_records(raw: Any, limit: int) -> int:
    if raw is None:
        return limit
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= limit:
        raise ApiError(f"MaxRecords must be between 1 and {limit}.")
    return raw


def _include(spec: EntitySpec, raw: Any) -> tuple[str, ...] | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ApiError("IncludeFields must be an array of field names.")
    names: list[str] = []
    for name in raw:
        found = spec.field_named(name)
        if found is None:
            raise ApiError(f"Unable to find {name} in the {spec.name} Entity.")
        if found.name not in names:
            names.append(found.name)
    return tuple(names)


def parse_query(spec: EntitySpec, data: Any, *, page_limit: int, max_or: int) -> ParsedQuery:
    """Validate a QueryModel for ``spec``; raises ``ApiError`` with Autotask's wording."""
    if not isinstance(data, dict):
        raise ApiError("Invalid query syntax. The query must be a JSON object.")
    data = _keys_lower(data)
    filters = data.get("filter")
    if not isinstance(filters, list) or not filters:
        raise ApiError("Invalid query syntax. A query needs at least one filter condition.")
    ctx = _Context(spec, max_or)
    predicate = _all_of([_node(ctx, node) for node in filters])
    if ctx.or_conditions > max_or:
        raise ApiError(
            f"Invalid query syntax. Queries are limited to {max_or} or fewer 'OR' conditions."
        )
    query = ParsedQuery(
        max_records=_max_records(data.get("maxrecords"), page_limit),
        include=_include(spec, data.get("includefields")),
        predicate=predicate,
    )
    _id_window(query, filters)
    return query


def _candidates(table: Table, query: ParsedQuery, after_id: int | None) -> list[int]:
    low = query.id_low
    if after_id is not None:
        low = after_id + 1 if low is None else max(low, after_id + 1)
    if query.id_in is not None:
        return sorted(
            i
            for i in query.id_in
            if i in table.records
            and (low is None or i >= low)
            and (query.id_high is None or i <= query.id_high)
        )
    return table.ids_between(low, query.id_high)


def run_page(table: Table, query: ParsedQuery, after_id: int | None = None) -> PageResult:
    """The first ``max_records`` matches with id above ``after_id``, in id order."""
    matches: list[Record] = []
    predicate = query.predicate
    records = table.records
    for record_id in _candidates(table, query, after_id):
        record = records[record_id]
        if predicate(record):
            if len(matches) == query.max_records:
                return PageResult(matches, True)
            matches.append(record)
    return PageResult(matches, False)


def count_matches(table: Table, query: ParsedQuery) -> int:
    """How many records match (MaxRecords does not apply)."""
    predicate = query.predicate
    records = table.records
    return sum(1 for record_id in _candidates(table, query, None) if predicate(records[record_id]))
